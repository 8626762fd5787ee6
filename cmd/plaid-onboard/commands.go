package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// openSession builds the session for a scripted command and prints its notes.
func openSession(d deps, opts *options) (*session, error) {
	s, err := newSession(d, opts, true)
	if err != nil {
		return nil, err
	}
	for _, n := range s.notes {
		fmt.Fprintln(d.Stderr, n)
	}
	// Said on stderr from the start (a person watching `link` sees it before the page opens),
	// and again in the table on stdout, which may end up in a file.
	if s.cfg.Demo {
		fmt.Fprintln(d.Stderr, demoBanner)
	}
	return s, nil
}

// progressPrinter ticks off the steps on stderr, so stdout stays the result alone.
func progressPrinter(d deps) func(plaidflow.StepReport) {
	return func(r plaidflow.StepReport) {
		switch {
		case r.Warning != "":
			fmt.Fprintf(d.Stderr, "! %s\n", r.Warning)
		case r.Skipped:
			fmt.Fprintf(d.Stderr, "– %s\n", r.Detail)
		default:
			fmt.Fprintf(d.Stderr, "✓ %s\n", r.Step)
		}
	}
}

// report prints the result: JSON, or the table (which states where the Item was saved).
func report(d deps, opts *options, res *plaidflow.Result) error {
	if opts.jsonOut {
		return printJSON(d.Stdout, res)
	}
	return printResult(d.Stdout, res, opts.maskNumbers)
}

// cmdLink runs the whole flow through the browser: link token, Link page, exchange, save,
// numbers.
func cmdLink(ctx context.Context, d deps, opts *options, args []string) error {
	if err := expectArgs(args, 0, "link"); err != nil {
		return err
	}
	s, err := openSession(d, opts)
	if err != nil {
		return err
	}
	defer s.close()

	j := s.flow.LinkJourney(func() plaidflow.LinkUI { return &pageUI{cfg: s.cfg, d: d, opts: opts, ctx: ctx} }, nil)
	defer j.Close()
	res, err := j.RunAll(ctx, progressPrinter(d))
	if err != nil {
		return err
	}
	return report(d, opts, res)
}

// pageUI runs Link on the loopback page for the link command.
type pageUI struct {
	cfg  plaidflow.Config
	d    deps
	opts *options
	ctx  context.Context
	page *linkpage.Server
}

func (u *pageUI) Link(ctx context.Context, token string) (string, string, string, error) {
	page, err := startLinkPage(u.cfg, token)
	if err != nil {
		return "", "", "", err
	}
	u.page = page
	fmt.Fprintf(u.d.Stderr, "Plaid Link is at %s\n", page.URL())
	if !u.opts.noBrowser {
		if err := u.d.Browser.Browse(page.URL()); err != nil {
			fmt.Fprintf(u.d.Stderr, "could not open a browser (%v): open the URL above yourself\n", err)
		}
	}
	fmt.Fprintln(u.d.Stderr, "Waiting for Link to finish (ctrl+c to stop)…")
	linked, err := waitForLink(ctx, u.d, page)
	if err != nil {
		return "", "", "", err
	}
	var id, name string
	if linked.Institution != nil {
		id, name = linked.Institution.ID, linked.Institution.Name
	}
	return linked.PublicToken, id, name, nil
}

func (u *pageUI) Finish(ok bool, message string) {
	if u.page != nil {
		u.page.Finish(linkpage.Outcome{OK: ok, Message: message})
	}
}

func (u *pageUI) Close() error {
	if u.page == nil {
		return nil
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return u.page.Shutdown(shutdownCtx)
}

// waitForLink prints Link's events as they arrive and returns when Link succeeds or exits.
func waitForLink(ctx context.Context, d deps, page *linkpage.Server) (plaidflow.Linked, error) {
	for {
		select {
		case <-ctx.Done():
			return plaidflow.Linked{}, ctx.Err()
		case ev, ok := <-page.Events():
			if !ok {
				return plaidflow.Linked{}, errors.New("the link page stopped")
			}
			switch ev.Kind {
			case linkpage.KindEvent:
				fmt.Fprintf(d.Stderr, "  %s  %s\n", ev.Received.Format("15:04:05"), describeEvent(ev))
			case linkpage.KindSuccess:
				linked := plaidflow.Linked{PublicToken: ev.PublicToken}
				if ev.Success != nil && ev.Success.Institution != nil {
					linked.Institution = &plaidflow.Institution{ID: ev.Success.Institution.InstitutionID, Name: ev.Success.Institution.Name}
				}
				return linked, nil
			case linkpage.KindExit:
				err := ev.ExitErr()
				page.Finish(linkpage.Outcome{OK: false, Message: err.Error()})
				return plaidflow.Linked{}, err
			case linkpage.KindLoadFailed:
				return plaidflow.Linked{}, fmt.Errorf("the browser could not load Plaid Link: %s; check the network (or PLAID_LINK_SCRIPT_URL) and run link again", ev.LoadError)
			}
		}
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

func institutionName(res *plaidflow.Result) string {
	if res.Institution != nil && res.Institution.Name != "" {
		return res.Institution.Name
	}
	return "your bank"
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

// cmdSandbox runs `sandbox link`: an Item without a browser, through the same exchange → save →
// numbers path as `link`.
func cmdSandbox(ctx context.Context, d deps, opts *options, args []string) error {
	if len(args) == 0 || args[0] != "link" {
		return usageError{"usage: plaid-onboard sandbox link [--institution ID] [--json]"}
	}
	if err := expectArgs(args[1:], 0, "sandbox link"); err != nil {
		return err
	}
	s, err := openSession(d, opts)
	if err != nil {
		return err
	}
	defer s.close()
	if s.cfg.Env != plaidflow.Sandbox {
		return usageError{fmt.Sprintf("sandbox link works only in Sandbox; the environment is %s", s.cfg.Env.Title())}
	}
	j, err := s.flow.SandboxJourney(opts.institution)
	if err != nil {
		return err
	}
	res, err := j.RunAll(ctx, progressPrinter(d))
	if err != nil {
		return err
	}
	return report(d, opts, res)
}

// cmdAuth prints the numbers of a saved Item.
func cmdAuth(ctx context.Context, d deps, opts *options, args []string) error {
	if err := expectArgs(args, 1, "auth"); err != nil {
		return err
	}
	if opts.noSave {
		return usageError{"auth reads a saved Item: --no-save makes no sense here"}
	}
	s, err := openSession(d, opts)
	if err != nil {
		return err
	}
	defer s.close()
	ref := ""
	if len(args) == 1 {
		ref = args[0]
	}
	res, err := s.flow.SavedJourney(ref).RunAll(ctx, nil)
	if err != nil {
		return err
	}
	return report(d, opts, res)
}
