package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// emulatorLogsFlags are the flags of `emulator logs`.
type emulatorLogsFlags struct {
	url    string
	json   bool
	follow bool
	last   int
	// endpoints and errorsOnly choose the calls printed, as stripe logs tail's filters do.
	endpoints  []string
	errorsOnly bool
}

// shows reports whether the flags let c be printed.
func (f *emulatorLogsFlags) shows(c emulator.LoggedRequest) bool {
	if f.errorsOnly && c.Status >= 200 && c.Status < 300 && !c.AnswerLost {
		return false
	}
	return len(f.endpoints) == 0 || slices.Contains(f.endpoints, c.Endpoint)
}

// logsWait is how long one question to the emulator waits for the next call: under the
// HTTP client's answer timeout, so the wait ends at the emulator, not in the client.
const logsWait = 20 * time.Second

// logsFollowLast is how many kept calls --follow shows before the new ones, as tail -f does.
const logsFollowLast = 10

// newEmulatorLogsCmd is `emulator logs`: the calls a running emulator answered, and with
// --follow the ones it answers from now on, one line each.
func newEmulatorLogsCmd(a *app) *cobra.Command {
	f := &emulatorLogsFlags{}
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Print the API calls a running emulator answered; --follow prints them as they come",
		Long: `Prints the API calls a running emulator (plaid-onboard emulator) answered, oldest first, one
line each: time, HTTP status, endpoint, latency, request_id and Plaid's error_code, if any. The
emulator keeps the last 1,000 calls. With --follow it then waits and prints each call as the
emulator answers it, until interrupted (ctrl+c, exit status 0).

The emulator is found at --url, or else at PLAID_API_URL, which is how the rest of your tools
reach it. A status of --- is a call that got no answer (a hang or drop fault, or a client that
gave up); "lost" is one that took effect while a fault lost its answer.

--endpoint (repeatable) prints only the calls to those endpoints, --errors only the calls that
did not get a 2xx answer; --last N then counts the calls they let through.

With --json, each call is one JSON object on its own line: time, request_id, endpoint, status,
error_code, latency_ms, seq (the emulator's count of calls).`,
		Example: `  plaid-onboard emulator logs --url http://127.0.0.1:8790
  PLAID_API_URL=http://127.0.0.1:8790 plaid-onboard emulator logs --follow
  plaid-onboard emulator logs -f --errors --endpoint /auth/get --endpoint /accounts/balance/get
  plaid-onboard emulator logs --url http://127.0.0.1:8790 --follow --json |
    jq 'select(.latency_ms > 100)'`,
		Args: maxArgs(0, "no arguments"),
		Annotations: map[string]string{
			withoutFlag + "demo": "it reads a running emulator's log; --demo's emulator lives inside each command and keeps none",
			withoutFlag + "env":  "the emulator stands in for the Sandbox only",
		},
	}
	cmd.Flags().StringVar(&f.url, "url", "", "the emulator's `URL`, as plaid-onboard emulator prints it (default $PLAID_API_URL)")
	cmd.Flags().BoolVar(&f.json, "json", false, "one JSON object per line for each call")
	cmd.Flags().BoolVarP(&f.follow, "follow", "f", false, "keep printing calls as the emulator answers them, until ctrl+c")
	cmd.Flags().StringArrayVar(&f.endpoints, "endpoint", nil, "print only the calls to this endpoint, such as /auth/get (repeatable)")
	cmd.Flags().BoolVar(&f.errorsOnly, "errors", false, "print only the calls that did not get a 2xx answer")
	cmd.Flags().IntVarP(&f.last, "last", "n", 0, "print only the last `N` calls kept (default all of them; 10 with --follow; 0: none)")
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		if f.last < 0 {
			return usagef("--last %d is negative: give how many of the kept calls to print", f.last)
		}
		for _, e := range f.endpoints {
			if !strings.HasPrefix(e, "/") {
				return usagef("--endpoint %q is not an API path: give it as the emulator names it, such as /auth/get", e)
			}
		}
		if !cmd.Flags().Changed("last") {
			f.last = -1 // all of them, or logsFollowLast with --follow
		}
		return a.runEmulatorLogs(ctx, f)
	})
	return cmd
}

func (a *app) runEmulatorLogs(ctx context.Context, f *emulatorLogsFlags) error {
	base, err := emulatorURL(f.url, a.d.Getenv("PLAID_API_URL"))
	if err != nil {
		return err
	}
	last := f.last
	if last < 0 && f.follow {
		last = logsFollowLast
	}
	client := &http.Client{Timeout: logsWait + 15*time.Second}
	if a.d.HTTPClient != nil {
		client.Transport = a.d.HTTPClient.Transport
	}
	got, err := fetchCalls(ctx, client, base, 0, 0)
	if err != nil {
		return a.logsStopped(ctx, err)
	}
	calls := slices.DeleteFunc(got.Requests, func(c emulator.LoggedRequest) bool { return !f.shows(c) })
	if last >= 0 && len(calls) > last {
		calls = calls[:last]
	}
	for i := len(calls) - 1; i >= 0; i-- {
		a.printCall(calls[i], f.json)
	}
	for after := got.Last; f.follow; {
		got, err := fetchCalls(ctx, client, base, after, logsWait)
		if err != nil {
			return a.logsStopped(ctx, err)
		}
		if got.Last < after { // the emulator restarted: its calls start again from 1
			fmt.Fprintf(a.d.Stderr, "the emulator at %s restarted; its calls follow\n", base)
		}
		if got.Missed > 0 {
			fmt.Fprintf(a.d.Stderr, "… %d calls not shown: they came faster than they could be printed, and the emulator keeps the last 1,000\n", got.Missed)
		}
		for i := len(got.Requests) - 1; i >= 0; i-- {
			if f.shows(got.Requests[i]) {
				a.printCall(got.Requests[i], f.json)
			}
		}
		after = got.Last
	}
	return nil
}

// logsStopped is the end of the command: nothing wrong after ctrl+c, which is how --follow is
// meant to stop; otherwise err.
func (a *app) logsStopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// emulatorURL is the emulator's base URL from --url, else PLAID_API_URL.
func emulatorURL(flag, env string) (string, error) {
	raw, from := strings.TrimSpace(flag), "--url"
	if raw == "" {
		raw, from = strings.TrimSpace(env), "PLAID_API_URL"
	}
	if raw == "" {
		return "", usagef("where is the emulator? Give --url with the URL `plaid-onboard emulator` printed, or set PLAID_API_URL")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", usagef("%s %q is not the emulator's http URL, such as http://127.0.0.1:8790", from, raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// fetchCalls asks the emulator for the calls after seq after, waiting up to wait for one.
func fetchCalls(ctx context.Context, client *http.Client, base string, after uint64, wait time.Duration) (emulator.LoggedRequests, error) {
	q := url.Values{"after": {strconv.FormatUint(after, 10)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_emulator/requests?"+q.Encode(), nil)
	if err != nil {
		return emulator.LoggedRequests{}, fmt.Errorf("ask the emulator at %s: %w", base, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return emulator.LoggedRequests{}, ctx.Err()
		}
		return emulator.LoggedRequests{}, fmt.Errorf("the emulator at %s does not answer (is `plaid-onboard emulator` running there?): %w", base, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return emulator.LoggedRequests{}, fmt.Errorf("read the emulator's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		if e.Error == "" {
			e.Error = "not the emulator's control API"
		}
		return emulator.LoggedRequests{}, fmt.Errorf("%s answered HTTP %d to GET /_emulator/requests: %s", base, resp.StatusCode, sanitize.Line(e.Error, sanitize.Message))
	}
	var got emulator.LoggedRequests
	if err := json.Unmarshal(body, &got); err != nil {
		return emulator.LoggedRequests{}, fmt.Errorf("%s is not a plaid-onboard emulator: its /_emulator/requests is not the request log: %v", base, err)
	}
	return got, nil
}

// endpointColumn is the width of the endpoint column: every endpoint but the longest fits.
const endpointColumn = 31

// printCall prints one call: a line of aligned columns, or a JSON line.
func (a *app) printCall(c emulator.LoggedRequest, asJSON bool) {
	if asJSON {
		b, err := json.Marshal(c)
		if err == nil {
			a.d.Stdout.Write(append(sanitize.JSON(b), '\n'))
		}
		return
	}
	fmt.Fprintln(a.d.Stdout, callLine(c))
}

// callLine is a call as one line: time (local, to the millisecond), status, endpoint, latency,
// request_id, error_code. What the emulator sends is outside text: sanitize.Line cleans it.
func callLine(c emulator.LoggedRequest) string {
	when := sanitize.Line(c.Time, sanitize.Field)
	if t, err := time.Parse(time.RFC3339Nano, c.Time); err == nil {
		when = t.Local().Format("15:04:05.000")
	}
	status := strconv.Itoa(c.Status)
	switch {
	case c.AnswerLost:
		status = "lost"
	case c.Status == 0:
		status = "---"
	}
	line := fmt.Sprintf("%s  %-4s  %-*s  %8.1fms  %-15s  %s", when, status, endpointColumn, sanitize.Line(c.Endpoint, sanitize.Field),
		c.LatencyMS, sanitize.Line(c.RequestID, sanitize.Field), sanitize.Line(c.ErrorCode, sanitize.Field))
	return strings.TrimRight(line, " ")
}
