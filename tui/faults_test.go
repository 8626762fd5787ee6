package tui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The fault matrix of the terminal UI: the demo flow (keys checked with a Link token, then the
// Sandbox shortcut: a public token, the exchange, the numbers and the institution) against the
// emulator, with each fault a client of Plaid meets on each endpoint of the flow. Each case
// checks what the user sees (Plaid's error_code and request_id when Plaid sent one, else what
// went wrong), that quitting then exits 1 (Err), and that nothing is lost: every Item the
// emulator holds is saved, or the screen says plainly that Plaid may hold one.

// tuiFaultTimeout stands in for the 30 s call timeout, so a hung call ends in seconds.
const tuiFaultTimeout = 8 * time.Second

// tuiFaultWait bounds each wait of a case: a hung call's timeout and a retry's backoff, with
// room for a busy machine.
const tuiFaultWait = 45 * time.Second

type tuiFault struct {
	name       string
	spec       emulator.FaultSpec // Path filled per endpoint; Count 0: every call
	plaidError string             // the Plaid error_code shown, with its request_id
}

func tuiFaultsFor(path string) []tuiFault {
	var fs []tuiFault
	codes := []string{"RATE_LIMIT"}
	if path == "/auth/get" {
		codes = append(codes, "AUTH_LIMIT") // https://plaid.com/docs/errors/rate-limit-exceeded/
	}
	for _, code := range codes {
		fs = append(fs, tuiFault{name: "429 " + code, spec: emulator.FaultSpec{Kind: emulator.FaultRateLimit, ErrorCode: code}, plaidError: code})
	}
	return append(fs,
		tuiFault{name: "500", spec: emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "INTERNAL_SERVER_ERROR"}, plaidError: "INTERNAL_SERVER_ERROR"},
		tuiFault{name: "503 maintenance", spec: emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "PLANNED_MAINTENANCE"}, plaidError: "PLANNED_MAINTENANCE"},
		tuiFault{name: "hang", spec: emulator.FaultSpec{Kind: emulator.FaultHang}},
		tuiFault{name: "drop before", spec: emulator.FaultSpec{Kind: emulator.FaultDrop}},
		tuiFault{name: "drop after", spec: emulator.FaultSpec{Kind: emulator.FaultDropAfter}},
		tuiFault{name: "malformed json", spec: emulator.FaultSpec{Kind: emulator.FaultMalformedJSON}},
		tuiFault{name: "text/plain 502", spec: emulator.FaultSpec{Kind: emulator.FaultTextPlain}},
		tuiFault{name: "html 503", spec: emulator.FaultSpec{Kind: emulator.FaultHTML}},
		tuiFault{name: "empty 200", spec: emulator.FaultSpec{Kind: emulator.FaultEmpty}},
	)
}

func TestFaultMatrixTerminalUI(t *testing.T) {
	paths := []string{"/link/token/create", "/sandbox/public_token/create", "/item/public_token/exchange", "/auth/get", "/institutions/get_by_id"}
	// Most of a case is waiting (a retry's backoff, a hung call's timeout): more run at once
	// than there are cores, which t.Parallel would not allow.
	sem := make(chan struct{}, 12)
	var wg sync.WaitGroup
	for _, path := range paths {
		for _, f := range tuiFaultsFor(path) {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				t.Run(caseName(path, f.name), func(t *testing.T) { runTUIFaultCase(t, path, f) })
			})
		}
	}
	wg.Wait()
}

func runTUIFaultCase(t *testing.T, path string, f tuiFault) {
	srv := fakePlaid(t)
	spec := f.spec
	spec.Path = path
	if err := srv.AddFault(spec); err != nil {
		t.Fatal(err)
	}
	deps := demoDeps(t, srv)
	deps.HTTPClient.Timeout = tuiFaultTimeout
	m, d := started(t, deps, 160, 60)

	// The keys are checked at once with a Link token: a fault there stops on the keys screen.
	if path == "/link/token/create" {
		d.untilWithin("the key check to fail", tuiFaultWait, func() bool { return m.keys.check.state == checkFailed })
		checkFaultShown(t, srv, path, f, view(m))
		if m.Err() == nil {
			t.Errorf("quitting on the failed key check would exit 0")
		}
		return
	}
	d.untilWithin("the key check", tuiFaultWait, func() bool { return m.keys.check.state == checkOK })
	d.send(press("enter"))
	d.untilWithin("the Link page", tuiFaultWait, func() bool { return m.link.state == linkWaiting })
	d.send(press("s"))     // the Sandbox shortcut: public token, exchange, save, numbers
	d.send(press("enter")) // its default Item
	d.untilWithin("the flow to end (results, or a failed step)", tuiFaultWait, func() bool {
		return m.screen == screenResults || (m.screen == screenWorking && m.working.failed() >= 0) ||
			(m.screen == screenLink && m.link.err != nil)
	})
	v := view(m)
	report := fmt.Sprintf("%s on %s; screen:\n%s", f.name, path, v)
	checkTUINothingLost(t, srv, deps.Vault, v, report)
	if path == "/institutions/get_by_id" {
		// The institution only decorates the numbers: they are shown without it.
		if m.screen != screenResults || !strings.Contains(v, "Plaid Checking") {
			t.Errorf("a fault on the optional %s kept the numbers from the screen\n%s", path, report)
		}
		return
	}
	if m.screen == screenResults {
		t.Fatalf("the flow reached the results despite the fault\n%s", report)
	}
	if m.Err() == nil {
		t.Errorf("quitting now would exit 0\n%s", report)
	}
	if path == "/item/public_token/exchange" && f.plaidError != "RATE_LIMIT" {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), "Plaid may have created an Item") {
			t.Errorf("the screen does not say Plaid may hold an Item whose token never arrived\n%s", report)
		}
	}
	checkFaultShown(t, srv, path, f, v)
}

// checkFaultShown checks the screen says what failed: Plaid's code and the last attempt's
// request_id, or for answers that are not Plaid's, what came instead.
func checkFaultShown(t *testing.T, srv *emulator.Server, path string, f tuiFault, v string) {
	t.Helper()
	flat := strings.Join(strings.Fields(v), " ")
	switch {
	case f.plaidError != "":
		ids := emulatortest.RequestIDs(srv, path)
		if len(ids) == 0 {
			t.Fatalf("no call reached %s", path)
		}
		for _, want := range []string{f.plaidError, ids[len(ids)-1]} {
			if !strings.Contains(flat, want) {
				t.Errorf("the screen lacks %q (Plaid's error and the request_id of the last attempt):\n%s", want, v)
			}
		}
	case f.spec.Kind == emulator.FaultHang:
		if !strings.Contains(flat, "did not answer in time") && !strings.Contains(flat, "Plaid may have created an Item") {
			t.Errorf("the screen does not say Plaid did not answer in time:\n%s", v)
		}
	case f.spec.Kind == emulator.FaultDrop || f.spec.Kind == emulator.FaultDropAfter:
		if !strings.Contains(flat, "could not reach Plaid") && !strings.Contains(flat, "Plaid may have created an Item") {
			t.Errorf("the screen does not say Plaid could not be reached:\n%s", v)
		}
	default:
		if !strings.Contains(flat, "UNEXPECTED_RESPONSE") {
			t.Errorf("the screen does not call the answer unexpected:\n%s", v)
		}
		if strings.Contains(strings.ToLower(flat), "<html") || strings.Contains(strings.ToLower(flat), "<!doctype") {
			t.Errorf("the screen shows an HTML page's markup:\n%s", v)
		}
	}
}

// checkTUINothingLost: every Item the emulator holds is in the vault with its token, or the
// screen says Plaid may hold one; the vault names no Item the emulator does not hold.
func checkTUINothingLost(t *testing.T, srv *emulator.Server, vlt *vault.Vault, v, report string) {
	t.Helper()
	saved, err := vlt.Items("demo")
	if err != nil {
		t.Fatalf("read the index: %v", err)
	}
	held := emulatortest.ItemIDs(srv)
	inVault := map[string]bool{}
	for _, it := range saved {
		inVault[it.ItemID] = true
		if !slices.Contains(held, it.ItemID) {
			t.Errorf("the vault names Item %s, which the emulator does not hold\n%s", it.ItemID, report)
		}
		if tok, err := vlt.AccessToken("demo", it.ItemID); err != nil || tok == "" {
			t.Errorf("Item %s is in the index without its token (%v)\n%s", it.ItemID, err, report)
		}
	}
	told := strings.Contains(strings.Join(strings.Fields(v), " "), "Plaid may have created an Item")
	for _, id := range held {
		if !inVault[id] && !told {
			t.Errorf("Item %s exists at the emulator, is not saved, and the screen does not say so\n%s", id, report)
		}
	}
}

// caseName names a case without the slashes of its path, which -run would take as levels.
func caseName(path, fault string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", ".") + " " + fault
}

// untilWithin is until with its own deadline, for waits that include a call's timeout.
func (d *driver) untilWithin(what string, timeout time.Duration, cond func() bool) {
	d.t.Helper()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", timeout, what, view(d.m))
		}
	}
}
