package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	"github.com/charmbracelet/x/ansi"
)

// Layout helpers. Nothing is ever wrapped by the terminal: every line is cut to the width with
// an ellipsis and every block to its height, so a small or shrinking window never garbles. How
// text wraps and what may never be broken is in wrap.go.

// ansiStrip is s without its styles.
func ansiStrip(s string) string { return ansi.Strip(s) }

// truncate cuts s (which may hold styles) to w cells, ending in "…" when cut.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// fit cuts every line of s to w cells and the block to exactly h lines.
func fit(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// indentBlock indents every line of s by margin spaces and fits the block to w×h.
func indentBlock(s string, margin, w, h int) string {
	pad := strings.Repeat(" ", margin)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// padRight pads s with spaces to w cells (s is cut first if wider).
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// indent prefixes every line of lines with p.
func indent(lines []string, p string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

// newSpinner is the one spinner of the UI: braille dots, one cell wide, no trailing space.
func newSpinner(st *Styles) spinner.Model {
	return spinner.New(
		spinner.WithSpinner(spinner.Spinner{
			Frames: []string{"⣾", "⣽", "⣻", "⢿", "⡿", "⣟", "⣯", "⣷"},
			FPS:    time.Second / 10,
		}),
		spinner.WithStyle(st.Spinner),
	)
}

// card draws body in a rounded box with title on its top edge (and right, if any, at the top
// right). It is as wide as its content needs but at least minInner cells inside (so it does not
// jump as the content changes), and at most w cells in all; longer lines are cut.
func card(border lipgloss.Style, title, right string, body []string, w, minInner int) []string {
	inner := minInner
	for _, l := range body {
		inner = max(inner, lipgloss.Width(l))
	}
	tw, rw := lipgloss.Width(title), lipgloss.Width(right)
	inner = max(inner, tw+rw+6)
	inner = max(min(inner, w-4), 1)

	// The top edge is inner+4 cells: "╭─" [" title "] fill [" right ─"] "╮".
	room := inner + 1 // what is left after "╭─" and "╮"
	if right != "" && tw+2+rw+3+1 > room {
		right, rw = "", 0
	}
	if title != "" && tw+2+1 > room {
		title = truncate(title, room-3)
		tw = lipgloss.Width(title)
	}
	top := border.Render("╭─")
	used := 0
	if title != "" {
		top += " " + title + " "
		used += tw + 2
	}
	if right != "" {
		used += rw + 3
	}
	top += border.Render(strings.Repeat("─", max(room-used, 0)))
	if right != "" {
		top += " " + right + " " + border.Render("─")
	}
	top += border.Render("╮")

	out := []string{top}
	side := border.Render("│")
	for _, l := range body {
		out = append(out, side+" "+padRight(l, inner)+" "+side)
	}
	return append(out, border.Render("╰"+strings.Repeat("─", inner+2)+"╯"))
}

// listTable is a borderless table of rows to pick from: the header row in the header style,
// the rows picked reports selected, the first column (the pointer) without padding after it.
// column, when not nil, may restyle the other columns (aligning money right).
func listTable(st *Styles, headers []string, picked func(row int) bool, column func(col int, style lipgloss.Style) lipgloss.Style) *table.Table {
	return table.New().
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).
		Headers(headers...).
		StyleFunc(func(row, col int) lipgloss.Style {
			style := st.Cell
			switch {
			case row == table.HeaderRow:
				style = st.TableHeader
			case picked(row):
				style = st.RowSelected
			}
			switch {
			case col == 0:
				return style.PaddingRight(0)
			case column != nil:
				return column(col, style)
			}
			return style
		})
}

// pickList is a list table's lines drawn once for its rows and width: every row as it shows
// unselected and as it shows selected, so that moving the cursor costs copying lines, not
// drawing a table (a table of 500 rows takes tens of milliseconds, and a key press waits for it).
type pickList struct {
	key           pickKey
	plain, picked []string // the header's line, then one line per row
}

// pickKey is what a pickList was drawn for. rows counts the changes to the rows it shows: the
// screen moves it on every change of them (a new result, a new list, a filter), so that a
// table never outlives what it shows.
type pickKey struct{ rows, width int }

var (
	pickNone = func(int) bool { return false }
	pickAll  = func(int) bool { return true }
)

// lines are the table of n rows with the row at cursor selected. draw draws the table with
// the rows picked reports selected (their pointer too); it runs twice when k is not what was
// drawn, and on every call when a row takes more than one line (a name with a line break),
// where lines cannot be swapped one for one.
func (p *pickList) lines(k pickKey, n, cursor int, draw func(picked func(row int) bool) []string) []string {
	if p.key != k || p.plain == nil {
		p.key, p.plain, p.picked = k, draw(pickNone), draw(pickAll)
	}
	if len(p.plain) != n+1 || len(p.picked) != n+1 {
		return draw(func(row int) bool { return row == cursor })
	}
	out := slices.Clone(p.plain)
	if cursor >= 0 && cursor < n {
		out[1+cursor] = p.picked[1+cursor]
	}
	return out
}
