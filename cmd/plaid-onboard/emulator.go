package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// emulatorFlags are the flags of `emulator`.
type emulatorFlags struct {
	keys   keyFlags // the keys it accepts; --demo and --env mean nothing to it
	json   bool
	port   int
	listen string // --listen ADDR:PORT (emulator_listen.go)
	// portFlag tells whether --port was given, which --listen's port would contradict.
	portFlag *pflag.Flag
	latency  time.Duration
	// redirectURIs are the Dashboard's allowed redirect URIs (--redirect-uri, repeatable).
	redirectURIs []string
	// hosts are more names it answers to in Host (--host, repeatable).
	hosts []string
	// androidPackageNames are the Dashboard's allowed Android package names
	// (--android-package-name, repeatable); productsEnabled the products the team is enabled
	// for (--products-enabled; default all).
	androidPackageNames []string
	productsEnabled     []string
	// state are --state, --seed and --fixtures (emulator_state.go).
	state stateFlags
	// fromTranscript is a support transcript whose Items it starts with (emulator_transcript.go).
	fromTranscript string
}

// newEmulatorCmd is `emulator`: the offline Plaid Sandbox emulator that --demo runs inside the
// program, served on its own for any Plaid client (another app's tests, plaid-onboard itself).
func newEmulatorCmd(a *app) *cobra.Command {
	f := &emulatorFlags{}
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the offline Plaid Sandbox emulator on 127.0.0.1 for any Plaid client",
		Long: `Serves the emulator the offline demo uses (Plaid's Sandbox API, a stand-in Link SDK and its UI)
until interrupted (ctrl+c or SIGTERM, exit status 0). It is not Plaid: it answers as Plaid
Sandbox does, for tests and demos, with no network.

It listens on 127.0.0.1 unless --listen says otherwise: in a container, --listen 0.0.0.0:4010
lets other containers and the host's port forwarding reach it (it warns that the network can
then use this Sandbox). Wherever it listens, it answers only requests that name it as 127.0.0.1,
localhost or [::1] with its port, as the one address it listens on, or by a name given with
--host (a proxy's or a container's, such as plaid-emulator); a request from a web page (another
Host, as with DNS rebinding, or another page's Origin) gets Plaid's INVALID_HEADERS error and
changes nothing. It prints the names it answers to at start-up.

It prints where it is and the keys it accepts (with --json, one JSON line: url, client_id,
secret, link_script_url). Point a Plaid client at the url with those keys in the
PLAID-CLIENT-ID and PLAID-SECRET headers, and load Link from link_script_url.

Sandbox test users, in the stand-in Link and as /sandbox/public_token/create's
override_username/override_password (https://plaid.com/docs/sandbox/test-credentials/):
  user_good  pass_good                  the Sandbox accounts
  user_good  mfa_device                 a device, then the code 1234
  user_good  mfa_questions_<n>_<m>      answer_<i>_<j> for question j of round i (from 0)
  user_good  mfa_selections             answer Yes
  user_good  error_<CODE>               the login fails with that code
  user_custom  {JSON configuration}     your accounts, numbers, balances, force_error, mfa
                                        (https://plaid.com/docs/sandbox/user-custom/)

A control API on the same port steers it, for tests:
  POST   /_emulator/clock/advance?by=31m   move its clock (a public token expires after 30m)
  POST   /_emulator/faults                 {"path":"/auth/get","kind":"rate_limit","count":1}
                                           kinds: rate_limit, error, status, hang, drop,
                                           malformed_json, text_plain, latency, html, empty,
                                           drop_after, hang_after, hold
  DELETE /_emulator/faults                 clear the faults
  POST   /_emulator/release                let the calls held by hold faults answer
  POST   /_emulator/reset                  forget Items, tokens, faults and the clock
                                           (--fixtures' Items come back, --seed starts over)
  POST   /_emulator/webhooks/trigger       {"type":"ITEM","code":"ERROR","item_id":"…"}: send one of
                                           Plaid's webhooks (plaid-onboard webhooks trigger)
  POST   /_emulator/webhooks/sign          a body: its Plaid-Verification JWT (webhooks sign)
  GET    /_emulator/state                  what it holds: Items, accounts, webhooks, recent calls
  GET    /_emulator/                       the same as a live page, for a browser
  POST   /_emulator/state/save             write the --state file now
  GET    /_emulator/state/snapshot         the state as the --state file holds it

A fault with only an error_code answers with that Plaid error; "item_id" limits it to one
Item's calls; an Item answered ITEM_LOGIN_REQUIRED keeps it until Link's update mode repairs it.
plaid-onboard emulator logs --url URL --follow prints each call as it is answered.

Support: --from-transcript FILE (a transcript written with --transcript, gzipped or not) starts
it with the Items the session saw, keeping their item and account ids, institution, accounts
(from Link's metadata, the Auth flow or the scenario) and verification states, and answers the
errors Plaid answered at the same calls (the 2nd /auth/get fails with ITEM_LOGIN_REQUIRED, and
the Item stays so). It prints each Item's access token, and what it made up: account numbers
and balances, which a transcript does not hold.

State, seeds and fixtures:
  --state FILE     load the whole state (Items, accounts, numbers, balances, verification,
                   tokens, live link tokens, webhooks, the clock) from FILE if it exists; save
                   it there on exit (ctrl+c, SIGTERM) and on POST /_emulator/state/save
  --seed N         every id and token is a function of N and the calls: the same calls give
                   the same answers
  --fixtures DIR   Items declared as DIR/*.json (institution, user_custom accounts, access_token,
                   item_id, state: healthy, ITEM_LOGIN_REQUIRED, pending_automatic_verification,
                   pending_manual_verification, webhook), there from the start

Redirect URIs: /link/token/create takes a redirect_uri only if the Dashboard lists it, exactly.
By default the emulator's Dashboard lists every http URI on localhost, 127.0.0.1 or [::1]; with
--redirect-uri (repeatable) it lists exactly those, and any other gets Plaid's INVALID_FIELD.
The stand-in Link's OAuth bank (Platypus OAuth Bank) sends the browser to the link token's
redirect_uri with ?oauth_state_id=…; without one it opens the bank in a pop-up window.

Android package names: the emulator's Dashboard lists none, as for a new team, so any
android_package_name gets Plaid's INVALID_FIELD; --android-package-name (repeatable) registers one.
Products: the team is enabled for every product; with --products-enabled auth,transactions a
Link token asking for another gets Plaid's INVALID_PRODUCT. Institutions: /institutions/get
offers only those of the country codes that support every product asked for (Sandbox's banks:
First Platypus Bank and the others in the US, Tartan-Dominion in CA, Royal Bank of Plaid in GB).`,
		Example: `  plaid-onboard emulator --port 8790
  plaid-onboard emulator --fixtures testdata/plaid --seed 7 --state emulator-state.json
  plaid-onboard emulator --json --latency 50ms
  plaid-onboard emulator --redirect-uri http://localhost:8765/oauth-return
  plaid-onboard emulator --android-package-name com.example.app --products-enabled auth,transactions
  plaid-onboard emulator --port 8790 --host plaid-emulator   # behind a proxy named plaid-emulator
  plaid-onboard emulator --from-transcript ticket-4711.jsonl.gz
  plaid-onboard emulator --listen 0.0.0.0:4010 --host plaid-emulator   # a container, named so
  plaid-onboard emulator --client-id "$PLAID_CLIENT_ID" --secret "$PLAID_SECRET"   # other keys`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(ctx context.Context, _ []string) error { return a.runEmulator(ctx, f) }),
		Annotations: map[string]string{
			withoutFlag + "demo": "the emulator is what --demo runs inside the program; served on its own it takes --client-id and --secret for the keys it accepts",
			withoutFlag + "env":  "the emulator stands in for the Sandbox only",
		},
	}
	addSecretStdinFlag(a, cmd, &f.keys)
	addKeyFlags(cmd, &f.keys)
	addJSONFlag(cmd, &f.json)
	cmd.Flags().IntVar(&f.port, "port", 0, "port on 127.0.0.1 (default a free port)")
	addListenFlag(cmd, f)
	cmd.Flags().DurationVar(&f.latency, "latency", 0, "delay added to every API answer, e.g. 50ms")
	cmd.Flags().StringArrayVar(&f.hosts, "host", nil, "another name clients reach it by, as sent in Host: NAME or NAME:PORT (repeatable; default only 127.0.0.1, localhost, [::1])")
	cmd.Flags().StringArrayVar(&f.redirectURIs, "redirect-uri", nil, "a redirect URI the emulator's Dashboard allows (repeatable; default any http URI on localhost)")
	cmd.Flags().StringArrayVar(&f.androidPackageNames, "android-package-name", nil, "an Android package name the emulator's Dashboard allows (repeatable; default none)")
	cmd.Flags().StringSliceVar(&f.productsEnabled, "products-enabled", nil, "the products the team is enabled for, comma-separated (default every product)")
	addStateFlags(cmd, &f.state)
	cmd.Flags().StringVar(&f.fromTranscript, "from-transcript", "", "start with the Items a support transcript saw, and the errors Plaid answered them, at the same calls (gzipped or not)")
	cmd.AddCommand(newEmulatorLogsCmd(a)) // emulator_logs.go
	return cmd
}

// emulatorInfo is what a script needs to use the emulator: the --json line.
type emulatorInfo struct {
	URL           string `json:"url"`
	ClientID      string `json:"client_id"`
	Secret        string `json:"secret"`
	LinkScriptURL string `json:"link_script_url"`
	// RedirectURIs are the registered redirect URIs, when --redirect-uri gave them.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// FromTranscript is what --from-transcript rebuilt.
	FromTranscript *replayReport `json:"from_transcript,omitempty"`
}

// runEmulator serves until ctx ends. An interrupt is how this command is meant to stop, so it
// returns nil then (exit 0), unlike the commands an interrupt cuts short.
func (a *app) runEmulator(ctx context.Context, f *emulatorFlags) error {
	if f.port < 0 || f.port > 65535 {
		return usagef("--port %d is not a port: use 1-65535, or leave it out for a free one", f.port)
	}
	if f.latency < 0 {
		return usagef("--latency %s is negative", f.latency)
	}
	clientID, secret := f.keys.clientID, f.keys.secret
	if (clientID == "") != (secret == "") {
		return usagef("give both --client-id and --secret, or neither for the demo keys")
	}
	if clientID == "" {
		clientID, secret = emulator.DemoClientID, emulator.DemoSecret
	}
	emuOpts := []emulator.Option{emulator.WithPort(f.port), emulator.WithKeys(clientID, secret), emulator.WithLatency(f.latency)}
	listenOpts, err := listenOptions(f)
	if err != nil {
		return err
	}
	emuOpts = append(emuOpts, listenOpts...)
	for _, uri := range f.redirectURIs {
		if err := checkRegisteredRedirect(uri); err != nil {
			return usageError{err}
		}
	}
	for _, h := range f.hosts {
		if err := checkHostName(h); err != nil {
			return usageError{err}
		}
	}
	if len(f.hosts) > 0 {
		emuOpts = append(emuOpts, emulator.WithHostNames(f.hosts...))
	}
	if len(f.redirectURIs) > 0 {
		emuOpts = append(emuOpts, emulator.WithRedirectURIs(f.redirectURIs...))
	}
	if len(f.androidPackageNames) > 0 {
		emuOpts = append(emuOpts, emulator.WithAndroidPackageNames(f.androidPackageNames...))
	}
	if len(f.productsEnabled) > 0 {
		emuOpts = append(emuOpts, emulator.WithProductsEnabled(f.productsEnabled...))
	}
	state, err := f.state.resolve() // emulator_state.go
	if err != nil {
		return err
	}
	emuOpts = append(emuOpts, state.opts...)
	srv, err := emulator.Listen(emuOpts...)
	if err != nil {
		var fe *emulator.FixtureError
		if errors.As(err, &fe) || strings.HasPrefix(err.Error(), "restore the state") {
			return usageError{fmt.Errorf("start the emulator: %w", err)}
		}
		return fmt.Errorf("start the emulator: %w", err)
	}

	warnBeyondLoopback(a.d.Stderr, srv)
	info := emulatorInfo{URL: srv.URL, ClientID: clientID, Secret: secret, LinkScriptURL: srv.LinkScriptURL(), RedirectURIs: f.redirectURIs}
	if f.fromTranscript != "" {
		if info.FromTranscript, err = replayTranscript(srv, f.fromTranscript); err != nil {
			srv.Close()
			return err
		}
	}
	if f.json {
		// One line, not printJSON's indented document: a script reads the first line and the
		// emulator goes on running.
		if err := json.NewEncoder(a.d.Stdout).Encode(info); err != nil {
			srv.Close()
			return fmt.Errorf("write the emulator's address: %w", err)
		}
	} else {
		fmt.Fprintf(a.d.Stdout, `Plaid Sandbox emulator (offline, not Plaid) at %s
  client_id        %s
  secret           %s
  Link SDK         %s
  control API      %s/_emulator/ (clock/advance, faults, reset, webhooks; see --help)
  inside           %s/_emulator/ in a browser, or: plaid-onboard emulator logs --url %s --follow
  redirect URIs    %s
  Android packages %s
  products         %s
`, info.URL, info.ClientID, info.Secret, info.LinkScriptURL, info.URL, info.URL, info.URL, registeredRedirects(info.RedirectURIs),
			listOr(f.androidPackageNames, "none registered (--android-package-name to register one)"),
			listOr(f.productsEnabled, "every product enabled (--products-enabled to limit them)"))
		printListening(a.d.Stdout, srv)
		fmt.Fprint(a.d.Stdout, state.summary(&f.state)) // emulator_state.go
		fmt.Fprintf(a.d.Stdout, `
Try it:
  PLAID_API_URL=%s PLAID_LINK_SCRIPT_URL=%s PLAID_CLIENT_ID=%s PLAID_SECRET=%s plaid-onboard sandbox link

Press ctrl+c to stop.
`, info.URL, info.LinkScriptURL, info.ClientID, info.Secret)
		if info.FromTranscript != nil {
			info.FromTranscript.write(a.d.Stdout)
		}
	}
	<-ctx.Done()
	srv.Close()
	if err := state.saveOnExit(srv, &f.state); err != nil {
		// Said here: after an interrupt, the exit status only says "interrupted".
		fmt.Fprintln(a.d.Stderr, "emulator: "+err.Error())
		return err
	}
	if !f.json {
		fmt.Fprintln(a.d.Stderr, "emulator stopped")
	}
	return nil
}

// checkRegisteredRedirect refuses what the Dashboard would not register: Plaid wants an absolute
// http(s) URI without a query string or fragment.
func checkRegisteredRedirect(uri string) error {
	u, err := url.Parse(uri)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--redirect-uri %q is not an absolute http(s) URI", uri)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("--redirect-uri %q: the Dashboard takes no query string or fragment", uri)
	}
	return nil
}

// checkHostName refuses what is not a Host header's value: a name or address, maybe a port.
func checkHostName(h string) error {
	u, err := url.Parse("http://" + h)
	if err != nil || h == "" || u.Host != h || u.Hostname() == "" {
		return fmt.Errorf("--host %q is not a host name with an optional port, such as plaid-emulator or plaid-emulator:8790", h)
	}
	return nil
}

// listOr joins list, or says none when it is empty.
func listOr(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	return strings.Join(list, ", ")
}

// registeredRedirects says which redirect URIs the emulator's Dashboard allows.
func registeredRedirects(uris []string) string {
	if len(uris) == 0 {
		return "any http URI on localhost, 127.0.0.1 or [::1] (--redirect-uri to list them)"
	}
	return strings.Join(uris, ", ")
}
