package main

import (
	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// linkPageFlags are the flags of a command that serves the Link page (link and the terminal UI).
type linkPageFlags struct {
	redirectURI string // --redirect-uri: the OAuth return
	port        int    // --port of the Link page
}

// addLinkPageFlags declares the Link page's flags on a command that serves it. They are listed
// as its own flags: `emulator` and `webhooks listen` have a --port and --redirect-uri of their
// own, which mean something else.
func addLinkPageFlags(cmd *cobra.Command, o *linkPageFlags) {
	f := cmd.Flags()
	f.StringVar(&o.redirectURI, "redirect-uri", "", "OAuth redirect URI registered in the Plaid Dashboard, e.g. http://localhost:8765/oauth-return: the Link page listens on its port and resumes Link there after an OAuth bank (default $PLAID_REDIRECT_URI)")
	f.IntVar(&o.port, "port", 0, "port of the Link page on 127.0.0.1 (default a free port; with --redirect-uri, the URI's)")
}

// checkLinkPage refuses, before any Plaid call, Link page settings that cannot work: a redirect
// URI Plaid or the page would refuse, or a port that disagrees with it, is a usage error (exit
// 2); a port another program holds, on 127.0.0.1 or (for a redirect URI) ::1, is a failure
// (exit 1) that names the address, since that program would receive the bank's OAuth return.
func checkLinkPage(cfg config.Config) error {
	if err := cfg.CheckLinkPage(); err != nil {
		return usageError{err}
	}
	if cfg.RedirectURI == "" && cfg.LinkPort == 0 {
		return nil
	}
	return linkpage.CheckListen(linkpage.Options{RedirectURI: cfg.RedirectURI, Port: cfg.LinkPort})
}
