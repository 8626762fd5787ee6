package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/callcode"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// dryRun is a command run with --dry-run: its Plaid client's transport sends nothing, and what
// it would have sent is printed as code when the command ends.
type dryRun struct {
	lang     string
	timeline *transcript.Timeline
	stderr   io.Writer // the real stderr: the command's own progress goes nowhere
	asked    atomic.Int32
}

// addDryRunFlags are --dry-run and --lang, on every command that calls Plaid.
func addDryRunFlags(cmd *cobra.Command, o *sessionFlags) {
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "send nothing to Plaid: print the requests the command would make, as code (--lang)")
	addLangFlag(cmd, &o.lang, "the language of --dry-run's code")
}

// dryRunStop is the answer to every request but /sandbox/public_token/create: a Plaid error,
// which stops the command at its first real call and is not retried.
const dryRunStop = `{"error_type":"INVALID_REQUEST","error_code":"DRY_RUN","error_message":"--dry-run: nothing was sent to Plaid","display_message":null,"request_id":"dry-run"}`

// RoundTrip implements http.RoundTripper. Nothing leaves the machine. Making a Sandbox public
// token changes nothing anyone keeps, so it is answered with a stand-in token: the exchange that
// would follow is shown as well, fed by it.
func (d *dryRun) RoundTrip(req *http.Request) (*http.Response, error) {
	d.asked.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	status, body := http.StatusBadRequest, dryRunStop
	if req.URL.Path == "/sandbox/public_token/create" {
		status, body = http.StatusOK, `{"public_token":"dry-run-public-token","request_id":"dry-run"}`
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)), Request: req}, nil
}

// finish prints the requests as code on stdout and says on stderr that nothing was sent. err is
// the command's: the stop the dry run caused is no failure, but a mistake made before any
// request (a usage error, no such Item) still is.
func (d *dryRun) finish(a *app, err error) error {
	a.d.Stderr = d.stderr
	if d.asked.Load() == 0 {
		if err != nil {
			return err
		}
		fmt.Fprintln(d.stderr, "dry run: nothing was sent to Plaid; this command made no Plaid request")
		return nil
	}
	p, perr := callcode.FromTranscript(d.timeline.Entries(), plaidflow.ScenarioConfig)
	if perr != nil {
		return fmt.Errorf("dry run: %w", perr)
	}
	for i := range p.Calls {
		p.Calls[i].Said, p.Calls[i].MayFail = nil, false
	}
	p.Header = []string{"What `plaid-onboard " + a.command + "` would send to Plaid (--dry-run: nothing was sent).",
		"Keys come from PLAID_CLIENT_ID and PLAID_SECRET; PLAID_API_URL, when set, replaces Plaid's host."}
	src, gerr := callcode.Generate(p, d.lang)
	if gerr != nil {
		return gerr
	}
	fmt.Fprint(a.d.Stdout, src)
	last := p.Calls[len(p.Calls)-1].Endpoint
	fmt.Fprintf(d.stderr, "dry run: nothing was sent to Plaid. The command stops here without an answer; with one it would go on after %s.\n", last)
	return nil
}
