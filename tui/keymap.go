package tui

import "github.com/charmbracelet/bubbles/key"

// Keys. Every screen owns its bindings (its own copies, so enabling `r` on one screen never
// enables it on another) and switches them on and off in one method, updateKeys, called after
// each of its updates. Handling uses key.Matches, which ignores a disabled binding, and the
// help skips disabled bindings: what the footer offers is exactly what the screen answers.

func binding(keys []string, k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
}

// globalKeys are the root's: they work on every screen.
type globalKeys struct {
	Quit     key.Binding // ctrl+c: always quits, from any screen
	Help     key.Binding
	PageUp   key.Binding // only while the body is taller than the window
	PageDown key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:     binding([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:     binding([]string{"?"}, "?", "more"),
		PageUp:   binding([]string{"pgup"}, "pgup", "scroll up"),
		PageDown: binding([]string{"pgdown"}, "pgdn", "scroll down"),
	}
}

type keysKeys struct {
	Submit, NextField, PrevField, ToggleEnv, Yes, No, Exit key.Binding
}

func newKeysKeys() keysKeys {
	return keysKeys{
		Submit:    binding([]string{"enter"}, "enter", "continue"),
		NextField: binding([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: binding([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		ToggleEnv: binding([]string{"left", "right", " "}, "←/→", "environment"),
		Yes:       binding([]string{"y", "Y"}, "y", "yes"),
		No:        binding([]string{"n", "N"}, "n", "no"),
		Exit:      binding([]string{"esc"}, "esc", "quit"),
	}
}

type linkKeys struct {
	Open, Sandbox, Retry, Saved, Back, Quit key.Binding
}

func newLinkKeys() linkKeys {
	return linkKeys{
		Open:    binding([]string{"o"}, "o", "open browser"),
		Sandbox: binding([]string{"s"}, "s", "sandbox shortcut"),
		Retry:   binding([]string{"r"}, "r", "new Link session"),
		Saved:   binding([]string{"a"}, "a", "items"),
		Back:    binding([]string{"esc"}, "esc", "back to keys"),
		Quit:    binding([]string{"q"}, "q", "quit"),
	}
}

type workingKeys struct {
	Retry, LinkAgain, Repair, Back, Quit key.Binding
}

func newWorkingKeys() workingKeys {
	return workingKeys{
		Retry:     binding([]string{"r"}, "r", "retry step"),
		LinkAgain: binding([]string{"l"}, "l", "link again"),
		Repair:    binding([]string{"u"}, "u", "repair with Link"),
		Back:      binding([]string{"esc"}, "esc", "back to Link"),
		Quit:      binding([]string{"q"}, "q", "quit"),
	}
}

type resultsKeys struct {
	Up, Down, Reveal, RevealAnyway, Copy, LinkAnother, Items, Quit key.Binding
	// RemoveUnsaved removes at Plaid an Item that was not saved, while its token is in memory.
	RemoveUnsaved key.Binding
	// While the copy picker is open.
	CopyPick, CopyCancel key.Binding
}

func newResultsKeys() resultsKeys {
	return resultsKeys{
		Up:            binding([]string{"up", "k"}, "↑/k", "previous account"),
		Down:          binding([]string{"down", "j"}, "↓/j", "next account"),
		Reveal:        binding([]string{"v"}, "v", "reveal"),
		RevealAnyway:  binding([]string{"V"}, "V", "reveal anyway"),
		Copy:          binding([]string{"c"}, "c", "copy…"),
		LinkAnother:   binding([]string{"l"}, "l", "link another"),
		Items:         binding([]string{"i"}, "i", "items"),
		RemoveUnsaved: binding([]string{"x"}, "x", "remove it at Plaid"),
		Quit:          binding([]string{"q"}, "q", "quit"),
		CopyPick:      binding([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "j"}, "1-9/j", "copy that"),
		CopyCancel:    binding([]string{"esc"}, "esc", "cancel copy"),
	}
}

// itemsKeys are the Items screen's: the list, the filter, the actions on the selected Item,
// and the keys of its prompts (the filter, rename, the y/n questions, the processor token).
type itemsKeys struct {
	Up, Down, Open, Filter, ClearFilter, Back, Quit key.Binding
	// Actions on the selected Item.
	Status, Balances, Rename, Remove, Rotate, Processor, ResetLogin, Repair, Copy key.Binding
	// While the filter is typed into.
	FilterDone, FilterCancel key.Binding
	// While a prompt is open: rename, the processor, the account to tokenise.
	Accept, Cancel, Complete key.Binding
	// While a y/n question is asked (remove, forget).
	Yes, No key.Binding
}

func newItemsKeys() itemsKeys {
	return itemsKeys{
		Up:           binding([]string{"up", "k"}, "↑/k", "previous Item"),
		Down:         binding([]string{"down", "j"}, "↓/j", "next Item"),
		Open:         binding([]string{"enter"}, "enter", "numbers"),
		Filter:       binding([]string{"/"}, "/", "filter"),
		ClearFilter:  binding([]string{"esc"}, "esc", "clear filter"),
		Back:         binding([]string{"esc"}, "esc", "back"),
		Quit:         binding([]string{"q"}, "q", "quit"),
		Status:       binding([]string{"s"}, "s", "status"),
		Balances:     binding([]string{"b"}, "b", "balances"),
		Rename:       binding([]string{"r"}, "r", "rename"),
		Remove:       binding([]string{"d"}, "d", "remove"),
		Rotate:       binding([]string{"t"}, "t", "rotate token"),
		Processor:    binding([]string{"p"}, "p", "processor token"),
		ResetLogin:   binding([]string{"L"}, "L", "reset login (Sandbox)"),
		Repair:       binding([]string{"u"}, "u", "repair with Link"),
		Copy:         binding([]string{"c"}, "c", "copy token"),
		FilterDone:   binding([]string{"enter"}, "enter", "keep filter"),
		FilterCancel: binding([]string{"esc"}, "esc", "clear filter"),
		Accept:       binding([]string{"enter"}, "enter", "ok"),
		Cancel:       binding([]string{"esc"}, "esc", "cancel"),
		Complete:     binding([]string{"tab"}, "tab", "complete"),
		Yes:          binding([]string{"y", "Y"}, "y", "yes"),
		No:           binding([]string{"n", "N", "esc"}, "n", "no"),
	}
}

// withHelp returns a copy of b with other help text, for bindings whose meaning depends on
// the state (v reveals or hides).
func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
