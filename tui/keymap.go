package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// The key map: one table for the whole app. A key means one thing on every screen; what a
// screen offers is a binding made from this table (bind), switched on and off by the screen's
// updateKeys, and handled with key.Matches, which ignores a disabled binding, while the help
// skips disabled bindings: what the footer offers is exactly what the screen answers. A key
// that destroys or invalidates something (remove, rotate, reset) is used for nothing else and
// asks first (keymap_test.go walks every screen's bindings to hold both rules).

// action is what a key does, wherever it is pressed.
type action string

const (
	doQuitNow  action = "interrupt"      // ctrl+c
	doQuit     action = "quit"           // q
	doHelp     action = "more help"      // ?
	doPageUp   action = "scroll up"      // the body, when it is taller than the window
	doPageDown action = "scroll down"    //
	doBack     action = "back or cancel" // esc: leave what is open, or go back a screen
	doSelect   action = "continue"       // enter: go on with what is chosen or typed
	doUp       action = "up"
	doDown     action = "down"
	doNext     action = "next"     // tab: the next field, or completes what is typed
	doPrev     action = "previous" // shift+tab: the previous field
	doSwitch   action = "switch"   // ←/→: the environment
	doYes      action = "yes"      // a question's answers
	doNo       action = "no"
	doPick     action = "pick" // a digit picks that row of a list

	doOpen      action = "open the browser"
	doSandbox   action = "sandbox shortcut"
	doFlow      action = "verification flow"
	doRetry     action = "retry"
	doLinkAgain action = "link again"
	doRepair    action = "repair with Link"
	doItems     action = "items"
	doReveal    action = "reveal"
	doRevealAny action = "reveal anyway"
	doCopy      action = "copy"
	doCopyIDs   action = "copy the ids"
	doTimeline  action = "timeline"
	doSave      action = "save transcript"
	doFilter    action = "filter"
	doStatus    action = "status"
	doBalances  action = "balances"
	doProcessor action = "processor token"
	doRename    action = "rename"
	doVerified  action = "verify (Sandbox)"
	doExpired   action = "expire (Sandbox)"
	doCode      action = "enter code in Link"
	doFire      action = "fire webhook (Sandbox)"
	doHosted    action = "hosted link"          // H: Link on any device, by a QR code
	doFileStore action = "encrypted file store" // ctrl+s: keep Items in it where no keyring is
	doCopyCode  action = "copy code"            // C: the timeline's chosen call as code
	doCodeLang  action = "code language"

	// Destructive: each asks y/n first.
	doRemove     action = "remove the Item"
	doRotate     action = "rotate token"
	doResetLogin action = "reset login (Sandbox)"
)

// keyDef is an action's keys, how the help names them, and what the help says by default.
type keyDef struct {
	act         action
	keys        []string
	help, desc  string
	destructive bool
}

// keyMap is the table every binding comes from.
var keyMap = []keyDef{
	{act: doQuitNow, keys: []string{"ctrl+c"}, help: "ctrl+c", desc: "quit"},
	{act: doQuit, keys: []string{"q"}, help: "q", desc: "quit"},
	{act: doHelp, keys: []string{"?"}, help: "?", desc: "more"},
	{act: doPageUp, keys: []string{"pgup"}, help: "pgup", desc: "scroll up"},
	{act: doPageDown, keys: []string{"pgdown"}, help: "pgdn", desc: "scroll down"},
	{act: doBack, keys: []string{"esc"}, help: "esc", desc: "back"},
	{act: doSelect, keys: []string{"enter"}, help: "enter", desc: "continue"},
	{act: doUp, keys: []string{"up", "k"}, help: "↑/k", desc: "up"},
	{act: doDown, keys: []string{"down", "j"}, help: "↓/j", desc: "down"},
	{act: doNext, keys: []string{"tab"}, help: "tab", desc: "next field"},
	{act: doPrev, keys: []string{"shift+tab"}, help: "shift+tab", desc: "previous field"},
	{act: doSwitch, keys: []string{"left", "right", " "}, help: "←/→", desc: "environment"},
	{act: doYes, keys: []string{"y", "Y"}, help: "y", desc: "yes"},
	{act: doNo, keys: []string{"n", "N"}, help: "n", desc: "no"},
	{act: doPick, keys: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, help: "0-9", desc: "pick"},

	{act: doOpen, keys: []string{"o"}, help: "o", desc: "open browser"},
	{act: doSandbox, keys: []string{"s"}, help: "s", desc: "sandbox shortcut"},
	{act: doFlow, keys: []string{"f"}, help: "f", desc: "verification flow"},
	{act: doRetry, keys: []string{"r"}, help: "r", desc: "retry"},
	{act: doLinkAgain, keys: []string{"l"}, help: "l", desc: "link again"},
	{act: doRepair, keys: []string{"u"}, help: "u", desc: "repair with Link"},
	{act: doItems, keys: []string{"i"}, help: "i", desc: "items"},
	{act: doReveal, keys: []string{"v"}, help: "v", desc: "reveal"},
	{act: doRevealAny, keys: []string{"V"}, help: "V", desc: "reveal anyway"},
	{act: doCopy, keys: []string{"c"}, help: "c", desc: "copy…"},
	{act: doCopyIDs, keys: []string{"I"}, help: "I", desc: "copy ids"},
	{act: doTimeline, keys: []string{"T"}, help: "T", desc: "timeline"},
	{act: doSave, keys: []string{"t"}, help: "t", desc: "save transcript"},
	{act: doFilter, keys: []string{"/"}, help: "/", desc: "filter"},
	{act: doStatus, keys: []string{"h"}, help: "h", desc: "health"},
	{act: doBalances, keys: []string{"b"}, help: "b", desc: "balances"},
	{act: doProcessor, keys: []string{"p"}, help: "p", desc: "processor token"},
	{act: doRename, keys: []string{"e"}, help: "e", desc: "rename"},
	{act: doVerified, keys: []string{"A"}, help: "A", desc: "verify (Sandbox)"},
	{act: doExpired, keys: []string{"E"}, help: "E", desc: "expire (Sandbox)"},
	{act: doCode, keys: []string{"m"}, help: "m", desc: "enter code in Link"},
	{act: doFire, keys: []string{"w"}, help: "w", desc: "fire webhook (Sandbox)"},
	{act: doHosted, keys: []string{"H"}, help: "H", desc: "Hosted Link (QR)"},
	{act: doFileStore, keys: []string{"ctrl+s"}, help: "ctrl+s", desc: "encrypted file store"},
	{act: doCopyCode, keys: []string{"C"}, help: "C", desc: "copy call as code"},
	{act: doCodeLang, keys: []string{"g"}, help: "g", desc: "code language"},

	{act: doRemove, keys: []string{"d"}, help: "d", desc: "remove", destructive: true},
	{act: doRotate, keys: []string{"R"}, help: "R", desc: "rotate token", destructive: true},
	{act: doResetLogin, keys: []string{"L"}, help: "L", desc: "reset login (Sandbox)", destructive: true},
}

func keyDefOf(a action) keyDef {
	for _, d := range keyMap {
		if d.act == a {
			return d
		}
	}
	panic(fmt.Sprintf("tui: no key for %q in the key map", a))
}

// bind is the binding of action a, its help saying desc ("": the table's words).
func bind(a action, desc string) key.Binding {
	d := keyDefOf(a)
	if desc == "" {
		desc = d.desc
	}
	return key.NewBinding(key.WithKeys(d.keys...), key.WithHelp(d.help, desc))
}

// bindOnly is a with only some of its keys, where the others are typed into a field (j and k
// move between rows, but not on the keys screen, whose fields take letters).
func bindOnly(a action, keys []string, help, desc string) key.Binding {
	b := bind(a, desc)
	b.SetKeys(keys...)
	b.SetHelp(help, desc)
	return b
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
		Quit:     bind(doQuitNow, ""),
		Help:     bind(doHelp, ""),
		PageUp:   bind(doPageUp, ""),
		PageDown: bind(doPageDown, ""),
	}
}

type keysKeys struct {
	Submit, NextField, PrevField, Down, Up, ToggleEnv, Yes, No, Exit key.Binding
	FileStore                                                        key.Binding
}

func newKeysKeys() keysKeys {
	return keysKeys{
		Submit:    bind(doSelect, "continue"),
		NextField: bind(doNext, "next field"),
		PrevField: bind(doPrev, "previous field"),
		Down:      bindOnly(doDown, []string{"down"}, "↓", "next field"),
		Up:        bindOnly(doUp, []string{"up"}, "↑", "previous field"),
		ToggleEnv: bind(doSwitch, "environment"),
		Yes:       bind(doYes, ""),
		No:        bind(doNo, ""),
		Exit:      bind(doBack, "quit"),
		FileStore: bind(doFileStore, "keep Items in an encrypted file"),
	}
}

type linkKeys struct {
	Open, Sandbox, Flow, Retry, Items, Back, Quit key.Binding
	Hosted                                        key.Binding
	Copy                                          key.Binding // the URL on show
}

func newLinkKeys() linkKeys {
	return linkKeys{
		Open:    bind(doOpen, ""),
		Sandbox: bind(doSandbox, ""),
		Flow:    bind(doFlow, ""),
		Retry:   bind(doRetry, "new Link session"),
		Items:   bind(doItems, ""),
		Back:    bind(doBack, "back to keys"),
		Quit:    bind(doQuit, ""),
		Hosted:  bind(doHosted, ""),
		Copy:    bind(doCopy, "copy URL"),
	}
}

type workingKeys struct {
	Retry, LinkAgain, Repair, Back, Quit key.Binding
}

func newWorkingKeys() workingKeys {
	return workingKeys{
		Retry:     bind(doRetry, "retry step"),
		LinkAgain: bind(doLinkAgain, ""),
		Repair:    bind(doRepair, ""),
		Back:      bind(doBack, "back to Link"),
		Quit:      bind(doQuit, ""),
	}
}

type resultsKeys struct {
	Up, Down, Reveal, RevealAnyway, Copy, LinkAnother, Items, Quit key.Binding
	// RemoveUnsaved removes at Plaid an Item that was not saved, while its token is in memory;
	// it asks first (Yes, No).
	RemoveUnsaved, Yes, No key.Binding
	// While the copy picker is open.
	CopyPick, CopyCancel key.Binding
}

func newResultsKeys() resultsKeys {
	return resultsKeys{
		Up:            bind(doUp, "previous account"),
		Down:          bind(doDown, "next account"),
		Reveal:        bind(doReveal, ""),
		RevealAnyway:  bind(doRevealAny, ""),
		Copy:          bind(doCopy, ""),
		LinkAnother:   bind(doLinkAgain, "link another"),
		Items:         bind(doItems, ""),
		RemoveUnsaved: bind(doRemove, "remove the Item"),
		Yes:           bind(doYes, "remove the Item"),
		No:            bind(doNo, "keep it"),
		Quit:          bind(doQuit, ""),
		CopyPick:      bind(doPick, "copy that"),
		CopyCancel:    bind(doBack, "cancel copy"),
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
	// While a y/n question is asked (remove, rotate, reset, forget); esc is Cancel.
	Yes, No key.Binding
}

func newItemsKeys() itemsKeys {
	return itemsKeys{
		Up:           bind(doUp, "previous Item"),
		Down:         bind(doDown, "next Item"),
		Open:         bind(doSelect, "numbers"),
		Filter:       bind(doFilter, ""),
		ClearFilter:  bind(doBack, "clear filter"),
		Back:         bind(doBack, "back"),
		Quit:         bind(doQuit, ""),
		Status:       bind(doStatus, ""),
		Balances:     bind(doBalances, ""),
		Rename:       bind(doRename, ""),
		Remove:       bind(doRemove, ""),
		Rotate:       bind(doRotate, ""),
		Processor:    bind(doProcessor, ""),
		ResetLogin:   bind(doResetLogin, ""),
		Repair:       bind(doRepair, ""),
		Copy:         bind(doCopy, "copy token"),
		FilterDone:   bind(doSelect, "keep filter"),
		FilterCancel: bind(doBack, "clear filter"),
		Accept:       bind(doSelect, "ok"),
		Cancel:       bind(doBack, "cancel"),
		Complete:     bind(doNext, "complete"),
		Yes:          bind(doYes, ""),
		No:           bind(doNo, ""),
	}
}

// timelineKeys are the timeline pane's, under the Link and results screens.
type timelineKeys struct {
	Toggle, Save, CopyIDs key.Binding
	// While the pane is open.
	Up, Down, Close    key.Binding
	CopyCode, CodeLang key.Binding
}

func newTimelineKeys() timelineKeys {
	return timelineKeys{
		Toggle:  bind(doTimeline, ""),
		Save:    bind(doSave, ""),
		CopyIDs: bind(doCopyIDs, "copy ids"),
		Up:      bind(doUp, "older"),
		Down:    bind(doDown, "newer"),
		Close:   bind(doBack, "close timeline"),

		CopyCode: bind(doCopyCode, ""),
		CodeLang: bind(doCodeLang, ""),
	}
}

// verifyKeys are the verification panel's, under the results.
type verifyKeys struct {
	Verified, Expired, Code, Fire key.Binding
}

func newVerifyKeys() verifyKeys {
	return verifyKeys{
		Verified: bind(doVerified, ""),
		Expired:  bind(doExpired, ""),
		Code:     bind(doCode, ""),
		Fire:     bind(doFire, ""),
	}
}

type choiceKeys struct {
	Up, Down, Pick, Cancel key.Binding
}

// keyed switches a screen's bindings for the state its update left (updateKeys), and passes
// on the update's command: every screen's Update is keyed(s, s.update(msg)).
func keyed(s interface{ updateKeys() }, cmd tea.Cmd) tea.Cmd {
	s.updateKeys()
	return cmd
}

// withHelp returns a copy of b with other help text, for bindings whose meaning depends on
// the state (v reveals or hides).
func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
