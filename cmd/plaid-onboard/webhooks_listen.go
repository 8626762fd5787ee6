package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// webhooksFlags are the flags of `webhooks listen`.
type webhooksFlags struct {
	callFlags
	port      int
	forwardTo string
	publicURL string
}

// newWebhooksCmd groups the webhook commands; on its own it is a usage error.
func newWebhooksCmd(a *app) *cobra.Command {
	return groupCmd(a, "webhooks", "Receive, verify, trigger and sign Plaid webhooks on this machine", "", newWebhooksListenCmd(a),
		newWebhooksTriggerCmd(a), newWebhooksSignCmd(a)) // webhooks_trigger.go, webhooks_sign.go
}

// newWebhooksListenCmd is `webhooks listen`: a receiver on 127.0.0.1 that verifies and prints
// every webhook, and forwards the verified ones.
func newWebhooksListenCmd(a *app) *cobra.Command {
	f := &webhooksFlags{}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Print and verify each webhook as it arrives; forward the verified ones",
		Long: `Listens on 127.0.0.1 for Plaid webhooks until interrupted (ctrl+c: exit status 130). Each
webhook is printed as it arrives (type, code, Item) and verified as Plaid's docs describe: the
Plaid-Verification JWT must be ES256, signed by the key /webhook_verification_key/get returns
for its kid, issued within 5 minutes, and carry the body's SHA-256. A webhook that fails says
why. With --json, one JSON line per webhook: the payload plus "verified" and, when false,
"reason". With --forward-to, each verified webhook is sent on to your app with its original
headers and body, so your app can verify it too: in the background (Plaid is answered at once),
given 10 seconds each, redirects not followed. Link-local and cloud metadata addresses
(169.254.169.254) are refused as targets.

Plaid must be able to reach the listener:
  - against the emulator (--demo, or PLAID_API_URL on loopback) it works with no setup: the
    environment's saved Items get the listener as their webhook (/item/webhook/update), at start
    and as they are made while it runs;
  - against Plaid, a webhook needs a public URL: start a tunnel to the listener's port (ngrok,
    cloudflared...) and give its URL with --public-url; the saved Items of the environment get
    it as their webhook, at start and as they are made while it runs.`,
		Example: `  plaid-onboard --demo webhooks listen
  plaid-onboard webhooks listen --port 8585 --public-url https://abc123.ngrok.app/
  plaid-onboard webhooks listen --json --forward-to http://127.0.0.1:3000/plaid/webhook`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(ctx context.Context, _ []string) error { return a.runWebhooksListen(ctx, f) }),
	}
	addCallFlags(a, cmd, &f.callFlags)
	cmd.Flags().IntVar(&f.port, "port", 0, "port on 127.0.0.1 (default a free port)")
	cmd.Flags().StringVar(&f.forwardTo, "forward-to", "", "send each verified webhook on to this URL, headers and body unchanged")
	cmd.Flags().StringVar(&f.publicURL, "public-url", "", "the public URL that reaches the listener (your tunnel); set as the webhook of the saved Items")
	return cmd
}

// itemNamePoll is how often the listener looks for Items made while it runs.
const itemNamePoll = time.Second

func (a *app) runWebhooksListen(ctx context.Context, f *webhooksFlags) error {
	if f.port < 0 || f.port > 65535 {
		return usagef("--port %d is not a port: use 1-65535, or leave it out for a free one", f.port)
	}
	for name, raw := range map[string]string{"--forward-to": f.forwardTo, "--public-url": f.publicURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("%s %q is not an http(s) URL", name, raw)
		}
	}
	remote := false
	if f.forwardTo != "" {
		var err error
		if remote, err = webhook.CheckForwardTarget(ctx, f.forwardTo); err != nil {
			return usagef("--forward-to %s: %v. Forward to your app, for example http://127.0.0.1:3000/plaid/webhook", f.forwardTo, err)
		}
	}
	s, err := a.openSession(f.session)
	if err != nil {
		return err
	}
	defer s.close()
	if a.dry != nil {
		// A dry run shows the calls the listener makes at its start (each saved Item's webhook
		// pointed at --public-url) and does not listen: no webhook comes without a request.
		if target, _ := webhook.Target(s.cfg, f.publicURL); f.publicURL != "" {
			a.pointItems(ctx, s, target, map[string]bool{}, map[string]bool{})
		}
		return nil
	}

	names := &itemNames{}
	names.refresh(s)
	// printing keeps a webhook's lines and a forward's result apart: forwards end in their
	// own time, on the Forwarder's goroutines.
	var printing sync.Mutex
	var fwd *webhook.Forwarder
	if f.forwardTo != "" {
		fwd = webhook.NewForwarder(f.forwardTo, func(r webhook.ForwardResult) {
			printing.Lock()
			defer printing.Unlock()
			fmt.Fprintln(a.d.Stderr, forwardNote(f.forwardTo, r))
		})
		defer fwd.Close()
	}
	v := webhook.NewVerifier(s.flow.Client)
	rcv, err := webhook.Listen(f.port, v, func(wh webhook.Webhook) {
		printing.Lock()
		a.printWebhook(f.print.json, wh, names.name(s, wh.ItemID))
		printing.Unlock()
		if fwd != nil && wh.Verified {
			fwd.Send(wh) // in the background: Plaid's answer does not wait for the app
		}
	})
	if err != nil {
		return err
	}
	defer rcv.Close()
	if f.forwardTo != "" && rcv.Receives(f.forwardTo) {
		return usagef("--forward-to %s is this listener itself: each webhook would go round forever. Forward to your app's port", f.forwardTo)
	}

	target, reachable := webhook.Target(s.cfg, f.publicURL)
	if reachable && target == "" {
		target = rcv.URL // the emulator runs here: it can reach the listener itself
	}
	fmt.Fprintf(a.d.Stderr, "Listening for webhooks on %s (verifying each with /webhook_verification_key/get)\n", rcv.URL)
	if f.forwardTo != "" {
		fmt.Fprintf(a.d.Stderr, "Forwarding verified webhooks to %s\n", f.forwardTo)
		if remote { // the usual target is the user's own app on this machine: say when it is not
			how := ""
			if strings.HasPrefix(f.forwardTo, "http:") {
				how = ", unencrypted (http)"
			}
			fmt.Fprintf(a.d.Stderr, "Note: %s is not on this machine: each verified webhook's body and Plaid-Verification header go there%s.\n", hostOf(f.forwardTo), how)
		}
	}
	if target == "" {
		fmt.Fprintf(a.d.Stderr, "Plaid cannot reach 127.0.0.1: start a tunnel to port %s (ngrok, cloudflared...) and run again with --public-url URL, so the saved Items send their webhooks there.\n", portOf(rcv.URL))
	} else {
		done, failed := map[string]bool{}, map[string]bool{}
		a.pointItems(ctx, s, target, done, failed)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // Items made while the listener runs get it too
			defer wg.Done()
			t := time.NewTicker(itemNamePoll)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					a.pointItems(ctx, s, target, done, failed)
					names.refresh(s)
				}
			}
		}()
		defer wg.Wait()
	}
	fmt.Fprintln(a.d.Stderr, "Press ctrl+c to stop.")
	<-ctx.Done()
	// The webhooks printed are the output: no error document after them on stdout.
	a.jsonDone = f.print.json
	return ctx.Err()
}

// pointItems sets target as the webhook of the saved Items not yet in done, and says which.
// Only the listener's goroutines call it, one at a time (at start, then the poller).
func (a *app) pointItems(ctx context.Context, s *session, target string, done, failed map[string]bool) {
	sets, err := s.flow.SetWebhooks(ctx, target, done)
	if err != nil {
		if ctx.Err() == nil && !failed[""] { // said once, not at every look
			fmt.Fprintf(a.d.Stderr, "! could not set the webhook of the saved Items (trying again): %v\n", err)
		}
		failed[""] = true
		return
	}
	for _, st := range sets {
		if st.Err != nil {
			// Not marked done: it is tried again on the next look, and said once.
			if ctx.Err() == nil && !failed[st.Item.ItemID] {
				fmt.Fprintf(a.d.Stderr, "! %s (%s): webhook not set (trying again): %v\n", st.Item.Name, st.Item.ItemID, st.Err)
			}
			failed[st.Item.ItemID] = true
			continue
		}
		done[st.Item.ItemID] = true
		fmt.Fprintf(a.d.Stderr, "Webhook of %s (%s) set to %s\n", st.Item.Name, st.Item.ItemID, target)
	}
}

// printWebhook prints one webhook: a line of text, or with --json one JSON line. Anyone who can
// reach the listener can post to it (a web page on this machine, whoever finds --public-url), so
// every value from the body goes through sanitize.Line, and the verdict comes before them: no
// value can act on the terminal, flood it or forge a verdict of its own.
func (a *app) printWebhook(jsonOut bool, wh webhook.Webhook, itemName string) {
	if jsonOut {
		doc := map[string]any{}
		for k, v := range wh.Payload {
			doc[k] = v
		}
		if wh.Payload == nil {
			doc["body"] = string(wh.Body)
		}
		doc["verified"] = wh.Verified
		if !wh.Verified {
			doc["reason"] = wh.Reason
		}
		b, _ := json.Marshal(doc) // values decoded from JSON encode again
		fmt.Fprintf(a.d.Stdout, "%s\n", sanitize.JSON(b))
		return
	}
	item := sanitize.Line(wh.ItemID, sanitize.Field)
	if itemName != "" {
		item = sanitize.Line(itemName, sanitize.Name) + " (" + item + ")"
	}
	verdict := "✓ verified"
	if !wh.Verified {
		verdict = "✗ NOT VERIFIED"
	}
	fmt.Fprintf(a.d.Stdout, "%s  %s  %s %s  item %s\n", wh.ReceivedAt.Format("15:04:05"), verdict,
		present.OrDash(sanitize.Line(wh.Type, sanitize.Field)), present.OrDash(sanitize.Line(wh.Code, sanitize.Field)), present.OrDash(item))
	if !wh.Verified {
		fmt.Fprintf(a.d.Stdout, "          why: %s\n", sanitize.Line(wh.Reason, sanitize.Field))
	}
	if extra := webhookDetail(wh.Payload); extra != "" {
		fmt.Fprintf(a.d.Stdout, "          %s\n", extra)
	}
}

// webhookDetail picks the fields of a webhook a person wants to see besides type and code.
func webhookDetail(p map[string]any) string {
	var out []string
	for _, k := range []string{"account_id", "new_webhook_url", "status", "reason"} {
		if v, ok := p[k].(string); ok && v != "" {
			out = append(out, k+" "+sanitize.Line(v, sanitize.Field))
		}
	}
	if e, ok := p["error"].(map[string]any); ok {
		if code, _ := e["error_code"].(string); code != "" {
			out = append(out, "error "+sanitize.Line(code, sanitize.Field))
		}
	}
	return strings.Join(out, "  ")
}

// itemNames maps item ids to the saved names, for the printed lines.
type itemNames struct {
	mu sync.Mutex
	m  map[string]string
}

func (n *itemNames) refresh(s *session) {
	if s.vault == nil {
		return
	}
	items, err := s.vault.Items(s.cfg.Namespace())
	if err != nil {
		return
	}
	m := map[string]string{}
	for _, it := range items {
		m[it.ItemID] = it.Name
	}
	n.mu.Lock()
	n.m = m
	n.mu.Unlock()
}

func (n *itemNames) name(s *session, itemID string) string {
	n.mu.Lock()
	name, ok := n.m[itemID]
	n.mu.Unlock()
	if !ok && itemID != "" {
		n.refresh(s)
		n.mu.Lock()
		name = n.m[itemID]
		n.mu.Unlock()
	}
	return name
}

func portOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Port()
}

// forwardNote is the line that says what came of forwarding one webhook.
func forwardNote(target string, r webhook.ForwardResult) string {
	switch {
	case r.Dropped:
		return fmt.Sprintf("  → not forwarded: %s is not answering and enough webhooks are waiting for it (Plaid's copy was acknowledged)", target)
	case r.Err != nil:
		return "  → not forwarded: " + sanitize.Line(r.Err.Error(), sanitize.Message)
	case r.Status >= 300 && r.Status < 400:
		// Location is the app's text: cleaned and capped like anything else from outside.
		return fmt.Sprintf("  → forwarded to %s: HTTP %d, a redirect to %q, not followed (webhooks go only to --forward-to)", target, r.Status, sanitize.Line(r.Location, sanitize.Field))
	}
	return fmt.Sprintf("  → forwarded to %s: HTTP %d", target, r.Status)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}
