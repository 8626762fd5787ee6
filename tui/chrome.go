package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// The header and the footer: the parts of the window that are not the screen. The root draws
// them around the scrolling body; screens only feed them through their help.

// screenNames are the steps of the header, one per screen on the main path.
var screenNames = []string{"Keys", "Link", "Working", "Results"}

const headerHeight = 3

// header is the title, the environment and demo badges, and the steps.
type header struct {
	c *common
}

// View draws the header w cells wide, with step as the current one and env as the badge
// (the keys screen's choice while it is on show).
func (h header) View(w int, step screenID, env config.Env) string {
	st := h.c.styles
	var badge string
	switch {
	case h.c.cfg.Demo:
		badge = st.Badge(st.BadgeDem, "OFFLINE DEMO · not Plaid")
	case env == config.Production:
		badge = st.Badge(st.BadgeProd, "PRODUCTION")
	default:
		badge = st.Badge(st.BadgeEnv, "Sandbox")
	}
	// The profile is named beside the environment once profiles were made, so a demo to one
	// client never runs in another's keys unnoticed; it is what is kept when room runs out,
	// before the tagline.
	title := st.Title.Render("◆ plaid-onboard")
	if label := h.c.cfg.ProfileLabel(); label != "" {
		room := w - lipgloss.Width(title) - lipgloss.Width(badge) - 2
		badge = st.Muted.Render(truncate(label, room)+" ") + badge
	}
	left := title + st.Tagline.Render("  Plaid Auth, step by step")
	if lipgloss.Width(left)+lipgloss.Width(badge)+1 > w {
		left = title
	}
	gap := max(w-lipgloss.Width(left)-lipgloss.Width(badge), 1)
	line1 := left + strings.Repeat(" ", gap) + badge

	var steps []string
	for i, name := range screenNames {
		switch sid := screenID(i); {
		case sid < step:
			steps = append(steps, st.StepDone.Render("✓ "+name))
		case sid == step:
			steps = append(steps, st.StepNow.Render("● "+name))
		default:
			steps = append(steps, st.StepTodo.Render("○ "+name))
		}
	}
	line2 := strings.Join(steps, st.Faint.Render(" ─ "))
	return line1 + "\n" + line2 + "\n" + st.Rule.Render(strings.Repeat("─", w))
}

// scrollState is where the body is scrolled to, for the footer's scroll line.
type scrollState struct {
	on           bool
	above, below int
}

// footer is the notice of how the session was set up, the scroll line when the body is taller
// than the window, and the help: the active screen's enabled keys, then the global ones.
type footer struct {
	c      *common
	help   help.Model
	notice string
	// retry is the retry under way, if any: why a step takes longer than usual.
	retry  string
	scroll scrollState
}

func newFooter(c *common, notes []string) footer {
	h := help.New()
	h.Styles = c.styles.Help
	return footer{c: c, help: h, notice: strings.Join(notes, "; ")}
}

func (f *footer) setNotice(s string) { f.notice = s }
func (f *footer) toggleHelp()        { f.help.ShowAll = !f.help.ShowAll }

func (f footer) height(w int, scr help.KeyMap, g globalKeys) int {
	return lineCount(f.View(w, scr, g))
}

// View draws the footer w cells wide for the screen scr.
func (f footer) View(w int, scr help.KeyMap, g globalKeys) string {
	st := f.c.styles
	var parts []string
	if f.notice != "" {
		lines := wrap(f.notice, w)
		if len(lines) > 2 {
			lines = lines[:2]
			lines[1] = truncate(lines[1]+" …", w)
		}
		for _, l := range lines {
			parts = append(parts, st.Muted.Render(l))
		}
	}
	if f.retry != "" {
		parts = append(parts, st.Warn.Render(truncate(f.retry, w)))
	}
	if g.PageDown.Enabled() {
		parts = append(parts, truncate(f.scrollLine(), w))
	}
	if f.help.ShowAll {
		// One line per group, so the full help reads the same at 60 columns as at 160.
		groups := append(scr.FullHelp(), []key.Binding{g.PageUp, g.PageDown}, []key.Binding{
			withHelp(g.Help, "?", "close help"), g.Quit,
		})
		parts = append(parts, st.Rule.Render(strings.Repeat("─", w)))
		for _, grp := range groups {
			if v := f.help.ShortHelpView(grp); v != "" {
				parts = append(parts, truncate(v, w))
			}
		}
		return strings.Join(parts, "\n")
	}
	// The screen lists its keys most important first: drop from the end, keeping how to quit
	// and "? help", which leads to the rest, at every width. The line only grows with the keys
	// kept, so when they do not all fit, the most that do are found in halves (the Items
	// screen has twenty keys, and the footer is drawn on every frame).
	bs, quit := splitQuit(scr.ShortHelp(), g.Quit)
	tail := []key.Binding{quit, withHelp(g.Help, "?", "help")}
	measure := f.help
	measure.Width = 0 // no truncation: measure the whole line
	with := func(n int) []key.Binding { return append(bs[:n:n], tail...) }
	fits := func(n int) bool { return lipgloss.Width(measure.ShortHelpView(with(n))) <= w }
	n := len(bs)
	if n > 0 && !fits(n) {
		n = len(bs) - 1 - sort.Search(len(bs)-1, func(drop int) bool { return fits(len(bs) - 1 - drop) })
	}
	parts = append(parts, truncate(measure.ShortHelpView(with(n)), w))
	return strings.Join(parts, "\n")
}

// splitQuit takes out of a screen's short help its way to quit (q, or esc where q is typed
// into a field), which the footer keeps last whatever the width; where the screen has none
// enabled (a prompt takes the letters), ctrl+c is the way.
func splitQuit(bs []key.Binding, ctrlC key.Binding) (rest []key.Binding, quit key.Binding) {
	quit = ctrlC
	found := false
	for _, b := range bs {
		if !found && b.Enabled() && b.Help().Desc == "quit" {
			quit, found = b, true
			continue
		}
		rest = append(rest, b)
	}
	return rest, quit
}

// scrollLine says there is more above or below, and the keys that reach it.
func (f footer) scrollLine() string {
	st := f.c.styles
	var parts []string
	if f.scroll.below > 0 {
		parts = append(parts, st.Key.Render("pgdn")+st.Muted.Render(fmt.Sprintf(" ↓ %s below", plural(f.scroll.below, "more line"))))
	}
	if f.scroll.above > 0 {
		parts = append(parts, st.Key.Render("pgup")+st.Muted.Render(fmt.Sprintf(" ↑ %d above", f.scroll.above)))
	}
	if len(parts) == 0 {
		return st.Faint.Render("pgup/pgdn scroll")
	}
	return strings.Join(parts, st.Faint.Render(" · "))
}
