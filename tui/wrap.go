package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The layout rules every screen's text goes through, in one place:
//
//   - text wraps at spaces only: never inside a word, so an identifier, an id, a path, a URL or
//     a flag is never split at one of its hyphens or slashes;
//   - a `command in backquotes` is one unbreakable piece, spaces included, so it can be read
//     (and pasted) whole;
//   - a piece wider than the line is shortened with "…" rather than broken: in the middle when
//     it is plain (a path keeps its file name, a URL its end), at its end when it holds styles;
//   - a box the scrolling window cuts keeps its borders (closeCutBoxes).
//
// Lines are never left for the terminal to wrap: every line is also cut to the width (fit).

// wrap breaks text (which may hold styles) into lines of at most w cells, at spaces only.
func wrap(text string, w int) []string {
	if w < 8 {
		w = 8
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, wrapLine(para, w)...)
	}
	return out
}

// wrapLine wraps one paragraph. Styles carry over a break: a line that ends inside a style is
// closed with a reset and the next one opens it again, so a border drawn beside a line (a
// card's) does not take its colour.
func wrapLine(s string, w int) []string {
	var (
		lines []string
		cur   strings.Builder
		curW  int
		open  string // the styles in force where cur ends
		empty = true // nothing but what opens the styles is on the line yet
	)
	flush := func() {
		line := cur.String()
		if open != "" {
			line += ansi.ResetStyle
		}
		lines = append(lines, line)
		cur.Reset()
		cur.WriteString(open)
		curW, empty = 0, true
	}
	lead := true // still in the paragraph's indent, which is kept
	sep := 0     // the spaces owed before the next word: dropped at a break
	for i, p := range pieces(s) {
		pw := ansi.StringWidth(p)
		switch {
		case i > 0 && lead:
			cur.WriteByte(' ')
			curW++
		case i > 0:
			sep++
		}
		if pw == 0 {
			open = styleAfter(open, p)
			cur.WriteString(p) // styles only
			continue
		}
		if !empty && curW+sep+pw > w {
			flush()
		}
		if empty && !lead {
			sep = 0
		}
		cur.WriteString(strings.Repeat(" ", sep))
		curW += sep
		sep = 0
		if pw > w-curW {
			p = shorten(p, w-curW)
			pw = ansi.StringWidth(p)
		}
		cur.WriteString(p)
		curW += pw
		open = styleAfter(open, p)
		empty, lead = false, false
	}
	flush()
	return lines
}

// pieces splits a paragraph at its spaces, keeping a backquoted span whole. Escape sequences
// hold no spaces, so splitting the styled text at spaces never cuts one.
func pieces(s string) []string {
	words := strings.Split(s, " ")
	var out []string
	quoted := false
	for _, wd := range words {
		if quoted {
			out[len(out)-1] += " " + wd
		} else {
			out = append(out, wd)
		}
		if strings.Count(ansi.Strip(wd), "`")%2 == 1 {
			quoted = !quoted
		}
	}
	return out
}

// styleAfter is the SGR styles in force after text, given those in force before it: a reset
// clears them, anything else adds to them.
func styleAfter(open, text string) string {
	for {
		i := strings.Index(text, "\x1b[")
		if i < 0 {
			return open
		}
		j := strings.IndexByte(text[i:], 'm')
		if j < 0 {
			return open
		}
		seq := text[i : i+j+1]
		if seq == "\x1b[0m" || seq == "\x1b[m" {
			open = ""
		} else {
			open += seq
		}
		text = text[i+j+1:]
	}
}

// shorten fits one unbreakable piece (an id, a path, a URL, a command) in w cells with "…":
// a plain one loses its middle, so a path keeps its file name and a URL its last part; a
// styled one loses its end.
func shorten(p string, w int) string {
	if w <= 0 {
		return ""
	}
	pw := ansi.StringWidth(p)
	if pw <= w {
		return p
	}
	if w < 8 || strings.Contains(p, "\x1b") {
		return ansi.Truncate(p, w, "…")
	}
	head := (w - 1) / 3
	tail := w - 1 - head
	return ansi.Truncate(p, head, "") + "…" + ansi.TruncateLeft(p, pw-tail, "")
}

// closeCutBoxes keeps the boxes of a scrolled window whole: where the window [off, off+h) of
// lines cuts a box (a card drawn with ╭ ╮ ╰ ╯), the window's edge line shows the box's own
// top or bottom border instead, so no box is left open. What the border covers is one line of
// the box, and the scroll line says there is more.
func closeCutBoxes(lines []string, off, h int) []string {
	if h < 2 || off < 0 || off >= len(lines) {
		return lines
	}
	end := min(off+h, len(lines)) // the window is lines[off:end]
	out := lines
	replaced := false
	replace := func(at int, with string) {
		if !replaced {
			out, replaced = append([]string(nil), lines...), true
		}
		out[at] = with
	}
	// A box of which no line of content would show is left out: an empty box reads as a fault.
	if top, bottom := boxAround(lines, off); top >= 0 && top < off {
		// The window starts inside a box begun above it.
		if bottom <= off+1 {
			for i := off; i <= bottom && i < end; i++ {
				replace(i, "")
			}
		} else {
			replace(off, lines[top])
		}
	}
	if top, bottom := boxAround(lines, end-1); top >= 0 && bottom >= end {
		// The window ends inside a box that goes on below it.
		if top >= end-2 {
			for i := max(top, off); i < end; i++ {
				replace(i, "")
			}
		} else {
			replace(end-1, lines[bottom])
		}
	}
	return out
}

// boxAround finds the box that line at is part of: the lines of its top and bottom borders,
// (-1, -1) when it is in none.
func boxAround(lines []string, at int) (top, bottom int) {
	col, ok := boxColumn(lines[at])
	if !ok {
		return -1, -1
	}
	top, bottom = -1, -1
	for i := at; i >= 0; i-- {
		c, ch := edgeAt(lines[i], col)
		if !c {
			return -1, -1
		}
		if ch == '╭' {
			top = i
			break
		}
		if ch == '╰' && i != at {
			return -1, -1
		}
	}
	for i := at; i < len(lines); i++ {
		c, ch := edgeAt(lines[i], col)
		if !c {
			return -1, -1
		}
		if ch == '╰' {
			bottom = i
			break
		}
		if ch == '╭' && i != at {
			return -1, -1
		}
	}
	if top < 0 || bottom < 0 {
		return -1, -1
	}
	return top, bottom
}

// boxColumn is the cell where a box's left edge is on line l: the first character after its
// indent, when it is one of a box's left edge characters.
func boxColumn(l string) (int, bool) {
	col, r := firstRune(l)
	switch r {
	case '╭', '│', '╰':
		return col, true
	}
	return 0, false
}

// edgeAt says whether line l has a box's left edge at cell col, and which character it is.
func edgeAt(l string, col int) (bool, rune) {
	c, r := firstRune(l)
	if c != col {
		return false, 0
	}
	switch r {
	case '╭', '│', '╰':
		return true, r
	}
	return false, 0
}

// firstRune is the first character of l after its indent (spaces and styles) and its cell:
// it reads no further, since a scrolled window asks it of every line of a long box.
func firstRune(l string) (col int, r rune) {
	for i := 0; i < len(l); {
		switch c := l[i]; {
		case c == ' ':
			col++
			i++
		case c == 0x1b:
			j := strings.IndexByte(l[i:], 'm')
			if j < 0 {
				return col, 0
			}
			i += j + 1
		default:
			r, _ := utf8.DecodeRuneInString(l[i:])
			return col, r
		}
	}
	return col, 0
}
