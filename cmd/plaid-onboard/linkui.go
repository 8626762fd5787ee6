package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// openLinkSession opens the session of a command that serves the Link page (link, link --flow,
// verify), refusing Link page settings that cannot work before any Plaid call, and what opens
// each of its Link sessions.
func (a *app) openLinkSession(opts sessionFlags, noBrowser bool) (*session, func() plaidflow.LinkUI, error) {
	s, err := a.openSession(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := checkLinkPage(s.cfg); err != nil {
		s.close()
		return nil, nil, err
	}
	return s, func() plaidflow.LinkUI {
		return newLinkSession(s.cfg, a.d.Browser, !noBrowser, a.d.Stderr, s.timeline)
	}, nil
}

// newLinkSession is the Link page for one Link session of the link command: a
// linkpage.Session (a plaidflow.LinkUI) that prints what happens on stderr, so stdout stays the
// result.
func newLinkSession(cfg config.Config, browser linkpage.Browser, openBrowser bool, stderr io.Writer, tl *transcript.Timeline) *linkpage.Session {
	return linkpage.NewSession(linkpage.SessionOptions{
		Page: linkpage.Options{
			ScriptURL:   cfg.LinkScriptURL,
			Environment: cfg.Namespace(), // "demo" for the demo, else the environment
			ClientName:  cfg.ClientName,
			Port:        cfg.LinkPort,
		},
		RedirectURI: cfg.RedirectURI,
		Browser:     browser,
		OpenBrowser: openBrowser,
		OnUpdate: func(u linkpage.Update) {
			recordLinkUpdate(tl, u)
			printLinkUpdate(stderr, u)
			if u.Kind == linkpage.UpdateStarted && cfg.RedirectURI != "" {
				// Where the bank sends the browser back: worth knowing when an OAuth bank fails.
				fmt.Fprintf(stderr, "OAuth banks return to %s (answered here, on 127.0.0.1 and ::1)\n", cfg.RedirectURI)
			}
		},
	})
}

// printLinkUpdate is the one place the link command prints what happens on the Link page.
func printLinkUpdate(w io.Writer, u linkpage.Update) {
	switch u.Kind {
	case linkpage.UpdateStarted:
		fmt.Fprintf(w, "Link is at %s\n", u.URL)
		fmt.Fprintln(w, "Waiting for Link to finish (ctrl+c to stop)…")
	case linkpage.UpdateBrowser:
		if u.BrowserErr != nil {
			fmt.Fprintf(w, "could not open a browser (%v): open the URL above yourself\n", u.BrowserErr)
		}
	case linkpage.UpdateEvent:
		fmt.Fprintln(w, linkEventLine(u.Event))
	}
}

// linkEventColumn is the width of the event's name on a Link event line: wide enough for the
// names Link sends in a usual session (SELECT_INSTITUTION, SUBMIT_CREDENTIALS, TRANSITION_VIEW),
// so their details start in one column and read as a table. A longer name pushes only its own
// line's detail along.
const linkEventColumn = 20

// linkEventLine is one Link event on stderr: the time it arrived, its name and what the user did
// or hit, in fixed-width columns.
func linkEventLine(ev linkpage.Event) string {
	line := fmt.Sprintf("  %s  %-*s", ev.Received.Format("15:04:05"), linkEventColumn, ev.Label())
	if d := ev.Detail(); d != "" {
		line += "  " + d
	}
	return strings.TrimRight(line, " ")
}
