package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Items screen's actions on the selected Item: each starts as one command (act), the
// questions and prompts before some of them take their keys here, and what an action came back
// with becomes the panel under the list (acted, failed).

// act starts an action on it: one command, its answer an itemActedMsg.
func (s *itemsScreen) act(action itemAction, it vault.SavedItem, call func(context.Context) (any, error)) tea.Cmd {
	s.pending, s.pendingWhat, s.target = s.c.nextID(), action, it
	s.rowFocus = false
	return actOnItem(s.c.ctx, s.pending, action, it, call)
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
		s.input.SetValue(s.cycle.next(s.input.Value()))
		s.input.CursorEnd()
		s.promptErr = ""
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
		s.mode, s.cycle = itemsPickProcessor, processorCycle{}
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
			s.c.setStatus(statusInfo, "Kept here: "+it.Name+" is still listed, and still live"+s.c.voice().Billing(" (and billed)")+" "+s.c.voice().At()+".")
		} else {
			s.c.setStatus(statusInfo, "Nothing changed: "+it.Name+" is as it was.")
		}
	}
	return nil
}

// acted shows what an action came back with.
func (s *itemsScreen) acted(msg itemActedMsg) tea.Cmd {
	it := msg.item
	p := &itemsPanel{itemID: it.ItemID, kind: statusOK}
	s.panel, s.rowFocus = p, false // the new outcome is brought into view
	if s.mode == itemsRenaming {
		s.closePrompt() // reopened below when the name is refused
	}
	if msg.err != nil {
		cmd := s.failed(msg)
		if s.panel != nil {
			// The panel under the list has the details; the status line says it failed.
			text := s.panel.title
			if code := plaidflow.Explain(msg.err).ErrorCode; code != "" {
				text += ": " + code
			}
			s.c.setStatus(statusBad, text)
		}
		return cmd
	}
	defer s.saidDone(msg)
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
	case vault.Renamed:
		p.title = "Renamed"
		p.body = []string{it.Name + " is now " + out.Item.Name + "."}
		if out.ReusedRemovedName != "" {
			p.kind = statusWarn
			p.body = append(p.body, "That name once meant "+out.ReusedRemovedName+", since removed: scripts and notes that named it now reach this Item.")
		}
	case plaidflow.Removal:
		p.title = "Removed " + it.Name
		p.body = []string{out.Message()}
		if out.Forgotten {
			if s.c.removed == nil {
				s.c.removed = map[string]bool{}
			}
			s.c.removed[it.ItemID] = true
		}
		if out.Outcome != plaidflow.RemovedAtPlaid {
			p.kind = statusWarn
		}
	case plaidflow.Rotation:
		p.title = "Rotated the access token of " + it.Name
		p.body = []string{s.c.voice().WhoUpper() + " invalidated the old access token at once; the new one replaced it in the keyring (request_id " + out.RequestID + ").",
			"`" + s.c.voice().Command("auth "+it.Name) + "` keeps working with it."}
	case *plaidflow.ProcessorToken:
		s.processorPanel(p, it, out)
	case vault.SavedItem:
		p.title = "Reset the login of " + it.Name
		p.kind, p.repair = statusWarn, out.Health
		h := plaidflow.LastHealth(out, s.c.voice())
		p.body = []string{"Sandbox now answers ITEM_LOGIN_REQUIRED for this Item on product calls, as a bank does when the user must log in again.",
			"What it means: " + h.Meaning}
	}
	return nil
}

// saidDone puts on the status line what an action did, the panel under the list having the
// details.
func (s *itemsScreen) saidDone(msg itemActedMsg) {
	p, it, v := s.panel, msg.item, s.c.voice()
	if p == nil || s.mode == itemsPickAccount {
		return
	}
	kind := statusOK
	if p.kind == statusWarn {
		kind = statusWarn
	}
	text := p.title
	switch out := msg.out.(type) {
	case *plaidflow.ItemStatus:
		text = "Fetched the status of " + it.Name + ": healthy"
		if !out.Health.Healthy {
			text = "Fetched the status of " + it.Name + ": " + plaidflow.HealthLabel(vault.SavedItem{Health: out.Health.Code})
		}
	case *plaidflow.LiveBalances:
		text = "Fetched the live balances of " + it.Name + " (request_id " + out.RequestID + ")"
	case vault.Renamed:
		text = "Renamed " + it.Name + " to " + out.Item.Name
	case plaidflow.Removal:
		if out.Outcome == plaidflow.RemovedAtPlaid {
			text = "Removed " + it.Name + " " + v.At() + " and here"
		}
	case plaidflow.Rotation:
		text = "Rotated the access token of " + it.Name + ": the old one no longer works"
	case *plaidflow.ProcessorToken:
		text = "Created a " + out.Processor + " processor token for " + it.Name + ": c copies it"
	case vault.SavedItem:
		text = "Reset the login of " + it.Name + ": it needs repairing now (u)"
	}
	s.c.setStatus(kind, text)
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
				s.c.voice().WhoUpper() + " invalidated the old access token, and the keyring refused the new one. This is the Item's only working token, shown once; it is gone when you leave this panel:",
				out.NewToken,
				"Copy it now (c) and keep it somewhere safe; without it the Item cannot be used or removed.",
			}
			p.copyText, p.copyWhat = out.NewToken, "the new access token of "+it.Name
		}
	case plaidflow.Removal:
		if out.Outcome == plaidflow.NotRemovedTokenMissing {
			p.title = "NOT removed " + s.c.voice().At() + ": " + it.Name
			p.body = []string{out.Message()}
			s.target, s.mode = it, itemsConfirmForget
		}
	}
	if msg.action == actRename && (errors.Is(msg.err, vault.ErrNameTaken) || errors.Is(msg.err, vault.ErrBadName)) {
		// The name is refused: the prompt stays open with the reason.
		s.panel = nil
		s.target, s.mode, s.promptErr = it, itemsRenaming, msg.err.Error()
		return s.input.Focus()
	}
	return nil
}

// actionFailed is the headline of a failed action ("Could not rotate the token of").
func actionFailed(a itemAction) string {
	if w, ok := actionWords[a]; ok {
		return w.failed
	}
	return "Could not act on"
}

// pickAccount opens the account picker for a processor token.
func (s *itemsScreen) pickAccount(it vault.SavedItem, accounts []plaidapi.Account) tea.Cmd {
	s.target, s.accounts, s.account = it, accounts, 0
	s.panel = nil
	if len(accounts) == 0 {
		s.panel = &itemsPanel{itemID: it.ItemID, kind: statusWarn, title: "No accounts", body: []string{"Plaid lists no accounts for " + it.Name + "."}}
		return nil
	}
	s.mode = itemsPickAccount
	return nil
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

// processorCycle is what tab does in the processor prompt: the first tab completes what was
// typed (the only match, or the longest prefix the matches share); the next ones go round the
// matches of what was typed, not of the name tab put there (which would match only itself).
type processorCycle struct {
	matches []string
	at      int
}

// next is the prompt's text after tab on typed.
func (c *processorCycle) next(typed string) string {
	if len(c.matches) > 0 && c.matches[c.at] == typed {
		c.at = (c.at + 1) % len(c.matches)
		return c.matches[c.at]
	}
	m := processorMatches(typed)
	c.matches, c.at = nil, 0
	if len(m) == 0 {
		return typed
	}
	common := m[0]
	for _, x := range m[1:] {
		for !strings.HasPrefix(x, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) > len(typed) && len(m) > 1 {
		return common // tab again goes round the matches
	}
	c.matches = m
	return m[0]
}

// actionWords say what each action does while it is under way (the Item's name goes in the
// %s) and the headline when it failed.
var actionWords = map[itemAction]struct{ pending, failed string }{
	actStatus:     {"Asking Plaid about %s (/item/get)…", "Could not get the status of"},
	actBalances:   {"Fetching live balances of %s from the bank (/accounts/balance/get)…", "Could not fetch the balances of"},
	actAccounts:   {"Listing the accounts of %s (/accounts/balance/get)…", "Could not fetch the balances of"},
	actRename:     {"Renaming %s…", "Could not rename"},
	actRemove:     {"Removing %s at Plaid (/item/remove)…", "Could not remove"},
	actForget:     {"Forgetting %s here…", "Could not forget"},
	actRotate:     {"Rotating the access token of %s (/item/access_token/invalidate)…", "Could not rotate the token of"},
	actProcessor:  {"Creating a processor token for %s…", "Could not create a processor token for"},
	actResetLogin: {"Resetting the login of %s (/sandbox/item/reset_login)…", "Could not reset the login of"},
}

// pendingLine says what is under way.
func pendingLine(a itemAction, it vault.SavedItem) string {
	if w, ok := actionWords[a]; ok {
		return fmt.Sprintf(w.pending, it.Name)
	}
	return "Working…"
}
