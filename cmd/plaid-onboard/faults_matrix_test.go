package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The fault matrix: every scripted command against the emulator with each fault a client of
// Plaid meets on each endpoint it calls (Plaid's rate limits, 500, 503 maintenance, a call
// that never answers, a connection dropped before or after the call took effect, bodies that
// are not Plaid's JSON). Each case checks what a user relies on: the message says what failed
// (with Plaid's request_id when Plaid sent one), the exit status, and that nothing is lost:
// every Item the emulator holds is saved here, or the user was told plainly that it may exist.

// faultHTTPTimeout stands in for the program's 30 s call timeout, so a hung call ends in
// seconds; it is the same http.Client timeout, only shorter.
const faultHTTPTimeout = 8 * time.Second

// matrixFault is one fault of the matrix, for any path.
type matrixFault struct {
	name string
	spec emulator.FaultSpec // Path is filled per endpoint; Count 0: every call
	// plaidError: the answer is a Plaid error body, whose error_code and request_id the user
	// must see.
	plaidError string
	// effect: the call takes effect at the emulator before its answer is lost.
	effect bool
}

// rateLimitCodes are the RATE_LIMIT_EXCEEDED codes Plaid documents for the endpoints the
// program calls (https://plaid.com/docs/errors/rate-limit-exceeded/); RATE_LIMIT is the
// generic one, sent for any endpoint.
var rateLimitCodes = map[string][]string{
	"/auth/get":             {"AUTH_LIMIT"},
	"/accounts/balance/get": {"BALANCE_LIMIT", "ACCOUNTS_BALANCE_GET_LIMIT"},
	"/item/get":             {"ITEM_GET_LIMIT"},
	"/accounts/get":         {"ACCOUNTS_LIMIT"},
}

// faultsFor lists the faults of the matrix for path.
func faultsFor(path string) []matrixFault {
	var fs []matrixFault
	for _, code := range append([]string{"RATE_LIMIT"}, rateLimitCodes[path]...) {
		fs = append(fs, matrixFault{name: "429 " + code, spec: emulator.FaultSpec{Kind: emulator.FaultRateLimit, ErrorCode: code}, plaidError: code})
	}
	return append(fs,
		matrixFault{name: "500", spec: emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "INTERNAL_SERVER_ERROR"}, plaidError: "INTERNAL_SERVER_ERROR"},
		matrixFault{name: "503 maintenance", spec: emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "PLANNED_MAINTENANCE"}, plaidError: "PLANNED_MAINTENANCE"},
		matrixFault{name: "hang", spec: emulator.FaultSpec{Kind: emulator.FaultHang}},
		matrixFault{name: "drop before", spec: emulator.FaultSpec{Kind: emulator.FaultDrop}},
		matrixFault{name: "drop after", spec: emulator.FaultSpec{Kind: emulator.FaultDropAfter}, effect: true},
		matrixFault{name: "malformed json", spec: emulator.FaultSpec{Kind: emulator.FaultMalformedJSON}},
		matrixFault{name: "text/plain 502", spec: emulator.FaultSpec{Kind: emulator.FaultTextPlain}},
		matrixFault{name: "html 503", spec: emulator.FaultSpec{Kind: emulator.FaultHTML}},
		matrixFault{name: "empty 200", spec: emulator.FaultSpec{Kind: emulator.FaultEmpty}},
	)
}

// matrixCommand is a scripted command and the endpoints it calls.
type matrixCommand struct {
	args  []string
	paths []string
	// saved: the command needs a saved Item first.
	saved bool
	// optional paths only decorate the answer: a fault there leaves the command working.
	optional []string
}

var matrixCommands = []matrixCommand{
	{args: []string{"sandbox", "link"}, paths: []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/auth/get", "/institutions/get_by_id"}, optional: []string{"/institutions/get_by_id"}},
	{args: []string{"link", "--no-browser"}, paths: []string{"/link/token/create"}},
	{args: []string{"auth", "first-platypus-bank"}, paths: []string{"/auth/get"}, saved: true},
	{args: []string{"balances", "first-platypus-bank"}, paths: []string{"/accounts/balance/get"}, saved: true},
	{args: []string{"items", "status", "first-platypus-bank"}, paths: []string{"/item/get"}, saved: true},
	{args: []string{"processor-token", "first-platypus-bank", "--account", "0000", "--processor", "dwolla"}, paths: []string{"/accounts/get", "/processor/token/create"}, saved: true},
}

// matrixWorkers is how many cases run at once. Most of a case is waiting (for a retry's
// backoff, for a hung call's timeout), so more run at once than there are cores; t.Parallel
// would hold them to GOMAXPROCS.
const matrixWorkers = 12

func TestFaultMatrixScriptedCommands(t *testing.T) {
	t.Parallel()
	sem := make(chan struct{}, matrixWorkers)
	var wg sync.WaitGroup
	for _, mc := range matrixCommands {
		for _, path := range mc.paths {
			for _, f := range faultsFor(path) {
				// No slashes in the name: -run would take them as levels.
				name := fmt.Sprintf("%s %s %s", strings.Join(mc.args[:min(len(mc.args), 2)], " "),
					strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "."), f.name)
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					// Subtests may be started from several goroutines at once (testing.T.Run).
					t.Run(name, func(t *testing.T) { runFaultCase(t, mc, path, f) })
				})
			}
		}
	}
	wg.Wait()
}

// runFaultCase runs one command with one fault on one of its endpoints and checks what the
// user is told and what is kept.
func runFaultCase(t *testing.T, mc matrixCommand, path string, f matrixFault) {
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	// Given a saved Item when the command needs one (made before any fault),
	if mc.saved {
		te.mustRun(t, exitOK, "sandbox", "link")
	}
	hc := plaidapi.NewHTTPClient()
	hc.Timeout = faultHTTPTimeout
	t.Cleanup(hc.CloseIdleConnections)
	te.d.HTTPClient = hc
	// and Plaid failing every call to path this way,
	spec := f.spec
	spec.Path = path
	if err := srv.AddFault(spec); err != nil {
		t.Fatal(err)
	}
	// when the command runs,
	code := te.run(mc.args...)
	stdout, stderr := te.stdout.String(), te.stderr.String()
	report := fmt.Sprintf("%s with %s on %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(mc.args, " "), f.name, path, code, stdout, stderr)

	// then nothing is lost, whatever happened,
	checkNothingLost(t, te, srv, report)
	// and a fault on a call that only decorates the answer leaves it working,
	if slices.Contains(mc.optional, path) {
		if code != exitOK || !strings.Contains(stdout, "011401533") {
			t.Fatalf("a fault on the optional %s must not stop the numbers\n%s", path, report)
		}
		return
	}
	// while any other fails the command with exit 1 and says why.
	if code != exitFailure {
		t.Fatalf("want exit 1\n%s", report)
	}
	if !strings.Contains(stderr, "error: ") {
		t.Errorf("stderr does not say what failed\n%s", report)
	}
	switch {
	case f.plaidError != "":
		ids := emulatortest.RequestIDs(srv, path)
		if len(ids) == 0 {
			t.Fatalf("no call reached %s\n%s", path, report)
		}
		for _, want := range []string{"error_code:       " + f.plaidError, "request_id:       " + ids[len(ids)-1]} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q (Plaid's error and the request_id of the last attempt)\n%s", want, report)
			}
		}
	case path == "/item/public_token/exchange":
		// Whether the exchange took effect cannot be known from here: the user is told.
		if !strings.Contains(stderr, plaidapi.ExchangeLostNotice) || !strings.Contains(stderr, "link the account again") {
			t.Errorf("stderr does not say plainly that Plaid may hold an Item whose token never arrived\n%s", report)
		}
	case f.spec.Kind == emulator.FaultHang:
		if !strings.Contains(stderr, "did not answer in time") {
			t.Errorf("stderr does not say Plaid did not answer in time\n%s", report)
		}
	case f.spec.Kind == emulator.FaultDrop || f.spec.Kind == emulator.FaultDropAfter:
		if !strings.Contains(stderr, "could not reach Plaid") {
			t.Errorf("stderr does not say Plaid could not be reached\n%s", report)
		}
	default: // bodies that are not Plaid's
		if !strings.Contains(stderr, "error_code:     UNEXPECTED_RESPONSE") || !strings.Contains(stderr, "http_status:") {
			t.Errorf("stderr does not call the answer unexpected, with its HTTP status\n%s", report)
		}
		if strings.Contains(strings.ToLower(stderr), "<html") || strings.Contains(strings.ToLower(stderr), "<!doctype") {
			t.Errorf("stderr dumps an HTML page's markup on the terminal\n%s", report)
		}
		if f.spec.Kind == emulator.FaultHTML && !strings.Contains(stderr, `an HTML page titled "503 Service Unavailable"`) {
			t.Errorf("stderr does not name the HTML page by its title\n%s", report)
		}
	}
	// The exchange is never sent twice (a second one would fail, and the first Item be lost).
	if path == "/item/public_token/exchange" {
		if n := emulatortest.Requests(srv, path); n != 1 {
			t.Errorf("the exchange was sent %d times, want once\n%s", n, report)
		}
	}
}

// checkNothingLost compares the vault with the emulator: every Item the emulator holds is
// saved here with its token, or the user was told plainly that Plaid may hold an Item whose
// token never arrived; the keyring holds a token for exactly the Items of the index.
func checkNothingLost(t *testing.T, te *testEnv, srv *emulator.Server, report string) {
	t.Helper()
	dir, _ := te.d.ConfigDir()
	vlt := vault.NewVault(te.store, dir)
	saved, err := vlt.Items(string(config.Sandbox))
	if err != nil {
		t.Fatalf("read the index: %v\n%s", err, report)
	}
	inIndex := map[string]bool{}
	for _, it := range saved {
		inIndex[it.ItemID] = true
		if !slices.Contains(emulatortest.ItemIDs(srv), it.ItemID) {
			t.Errorf("the index names Item %s, which the emulator does not hold\n%s", it.ItemID, report)
		}
	}
	for _, key := range te.store.Keys() {
		if id, ok := strings.CutPrefix(key, "sandbox/item/"); ok && !inIndex[id] {
			t.Errorf("the keyring holds a token for Item %s, which the index does not name\n%s", id, report)
		}
	}
	for _, it := range saved {
		if tok, err := vlt.AccessToken(string(config.Sandbox), it.ItemID); err != nil || tok == "" {
			t.Errorf("the index names Item %s, whose token is not in the keyring (%v)\n%s", it.ItemID, err, report)
		}
	}
	for _, id := range emulatortest.ItemIDs(srv) {
		if !inIndex[id] && !strings.Contains(te.stderr.String(), plaidapi.ExchangeLostNotice) {
			t.Errorf("Item %s exists at the emulator, is not saved here, and the user was not told\n%s", id, report)
		}
	}
}
