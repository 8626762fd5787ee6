package tui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Every command that talks to Plaid, the keyring, the browser or the terminal lives here. Each
// is bounded by a context with a timeout, so a dead network or a hung D-Bus never freezes the
// UI. The order of Plaid's steps is not decided here: runStep runs whatever step the journey
// says is next.

// plaidTimeout bounds one step against Plaid (plaidflow bounds each call as well).
const plaidTimeout = plaidapi.CallTimeout + 5*time.Second

// settleDelay keeps the finished checklist on screen long enough to be read. The tests
// shorten it: they read the checklist from the model, not from a person's eyes.
var settleDelay = 700 * time.Millisecond

// createLinkToken builds a client for cfg and creates a Link token with it: the live check of
// the keys. The token is handed to the Link journey, so the check is its first step.
func createLinkToken(ctx context.Context, id int, deps Deps, cfg config.Config, retries retryFeed) tea.Cmd {
	return func() tea.Msg {
		client, err := deps.NewClient(cfg, deps.HTTPClient)
		if err != nil {
			return errMsg{op: opCreateLinkToken, id: id, err: err}
		}
		client.OnRetry = retries.tell
		client.Timeline = deps.Timeline
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		lt, err := client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{})
		if err != nil {
			return errMsg{op: opCreateLinkToken, id: id, err: err}
		}
		return linkTokenCreatedMsg{id: id, client: client, token: lt}
	}
}

// resolveKeys looks the keys for env up again, the same way the program did at start.
func resolveKeys(src config.Sources, env config.Env) tea.Cmd {
	return func() tea.Msg {
		cfg, notes, err := config.Resolve(src.For(env))
		return keysResolvedMsg{env: env, cfg: cfg, notes: notes, err: err}
	}
}

// saveKeys keeps the keys in the keyring for cfg's environment.
func saveKeys(vault *vault.Vault, cfg config.Config) tea.Cmd {
	return func() tea.Msg {
		if err := vault.SaveKeys(cfg.Namespace(), cfg.ClientID, cfg.Secret); err != nil {
			return errMsg{op: opSaveKeys, err: err}
		}
		return keysSavedMsg{env: cfg.Env}
	}
}

// loadSavedItems lists the Items earlier runs saved in ns, so the link screen can offer them.
// The list is the vault's index file; no keyring is read until an Item is picked.
func loadSavedItems(c *common) tea.Cmd {
	vault, ns := c.deps.Vault, c.cfg.Namespace()
	return func() tea.Msg {
		read := c.indexReads.Add(1) // before the read: a later number saw the index as new or newer
		items, err := vault.Items(ns)
		return savedItemsLoadedMsg{ns: ns, items: items, err: err, read: read}
	}
}

// runStep runs the journey's next step. The Link step waits for the user in the browser, so
// it is bounded by the session's context only; the others by plaidTimeout.
// Each step is tracked in underway, so that an exchange still under way when the UI closes is
// waited for and its Item saved.
func runStep(ctx context.Context, underway *stepsUnderway, id int, j *plaidflow.Journey, step plaidflow.StepID) tea.Cmd {
	return func() tea.Msg {
		if !underway.begin(j) {
			return stepRanMsg{id: id, rep: plaidflow.StepReport{Step: step}, err: context.Canceled}
		}
		defer underway.end()
		if !isLinkStep(step) {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, plaidTimeout)
			defer cancel()
		}
		rep, err := j.Run(ctx)
		return stepRanMsg{id: id, rep: rep, err: err}
	}
}

// closeJourney ends a journey's Link session (the page is told and stops). The journey is
// kept in c.retired until the command has run, so that a program that ends first still
// closes its page (shutdown).
func closeJourney(c *common, j *plaidflow.Journey) tea.Cmd {
	if j == nil {
		return nil
	}
	c.retired.add(j)
	return func() tea.Msg {
		_ = j.Close()
		c.retired.remove(j)
		return nil
	}
}

// retiredJourneys are journeys a screen has left whose Link pages are being closed.
type retiredJourneys struct {
	mu sync.Mutex
	js []*plaidflow.Journey
}

func (r *retiredJourneys) add(j *plaidflow.Journey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.js = append(r.js, j)
}

func (r *retiredJourneys) remove(j *plaidflow.Journey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.js = slices.DeleteFunc(r.js, func(x *plaidflow.Journey) bool { return x == j })
}

// closeAll closes the pages of the journeys whose closing command never ran.
func (r *retiredJourneys) closeAll() {
	r.mu.Lock()
	js := r.js
	r.js = nil
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, j := range js {
		wg.Go(func() { _ = j.Close() }) // side by side: each page may wait a moment for its tab
	}
	wg.Wait()
}

// finishSession tells an open Link tab how things ended, then stops the page.
func finishSession(s *linkpage.Session, ok bool, message string) tea.Cmd {
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		s.Finish(ok, message)
		_ = s.Close()
		return nil
	}
}

// receive waits for the next message on ch; the root issues it again after each one, so the
// messages flow one at a time, in order (bubbletea's examples/realtime). It reads every Link
// page's updates (linkUpdatedMsg) and the Plaid client's retries (retriedMsg).
func receive[M tea.Msg](ctx context.Context, ch <-chan M) tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-ch:
			return msg
		case <-ctx.Done():
			return nil
		}
	}
}

// retryFeed hands the client's retries to the UI. A full feed drops the retry: the footer
// shows only the latest one anyway, and a Plaid call must never wait on the screen.
type retryFeed chan retriedMsg

func (f retryFeed) tell(r plaidapi.Retry) {
	select {
	case f <- retriedMsg{retry: r}:
	default:
	}
}

// openBrowser opens the page again; a failure is reported, never fatal (the URL is on screen).
func openBrowser(s *linkpage.Session) tea.Cmd {
	return func() tea.Msg {
		return browserOpenedMsg{err: s.OpenBrowser()}
	}
}

// showNumbers waits a moment before the results replace the checklist.
func showNumbers(id int, j *plaidflow.Journey, kind journeyKind) tea.Cmd {
	msg := numbersShownMsg{id: id, res: j.Result(), kind: kind}
	if j.UnsavedHint() != "" {
		msg.unsaved = j
	}
	return tea.Tick(settleDelay, func(time.Time) tea.Msg { return msg })
}

// removeUnsaved removes, at Plaid, an Item that was not saved, with the token the journey
// still holds.
func removeUnsaved(ctx context.Context, j *plaidflow.Journey) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		return unsavedRemovedMsg{itemID: j.ItemID(), err: j.RemoveUnsaved(ctx)}
	}
}

// clipboardSent says what was sent to the clipboard, without claiming it arrived (nothing comes
// back to tell), and inside tmux what it takes to arrive. It is short enough for the status
// line at 60 columns.
func (c *common) clipboardSent(msg clipboardSentMsg) string {
	if c.deps.Getenv("TMUX") != "" {
		return "Sent " + msg.what + " to the terminal clipboard (OSC 52); in tmux it arrives only with `set -g set-clipboard on`."
	}
	return "Sent " + msg.what + " to the terminal clipboard (OSC 52), if the terminal allows it."
}

// sendToClipboard sends text to the terminal's clipboard with OSC 52, which works over SSH.
// Inside tmux it sends the sequence both plainly (tmux with set-clipboard on) and wrapped for
// passthrough (allow-passthrough on), since either may be how tmux is set up. Nothing comes
// back, so whether it arrived cannot be known: the message says what was sent.
func sendToClipboard(out io.Writer, getenv func(string) string, text, what string) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		seq := osc52.New(text)
		switch {
		case getenv("TMUX") != "":
			b.WriteString(seq.String())
			b.WriteString(seq.Tmux().String())
		case strings.HasPrefix(getenv("TERM"), "screen"):
			b.WriteString(seq.Screen().String())
		default:
			b.WriteString(seq.String())
		}
		if _, err := io.WriteString(out, b.String()); err != nil {
			return errMsg{op: opCopy, err: fmt.Errorf("send to the clipboard: %w", err)}
		}
		return clipboardSentMsg{what: what}
	}
}

// actOnItem runs one action of the Items screen off the UI thread, bounded by plaidTimeout:
// call is the plaidflow function, given the context. Whatever it returns comes back as an
// itemActedMsg for request id.
func actOnItem(ctx context.Context, id int, action itemAction, item vault.SavedItem, call func(context.Context) (any, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		out, err := call(ctx)
		return itemActedMsg{id: id, action: action, item: item, out: out, err: err}
	}
}
