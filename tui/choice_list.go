package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// choiceList is what the Link screen's short lists share (the Sandbox shortcut's scenarios,
// the verification flows): open or not, the row under the cursor, and the keys that move it.
// ↑/↓ wrap around, a digit jumps to its row, enter picks, esc closes.
type choiceList struct {
	open   bool
	cursor int
	keys   choiceKeys
}

// newChoiceList names what enter and esc do in this list.
func newChoiceList(pick, cancel string) choiceList {
	return choiceList{keys: choiceKeys{
		Up:     withHelp(bind(doUp, ""), "↑/↓", "choose"),
		Down:   withHelp(bind(doDown, ""), "↓", "down"),
		Pick:   bind(doSelect, pick),
		Cancel: bind(doBack, cancel),
	}}
}

// move handles a key in a list of n rows: picked is the row chosen with enter (-1 for none),
// handled whether the key was the list's.
func (l *choiceList) move(msg tea.KeyMsg, n int) (picked int, handled bool) {
	switch {
	case key.Matches(msg, l.keys.Up):
		l.cursor = (l.cursor + n - 1) % n
	case key.Matches(msg, l.keys.Down):
		l.cursor = (l.cursor + 1) % n
	case key.Matches(msg, l.keys.Pick):
		l.open = false
		return l.cursor, true
	case key.Matches(msg, l.keys.Cancel):
		l.open = false
	case len(msg.Runes) == 1 && msg.Runes[0] >= '1' && int(msg.Runes[0]-'1') < n:
		l.cursor = int(msg.Runes[0] - '1')
	default:
		return -1, false
	}
	return -1, true
}
