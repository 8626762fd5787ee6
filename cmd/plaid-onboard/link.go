package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newLinkCmd is `link`: the whole flow through Plaid Link in the browser.
func newLinkCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Link a bank account in the browser, then print its numbers",
		Long: `Creates a Link token, serves the Link page on 127.0.0.1 (a random port, or the port of
PLAID_REDIRECT_URI when it is http://localhost:PORT/oauth-return), opens your browser and
prints the page's URL on stderr. When you finish Link, it exchanges the public token, saves
the Item in the OS keyring, and prints the accounts with every number family Plaid returned.
Link's events are printed on stderr as they arrive. Exit status 1 if Link exits.

If the bank you link already has a saved Item in this environment, it warns (Plaid bills per
Item) and names it. With --no-save (or no keyring) the Item still exists at Plaid: it says so.

With --update ITEM it repairs a saved Item instead (ITEM_LOGIN_REQUIRED after a password change,
or sandbox reset-login): Link opens in update mode, with a Link token made from the Item's access
token and no products, and goes straight to the bank's login; nothing is exchanged, the Item keeps
its access token, and the numbers are fetched again and printed. --account-select turns on
account selection in update mode, so the user can add or drop accounts.`,
		Example: `  plaid-onboard link
  plaid-onboard link --no-browser --json > item.json
  plaid-onboard --demo link --no-save
  plaid-onboard link --update first-platypus-bank --account-select`,
		Args: maxArgs(0, "no arguments (the Item to repair is --update ITEM)"),
		RunE: a.runE(a.runLink),
	}
	f := cmd.Flags()
	f.StringVar(&a.opts.update, "update", "", "repair this saved Item (name or id) with Link in update mode")
	f.BoolVar(&a.opts.accountSel, "account-select", false, "with --update: let the user add or drop accounts (account selection)")
	_ = cmd.RegisterFlagCompletionFunc("update", a.completeItems)
	addLinkFlowFlag(a, cmd) // verify.go
	return cmd
}

// runLink runs the browser journey: link token, Link page, exchange, save, numbers.
func (a *app) runLink(ctx context.Context, _ []string) error {
	if a.opts.accountSel && a.opts.update == "" {
		return usagef("--account-select works only with --update ITEM (account selection in update mode)")
	}
	if a.opts.update != "" && a.opts.noSave {
		return usagef("--update repairs a saved Item: --no-save means nothing with it")
	}
	if a.opts.flow != "" {
		return a.runLinkFlow(ctx) // verify.go
	}
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	openLink := func() plaidflow.LinkUI {
		return newLinkSession(s.cfg, a.d.Browser, !a.opts.noBrowser, a.d.Stderr, s.timeline)
	}
	j := s.flow.LinkJourney(openLink, nil)
	if a.opts.update != "" {
		j = s.flow.UpdateJourney(openLink, a.opts.update, a.opts.accountSel)
	}
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.reportNew(j, res)
}
