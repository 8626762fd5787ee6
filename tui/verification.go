package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// The verification status screen: under the results of an Item linked with an Auth flow, each
// account's verification_status, what it means and what moves it on, with the keys that do it:
//
//   - Automated micro-deposits (pending_automatic_verification): Plaid verifies the deposit by
//     itself in 1-2 business days; in Sandbox A (automatically_verified) or E
//     (verification_expired) calls /sandbox/item/set_verification_status, and the numbers come
//     once verified. https://plaid.com/docs/auth/coverage/automated/
//   - Same Day micro-deposits (pending_manual_verification): m opens Link again with the Item's
//     access token, where the user enters the code. https://plaid.com/docs/auth/coverage/same-day/
//   - Database Match / Insights: the match result and the insights behind it.
//     https://plaid.com/docs/auth/coverage/database/
//
// and the webhooks: where Plaid sends them for this Item (the session's receiver), the last one
// that came for it, and w, which fires one in Sandbox (/sandbox/item/fire_webhook). Every change
// is on the timeline. The root owns the panel and draws it under the results screen.

// fireCode is what w fires: Auth's DEFAULT_UPDATE, which Plaid sends when an Item's numbers
// change (https://plaid.com/docs/api/products/auth/#default_update).
const fireCode, fireType = "DEFAULT_UPDATE", "AUTH"

// verifyPanel is the status of the Item on the results screen.
type verifyPanel struct {
	c    *common
	keys verifyKeys

	res     *plaidapi.Result
	working bool // a status change, a refresh or a fire is under way (the status line says which)

	hub      *webhookHub
	hubErr   error           // the receiver could not start
	pointed  map[string]bool // Items whose webhook was asked to be the receiver
	hooked   map[string]bool // Items whose webhook is the receiver (Plaid said so)
	pointErr error
	last     *webhook.Webhook // the last webhook for the Item on show
	reqID    int
}

func newVerifyPanel(c *common) *verifyPanel {
	p := &verifyPanel{c: c, keys: newVerifyKeys(), pointed: map[string]bool{}, hooked: map[string]bool{}}
	p.updateKeys(false)
	return p
}

// panel messages.
type (
	// statusSetMsg: /sandbox/item/set_verification_status answered.
	statusSetMsg struct {
		id     int
		change *plaidflow.StatusChange
		err    error
	}
	// flowRefreshedMsg: the Item was read again (statuses, and the numbers of verified accounts).
	flowRefreshedMsg struct {
		id  int
		res *plaidapi.Result
		err error
	}
	// webhookFiredMsg: /sandbox/item/fire_webhook answered.
	webhookFiredMsg struct {
		id    int
		fired *plaidflow.FiredWebhook
		err   error
	}
	// verifyRequestedMsg: m: open Link for the micro-deposit code of the Item.
	verifyRequestedMsg struct {
		itemID, name, accountID string
	}
)

// flowOf is the result's Auth flow, when it is one the panel knows.
func flowOf(res *plaidapi.Result) (plaidflow.AuthFlow, bool) {
	if res == nil || res.Flow == "" {
		return plaidflow.AuthFlow{}, false
	}
	fl, err := plaidflow.FindAuthFlow(res.Flow)
	return fl, err == nil
}

// itemRef is how plaidflow finds the Item again: its id (always saved alongside the name).
func itemRef(res *plaidapi.Result) string { return res.ItemID }

// saved: the Item is in the vault, so the panel's actions can find its access token.
func (p *verifyPanel) saved() bool {
	return p.res != nil && p.res.Storage.Saved && p.c.flow != nil && p.res.ItemID != ""
}

// hasStatus: some account of the result has a verification_status, or it came from a flow.
func (p *verifyPanel) hasStatus() bool {
	if p.res == nil {
		return false
	}
	if _, ok := flowOf(p.res); ok {
		return true
	}
	return slices.ContainsFunc(p.res.Accounts, func(a plaidapi.Account) bool { return a.VerificationStatus != "" })
}

// shown: the panel has something to say under these results.
func (p *verifyPanel) shown() bool { return p.res != nil && (p.hasStatus() || p.hub != nil) }

// reachable: Plaid can reach a receiver here (it starts with the session, or is starting).
func (p *verifyPanel) reachable() bool {
	_, ok := webhook.Target(p.c.cfg, p.c.deps.WebhookPublicURL)
	return ok
}

func (p *verifyPanel) sandbox() bool { return p.c.cfg.SandboxOnly() == nil }

func (p *verifyPanel) pending(status string) []plaidapi.Account {
	if p.res == nil {
		return nil
	}
	var out []plaidapi.Account
	for _, a := range p.res.Accounts {
		if a.VerificationStatus == status {
			out = append(out, a)
		}
	}
	return out
}

func (p *verifyPanel) updateKeys(on bool) {
	k := &p.keys
	// Not while the Item's webhook is being pointed at the receiver: what A, E and w make
	// Plaid send would go to the old one.
	on = on && p.saved() && !p.working && !p.pointing()
	auto := len(p.pending("pending_automatic_verification")) > 0
	k.Verified.SetEnabled(on && p.sandbox() && auto)
	k.Expired.SetEnabled(on && p.sandbox() && auto)
	k.Code.SetEnabled(on && len(p.pending("pending_manual_verification")) == 1)
	// Only with the receiver up: what w makes Plaid send is then seen on the timeline.
	k.Fire.SetEnabled(on && p.sandbox() && p.hub != nil)
}

// setResult is told the result on the results screen; it returns the command that points the
// Item's webhook at the receiver, the first time it is shown.
func (p *verifyPanel) setResult(res *plaidapi.Result) tea.Cmd {
	if p.res == nil || res == nil || p.res.ItemID != res.ItemID {
		p.last, p.pointErr = nil, nil
	}
	p.res = res
	return p.point()
}

// pointing: the Item's webhook is being set to the receiver.
func (p *verifyPanel) pointing() bool {
	return p.res != nil && p.pointed[p.res.ItemID] && !p.hooked[p.res.ItemID] && p.pointErr == nil
}

// pointedAt takes /item/webhook/update's answer.
func (p *verifyPanel) pointedAt(msg webhookSetMsg) {
	if msg.err == nil {
		p.hooked[msg.itemID] = true
		return
	}
	if p.res != nil && msg.itemID == p.res.ItemID {
		p.pointErr = msg.err
	}
}

// point sets the Item's webhook to the receiver once both exist.
func (p *verifyPanel) point() tea.Cmd {
	if p.hub == nil || !p.saved() || p.pointed[p.res.ItemID] {
		return nil
	}
	p.pointed[p.res.ItemID] = true // asked once; a failure is shown, and w still tries Plaid
	return pointItem(p.c.ctx, p.c.flow, p.c.deps.Timeline, p.res.ItemID, p.hub.target)
}

// started takes the receiver once it is up.
func (p *verifyPanel) started(msg webhooksStartedMsg) tea.Cmd {
	if msg.err != nil {
		p.hubErr = msg.err
		return nil
	}
	p.hub.close() // a receiver for other keys (the environment changed)
	p.hub, p.hubErr, p.pointed, p.hooked = msg.hub, nil, map[string]bool{}, map[string]bool{}
	return tea.Batch(waitForWebhook(p.c.ctx, msg.hub.feed), p.point())
}

// webhook takes a webhook the receiver got. One for the Item on show is shown, and an AUTH
// webhook (the verification moved on) reads the Item again.
func (p *verifyPanel) webhook(wh webhook.Webhook) tea.Cmd {
	if p.res == nil || wh.ItemID != p.res.ItemID {
		return nil
	}
	p.last = &wh
	if wh.Type == "AUTH" && wh.Verified && p.saved() && !p.working && wh.Code != fireCode {
		return p.refresh()
	}
	return nil
}

// refresh reads the Item again.
func (p *verifyPanel) refresh() tea.Cmd {
	p.working = true
	p.reqID = p.c.nextID()
	id, flow, ref, fl := p.reqID, p.c.flow, itemRef(p.res), p.res.Flow
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(p.c.ctx, plaidTimeout)
		defer cancel()
		res, err := flow.RefreshFlow(ctx, ref, fl)
		return flowRefreshedMsg{id: id, res: res, err: err}
	}
}

// handleKey answers the panel's keys; handled is false for the keys the screen should get.
func (p *verifyPanel) handleKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := p.keys
	switch {
	case key.Matches(msg, k.Verified), key.Matches(msg, k.Expired):
		status := "automatically_verified"
		if key.Matches(msg, k.Expired) {
			status = "verification_expired"
		}
		acct := p.pending("pending_automatic_verification")[0]
		p.working = true
		p.c.setStatus(statusInfo, "Setting "+acct.Name+" ••"+present.MaskLabel(acct)+" to "+status+" with /sandbox/item/set_verification_status…")
		p.reqID = p.c.nextID()
		id, flow, ref := p.reqID, p.c.flow, itemRef(p.res)
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(p.c.ctx, plaidTimeout)
			defer cancel()
			ch, err := flow.SetVerificationStatus(ctx, ref, acct.ID, status)
			return statusSetMsg{id: id, change: ch, err: err}
		}, true
	case key.Matches(msg, k.Code):
		acct := p.pending("pending_manual_verification")[0]
		itemID, name := p.res.ItemID, p.res.ItemName
		return func() tea.Msg { return verifyRequestedMsg{itemID: itemID, name: name, accountID: acct.ID} }, true
	case key.Matches(msg, k.Fire):
		p.working = true
		p.c.setStatus(statusInfo, "Firing "+fireType+" "+fireCode+" with /sandbox/item/fire_webhook…")
		p.reqID = p.c.nextID()
		id, flow, ref := p.reqID, p.c.flow, itemRef(p.res)
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(p.c.ctx, plaidTimeout)
			defer cancel()
			fired, err := flow.FireWebhook(ctx, ref, fireCode, fireType)
			return webhookFiredMsg{id: id, fired: fired, err: err}
		}, true
	}
	return nil, false
}

// statusSet takes set_verification_status's answer: the change goes on the timeline, and the
// Item is read again (its numbers, once verified).
func (p *verifyPanel) statusSet(msg statusSetMsg) tea.Cmd {
	if msg.id != p.reqID {
		return nil
	}
	p.working = false
	if msg.err != nil {
		p.c.setStatus(statusBad, "Could not set the verification status: "+msg.err.Error())
		return nil
	}
	a := msg.change.Account // the timeline gets the change from refreshed, with the webhook's
	p.c.setStatus(statusOK, fmt.Sprintf("%s ••%s is %s now (request_id %s).", a.Name, present.MaskLabel(a), a.VerificationStatus, msg.change.RequestID))
	return p.refresh()
}

// refreshed takes the Item read again; the caller puts the result on the results screen.
func (p *verifyPanel) refreshed(msg flowRefreshedMsg) (*plaidapi.Result, bool) {
	if msg.id != p.reqID {
		return nil, false
	}
	p.working = false
	if msg.err != nil {
		p.c.setStatus(statusBad, "Could not read the Item again: "+msg.err.Error())
		return nil, false
	}
	if p.res != nil {
		for _, now := range msg.res.Accounts {
			for _, was := range p.res.Accounts {
				if was.ID == now.ID && was.VerificationStatus != now.VerificationStatus {
					p.c.deps.Timeline.Note(fmt.Sprintf("%s ••%s: %s → %s", now.Name, present.MaskLabel(now), statusOrInstant(was.VerificationStatus), statusOrInstant(now.VerificationStatus)))
				}
			}
		}
	}
	return msg.res, true
}

// fired takes fire_webhook's answer; the webhook itself comes through the receiver.
func (p *verifyPanel) fired(msg webhookFiredMsg) {
	if msg.id != p.reqID {
		return
	}
	p.working = false
	if msg.err != nil {
		p.c.setStatus(statusBad, "Could not fire the webhook: "+msg.err.Error())
		return
	}
	p.c.setStatus(statusOK, fmt.Sprintf("%s fired %s %s (webhook_fired %t, request_id %s); it arrives on the timeline.", p.c.voice().WhoUpper(), fireType, fireCode, msg.fired.Fired, msg.fired.RequestID))
}

func statusOrInstant(s string) string {
	if s == "" {
		return "verified (Instant Auth)"
	}
	return s
}

// statusMeaning says what a verification_status means and what moves it on.
func (p *verifyPanel) statusMeaning(status string) string {
	switch status {
	case "pending_automatic_verification":
		if p.sandbox() && p.saved() {
			return "Plaid verifies the deposit by itself in 1-2 business days; in Sandbox press A (verified) or E (expired)"
		}
		return "Plaid verifies the deposit by itself in 1-2 business days; the AUTH webhook says when"
	case "pending_manual_verification":
		if !p.saved() {
			return "the user enters the code of the deposit in Link opened with the Item's access token (this Item is not saved, so not from here)"
		}
		return "the user enters the code of the deposit in Link opened with the Item's access token: press m"
	case "automatically_verified":
		return "Plaid verified the deposit: the numbers are shown above"
	case "manually_verified":
		return "the user entered the right code: the numbers are shown above"
	case "verification_expired":
		return "the deposit was not verified in time: link the account again (l)"
	case "verification_failed":
		return "the code was wrong too many times: link the account again (l)"
	case "database_matched":
		return "Plaid found the numbers in its network (Database Match)"
	case "database_insights_pass":
		return "Database Insights: pass"
	case "database_insights_pass_with_caution":
		return "Database Insights: pass with caution; read the insights"
	case "database_insights_fail":
		return "Database Insights: fail; read the insights"
	case "unsent":
		return "the micro-deposit has not been sent yet"
	}
	return ""
}

// View draws the panel, w cells wide.
func (p *verifyPanel) View(w int) string {
	st := p.c.styles
	lines := []string{""}
	if p.hasStatus() {
		head := "Verification"
		if fl, ok := flowOf(p.res); ok {
			head += " · " + fl.Title
		}
		if p.working {
			head += "  " + p.c.spinner()
		}
		lines = append(lines, st.Heading.Render(head))
		for _, a := range p.res.Accounts {
			status := a.VerificationStatus
			style := st.OK
			switch {
			case strings.HasPrefix(status, "pending"), status == "unsent", status == "database_insights_pass_with_caution":
				style = st.Warn
			case status == "verification_expired", status == "verification_failed", status == "database_insights_fail":
				style = st.Bad
			}
			lines = append(lines, truncate("  "+a.Name+" ••"+present.MaskLabel(a)+"  "+style.Render(statusOrInstant(status)), w))
			if m := p.statusMeaning(status); m != "" {
				for _, l := range wrap(m, max(w-4, 10)) {
					lines = append(lines, "    "+st.Muted.Render(l))
				}
			}
			if in := a.VerificationInsights; in != nil {
				for _, l := range insightLines(in) {
					lines = append(lines, truncate("    "+st.Faint.Render(l), w))
				}
			}
		}
	}
	lines = append(lines, p.webhookLines(w)...)
	return strings.Join(lines, "\n")
}

// webhookLines say where this Item's webhooks go and the last one that came.
func (p *verifyPanel) webhookLines(w int) []string {
	st := p.c.styles
	var out []string
	switch {
	case p.hub != nil:
		where := "→ " + p.hub.target
		switch {
		case p.res != nil && p.hooked[p.res.ItemID]:
			where += " (this session's receiver)"
		case p.pointing():
			where += " (setting it with /item/webhook/update…)"
		}
		out = append(out, truncate(st.Muted.Render("Webhooks ")+where, w))
	case p.hubErr != nil:
		out = append(out, wrap(st.Warn.Render("! No webhooks: the receiver could not start: "+p.hubErr.Error()), w)...)
	case p.hasStatus() && !p.reachable():
		out = append(out, wrap(st.Muted.Render("Webhooks need a public URL: Plaid cannot reach 127.0.0.1. Start a tunnel (ngrok, cloudflared…) and run again with --public-url URL --webhook-port PORT."), w)...)
	}
	if p.pointErr != nil {
		out = append(out, wrap(st.Warn.Render("! The Item's webhook was not set: "+p.pointErr.Error()), w)...)
	}
	if p.last != nil {
		style := st.OK
		if !p.last.Verified {
			style = st.Bad
		}
		out = append(out, truncate(st.Muted.Render("Last webhook ")+st.Faint.Render(p.last.ReceivedAt.Format("15:04:05")+" ")+style.Render(webhook.Describe(*p.last)), w))
	}
	return out
}

// insightLines are Database Insights' signals, one a line.
func insightLines(in *plaidapi.VerificationInsights) []string {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	score := "none"
	if in.NameMatchScore != nil {
		score = fmt.Sprintf("%d of 100", *in.NameMatchScore)
	}
	format := in.AccountNumberFormat
	if format == "" {
		format = "none"
	}
	return []string{
		"name_match_score " + score,
		"network_status  has_numbers_match " + yes(in.HasNumbersMatch) + " · is_numbers_match_verified " + yes(in.IsNumbersMatchVerified),
		"previous_returns  has_previous_administrative_return " + yes(in.HasPreviousAdministrativeReturn),
		"account_number_format " + format,
	}
}

// withVerify adds the panel's keys to the results' help.
type withVerify struct {
	help.KeyMap
	p *verifyPanel
}

// ShortHelp implements help.KeyMap: what moves the verification on comes first.
func (h withVerify) ShortHelp() []key.Binding {
	k := h.p.keys
	return append(append([]key.Binding{k.Verified, k.Expired, k.Code}, h.KeyMap.ShortHelp()...), k.Fire)
}

// FullHelp implements help.KeyMap.
func (h withVerify) FullHelp() [][]key.Binding {
	k := h.p.keys
	return append([][]key.Binding{{
		withHelp(k.Verified, "A", "set automatically_verified (Sandbox)"), withHelp(k.Expired, "E", "set verification_expired (Sandbox)"),
		withHelp(k.Code, "m", "enter the micro-deposit code in Link"), withHelp(k.Fire, "w", "fire AUTH DEFAULT_UPDATE webhook (Sandbox)"),
	}}, h.KeyMap.FullHelp()...)
}
