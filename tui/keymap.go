package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the one keymap of the UI. Screens pick the bindings that apply to them for their
// help; the root adds the global ones (ctrl+c, ?).
type KeyMap struct {
	// Global.
	Quit key.Binding // ctrl+c: always quits, from any screen
	Help key.Binding

	// Keys screen.
	Submit    key.Binding
	NextField key.Binding
	PrevField key.Binding
	ToggleEnv key.Binding
	Yes       key.Binding
	No        key.Binding
	Exit      key.Binding // esc on the first screen

	// Link screen.
	Open    key.Binding
	Sandbox key.Binding
	Retry   key.Binding
	Back    key.Binding
	Saved   key.Binding // a: the Items saved by earlier runs

	// Results screen.
	Up          key.Binding
	Down        key.Binding
	Reveal      key.Binding
	Copy        key.Binding
	LinkAnother key.Binding
	QuitQ       key.Binding
}

// DefaultKeyMap returns the bindings of plaid-onboard.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Quit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),

		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "check keys")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		ToggleEnv: key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "environment")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
		Exit:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit")),

		Open:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open browser")),
		Sandbox: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sandbox shortcut")),
		Retry:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try again")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to keys")),
		Saved:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "saved items")),

		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous account")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next account")),
		Reveal:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "reveal numbers")),
		Copy:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy numbers")),
		LinkAnother: key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "link another")),
		QuitQ:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}

// withHelp returns a copy of b with other help text, for bindings whose meaning depends on
// the state (v reveals or hides).
func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
