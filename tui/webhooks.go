package tui

import (
	"context"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// Webhooks in the terminal UI: a receiver on 127.0.0.1 (webhook.Listen, as
// `webhooks listen` runs it) starts with the session once the keys are confirmed, when Plaid can
// reach it: against the emulator (--demo, or PLAID_API_URL on loopback) with no setup, against
// Plaid only through the public URL the user gives (--public-url, their tunnel to the port).
// Every webhook it gets is verified and put on the session's timeline; the Item on the results
// screen gets the receiver as its webhook (/item/webhook/update).

// webhookHub is the session's receiver and where Plaid is told to send webhooks.
type webhookHub struct {
	rcv *webhook.Receiver
	// target is the URL Items get as their webhook: the public URL, or the receiver's own.
	target string
	feed   chan webhook.Webhook
}

func (h *webhookHub) close() {
	if h != nil && h.rcv != nil {
		h.rcv.Close()
	}
}

// webhookReceivers are the receivers this program started. Shutdown closes them all, also one
// whose webhooksStartedMsg never reached the model (the program ended first).
type webhookReceivers struct {
	mu     sync.Mutex
	rs     []*webhook.Receiver
	closed bool
}

// add keeps rcv for closeAll; false when closeAll already ran, and rcv is the caller's to close.
func (r *webhookReceivers) add(rcv *webhook.Receiver) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.rs = append(r.rs, rcv)
	return true
}

// closeAll closes every receiver kept, and any added later is refused.
func (r *webhookReceivers) closeAll() {
	r.mu.Lock()
	rs := r.rs
	r.rs, r.closed = nil, true
	r.mu.Unlock()
	for _, rcv := range rs {
		rcv.Close()
	}
}

// webhooksStartedMsg: the receiver is up (hub), or could not start (err).
type webhooksStartedMsg struct {
	hub *webhookHub
	err error
}

// webhookReceivedMsg: the receiver got a webhook (already on the timeline).
type webhookReceivedMsg struct{ wh webhook.Webhook }

// webhookSetMsg: /item/webhook/update answered for the Item on the results screen.
type webhookSetMsg struct {
	itemID, target string
	err            error
}

// startWebhooks starts the receiver, verifying with client's /webhook_verification_key/get.
// Each webhook goes on the timeline, then to the feed the root reads; a full feed drops it from
// the screen only (the timeline has it).
func startWebhooks(ctx context.Context, reg *webhookReceivers, client *plaidapi.Client, tl *transcript.Timeline, port int, public string) tea.Cmd {
	return func() tea.Msg {
		feed := make(chan webhook.Webhook, 16)
		v := webhook.NewVerifier(client)
		rcv, err := webhook.Listen(port, v, func(wh webhook.Webhook) {
			webhook.Record(tl, wh)
			select {
			case feed <- wh:
			default:
			}
		})
		if err != nil {
			return webhooksStartedMsg{err: err}
		}
		if ctx.Err() != nil || !reg.add(rcv) {
			rcv.Close() // the session ended meanwhile: nobody would close it
			return nil
		}
		target := public
		if target == "" {
			target = rcv.URL
		}
		tl.Note("Listening for webhooks on " + rcv.URL + "; Items of this session send theirs to " + target)
		return webhooksStartedMsg{hub: &webhookHub{rcv: rcv, target: target, feed: feed}}
	}
}

// waitForWebhook waits for the next webhook; the root issues it again after each one.
func waitForWebhook(ctx context.Context, feed <-chan webhook.Webhook) tea.Cmd {
	return func() tea.Msg {
		select {
		case wh := <-feed:
			return webhookReceivedMsg{wh: wh}
		case <-ctx.Done():
			return nil
		}
	}
}

// pointItem sets a saved Item's webhook to target.
func pointItem(ctx context.Context, flow *plaidflow.Flow, tl *transcript.Timeline, itemID, target string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		err := flow.SetItemWebhook(ctx, itemID, target)
		if err == nil {
			tl.Note("Webhook of " + itemID + " set to " + target)
		}
		return webhookSetMsg{itemID: itemID, target: target, err: err}
	}
}
