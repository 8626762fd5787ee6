package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// hostedFlags are link's Hosted Link flags.
type hostedFlags struct {
	on          bool
	lifetime    time.Duration
	publicURL   string
	webhookPort int
}

func addHostedFlags(cmd *cobra.Command, h *hostedFlags) {
	f := cmd.Flags()
	f.BoolVar(&h.on, "hosted", false, "Hosted Link: print a QR code of Plaid's hosted Link page, for any device (a phone)")
	f.DurationVar(&h.lifetime, "hosted-lifetime", 0, "with --hosted: how long the code works (Plaid's url_lifetime_seconds; default Plaid's)")
	f.StringVar(&h.publicURL, "public-url", "", "with --hosted: a public URL that reaches --webhook-port (your tunnel), where Plaid sends the session's webhooks")
	f.IntVar(&h.webhookPort, "webhook-port", 0, "with --hosted: port of the webhook receiver on 127.0.0.1 (default a free port)")
}

// runHostedLink is `link --hosted`: the link journey through Hosted Link, the code and the URL
// on stderr (stdout stays the result), then exchange, save and numbers as `link` does.
func (a *app) runHostedLink(ctx context.Context, o *linkOptions) error {
	switch {
	case o.update != "" || o.flow != "":
		return usagef("--hosted links a new Item with Instant Auth: leave out --update and --flow")
	case o.hosted.lifetime < 0:
		return usagef("--hosted-lifetime must be positive (for example 10m)")
	}
	if err := checkWebhookFlags(o.hosted.publicURL, o.hosted.webhookPort); err != nil {
		return err
	}
	s, err := a.openSession(o.session)
	if err != nil {
		return err
	}
	defer s.close()
	noColor := a.d.Getenv("NO_COLOR") != "" || a.d.Getenv("TERM") == "dumb"
	j := s.flow.HostedLinkJourney(hostedPrinter(a.d.Stderr, noColor), plaidflow.HostedOptions{
		Lifetime: o.hosted.lifetime, PublicURL: o.hosted.publicURL, WebhookPort: o.hosted.webhookPort,
	})
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.reportNew(o.print, j, res)
}

// hostedPrinter prints what happens in a Hosted Link session: the code and the URL when it
// starts, each webhook, and nothing for a check that found nobody finished (they come every
// few seconds).
func hostedPrinter(w io.Writer, noColor bool) func(plaidflow.HostedUpdate) {
	var mu sync.Mutex // webhooks arrive on the receiver's goroutine
	return func(u plaidflow.HostedUpdate) {
		mu.Lock()
		defer mu.Unlock()
		switch u.Kind {
		case plaidflow.HostedStarted:
			fmt.Fprintln(w, "Scan the code with a phone's camera, or open the URL on any device:")
			if lines, err := present.QRLines(u.URL, noColor); err == nil {
				for _, l := range lines {
					fmt.Fprintln(w, l)
				}
			} else {
				fmt.Fprintf(w, "(no QR code: %v)\n", err)
			}
			fmt.Fprintf(w, "Hosted Link is at %s\n", u.URL)
			how := fmt.Sprintf("asking /link/token/get every %s", plaidflow.HostedPollInterval)
			if u.Webhooks {
				how += " and listening for its webhooks"
			}
			fmt.Fprintf(w, "Waiting for Link to finish there until %s (%s; ctrl+c to stop)…\n", u.Expires.Local().Format("15:04"), how)
		case plaidflow.HostedWebhook:
			fmt.Fprintf(w, "  %s  webhook LINK %s\n", time.Now().Format("15:04:05"), u.Code)
		}
	}
}
