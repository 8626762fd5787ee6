package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Items screen is where a developer comes back to the Items earlier runs linked: the list
// is the vault's index (with each Item's last known health), so listing costs no keyring or
// Plaid call. `/` filters it; enter fetches the selected Item's numbers on the working screen;
// the other keys act on the selected Item, each through one command, and the outcome shows in
// a panel under the list. It is reached with `i` from Link and from the results; esc goes
// back to where it was opened from. Remove, rotate and reset ask first.

// itemsMode is what the keys of the Items screen go to: the list, or one of its prompts.
type itemsMode int

const (
	itemsBrowsing      itemsMode = iota
	itemsFiltering               // typing in the filter
	itemsRenaming                // typing the new name
	itemsConfirmRemove           // y/n: remove at Plaid?
	itemsConfirmRotate           // y/n: rotate the access token (the old one stops working)?
	itemsConfirmReset            // y/n: reset the login (Sandbox; the Item needs repairing after)?
	itemsConfirmForget           // y/n: the token is missing; forget it here anyway?
	itemsPickAccount             // which account the processor token is for
	itemsPickProcessor           // which processor (typed, with completion)
)

type itemsScreen struct {
	c             *common
	keys          itemsKeys
	width, height int

	items   []vault.SavedItem // every saved Item of the namespace, newest first
	listErr error             // the index could not be read
	shown   []int             // indexes into items that pass the filter
	listed  int               // counts the changes to shown: the table is drawn once for each
	table   pickList          // shown as last drawn
	cursor  int               // into shown
	filter  textinput.Model
	mode    itemsMode

	// input is the prompt's text field (rename, processor); promptErr why enter was refused.
	input     textinput.Model
	promptErr string
	cycle     processorCycle // what tab goes round in the processor prompt
	// accounts are the Item's accounts to pick from for a processor token; account the pick.
	accounts []plaidapi.Account
	account  int
	// target is the Item a prompt or a pending action is about, whatever the cursor does.
	target vault.SavedItem

	pending     int        // the id of the action under way; 0 when none
	pendingWhat itemAction // and which one
	panel       *itemsPanel
	// rowFocus: the user moved the selection since the panel or prompt appeared, so the
	// selected row, not the panel, is what is kept in view.
	rowFocus bool
}

func newItemsScreen(c *common) *itemsScreen {
	s := &itemsScreen{c: c, keys: newItemsKeys(), filter: newItemsInput(c, "/ ", "name, bank, item id or health"),
		input: newItemsInput(c, "› ", "")}
	s.updateKeys()
	return s
}

// newItemsInput is a text field in the style sheet's input styles.
func newItemsInput(c *common, prompt, placeholder string) textinput.Model {
	st := c.styles
	f := textinput.New()
	f.Prompt = prompt
	f.Placeholder = placeholder
	f.CharLimit = 64
	f.Width = 30
	f.PromptStyle = st.Key
	f.TextStyle = st.Input.Text
	f.PlaceholderStyle = st.Input.Placeholder
	f.Cursor.Style = st.Input.Cursor
	f.Cursor.TextStyle = st.Input.Text
	return f
}

// Init implements tea.Model.
func (s *itemsScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *itemsScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.filter.Width = max(min(w-6, 40), 8)
	s.input.Width = max(min(w-6, 40), 8)
}

// busy implements component.
func (s *itemsScreen) busy() bool { return s.pending != 0 }

// failure implements component: an Item that could not be removed at Plaid and is still
// billed there is a failure until the user moves on.
func (s *itemsScreen) failure() error {
	if s.panel != nil && errors.Is(s.panel.err, plaidflow.ErrNotRemovedAtPlaid) {
		return s.panel.err
	}
	return nil
}

// focusView implements focuser: the prompt or the outcome when there is one (from its first
// line to its last), else the selected Item's row.
func (s *itemsScreen) focusView() (string, int, int) {
	lines, first, last := s.render()
	return strings.Join(lines, "\n"), first, last
}

// Open shows the Items screen with the list as it was last read (the screen hears of every
// read); a fresh read is on its way (the root asks the vault each time the screen opens).
func (s *itemsScreen) Open() {
	s.closePrompt()
	s.panel, s.rowFocus = nil, false
}

// repairCode is the error_code update mode would repair for the selected Item: the panel's
// when it is about that Item, else its last known health.
func (s *itemsScreen) repairCode() string {
	it, ok := s.selected()
	if !ok {
		return ""
	}
	if s.panel != nil && s.panel.itemID == it.ItemID {
		return s.panel.repair
	}
	if plaidflow.NeedsRepair(it.Health) {
		return it.Health
	}
	return ""
}

// updateKeys switches the screen's bindings on and off for its state: the one place that
// decides what the screen answers to, so the footer and the handling agree.
func (s *itemsScreen) updateKeys() {
	k := &s.keys
	_, has := s.selected()
	browsing := s.mode == itemsBrowsing
	idle := browsing && s.pending == 0
	act := idle && has && s.c.flow != nil
	k.Up.SetEnabled(browsing && len(s.shown) > 1)
	k.Down.SetEnabled(browsing && len(s.shown) > 1)
	k.Open.SetEnabled(act)
	k.Filter.SetEnabled(browsing && len(s.items) > 1)
	k.ClearFilter.SetEnabled(browsing && s.filter.Value() != "")
	k.Back.SetEnabled(browsing && s.filter.Value() == "")
	k.Quit.SetEnabled(browsing)
	for _, b := range []*key.Binding{&k.Status, &k.Balances, &k.Rename, &k.Remove, &k.Rotate, &k.Processor} {
		b.SetEnabled(act)
	}
	k.ResetLogin.SetEnabled(act && s.c.cfg.SandboxOnly() == nil)
	k.Repair.SetEnabled(act && s.repairCode() != "")
	k.Copy.SetEnabled(browsing && s.panel != nil && s.panel.copyText != "")
	k.FilterDone.SetEnabled(s.mode == itemsFiltering)
	k.FilterCancel.SetEnabled(s.mode == itemsFiltering)
	prompt := s.mode == itemsRenaming || s.mode == itemsPickAccount || s.mode == itemsPickProcessor
	confirm := s.asking()
	k.Accept.SetEnabled(prompt)
	k.Cancel.SetEnabled(prompt || confirm)
	k.Complete.SetEnabled(s.mode == itemsPickProcessor)
	k.Yes.SetEnabled(confirm)
	k.No.SetEnabled(confirm)
	if says, ok := promptAnswers[s.mode]; ok && confirm {
		k.Yes.SetHelp("y", says)
	} else if ok {
		k.Accept.SetHelp("enter", says)
	}
}

// promptAnswers say what enter (a prompt) or y (a question) does in each.
var promptAnswers = map[itemsMode]string{
	itemsRenaming: "rename", itemsPickAccount: "this account", itemsPickProcessor: "create token",
	itemsConfirmRemove: "remove the Item", itemsConfirmRotate: "rotate token", itemsConfirmReset: "reset login",
	itemsConfirmForget: "forget here only",
}

// asking reports whether a y/n question is open.
func (s *itemsScreen) asking() bool {
	switch s.mode {
	case itemsConfirmRemove, itemsConfirmRotate, itemsConfirmReset, itemsConfirmForget:
		return true
	}
	return false
}

// Update implements tea.Model.
func (s *itemsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return s, keyed(s, s.update(msg)) }

func (s *itemsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemActedMsg:
		if msg.id != s.pending {
			return nil // an answer for a screen the user has since left
		}
		s.pending = 0
		return tea.Batch(s.acted(msg), loadSavedItems(s.c))

	case savedItemsLoadedMsg:
		s.loaded(msg)
		return nil

	case itemsRequestedMsg:
		s.Open()
		return nil

	case tea.KeyMsg:
		switch s.mode {
		case itemsFiltering:
			return s.filterKey(msg)
		case itemsRenaming, itemsPickProcessor:
			return s.inputKey(msg)
		case itemsPickAccount:
			return s.accountKey(msg)
		case itemsConfirmRemove, itemsConfirmRotate, itemsConfirmReset, itemsConfirmForget:
			return s.confirmKey(msg)
		}
		return s.browseKey(msg)
	}
	// The cursor's blink, for whichever field is typed into.
	var cmd tea.Cmd
	switch s.mode {
	case itemsFiltering:
		s.filter, cmd = s.filter.Update(msg)
	case itemsRenaming, itemsPickProcessor:
		s.input, cmd = s.input.Update(msg)
	}
	return cmd
}

func (s *itemsScreen) browseKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	it, _ := s.selected()
	f := s.c.flow
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return itemsClosedMsg{} }
	case key.Matches(msg, k.ClearFilter):
		s.filter.SetValue("")
		s.applyFilter(s.selectedID())
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
		s.rowFocus = true
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(s.shown)-1)
		s.rowFocus = true
	case key.Matches(msg, k.Filter):
		s.mode = itemsFiltering
		return s.filter.Focus()
	case key.Matches(msg, k.Open):
		return func() tea.Msg { return savedItemPickedMsg{item: it} }
	case key.Matches(msg, k.Copy):
		p := s.panel
		return sendToClipboard(s.c.deps.Out, s.c.deps.Getenv, p.copyText, p.copyWhat)
	case key.Matches(msg, k.Repair):
		return func() tea.Msg { return repairRequestedMsg{itemID: it.ItemID, name: it.Name} }

	case key.Matches(msg, k.Status):
		return s.act(actStatus, it, func(ctx context.Context) (any, error) { return f.ItemStatus(ctx, it.ItemID) })
	case key.Matches(msg, k.Balances):
		return s.act(actBalances, it, func(ctx context.Context) (any, error) { return f.Balances(ctx, it.ItemID) })
	case key.Matches(msg, k.Rotate):
		s.target, s.mode = it, itemsConfirmRotate
	case key.Matches(msg, k.ResetLogin):
		s.target, s.mode = it, itemsConfirmReset
	case key.Matches(msg, k.Processor):
		// The accounts to pick from come from Plaid (live balances, shown as the panel too).
		return s.act(actAccounts, it, func(ctx context.Context) (any, error) { return f.Balances(ctx, it.ItemID) })
	case key.Matches(msg, k.Rename):
		s.target, s.mode, s.promptErr = it, itemsRenaming, ""
		s.input.Prompt, s.input.Placeholder = "› ", "new name"
		s.input.SetValue(it.Name)
		s.input.CursorEnd()
		return s.input.Focus()
	case key.Matches(msg, k.Remove):
		s.target, s.mode = it, itemsConfirmRemove
	}
	return nil
}

// closePrompt leaves any prompt or question for the list.
func (s *itemsScreen) closePrompt() {
	s.mode = itemsBrowsing
	s.filter.Blur()
	s.input.Blur()
	s.promptErr = ""
	s.accounts = nil
}

// View implements tea.Model.
func (s *itemsScreen) View() string {
	v, _, _ := s.focusView()
	return v
}

// render draws the screen, and says which lines to keep in view: the prompt or the outcome
// when there is one, else the selected row.
func (s *itemsScreen) render() (lines []string, first, last int) {
	st := s.c.styles
	w := s.width
	lines = []string{""}
	lines = append(lines, card(s.c.border(s.c.cfg.Env), st.CardTitle.Render("Saved Items"), st.Faint.Render("in "+savedWhere(s.c.cfg)), s.tableLines(w), w, cardWidth(w))...)
	first, last = 3+s.cursor, 3+s.cursor
	if s.mode == itemsFiltering || s.filter.Value() != "" {
		line := s.filter.View()
		if s.mode != itemsFiltering {
			line = st.Key.Render("/ ") + s.filter.Value()
		}
		line += st.Faint.Render(" · " + matchCount(len(s.shown), len(s.items)))
		lines = append(lines, truncate(line, w))
	}
	lines = append(lines, "")
	var below []string
	switch {
	case s.pending != 0:
		below = []string{s.c.spinner() + " " + pendingLine(s.pendingWhat, s.target)}
	case s.mode != itemsBrowsing && s.mode != itemsFiltering && s.mode != itemsConfirmForget:
		below = s.promptLines(w)
	default:
		if s.panel != nil {
			below = s.panelLines(w)
		}
		if s.mode == itemsConfirmForget {
			below = append(below, s.promptLines(w)...)
		}
	}
	if len(below) > 0 {
		// A new outcome or prompt is brought into view; once the user moves the selection,
		// the selected row is kept in view instead (the panel stays under the list).
		if !s.rowFocus || s.mode != itemsBrowsing || s.pending != 0 {
			first, last = len(lines), len(lines)+len(below)-1
		}
		lines = append(lines, below...)
		lines = append(lines, "")
	}
	return append(lines, s.hintLines(w)...), first, last
}

// ShortHelp implements help.KeyMap: the prompt's keys when one is open, else the list's,
// most used first.
func (s *itemsScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.FilterDone, k.FilterCancel, k.Accept, k.Complete, k.Cancel, k.Yes, k.No,
		k.Repair, k.Copy, withHelp(k.Down, "↑/↓", "item"), k.Open, k.Status, k.Balances, k.Processor, k.Rename, k.Remove, k.Rotate,
		k.ResetLogin, k.Filter, k.ClearFilter, k.Back, k.Quit}
}

// FullHelp implements help.KeyMap.
func (s *itemsScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Filter, k.ClearFilter, k.FilterDone, k.FilterCancel},
		{withHelp(k.Open, "enter", "numbers (fetched fresh)"), withHelp(k.Status, "h", "health and status (/item/get)"), withHelp(k.Balances, "b", "live balances")},
		{withHelp(k.Processor, "p", "processor token (Dwolla, Apex, Stripe…)"), k.Copy},
		{withHelp(k.Rename, "e", "rename"), withHelp(k.Remove, "d", "remove the Item (asks first)"), withHelp(k.Rotate, "R", "rotate the access token (asks first)")},
		{withHelp(k.ResetLogin, "L", "reset login (Sandbox; asks first)"), withHelp(k.Repair, "u", "repair with Link (update mode)")},
		{k.Accept, k.Complete, k.Cancel, k.Yes, k.No},
		{k.Back, k.Quit},
	}
}
