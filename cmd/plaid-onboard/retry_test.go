package main

import (
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

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
	if n := srv.Requests("/auth/get"); n != 2 {
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
	if n := srv.Requests("/item/public_token/exchange"); n != 1 {
		t.Errorf("the exchange was sent %d times, want exactly once", n)
	}
	if strings.Contains(te.stderr.String(), "retrying") {
		t.Errorf("stderr announces a retry of a call that is never retried:\n%s", te.stderr)
	}
}
