package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newLinkCmd is `link`: the whole flow through Plaid Link in the browser.
func newLinkCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "link",
		Short: "Link a bank account in the browser, then print its numbers",
		Long: `Creates a Link token, serves the Link page on 127.0.0.1 (a random port, or the port of
PLAID_REDIRECT_URI when it is http://localhost:PORT/oauth-return), opens your browser and
prints the page's URL on stderr. When you finish Link, it exchanges the public token, saves
the Item in the OS keyring, and prints the accounts with every number family Plaid returned.
Link's events are printed on stderr as they arrive. Exit status 1 if Link exits.`,
		Example: `  plaid-onboard link
  plaid-onboard link --no-browser --json > item.json
  plaid-onboard --demo link --no-save`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(a.runLink),
	}
}

// runLink runs the browser journey: link token, Link page, exchange, save, numbers.
func (a *app) runLink(ctx context.Context, _ []string) error {
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	openLink := func() plaidflow.LinkUI { return newLinkSession(s.cfg, a.d.Browser, !a.opts.noBrowser, a.d.Stderr) }
	j := s.flow.LinkJourney(openLink, nil)
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.report(res)
}
