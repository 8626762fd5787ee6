package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
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

// itemsPanel is the outcome of the last action, under the list: what Plaid answered (or the
// error), whether a copy key copies something from it, and whether Link in update mode
// would repair the Item.
type itemsPanel struct {
	itemID string
	title  string
	kind   statusKind
	body   []string    // plain sentences; wrapped when drawn ("• " items with a hanging indent)
	rows   [][2]string // label and value, after the sentences; a long value wraps beside its label
	err    error
	// copyText is what c copies (a token), copyWhat how the status line names it.
	copyText, copyWhat string
	// repair is the error_code that update mode repairs, "" when none.
	repair string
}

type itemsScreen struct {
	c             *common
	keys          itemsKeys
	width, height int

	items   []plaidflow.SavedItem // every saved Item of the namespace, newest first
	listErr error                 // the index could not be read
	shown   []int                 // indexes into items that pass the filter
	cursor  int                   // into shown
	filter  textinput.Model
	mode    itemsMode

	// input is the prompt's text field (rename, processor); promptErr why enter was refused.
	input     textinput.Model
	promptErr string
	// accounts are the Item's accounts to pick from for a processor token; account the pick.
	accounts []plaidflow.Account
	account  int
	// target is the Item a prompt or a pending action is about, whatever the cursor does.
	target plaidflow.SavedItem

	pending     int        // the id of the action under way; 0 when none
	pendingWhat itemAction // and which one
	panel       *itemsPanel
	status      string // one line about the panel (the copy went out)
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

// focusLines implements focuser: the prompt or the outcome when there is one (from its first
// line to its last), else the selected Item's row.
func (s *itemsScreen) focusLines() (int, int) {
	_, first, last := s.render()
	return first, last
}

// Open shows the Items screen with the list as it was last read; a fresh read is on its way
// (the root asks the vault each time the screen opens).
func (s *itemsScreen) Open(items []plaidflow.SavedItem) tea.Cmd {
	s.closePrompt()
	s.panel, s.status = nil, ""
	s.setItems(items, nil)
	return nil
}

// setItems takes a new list, newest first, keeping the selected Item selected when it is
// still there.
func (s *itemsScreen) setItems(items []plaidflow.SavedItem, err error) {
	keep := s.selectedID()
	s.items = make([]plaidflow.SavedItem, len(items))
	for i, it := range items {
		s.items[len(items)-1-i] = it // the vault lists oldest first
	}
	s.listErr = err
	s.applyFilter(keep)
	s.updateKeys()
}

// loaded takes the vault's list when it is about the namespace in use.
func (s *itemsScreen) loaded(msg savedItemsLoadedMsg) {
	if msg.ns != s.c.cfg.Namespace() {
		return
	}
	if msg.err != nil {
		s.setItems(nil, msg.err)
		return
	}
	s.setItems(msg.items, nil)
}

// applyFilter recomputes which Items pass the filter: every word of it must appear in the
// Item's name, institution, id or health, ignoring case. The Item keep stays selected when it
// passes.
func (s *itemsScreen) applyFilter(keep string) {
	words := strings.Fields(strings.ToLower(s.filter.Value()))
	s.shown = s.shown[:0]
	for i, it := range s.items {
		hay := strings.ToLower(strings.Join([]string{it.Name, it.InstitutionName, it.InstitutionID, it.ItemID, it.HealthLabel()}, " "))
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			s.shown = append(s.shown, i)
		}
	}
	s.cursor = max(min(s.cursor, len(s.shown)-1), 0)
	for i, ix := range s.shown {
		if s.items[ix].ItemID == keep {
			s.cursor = i
		}
	}
}

// selectedID is the selected Item's id, "" when none is.
func (s *itemsScreen) selectedID() string {
	it, _ := s.selected()
	return it.ItemID
}

func (s *itemsScreen) selected() (plaidflow.SavedItem, bool) {
	if s.cursor < 0 || s.cursor >= len(s.shown) {
		return plaidflow.SavedItem{}, false
	}
	return s.items[s.shown[s.cursor]], true
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
	switch s.mode {
	case itemsRenaming:
		k.Accept.SetHelp("enter", "rename")
	case itemsPickAccount:
		k.Accept.SetHelp("enter", "this account")
	case itemsPickProcessor:
		k.Accept.SetHelp("enter", "create token")
	case itemsConfirmRemove:
		k.Yes.SetHelp("y", "remove at Plaid")
	case itemsConfirmRotate:
		k.Yes.SetHelp("y", "rotate token")
	case itemsConfirmReset:
		k.Yes.SetHelp("y", "reset login")
	case itemsConfirmForget:
		k.Yes.SetHelp("y", "forget here only")
	}
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
func (s *itemsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := s.update(msg)
	s.updateKeys()
	return s, cmd
}

func (s *itemsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemActedMsg:
		if msg.id != s.pending {
			return nil // an answer for a screen the user has since left
		}
		s.pending = 0
		return tea.Batch(s.acted(msg), loadSavedItems(s.c))

	case clipboardSentMsg:
		s.status = s.c.clipboardSent(msg)
		return nil

	case errMsg:
		if msg.op == opCopy {
			s.status = "✗ " + msg.err.Error()
		}
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

func (s *itemsScreen) filterKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.FilterDone):
		s.mode = itemsBrowsing
		s.filter.Blur()
		return nil
	case key.Matches(msg, k.FilterCancel):
		s.mode = itemsBrowsing
		s.filter.Blur()
		s.filter.SetValue("")
		s.applyFilter(s.selectedID())
		return nil
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown:
		// The list still moves while typing, so a match can be picked without leaving.
		if msg.Type == tea.KeyUp {
			s.cursor = max(s.cursor-1, 0)
		} else {
			s.cursor = max(min(s.cursor+1, len(s.shown)-1), 0)
		}
		return nil
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	s.applyFilter(s.selectedID())
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
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(s.shown)-1)
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

// act starts an action on it: one command, its answer an itemActedMsg.
func (s *itemsScreen) act(action itemAction, it plaidflow.SavedItem, call func(context.Context) (any, error)) tea.Cmd {
	s.pending, s.pendingWhat, s.target = s.c.nextID(), action, it
	s.status = ""
	return actOnItem(s.c.ctx, s.pending, action, it, call)
}

// closePrompt leaves any prompt or question for the list.
func (s *itemsScreen) closePrompt() {
	s.mode = itemsBrowsing
	s.filter.Blur()
	s.input.Blur()
	s.promptErr = ""
	s.accounts = nil
}

func (s *itemsScreen) inputKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	f := s.c.flow
	it := s.target
	switch {
	case key.Matches(msg, k.Cancel):
		s.closePrompt()
		return nil
	case key.Matches(msg, k.Complete):
		if m := processorMatches(s.input.Value()); len(m) > 0 {
			s.input.SetValue(completeProcessor(s.input.Value(), m))
			s.input.CursorEnd()
			s.promptErr = ""
		}
		return nil
	case key.Matches(msg, k.Accept) && s.mode == itemsRenaming:
		name := strings.TrimSpace(s.input.Value())
		if name == it.Name {
			s.closePrompt()
			return nil
		}
		// Renaming touches the index only, but it is a file: it runs as a command too.
		return s.act(actRename, it, func(context.Context) (any, error) { return f.RenameItem(it.ItemID, name) })
	case key.Matches(msg, k.Accept):
		proc, err := plaidflow.CheckProcessor(s.input.Value())
		if err != nil {
			s.promptErr = err.Error()
			return nil
		}
		acct := s.accounts[s.account]
		s.closePrompt()
		return s.act(actProcessor, it, func(ctx context.Context) (any, error) {
			return f.ProcessorToken(ctx, it.ItemID, acct.ID, proc)
		})
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	s.promptErr = ""
	return cmd
}

func (s *itemsScreen) accountKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Cancel):
		s.closePrompt()
	case msg.Type == tea.KeyUp || msg.String() == "k":
		s.account = max(s.account-1, 0)
	case msg.Type == tea.KeyDown || msg.String() == "j":
		s.account = min(s.account+1, len(s.accounts)-1)
	case key.Matches(msg, k.Accept):
		s.mode = itemsPickProcessor
		s.input.Prompt, s.input.Placeholder = "processor › ", "dwolla, apex_clearing, stripe…"
		s.input.SetValue("")
		s.promptErr = ""
		return s.input.Focus()
	}
	return nil
}

func (s *itemsScreen) confirmKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	f := s.c.flow
	it := s.target
	mode := s.mode
	switch {
	case key.Matches(msg, k.Yes):
		s.closePrompt()
		switch mode {
		case itemsConfirmRemove:
			return s.act(actRemove, it, func(ctx context.Context) (any, error) { return f.RemoveItem(ctx, it.ItemID) })
		case itemsConfirmRotate:
			return s.act(actRotate, it, func(ctx context.Context) (any, error) { return f.RotateItem(ctx, it.ItemID) })
		case itemsConfirmReset:
			return s.act(actResetLogin, it, func(ctx context.Context) (any, error) { return f.ResetLogin(ctx, it.ItemID) })
		}
		return s.act(actForget, it, func(context.Context) (any, error) { return f.ForgetItem(it.ItemID) })
	case key.Matches(msg, k.No, k.Cancel):
		s.closePrompt()
		if mode == itemsConfirmForget {
			s.panel.body = append(s.panel.body, "Kept here: "+it.Name+" is still listed, and still live (and billed) at Plaid.")
		}
	}
	return nil
}

// acted shows what an action came back with.
func (s *itemsScreen) acted(msg itemActedMsg) tea.Cmd {
	it := msg.item
	p := &itemsPanel{itemID: it.ItemID, kind: statusOK}
	s.panel = p
	if s.mode == itemsRenaming {
		s.closePrompt() // reopened below when the name is refused
	}
	if msg.err != nil {
		return s.failed(msg)
	}
	switch out := msg.out.(type) {
	case *plaidflow.ItemStatus:
		s.statusPanel(p, it, out)
	case *plaidflow.LiveBalances:
		p.title = "Live balances of " + it.Name
		p.body = balanceRows(out)
		p.body = append(p.body, "", "Fetched "+out.FetchedAt.In(s.c.now().Location()).Format("2006-01-02 15:04:05")+
			" from the bank (/accounts/balance/get) · request_id "+out.RequestID)
		if msg.action == actAccounts {
			return s.pickAccount(it, out.Accounts)
		}
	case plaidflow.Renamed:
		p.title = "Renamed"
		p.body = []string{it.Name + " is now " + out.Item.Name + "."}
		if out.ReusedRemovedName != "" {
			p.kind = statusWarn
			p.body = append(p.body, "That name once meant "+out.ReusedRemovedName+", since removed: scripts and notes that named it now reach this Item.")
		}
	case plaidflow.Removal:
		p.title = "Removed " + it.Name
		p.body = []string{out.Message()}
		if out.Outcome != plaidflow.RemovedAtPlaid {
			p.kind = statusWarn
		}
	case plaidflow.Rotation:
		p.title = "Rotated the access token of " + it.Name
		p.body = []string{"Plaid invalidated the old access token at once; the new one replaced it in the keyring (request_id " + out.RequestID + ").",
			"`plaid-onboard auth " + it.Name + "` keeps working with it."}
	case *plaidflow.ProcessorToken:
		s.processorPanel(p, it, out)
	case plaidflow.SavedItem:
		p.title = "Reset the login of " + it.Name
		p.kind, p.repair = statusWarn, out.Health
		h := out.LastHealth()
		p.body = []string{"Sandbox now answers ITEM_LOGIN_REQUIRED for this Item on product calls, as a bank does when the user must log in again.",
			"What it means: " + h.Meaning}
	}
	return nil
}

// failed shows an action's error: Plaid's fields, what the Item's state means, and the repair
// when update mode is the way out. The outcomes that need a decision get their question.
func (s *itemsScreen) failed(msg itemActedMsg) tea.Cmd {
	it, p := msg.item, s.panel
	p.kind, p.err = statusBad, msg.err
	p.title = actionFailed(msg.action) + " " + it.Name
	// Explain says what the Item's state means (the error is a plaidflow.ItemError).
	if code := plaidflow.Explain(msg.err).ErrorCode; plaidflow.NeedsRepair(code) {
		p.repair = code
	}
	switch out := msg.out.(type) {
	case plaidflow.Rotation:
		if errors.Is(msg.err, plaidflow.ErrRotatedNotSaved) && out.NewToken != "" {
			p.title = "Rotated, but the new token was NOT saved"
			p.body = []string{
				"Plaid invalidated the old access token, and the keyring refused the new one. This is the Item's only working token, shown once; it is gone when you leave this panel:",
				out.NewToken,
				"Copy it now (c) and keep it somewhere safe; without it the Item cannot be used or removed.",
			}
			p.copyText, p.copyWhat = out.NewToken, "the new access token of "+it.Name
		}
	case plaidflow.Removal:
		if out.Outcome == plaidflow.NotRemovedTokenMissing {
			p.title = "NOT removed at Plaid: " + it.Name
			p.body = []string{out.Message()}
			s.target, s.mode = it, itemsConfirmForget
		}
	}
	if msg.action == actRename && (errors.Is(msg.err, plaidflow.ErrNameTaken) || errors.Is(msg.err, plaidflow.ErrBadName)) {
		// The name is refused: the prompt stays open with the reason.
		s.panel = nil
		s.target, s.mode, s.promptErr = it, itemsRenaming, msg.err.Error()
		return s.input.Focus()
	}
	return nil
}

// actionFailed is the headline of a failed action ("Could not rotate the token of").
func actionFailed(a itemAction) string {
	switch a {
	case actStatus:
		return "Could not get the status of"
	case actBalances, actAccounts:
		return "Could not fetch the balances of"
	case actRename:
		return "Could not rename"
	case actRemove:
		return "Could not remove"
	case actForget:
		return "Could not forget"
	case actRotate:
		return "Could not rotate the token of"
	case actProcessor:
		return "Could not create a processor token for"
	case actResetLogin:
		return "Could not reset the login of"
	}
	return "Could not act on"
}

// pickAccount opens the account picker for a processor token.
func (s *itemsScreen) pickAccount(it plaidflow.SavedItem, accounts []plaidflow.Account) tea.Cmd {
	s.target, s.accounts, s.account = it, accounts, 0
	s.panel = nil
	if len(accounts) == 0 {
		s.panel = &itemsPanel{itemID: it.ItemID, kind: statusWarn, title: "No accounts", body: []string{"Plaid lists no accounts for " + it.Name + "."}}
		return nil
	}
	s.mode = itemsPickAccount
	return nil
}

// statusPanel is /item/get's answer: health and its meaning, products, consent, webhook.
func (s *itemsScreen) statusPanel(p *itemsPanel, it plaidflow.SavedItem, st *plaidflow.ItemStatus) {
	h := st.Health
	p.title = "Status of " + it.Name
	if !h.Healthy {
		p.kind = statusWarn
	}
	if plaidflow.NeedsRepair(h.Code) {
		p.repair = h.Code
	}
	when := func(t time.Time) string { return t.In(s.c.now().Location()).Format("2006-01-02 15:04") }
	p.body = []string{"Health: " + plaidflow.SavedItem{Health: h.Code}.HealthLabel(), h.Meaning}
	if h.Next != "" && p.repair == "" {
		p.body = append(p.body, "Next: "+h.Next)
	}
	p.rows = append(p.rows,
		[2]string{"billed products", listOrNone(st.BilledProducts)},
		[2]string{"available products", listOrNone(st.AvailableProducts)})
	consent := "none (this Item's consent does not expire)"
	if st.ConsentExpiration != nil {
		consent = when(*st.ConsentExpiration)
	}
	webhook := "none"
	if st.Webhook != nil {
		webhook = *st.Webhook
	}
	p.rows = append(p.rows, [2]string{"consent expires", consent}, [2]string{"webhook", webhook})
	if st.UpdateType != "" {
		p.rows = append(p.rows, [2]string{"update type", st.UpdateType})
	}
	p.rows = append(p.rows, [2]string{"institution", orDash(st.InstitutionName) + " " + st.InstitutionID},
		[2]string{"request_id", st.RequestID}, [2]string{"checked", when(st.FetchedAt)})
}

// processorPanel is a processor token with what to do with it next.
func (s *itemsScreen) processorPanel(p *itemsPanel, it plaidflow.SavedItem, pt *plaidflow.ProcessorToken) {
	acct := pt.Account.Name
	if pt.Account.Mask != nil {
		acct += " ••" + *pt.Account.Mask
	}
	p.title = pt.Processor + " token for " + acct
	p.body = []string{pt.Token, "", "It is a credential for " + pt.Processor + ": keep it out of logs and tickets. c copies it."}
	p.body = append(p.body, "", "Next:")
	for _, n := range pt.Next {
		p.body = append(p.body, "• "+n)
	}
	for _, d := range pt.Docs {
		p.body = append(p.body, "  "+d)
	}
	p.body = append(p.body, "", "request_id "+pt.RequestID)
	p.copyText, p.copyWhat = pt.Token, "the "+pt.Processor+" token for "+acct
}

// balanceRows are the accounts with their live balances, as aligned rows.
func balanceRows(b *plaidflow.LiveBalances) []string {
	rows := [][4]string{{"ACCOUNT", "MASK", "AVAILABLE", "CURRENT"}}
	for _, a := range b.Accounts {
		rows = append(rows, [4]string{a.Name, a.MaskLabel(), a.Available(), a.Current()})
	}
	var wd [4]int
	for _, r := range rows {
		for i, c := range r {
			wd[i] = max(wd[i], lipgloss.Width(c))
		}
	}
	var out []string
	for _, r := range rows {
		out = append(out, padRight(r[0], wd[0])+"  "+padRight(r[1], wd[1])+"  "+padLeft(r[2], wd[2])+"  "+padLeft(r[3], wd[3]))
	}
	return out
}

// processorMatches are the processors Plaid knows that contain typed, those starting with it
// first.
func processorMatches(typed string) []string {
	t := strings.ToLower(strings.TrimSpace(typed))
	var pre, in []string
	for _, p := range plaidflow.ProcessorNames() {
		switch {
		case strings.HasPrefix(p, t):
			pre = append(pre, p)
		case strings.Contains(p, t):
			in = append(in, p)
		}
	}
	return append(pre, in...)
}

// completeProcessor is what tab makes of typed: the only match, or the longest prefix the
// matches share; tab again on a complete name moves to the next match.
func completeProcessor(typed string, matches []string) string {
	for i, m := range matches {
		if m == typed {
			return matches[(i+1)%len(matches)]
		}
	}
	common := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) > len(typed) {
		return common
	}
	return matches[0]
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// View implements tea.Model.
func (s *itemsScreen) View() string {
	lines, _, _ := s.render()
	return strings.Join(lines, "\n")
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
		first, last = len(lines), len(lines)+len(below)-1
		lines = append(lines, below...)
		if s.status != "" {
			lines = append(lines, wrap(st.Muted.Render(s.status), w)...)
		}
		lines = append(lines, "")
	}
	return append(lines, s.hintLines(w)...), first, last
}

// pendingLine says what is under way.
func pendingLine(a itemAction, it plaidflow.SavedItem) string {
	switch a {
	case actStatus:
		return "Asking Plaid about " + it.Name + " (/item/get)…"
	case actBalances:
		return "Fetching live balances of " + it.Name + " from the bank (/accounts/balance/get)…"
	case actAccounts:
		return "Listing the accounts of " + it.Name + " (/accounts/balance/get)…"
	case actRename:
		return "Renaming " + it.Name + "…"
	case actRemove:
		return "Removing " + it.Name + " at Plaid (/item/remove)…"
	case actForget:
		return "Forgetting " + it.Name + " here…"
	case actRotate:
		return "Rotating the access token of " + it.Name + " (/item/access_token/invalidate)…"
	case actProcessor:
		return "Creating a processor token for " + it.Name + "…"
	case actResetLogin:
		return "Resetting the login of " + it.Name + " (/sandbox/item/reset_login)…"
	}
	return "Working…"
}

// promptLines are the open prompt or question.
func (s *itemsScreen) promptLines(w int) []string {
	st := s.c.styles
	it := s.target
	var body []string
	title := ""
	border := s.c.border(s.c.cfg.Env)
	iw := max(min(w-4, 76), 10)
	switch s.mode {
	case itemsRenaming:
		title = "Rename " + it.Name
		body = append(body, s.input.View())
		body = append(body, wrap(st.Faint.Render("Letters, digits, '.', '_' or '-'; unique in "+savedWhere(s.c.cfg)+". Renaming changes this computer only."), iw)...)
	case itemsConfirmRemove:
		title, border = "Remove "+it.Name+"?", st.CardBad
		body = append(body, wrap(plaidflow.RemoveQuestion(it), iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /item/remove: Plaid stops billing for the Item, and its token and this entry are deleted here."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" remove at Plaid · ")+st.Key.Render("n")+st.Muted.Render(" keep it"))
	case itemsConfirmRotate:
		title, border = "Rotate the access token of "+it.Name+"?", st.CardBad
		body = append(body, wrap("Plaid invalidates the current access token at once and issues a new one, which replaces it in the keyring. Anything else holding the old token (a script, a server, a teammate's copy) stops working.", iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /item/access_token/invalidate."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" rotate it · ")+st.Key.Render("n")+st.Muted.Render(" keep the token"))
	case itemsConfirmReset:
		title, border = "Reset the login of "+it.Name+"?", st.CardBad
		body = append(body, wrap("Sandbox puts the Item in ITEM_LOGIN_REQUIRED: its product calls fail until it is repaired with Link in update mode.", iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /sandbox/item/reset_login."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" reset it · ")+st.Key.Render("n")+st.Muted.Render(" leave it"))
	case itemsConfirmForget:
		title, border = "Forget "+it.Name+" here only?", st.CardBad
		body = append(body, wrap(plaidflow.ForgetQuestion(it), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" forget it here · ")+st.Key.Render("n")+st.Muted.Render(" keep it listed"))
	case itemsPickAccount:
		title = "Processor token for " + it.Name + ": which account?"
		nameW := 0
		for _, a := range s.accounts {
			nameW = max(nameW, lipgloss.Width(a.Name))
		}
		for i, a := range s.accounts {
			pointer := "  "
			style := st.Cell
			if i == s.account {
				pointer, style = "› ", st.RowSelected
			}
			body = append(body, truncate(style.Render(pointer+padRight(a.Name, nameW)+"  ••"+padRight(a.MaskLabel(), 4)+"  "+a.TypeLabel()), iw))
		}
	case itemsPickProcessor:
		acct := s.accounts[s.account]
		title = "Processor token for " + acct.Name + " ••" + acct.MaskLabel()
		body = append(body, s.input.View())
		if m := processorMatches(s.input.Value()); len(m) > 0 && s.input.Value() != "" {
			shown := m[:min(len(m), 6)]
			more := ""
			if len(m) > len(shown) {
				more = " …"
			}
			body = append(body, truncate(st.Faint.Render("tab: "+strings.Join(shown, " · ")+more), iw))
		} else {
			body = append(body, st.Faint.Render("Plaid's list: dwolla, apex_clearing, stripe and "+strconv.Itoa(len(plaidflow.ProcessorNames())-3)+" more; tab completes."))
		}
	}
	if s.promptErr != "" {
		for _, l := range wrap("✗ "+s.promptErr, iw) {
			body = append(body, st.Bad.Render(l))
		}
	}
	return card(border, st.CardTitle.Render(title), "", body, w, 0)
}

// panelLines draw the last action's outcome.
func (s *itemsScreen) panelLines(w int) []string {
	st := s.c.styles
	p := s.panel
	iw := max(min(w-4, 96), 10)
	border := s.c.border(s.c.cfg.Env)
	var body []string
	switch p.kind {
	case statusBad:
		border = st.CardBad
	case statusWarn:
		border = st.CardProd
	}
	// The outcomes that are not Plaid's errors say it all in their own words.
	if p.err != nil && !errors.Is(p.err, plaidflow.ErrNotRemovedAtPlaid) && !errors.Is(p.err, plaidflow.ErrRotatedNotSaved) {
		body = append(body, s.c.errorBlock(actionTitle(p), p.err, iw)[1:]...)
		if len(p.body) > 0 {
			body = append(body, "")
		}
	}
	for _, l := range p.body {
		switch {
		case p.copyText != "" && l == p.copyText:
			body = append(body, st.Number.Render(l)) // a token is never wrapped: it is copied whole
		case strings.HasPrefix(l, "• "):
			for i, w := range wrap(strings.TrimPrefix(l, "• "), iw-2) {
				lead := "  "
				if i == 0 {
					lead = "• "
				}
				body = append(body, lead+w)
			}
		default:
			body = append(body, wrap(l, iw)...)
		}
	}
	if len(p.rows) > 0 {
		body = append(body, "")
		kw := 0
		for _, r := range p.rows {
			kw = max(kw, len(r[0]))
		}
		for _, r := range p.rows {
			for i, v := range wrap(r[1], max(iw-kw-2, 8)) {
				label := ""
				if i == 0 {
					label = r[0]
				}
				body = append(body, st.Label.Render(padRight(label, kw+2))+v)
			}
		}
	}
	if p.repair != "" {
		body = append(body, "")
		body = append(body, wrap(st.Warn.Render(p.repair)+st.Muted.Render(": press ")+st.Key.Render("u")+st.Muted.Render(" to repair with Link (update mode)."), iw)...)
		body = append(body, wrap(st.Faint.Render("The user logs in again in the browser; nothing is exchanged, and the numbers are fetched again."), iw)...)
	}
	title := st.CardTitle.Render(p.title)
	return card(border, title, "", body, w, 0)
}

// actionTitle is the panel's title; kept apart so the error block's own headline is skipped.
func actionTitle(p *itemsPanel) string { return p.title }

// matchCount says how many Items pass the filter.
func matchCount(n, of int) string {
	if n == of {
		return plural(of, "Item")
	}
	return plural(n, "Item") + " of " + strconv.Itoa(of)
}

// tableLines are the Items, one row each: name, institution, last known health, linked. A
// narrow window loses the date first, then the institution, then the name gets shorter.
func (s *itemsScreen) tableLines(w int) []string {
	st := s.c.styles
	inner := max(w-4, 10) // the card grows to the table, up to the window
	if s.listErr != nil {
		return wrap(st.Warn.Render("! Could not read the saved Items: "+s.listErr.Error()), inner)
	}
	if len(s.items) == 0 {
		return wrap(st.Muted.Render("No Items saved in "+savedWhere(s.c.cfg)+" yet: link one first."), inner)
	}
	if len(s.shown) == 0 {
		return []string{st.Muted.Render("No Item matches the filter.")}
	}
	render := func(nameW int, withInst, withDate bool) string {
		headers := []string{"", "NAME"}
		if withInst {
			headers = append(headers, "INSTITUTION")
		}
		headers = append(headers, "HEALTH")
		if withDate {
			headers = append(headers, "LINKED")
		}
		t := table.New().
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false).
			Headers(headers...).
			StyleFunc(func(row, col int) lipgloss.Style {
				style := st.Cell
				switch {
				case row == table.HeaderRow:
					style = st.TableHeader
				case row == s.cursor:
					style = st.RowSelected
				}
				if col == 0 {
					return style.PaddingRight(0)
				}
				return style
			})
		for i, ix := range s.shown {
			it := s.items[ix]
			pointer := "  "
			if i == s.cursor {
				pointer = "› "
			}
			inst := it.InstitutionName
			if inst == "" {
				inst = "—"
			}
			row := []string{pointer, truncate(it.Name, nameW)}
			if withInst {
				row = append(row, truncate(inst, 22))
			}
			row = append(row, it.HealthLabel())
			if withDate {
				row = append(row, linkedAt(s.c, it.CreatedAt))
			}
			t.Row(row...)
		}
		return t.Render()
	}
	out := render(24, true, true)
	for _, try := range []struct{ inst, date bool }{{true, false}, {false, false}} {
		if maxWidth(out) <= inner {
			break
		}
		out = render(24, try.inst, try.date)
	}
	for nameW := 23; nameW >= 6 && maxWidth(out) > inner; nameW-- {
		out = render(nameW, false, false)
	}
	return strings.Split(out, "\n")
}

// hintLines say what enter does, or what the filter does while it is typed into.
func (s *itemsScreen) hintLines(w int) []string {
	st := s.c.styles
	switch {
	case s.mode == itemsFiltering:
		return wrap(st.Muted.Render("Type to filter; ")+st.Key.Render("enter")+st.Muted.Render(" keeps it, ")+st.Key.Render("esc")+st.Muted.Render(" clears it."), w)
	case len(s.shown) == 0 || s.mode != itemsBrowsing || s.panel != nil || s.pending != 0:
		return nil
	}
	return wrap(st.Key.Render("enter")+st.Muted.Render(" fetches the selected Item's numbers (no Link); ")+
		st.Key.Render("?")+st.Muted.Render(" lists what else you can do with it."), w)
}


// savedWhere names the vault namespace in use, for people.
func savedWhere(cfg plaidflow.Config) string {
	if cfg.Demo {
		return "the offline demo"
	}
	return cfg.Env.Title()
}

// savedDetail is an Item's institution and when it was linked: "First Platypus Bank, linked
// 2026-11-22 10:04".
func savedDetail(c *common, it plaidflow.SavedItem) string {
	linked := "linked " + linkedAt(c, it.CreatedAt)
	if it.InstitutionName == "" {
		return linked
	}
	return it.InstitutionName + ", " + linked
}

// linkedAt shows a time in the clock's zone (the local one; the tests' fixed clock is UTC).
func linkedAt(c *common, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.now().Location()).Format("2006-01-02 15:04")
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
		{withHelp(k.Rename, "e", "rename"), withHelp(k.Remove, "d", "remove at Plaid (asks first)"), withHelp(k.Rotate, "R", "rotate the access token (asks first)")},
		{withHelp(k.ResetLogin, "L", "reset login (Sandbox; asks first)"), withHelp(k.Repair, "u", "repair with Link (update mode)")},
		{k.Accept, k.Complete, k.Cancel, k.Yes, k.No},
		{k.Back, k.Quit},
	}
}
