package tui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// What the Items screen draws under the list: the outcome of the last action (a panel with
// sentences, rows and the repair when there is one) and the open prompt or question.

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

// statusPanel is /item/get's answer: health and its meaning, products, consent, webhook.
func (s *itemsScreen) statusPanel(p *itemsPanel, it vault.SavedItem, st *plaidflow.ItemStatus) {
	h := st.Health
	p.title = "Status of " + it.Name
	if !h.Healthy {
		p.kind = statusWarn
	}
	if plaidflow.NeedsRepair(h.Code) {
		p.repair = h.Code
	}
	when := func(t time.Time) string { return t.In(s.c.now().Location()).Format("2006-01-02 15:04") }
	p.body = []string{"Health: " + plaidflow.HealthLabel(vault.SavedItem{Health: h.Code}), h.Meaning}
	if h.Next != "" && p.repair == "" {
		p.body = append(p.body, "Next: "+h.Next)
	}
	p.rows = append(p.rows,
		[2]string{s.c.voice().BilledProducts(), listOrNone(st.BilledProducts)},
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
	p.rows = append(p.rows, [2]string{"institution", present.OrDash(st.InstitutionName) + " " + st.InstitutionID},
		[2]string{"request_id", st.RequestID}, [2]string{"checked", when(st.FetchedAt)})
}

// processorPanel is a processor token with what to do with it next.
func (s *itemsScreen) processorPanel(p *itemsPanel, it vault.SavedItem, pt *plaidflow.ProcessorToken) {
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
		rows = append(rows, [4]string{a.Name, present.MaskLabel(a), present.Available(a), present.Current(a)})
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

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
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
		body = append(body, wrap(plaidflow.RemoveQuestion(it, s.c.voice()), iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /item/remove: "+s.c.voice().Billing("Plaid stops billing for the Item, and ")+"its token and this entry are deleted here."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" remove "+s.c.voice().At()+" · ")+st.Key.Render("n")+st.Muted.Render(" keep it"))
	case itemsConfirmRotate:
		title, border = "Rotate the access token of "+it.Name+"?", st.CardBad
		body = append(body, wrap(s.c.voice().WhoUpper()+" invalidates the current access token at once and issues a new one, which replaces it in the keyring. Anything else holding the old token (a script, a server, a teammate's copy) stops working.", iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /item/access_token/invalidate."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" rotate it · ")+st.Key.Render("n")+st.Muted.Render(" keep the token"))
	case itemsConfirmReset:
		title, border = "Reset the login of "+it.Name+"?", st.CardBad
		body = append(body, wrap("Sandbox puts the Item in ITEM_LOGIN_REQUIRED: its product calls fail until it is repaired with Link in update mode.", iw)...)
		body = append(body, wrap(st.Muted.Render("This calls /sandbox/item/reset_login."), iw)...)
		body = append(body, "", st.Key.Render("y")+st.Muted.Render(" reset it · ")+st.Key.Render("n")+st.Muted.Render(" leave it"))
	case itemsConfirmForget:
		title, border = "Forget "+it.Name+" here only?", st.CardBad
		body = append(body, wrap(plaidflow.ForgetQuestion(it, s.c.voice()), iw)...)
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
			body = append(body, truncate(style.Render(pointer+padRight(a.Name, nameW)+"  ••"+padRight(present.MaskLabel(a), 4)+"  "+present.TypeLabel(a)), iw))
		}
	case itemsPickProcessor:
		acct := s.accounts[s.account]
		title = "Processor token for " + acct.Name + " ••" + present.MaskLabel(acct)
		body = append(body, s.input.View())
		m := processorMatches(s.input.Value())
		if c := s.cycle; len(c.matches) > 1 && c.matches[c.at] == s.input.Value() {
			// Going round with tab: the matches of what was typed, from the one shown.
			m = append(c.matches[c.at:len(c.matches):len(c.matches)], c.matches[:c.at]...)
		}
		if len(m) > 0 && s.input.Value() != "" {
			shown := m[:min(len(m), 6)]
			more := ""
			if len(m) > len(shown) {
				more = " …"
			}
			body = append(body, truncate(st.Faint.Render("tab: "+strings.Join(shown, " · ")+more), iw))
		} else {
			body = append(body, st.Faint.Render("Plaid's list: dwolla, apex_clearing, stripe and "+strconv.Itoa(len(plaidflow.ProcessorNames())-3)+" more; tab completes, and again goes round them."))
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
