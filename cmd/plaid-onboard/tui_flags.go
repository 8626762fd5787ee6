package main

import (
	"net/url"
	"slices"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// tuiFlags are the terminal UI's own flags: they are the root command's local flags, so the
// commands under it (`link --flow`, `webhooks listen --public-url`) keep theirs.
type tuiFlags struct {
	flow        string
	publicURL   string
	webhookPort int
	// fromTranscript is a support transcript whose Items the demo starts with
	// (emulator_transcript.go).
	fromTranscript string
}

// addTUIFlags declares the terminal UI's flags on the root command.
func addTUIFlags(root *cobra.Command, f *tuiFlags) {
	fl := root.Flags()
	fl.StringVar(&f.flow, "flow", "", "how the account is verified (the Link screen's f): instant-auth (default), "+joinNames(plaidflow.AuthFlowNames()))
	fl.StringVar(&f.publicURL, "public-url", "", "a public URL that reaches the webhook receiver (your tunnel to --webhook-port): against Plaid, webhooks need one")
	fl.IntVar(&f.webhookPort, "webhook-port", 0, "port of the webhook receiver on 127.0.0.1 (default a free port)")
	fl.StringVar(&f.fromTranscript, "from-transcript", "", "with --demo: start with the Items a support transcript saw, and the errors Plaid answered them, at the same calls")
	_ = root.RegisterFlagCompletionFunc("flow", cobra.FixedCompletions(append([]string{plaidflow.InstantAuth}, plaidflow.AuthFlowNames()...), cobra.ShellCompDirectiveNoFileComp))
}

// check refuses what the UI could only fail on later: an unknown flow, a URL that is not one.
func (f *tuiFlags) check() error {
	if f.flow != "" && f.flow != plaidflow.InstantAuth && !slices.Contains(plaidflow.AuthFlowNames(), f.flow) {
		if _, err := plaidflow.FindAuthFlow(f.flow); err != nil {
			return usagef("--flow: %v", err)
		}
	}
	return checkWebhookFlags(f.publicURL, f.webhookPort)
}

// checkWebhookFlags refuses a --public-url that is not an http(s) URL and a --webhook-port that
// is not a port: the terminal UI's and `link --hosted`'s.
func checkWebhookFlags(publicURL string, port int) error {
	if publicURL != "" {
		if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--public-url %q is not an http(s) URL", publicURL)
		}
	}
	if port < 0 || port > 65535 {
		return usagef("--webhook-port %d is not a port: use 1-65535, or leave it out for a free one", port)
	}
	return nil
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}
