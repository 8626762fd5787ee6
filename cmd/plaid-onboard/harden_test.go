package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// lockedKeyring refuses every write, as a locked or unreachable keyring does.
type lockedKeyring struct{ *vault.MemoryStore }

func (lockedKeyring) Set(string, string) error { return errors.New("the keyring is locked") }

// Given a keyring that will not save, when a script runs sandbox link, then it still prints
// the numbers but exits 1, saying the Item exists at Plaid and how to remove it; asking for no
// saving (--no-save) is no failure.
func TestScriptsFailWhenTheItemCannotBeSaved(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--demo", "sandbox", "link"}, {"--demo", "sandbox", "link", "--json"}} {
		te := newTestEnv(t)
		te.d.Secrets = lockedKeyring{te.store}
		if code := te.run(args...); code != exitFailure {
			t.Fatalf("%v: exit %d, want 1\n%s", args, code, te.stderr)
		}
		if !strings.Contains(te.stdout.String(), "011401533") {
			t.Errorf("%v: the numbers were not printed:\n%s", args, te.stdout)
		}
		for _, want := range []string{"not saved", "/item/remove", "the keyring is locked"} {
			if !strings.Contains(te.stderr.String(), want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, te.stderr)
			}
		}
		if args[len(args)-1] == "--json" {
			if doc := te.jsonDocument(t); doc["item_id"] == nil {
				t.Errorf("the JSON document is not the result: %v", doc)
			}
		}
	}
	te := newTestEnv(t)
	if code := te.run("--demo", "sandbox", "link", "--no-save"); code != exitOK {
		t.Errorf("--no-save: exit %d\n%s", code, te.stderr)
	}
}

// Given a corrupt items.json, when sandbox link runs, then it stops before any call to Plaid
// (no Item is made, no token written), keeps a copy of the file, and says how to recover.
func TestCorruptIndexStopsBeforeAnyPlaidCall(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	dir, _ := te.d.ConfigDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(dir, "items.json")
	if err := os.WriteFile(index, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := te.run("sandbox", "link"); code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, te.stderr)
	}
	for _, path := range []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/institutions/get_by_id"} {
		if n := emulatortest.Requests(srv, path); n != 0 {
			t.Errorf("%s was called %d times with a corrupt index", path, n)
		}
	}
	copies, _ := filepath.Glob(index + ".corrupt-*")
	if len(copies) != 1 {
		t.Fatalf("copies of the corrupt index: %v", copies)
	}
	for _, want := range []string{"corrupt", "remove it to start a new index", copies[0]} {
		if !strings.Contains(te.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, te.stderr)
		}
	}
}

// Given a hung /institutions/get_by_id, when sandbox link runs, then it prints the numbers far
// sooner than the call timeout.
func TestSandboxLinkDoesNotWaitForAHungInstitutionLookup(t *testing.T) {
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	if err := srv.AddFault(emulator.FaultSpec{Path: "/institutions/get_by_id", Kind: emulator.FaultHang}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), plaidapi.CallTimeout)
	defer cancel()
	start := time.Now()
	code := te.runContext(ctx, "sandbox", "link", "--no-save")
	took := time.Since(start)
	if code != exitOK || !strings.Contains(te.stdout.String(), "011401533") {
		t.Fatalf("exit %d after %s\n%s\n%s", code, took, te.stdout, te.stderr)
	}
	if took > 2*plaidflow.InstitutionBudget+time.Second {
		t.Errorf("sandbox link took %s with a hung institution lookup (budget %s, call timeout %s)", took, plaidflow.InstitutionBudget, plaidapi.CallTimeout)
	}
}

// Given the exchange's answer is lost (the connection drops), when sandbox link fails, then it
// exits 1 saying plainly that Plaid may have created an Item and to link again.
func TestLostExchangeAnswerExitsOneAndSaysSo(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	if err := srv.AddFault(emulator.FaultSpec{Path: "/item/public_token/exchange", Kind: emulator.FaultDrop, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if code := te.run("sandbox", "link"); code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, te.stderr)
	}
	for _, want := range []string{"Plaid may have created an Item whose access token never arrived here", "link the account again"} {
		if !strings.Contains(te.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, te.stderr)
		}
	}
}

// Given Plaid answers /auth/get with a 503 once, when sandbox link runs, then stderr says a
// retry is under way and the numbers are printed all the same.
func TestSandboxLinkSaysItRetriesAndGetsTheNumbers(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	if err := srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultStatus, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if code := te.run("sandbox", "link", "--no-save"); code != exitOK || !strings.Contains(te.stdout.String(), "011401533") {
		t.Fatalf("exit %d\n%s\n%s", code, te.stdout, te.stderr)
	}
	if got := strings.Count(te.stderr.String(), "retrying /auth/get in "); got != 1 || !strings.Contains(te.stderr.String(), "(HTTP 503, attempt 2 of 4)") {
		t.Errorf("stderr does not announce the one retry:\n%s", te.stderr)
	}
	if n := emulatortest.Requests(srv, "/auth/get"); n != 2 {
		t.Errorf("/auth/get was sent %d times, want 2", n)
	}
}

// Given Plaid answers the exchange with a 503, when sandbox link runs, then the exchange is
// sent once, nothing claims a retry, and the run fails.
func TestSandboxLinkNeverRetriesTheExchange(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	if err := srv.AddFault(emulator.FaultSpec{Path: "/item/public_token/exchange", Kind: emulator.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	if code := te.run("sandbox", "link"); code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, te.stderr)
	}
	if n := emulatortest.Requests(srv, "/item/public_token/exchange"); n != 1 {
		t.Errorf("the exchange was sent %d times, want exactly once", n)
	}
	if strings.Contains(te.stderr.String(), "retrying") {
		t.Errorf("stderr announces a retry of a call that is never retried:\n%s", te.stderr)
	}
}
