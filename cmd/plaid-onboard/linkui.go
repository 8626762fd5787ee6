package main

// This file is the Link page for the link command, until linkpage.Session replaces pageUI:
// linkpage.NewSession(linkpage.SessionOptions{Page: ..., RedirectURI: cfg.RedirectURI,
// Browser: d.Browser, OpenBrowser: !noBrowser, OnUpdate: func(u linkpage.Update) {
// printLinkUpdate(w, linkUpdate(u)) }}) satisfies plaidflow.LinkUI as it is.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// linkUpdateKind and linkUpdate mirror linkpage.Update: the facts about a Link session the
// link command prints.
type linkUpdateKind int

const (
	updateStarted linkUpdateKind = iota // the page is up at URL
	updateBrowser                       // the browser was asked to open URL; BrowserErr if it could not
	updateEvent                         // Link sent Event
)

type linkUpdate struct {
	Kind       linkUpdateKind
	URL        string
	BrowserErr error
	Event      linkpage.Event
}

// printLinkUpdate is the one place the link command prints what happens on the Link page, on
// stderr so that stdout stays the result.
func printLinkUpdate(w io.Writer, u linkUpdate) {
	switch u.Kind {
	case updateStarted:
		fmt.Fprintf(w, "Plaid Link is at %s\n", u.URL)
		fmt.Fprintln(w, "Waiting for Link to finish (ctrl+c to stop)…")
	case updateBrowser:
		if u.BrowserErr != nil {
			fmt.Fprintf(w, "could not open a browser (%v): open the URL above yourself\n", u.BrowserErr)
		}
	case updateEvent:
		fmt.Fprintf(w, "  %s  %s\n", u.Event.Received.Format("15:04:05"), describeEvent(u.Event))
	}
}

func describeEvent(ev linkpage.Event) string {
	s := ev.Name
	if m := ev.Metadata; m != nil {
		if m.InstitutionName != "" {
			s += "  " + m.InstitutionName
		}
		if m.ViewName != "" {
			s += "  view=" + m.ViewName
		}
		if m.ErrorCode != "" {
			s += "  error=" + m.ErrorCode
		}
		if m.ExitStatus != "" {
			s += "  status=" + m.ExitStatus
		}
	}
	return s
}

// pageUI is plaidflow.LinkUI over linkpage.Server: one Link session on the loopback page.
type pageUI struct {
	cfg         plaidflow.Config
	browser     linkpage.Browser
	openBrowser bool
	onUpdate    func(linkUpdate)
	page        *linkpage.Server
}

// Link implements plaidflow.LinkUI.
func (u *pageUI) Link(ctx context.Context, token string) (string, string, string, error) {
	page, err := startLinkPage(u.cfg, token)
	if err != nil {
		return "", "", "", err
	}
	u.page = page
	u.onUpdate(linkUpdate{Kind: updateStarted, URL: page.URL()})
	if u.openBrowser {
		u.onUpdate(linkUpdate{Kind: updateBrowser, URL: page.URL(), BrowserErr: u.browser.Browse(page.URL())})
	}
	for {
		select {
		case <-ctx.Done():
			return "", "", "", ctx.Err()
		case ev, ok := <-page.Events():
			if !ok {
				return "", "", "", errors.New("the link page stopped")
			}
			switch ev.Kind {
			case linkpage.KindEvent:
				u.onUpdate(linkUpdate{Kind: updateEvent, Event: ev})
			case linkpage.KindSuccess:
				var id, name string
				if ev.Success != nil && ev.Success.Institution != nil {
					id, name = ev.Success.Institution.InstitutionID, ev.Success.Institution.Name
				}
				return ev.PublicToken, id, name, nil
			case linkpage.KindExit:
				err := ev.ExitErr()
				page.Finish(linkpage.Outcome{OK: false, Message: err.Error()})
				return "", "", "", err
			case linkpage.KindLoadFailed:
				return "", "", "", fmt.Errorf("the browser could not load Plaid Link: %s; check the network (or PLAID_LINK_SCRIPT_URL) and run link again", ev.LoadError)
			}
		}
	}
}

// Finish implements plaidflow.LinkUI.
func (u *pageUI) Finish(ok bool, message string) {
	if u.page != nil {
		u.page.Finish(linkpage.Outcome{OK: ok, Message: message})
	}
}

// Close implements plaidflow.LinkUI.
func (u *pageUI) Close() error {
	if u.page == nil {
		return nil
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return u.page.Shutdown(shutdownCtx)
}

// startLinkPage serves the Link page for a link token. When PLAID_REDIRECT_URI is this page's
// own OAuth return address (http://localhost:PORT/oauth-return, registered in the Dashboard),
// the page listens on that port and serves the return, so OAuth banks that redirect can resume
// Link; otherwise it takes any free port.
func startLinkPage(cfg plaidflow.Config, linkToken string) (*linkpage.Server, error) {
	page, err := linkpage.New(linkpage.Options{
		LinkToken:   linkToken,
		ScriptURL:   cfg.LinkScriptURL,
		Environment: cfg.Namespace(), // "demo" for the demo, else the environment
		ClientName:  cfg.ClientName,
	}.ForRedirect(cfg.RedirectURI))
	if err != nil {
		return nil, fmt.Errorf("prepare the link page: %w", err)
	}
	if err := page.Start(); err != nil {
		return nil, fmt.Errorf("start the link page: %w", err)
	}
	return page, nil
}
