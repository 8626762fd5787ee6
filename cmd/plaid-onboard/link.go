package main

import (
	"context"

	"github.com/spf13/cobra"
)

// linkOptions are the flags of `link`.
type linkOptions struct {
	callFlags
	noBrowser  bool
	update     string // --update ITEM
	accountSel bool   // --account-select
	flow       string // --flow (verify.go)
	hosted     hostedFlags
}

// newLinkCmd is `link`: the whole flow through Plaid Link in the browser.
func newLinkCmd(a *app) *cobra.Command {
	o := &linkOptions{}
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Link a bank account in the browser, then print its numbers",
		Long: `Creates a Link token, serves the Link page on 127.0.0.1 (a random port, or --port),
opens your browser and prints the page's URL on stderr. When you finish Link, it exchanges the
public token, saves the Item in the OS keyring, and prints the accounts with every number family
Plaid returned. Link's events are printed on stderr as they arrive. Exit status 1 if Link exits.

If the bank you link already has a saved Item in this environment, it warns (in Production,
Plaid bills per Item) and names it. With --no-save (or no keyring) the Item still exists at
Plaid (in the demo, in the emulator): it says so.

With --update ITEM it repairs a saved Item instead (ITEM_LOGIN_REQUIRED after a password change,
or sandbox reset-login): Link opens in update mode, with a Link token made from the Item's access
token and no products, and goes straight to the bank's login; nothing is exchanged, the Item keeps
its access token, and the numbers are fetched again and printed. --account-select turns on
account selection in update mode, so the user can add or drop accounts.

OAuth banks (Sandbox: Platypus OAuth Bank): with --redirect-uri (or PLAID_REDIRECT_URI) set to a
URI registered in the Plaid Dashboard, such as http://localhost:8765/oauth-return, the Link
token is made with it, and the page listens on its port on both 127.0.0.1 and ::1 and serves
the OAuth return at its path: when the bank sends the browser back, that page resumes Link and
the session completes as usual. If another program holds the port on either address, link
refuses to start (exit 1), since that program would receive the bank's return. Plaid accepts
plain http only for localhost in Sandbox; in Production leave it unset: Link then completes OAuth
banks in a pop-up window.

With --hosted it uses Plaid's Hosted Link instead of the page on 127.0.0.1: the Link token is
made with hosted_link, and its hosted_link_url is printed on stderr as a QR code and as text, so
anyone can link on their own phone. The terminal follows the session with /link/token/get
(every 3 seconds, until the URL expires, or at once when a Hosted Link webhook says it moved),
then exchanges, saves and prints as usual. Where Plaid has not enabled Hosted Link for the
team, it says so (exit 1): use link without --hosted.`,
		Example: `  plaid-onboard link
  plaid-onboard link --no-browser --json > item.json
  plaid-onboard --demo link --no-save
  plaid-onboard link --update first-platypus-bank --account-select
  plaid-onboard link --redirect-uri http://localhost:8765/oauth-return
  plaid-onboard link --hosted
  NO_COLOR=1 plaid-onboard --demo link --hosted --hosted-lifetime 10m`,
		Args: maxArgs(0, "no arguments (the Item to repair is --update ITEM)"),
		RunE: a.runE(func(ctx context.Context, _ []string) error { return a.runLink(ctx, o) }),
	}
	f := cmd.Flags()
	f.StringVar(&o.update, "update", "", "repair this saved Item (name or id) with Link in update mode")
	f.BoolVar(&o.accountSel, "account-select", false, "with --update: let the user add or drop accounts (account selection)")
	_ = cmd.RegisterFlagCompletionFunc("update", a.completeItems(&o.session.keys))
	addLinkFlowFlag(cmd, &o.flow) // verify.go
	addCallFlags(a, cmd, &o.callFlags)
	addNoSaveFlag(cmd, &o.session.noSave)
	addLinkPageFlags(cmd, &o.session.page)
	addMaskFlag(cmd, &o.print.mask)
	addNoBrowserFlag(cmd, &o.noBrowser)
	addHostedFlags(cmd, &o.hosted) // link_hosted.go
	return cmd
}

// runLink runs the browser journey: link token, Link page, exchange, save, numbers.
func (a *app) runLink(ctx context.Context, o *linkOptions) error {
	if o.accountSel && o.update == "" {
		return usagef("--account-select works only with --update ITEM (account selection in update mode)")
	}
	if o.update != "" && o.session.noSave {
		return usagef("--update repairs a saved Item: --no-save means nothing with it")
	}
	if o.hosted.on {
		return a.runHostedLink(ctx, o) // link_hosted.go
	}
	if o.hosted.lifetime != 0 || o.hosted.publicURL != "" || o.hosted.webhookPort != 0 {
		return usagef("--hosted-lifetime, --public-url and --webhook-port go with --hosted")
	}
	if o.flow != "" {
		return a.runLinkFlow(ctx, o) // verify.go
	}
	s, openLink, err := a.openLinkSession(o.session, o.noBrowser)
	if err != nil {
		return err
	}
	defer s.close()
	j := s.flow.LinkJourney(openLink, nil)
	if o.update != "" {
		j = s.flow.UpdateJourney(openLink, o.update, o.accountSel)
	}
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.reportNew(o.print, j, res)
}
