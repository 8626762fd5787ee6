package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// Hosted Link: Plaid serves Link on its own page, at the hosted_link_url of a Link token made
// with a hosted_link object, so anyone can link on their own device (a stakeholder's phone, by
// the QR code the front ends draw). The terminal follows the session through /link/token/get,
// whose link_sessions carry results.item_add_results[].public_token once the user finishes,
// and, where Plaid can reach a receiver on this machine (the emulator), through the LINK
// webhooks SESSION_FINISHED and ITEM_ADD_RESULT, which only make it ask again at once
// (https://plaid.com/docs/link/hosted-link/, https://plaid.com/docs/api/link/#linktokenget).
// Then exchange, save and numbers are the Link journey's own steps.
//
//	Hosted: link token (hosted_link) → Hosted Link (follow the session) → exchange → save → numbers

// StepHostedLink waits for the user to finish Link on Plaid's hosted page.
const StepHostedLink StepID = StepMicroDeposit + 1

func init() {
	stepWords[StepHostedLink] = [4]string{"Link a bank account on any device (Hosted Link)", "Waiting for Link on the hosted page (scan the code)…",
		"Hosted Link handed over a public token", "Hosted Link did not link an account"}
}

// HostedPollInterval is how often /link/token/get is asked while nobody has finished: a person
// takes tens of seconds to link, and each ask is one round trip to Plaid.
var HostedPollInterval = 3 * time.Second

// ErrHostedLinkNotEnabled is the answer when Plaid made the Link token but sent no
// hosted_link_url: Plaid does that, without an error, for a team it has not enabled Hosted Link
// for (plaid/plaid-python#524).
var ErrHostedLinkNotEnabled = errors.New("the Link token came without a hosted_link_url: Plaid has not enabled Hosted Link for this team " +
	"(ask Plaid Support or your account manager to enable it)")

// HostedExpiredError is a Hosted Link session nobody finished before its URL expired.
type HostedExpiredError struct {
	Expired time.Time
	Polls   int
	// Again is the command that starts Hosted Link again, in the same mode and profile.
	Again string
}

// Error implements error.
func (e *HostedExpiredError) Error() string {
	checks := fmt.Sprintf("%d checks", e.Polls)
	if e.Polls == 1 {
		checks = "1 check"
	}
	return fmt.Sprintf("the Hosted Link URL expired at %s before anyone finished Link (%s with /link/token/get)",
		e.Expired.Local().Format("15:04:05"), checks)
}

// HostedKind says what a HostedUpdate is about.
type HostedKind int

// What a Hosted Link session tells its front end.
const (
	HostedStarted HostedKind = iota + 1 // the URL is ready: show it
	HostedPolled                        // /link/token/get answered; nobody has finished yet
	HostedWebhook                       // a LINK webhook of this token arrived
)

// HostedUpdate is one thing that happened in a Hosted Link session.
type HostedUpdate struct {
	Kind    HostedKind
	URL     string
	Expires time.Time
	// Webhooks: a receiver on this machine follows the session's webhooks too.
	Webhooks bool
	// Polls counts the round trips to /link/token/get so far.
	Polls int
	// Code is the webhook's code (SESSION_FINISHED, ITEM_ADD_RESULT, EVENTS) and its status.
	Code string
}

// hostedState is what a Hosted Link journey holds besides a Link journey's.
type hostedState struct {
	show func(HostedUpdate)
	opts HostedOptions

	mu    sync.Mutex
	recv  *webhook.Receiver
	token string        // the link token the receiver's webhooks must name
	nudge chan struct{} // a webhook said the session moved: ask now
}

// HostedOptions are the settings of a Hosted Link journey.
type HostedOptions struct {
	// Lifetime, when not 0, is how long the URL works (Plaid's url_lifetime_seconds; the Link
	// token expires with it).
	Lifetime time.Duration
	// PublicURL reaches this machine's webhook receiver, listening on WebhookPort (0: a free
	// port), through the user's tunnel: Plaid sends the session's webhooks there. Without it,
	// webhooks are followed only where Plaid can reach loopback (the emulator), and
	// /link/token/get alone follows the session against Plaid.
	PublicURL   string
	WebhookPort int
}

// HostedLinkJourney is the Link journey through Hosted Link: show is told the URL (for the QR
// code and as text) and how following the session goes.
func (f *Flow) HostedLinkJourney(show func(HostedUpdate), o HostedOptions) *Journey {
	if show == nil {
		show = func(HostedUpdate) {}
	}
	j := &Journey{flow: f, hosted: &hostedState{show: show, opts: o, nudge: make(chan struct{}, 1)},
		steps: []StepID{StepLinkToken, StepHostedLink, StepExchange, StepSave, StepNumbers}}
	j.openLink = func() LinkUI { return &hostedLink{j: j, done: make(chan struct{})} }
	return j
}

// hostedLinkToken makes the Link token with hosted_link, and with a webhook receiver's URL where
// Plaid can reach one on this machine (webhook.Target).
func (j *Journey) hostedLinkToken(ctx context.Context) (StepReport, error) {
	f, h := j.flow, j.hosted
	h.stopReceiver() // the last token's, when this is a new session
	opts := plaidapi.LinkTokenOptions{Hosted: true}
	if h.opts.Lifetime > 0 {
		opts.HostedLifetime = h.opts.Lifetime
	}
	if public, ok := webhook.Target(f.Client.Config(), h.opts.PublicURL); ok {
		recv, err := webhook.Listen(h.opts.WebhookPort, webhook.NewVerifier(f.Client), h.received)
		switch {
		case err == nil:
			h.mu.Lock()
			h.recv = recv
			h.mu.Unlock()
			opts.Webhook = recv.URL
			if public != "" {
				opts.Webhook = public
			}
		case public != "":
			// The user's tunnel leads to that port: webhooks sent there would reach nobody.
			return StepReport{}, fmt.Errorf("listen for Hosted Link's webhooks on port %d (where --public-url %s leads): %w", h.opts.WebhookPort, public, err)
		}
		// No receiver on loopback (no free port): /link/token/get alone follows the session.
	}
	lt, err := f.Client.CreateLinkToken(ctx, opts)
	if err != nil {
		h.stopReceiver()
		return StepReport{}, err
	}
	if lt.HostedLinkURL == "" {
		h.stopReceiver()
		return StepReport{}, ErrHostedLinkNotEnabled
	}
	if u, err := url.Parse(lt.HostedLinkURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// A code on screen is an invitation to open it: only a web page's address is drawn.
		h.stopReceiver()
		return StepReport{}, plaidapi.Malformed("create link token", lt.RequestID, "an http(s) hosted_link_url")
	}
	h.mu.Lock()
	h.token = lt.Token
	h.mu.Unlock()
	j.linkToken = lt
	detail := "Hosted Link · expires " + lt.Expiration.Local().Format("15:04")
	if opts.Webhook != "" {
		detail += " · webhooks to " + opts.Webhook
	}
	return StepReport{Detail: detail}, nil
}

// received takes a verified LINK webhook of this session's token as a nudge to ask again.
func (h *hostedState) received(w webhook.Webhook) {
	if !w.Verified || w.Type != "LINK" {
		return
	}
	h.mu.Lock()
	token := h.token
	h.mu.Unlock()
	if lt, _ := w.Payload["link_token"].(string); lt == "" || lt != token {
		return
	}
	code := sanitize.Line(w.Code, sanitize.Field)
	if status, _ := w.Payload["status"].(string); status != "" {
		code += " (" + sanitize.Line(status, sanitize.Field) + ")"
	}
	h.show(HostedUpdate{Kind: HostedWebhook, Code: code})
	select {
	case h.nudge <- struct{}{}:
	default: // one nudge waiting is enough
	}
}

// stopReceiver closes the webhook receiver, if one listens. Safe on a nil state.
func (h *hostedState) stopReceiver() {
	if h == nil {
		return
	}
	h.mu.Lock()
	recv := h.recv
	h.recv = nil
	h.mu.Unlock()
	if recv != nil {
		recv.Close()
	}
}

// hostedLink is the LinkUI of a Hosted Link session: Link runs on Plaid's page, on whatever
// device opens it; here it is followed until a session hands over a public token or ends.
type hostedLink struct {
	j    *Journey
	done chan struct{}
	once sync.Once
}

// Link follows the session of linkToken: /link/token/get every HostedPollInterval (at once
// after a webhook), until a session has a public token, one exits, or the URL expires.
func (l *hostedLink) Link(ctx context.Context, linkToken string) (string, string, string, error) {
	f, h, lt := l.j.flow, l.j.hosted, l.j.linkToken
	h.mu.Lock()
	webhooks := h.recv != nil
	h.mu.Unlock()
	h.show(HostedUpdate{Kind: HostedStarted, URL: lt.HostedLinkURL, Expires: lt.Expiration, Webhooks: webhooks})
	var expired <-chan time.Time
	if !lt.Expiration.IsZero() {
		t := time.NewTimer(lt.Expiration.Sub(f.now()))
		defer t.Stop()
		expired = t.C
	}
	tick := time.NewTicker(HostedPollInterval)
	defer tick.Stop()
	for polls := 0; ; {
		select {
		case <-ctx.Done():
			return "", "", "", ctx.Err()
		case <-l.done:
			return "", "", "", errJourneyClosed
		case <-expired:
			return "", "", "", &HostedExpiredError{Expired: lt.Expiration, Polls: polls, Again: hostedAgain(f.Client.Config())}
		case <-tick.C:
		case <-h.nudge:
		}
		got, err := f.Client.LinkSessions(ctx, linkToken)
		polls++
		if err != nil {
			return "", "", "", err
		}
		for _, s := range got.Sessions {
			if len(s.PublicTokens) > 0 {
				var instID, instName string
				if s.Institution != nil {
					instID, instName = s.Institution.ID, s.Institution.Name
				}
				return s.PublicTokens[0], instID, instName, nil
			}
			if s.Exit != nil && s.Finished {
				return "", "", "", &HostedExit{SessionID: s.ID, Exit: *s.Exit}
			}
		}
		h.show(HostedUpdate{Kind: HostedPolled, Polls: polls})
	}
}

// Finish implements LinkUI: the hosted page says itself how Link ended.
func (l *hostedLink) Finish(bool, string) {}

// Close implements LinkUI: following the session stops, and so does its webhook receiver.
func (l *hostedLink) Close() error {
	l.once.Do(func() { close(l.done) })
	l.j.hosted.stopReceiver()
	return nil
}

// HostedExit is a Hosted Link session that ended without an Item, as /link/token/get tells it:
// a LinkExit, shown like the Link page's exits.
type HostedExit struct {
	SessionID string
	Exit      plaidapi.SessionExit
}

// Error implements error.
func (e *HostedExit) Error() string {
	msg := "link closed on the hosted page before an account was linked"
	if e.Exit.Status != "" {
		msg += " (status " + e.Exit.Status + ")"
	}
	if e.Exit.ErrorCode != "" {
		msg = fmt.Sprintf("link exited with %s (%s): %s", e.Exit.ErrorCode, e.Exit.ErrorType, e.Exit.ErrorMessage)
	}
	if e.SessionID != "" {
		msg += " [link_session_id " + e.SessionID + "]"
	}
	return msg
}

// LinkExitField implements LinkExit.
func (e *HostedExit) LinkExitField(name string) string {
	x := e.Exit
	return map[string]string{
		"error_code": x.ErrorCode, "error_type": x.ErrorType, "error_message": x.ErrorMessage,
		"display_message": x.DisplayMessage, "status": x.Status, "request_id": x.RequestID,
		"link_session_id": e.SessionID, "institution": x.Institution,
	}[name]
}

// hostedAgain is the command that starts Hosted Link again as this run did.
func hostedAgain(cfg config.Config) string {
	return present.VoiceOf(cfg).Command("link --hosted")
}
