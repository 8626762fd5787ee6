package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// printJSON writes one indented JSON document. encoding/json escapes the C0 controls in
// strings; sanitize.JSON escapes what it leaves (DEL, C1 controls, bidirectional overrides), so
// a document with values from outside is as safe on a terminal as the text output.
func printJSON(w io.Writer, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write the json document: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s\n", sanitize.JSON(doc)); err != nil {
		return fmt.Errorf("write the json document: %w", err)
	}
	return nil
}

// errorDocument is what --json prints on stdout when a command fails.
type errorDocument struct {
	Error plaidflow.Problem `json:"error"`
}

// printResult prints a command's result: v as JSON with --json, else text's lines.
func (a *app) printResult(json bool, v any, text func(io.Writer) error) error {
	if json {
		return printJSON(a.d.Stdout, v)
	}
	if text == nil {
		return nil
	}
	return text(a.d.Stdout)
}

// writeErrorJSON prints the one JSON document of a failed command.
func writeErrorJSON(w io.Writer, p plaidflow.Problem) {
	_ = printJSON(w, errorDocument{Error: p})
}

// openSession builds the session for a scripted command and tells stderr how it was set up:
// the profile and environment when profiles are in use, the notes, and once, the demo banner.
func (a *app) openSession(opts sessionFlags) (*session, error) {
	d := a.d
	var dry *dryRun
	if opts.dryRun {
		if err := checkLang(opts.lang); err != nil {
			return nil, err
		}
		dry = &dryRun{lang: opts.lang, stderr: a.d.Stderr}
		d.HTTPClient = &http.Client{Transport: dry}
	}
	s, err := newSession(d, opts, a.command, true)
	if err != nil {
		return nil, err
	}
	if dry != nil {
		// The command's own progress and results would speak of answers that never came.
		dry.timeline, a.dry = s.timeline, dry
		a.d.Stderr = io.Discard
		fmt.Fprintln(dry.stderr, "dry run: nothing is sent to Plaid; the requests are printed as code")
		return s, nil
	}
	if l := actingIn(s.cfg); l != "" {
		fmt.Fprintln(a.d.Stderr, l)
	}
	for _, n := range s.notes {
		fmt.Fprintf(a.d.Stderr, "note: %s\n", n)
	}
	if s.cfg.Demo {
		fmt.Fprintln(a.d.Stderr, present.DemoBanner)
	}
	return s, nil
}

// progress ticks off the steps on stderr, so stdout stays the result alone.
func (a *app) progress(r plaidflow.StepReport) {
	w := a.d.Stderr
	switch {
	case r.Warning != "":
		fmt.Fprintf(w, "✗ %s\n", r.Warning)
	case r.Skipped:
		fmt.Fprintf(w, "– %s\n", r.Detail)
	case r.Detail != "":
		fmt.Fprintf(w, "✓ %s · %s\n", r.Words(), r.Detail)
	default:
		fmt.Fprintf(w, "✓ %s\n", r.Words())
	}
	if r.Notice != "" {
		fmt.Fprintf(w, "! %s\n", r.Notice)
	}
}

// report prints a finished journey: JSON or the table on stdout (masked with --mask), then on
// stderr the command that shows this Item again.
func (a *app) report(p printFlags, res *plaidapi.Result) error {
	if p.mask {
		res = present.MaskedCopy(res)
	}
	var err error
	if p.json {
		err = printJSON(a.d.Stdout, res)
	} else {
		err = present.WriteReport(a.d.Stdout, res, p.mask)
	}
	if err != nil {
		return err
	}
	if next := present.NextCommand(res); next != "" && res.Next == "" { // an Auth flow's Next says more
		fmt.Fprintf(a.d.Stderr, "Next: %s\n", next)
	}
	return nil
}

// reportNew prints a journey that made a new Item, then fails (exit 1) when the Item exists at
// Plaid but could not be saved: a script must not carry on as if the next run could find it.
// The numbers are printed first all the same; --no-save asked for no saving and is no failure.
func (a *app) reportNew(p printFlags, j *plaidflow.Journey, res *plaidapi.Result) error {
	if err := a.report(p, res); err != nil {
		return err
	}
	if err := j.NotSaved(); err != nil {
		a.jsonDone = p.json // the result document is out; the error goes to stderr
		return err
	}
	return nil
}
