package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// The status line: what just happened (copied, saved, removed, rotated, fired, failed), just
// above the footer on every screen, outside the scrolling body, so it is never below the fold.
// It stays until the next key that acts (scrolling and help leave it), or until something else
// happens.
//
// Anything in tui/ sets it one of two ways:
//
//	s.c.setStatus(statusOK, "Sent the ACH routing … to the clipboard")  // in Update
//	return tellStatus(statusBad, "Could not …: "+err.Error())          // from a tea.Cmd's result
//
// statusOK is a success (✓), statusBad a failure (✗), statusWarn a caution (!), statusInfo what
// is under way (·). The glyph says which without colour (NO_COLOR).

type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusWarn
	statusBad
)

// statusMaxLines is the most the status line grows to at a narrow width: a path or a command
// on a line of its own, with the sentence around it.
const statusMaxLines = 3

// statusMsg puts text on the status line when a command's result arrives.
type statusMsg struct {
	kind statusKind
	text string
}

// tellStatus is a command whose message sets the status line.
func tellStatus(kind statusKind, text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{kind: kind, text: text} }
}

// statusLine is what the status line says.
type statusLine struct {
	kind statusKind
	text string
}

// setStatus says what just happened on the status line.
func (c *common) setStatus(kind statusKind, text string) {
	c.status = statusLine{kind: kind, text: strings.TrimSpace(text)}
}

// clearStatus empties the status line: the user moved on.
func (c *common) clearStatus() { c.status = statusLine{} }

// statusView draws the status line w cells wide: "" when there is nothing to say.
func (c *common) statusView(w int) string {
	sl := c.status
	if sl.text == "" {
		return ""
	}
	st := c.styles
	glyph, style := "·", st.Muted
	switch sl.kind {
	case statusOK:
		glyph, style = "✓", st.OK
	case statusWarn:
		glyph, style = "!", st.Warn
	case statusBad:
		glyph, style = "✗", st.Bad
	}
	lines := wrap(sl.text, max(w-2, 8))
	if len(lines) > statusMaxLines {
		lines = lines[:statusMaxLines]
		lines[statusMaxLines-1] = truncate(lines[statusMaxLines-1]+" …", w-2)
	}
	for i, l := range lines {
		lead := "  "
		if i == 0 {
			lead = style.Bold(true).Render(glyph) + " "
		}
		lines[i] = truncate(lead+style.Render(l), w)
	}
	return strings.Join(lines, "\n")
}
