// Package e2etest holds what the end-to-end tests of every package share: the switch that makes
// a missing part a failure instead of a skip (PLAID_ONBOARD_E2E=1, set by the README's test
// command), one headless Chromium per test binary with a private tab per test, waits that fail
// saying what they waited for, and the goroutine-leak check of each package's TestMain.
//
// Only tests import it. It imports no package of this module, so any package's tests, internal
// or external, can use it without an import cycle.
package e2etest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"
)

// Timeout bounds each wait of an end-to-end test (a browser step, a line from a process, its
// exit): generous, because CI runs the suite on a busy 2-core machine under -race, and a wait
// that times out fails the test saying what it waited for.
const Timeout = 45 * time.Second

// Required reports whether the test command asked for the whole suite (PLAID_ONBOARD_E2E=1), in
// which a test that would skip fails instead.
func Required() bool { return os.Getenv("PLAID_ONBOARD_E2E") == "1" }

// Require skips a test when a part it needs is missing, unless the test command asked for the
// whole suite, where a missing part is a failure: a suite that skips in CI passes without
// testing. what names the part and how to install it.
func Require(t testing.TB, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if Required() {
		t.Fatalf("end-to-end test needs %s; PLAID_ONBOARD_E2E=1 makes a missing part a failure (the README's test command, make test, installs and sets up every part)", what)
	}
	t.Skipf("needs %s; `make test` sets it up", what)
}

// SkipIfShort skips a slow end-to-end test under -short, which contradicts PLAID_ONBOARD_E2E=1.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if !testing.Short() {
		return
	}
	if Required() {
		t.Fatalf("-short skips this test (%s), but PLAID_ONBOARD_E2E=1 asks for every end-to-end test: drop one of them", why)
	}
	t.Skip(why)
}

// RequireKeyring checks that a real Secret Service answers on this D-Bus session, by writing and
// deleting a probe entry under service, named for the test so that tests running at once do not
// share it.
func RequireKeyring(t testing.TB, service string) {
	t.Helper()
	ok := os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	if ok {
		probe := "e2e-probe/" + t.Name()
		ok = keyring.Set(service, probe, "x") == nil
		_ = keyring.Delete(service, probe)
	}
	Require(t, "a Secret Service keyring: gnome-keyring unlocked on a private D-Bus session (apt-get install gnome-keyring dbus; see .ci/test)", ok)
}

// Eventually polls cond until it holds, failing after Timeout with what it waited for and what
// it saw last. cond returns whether it holds and, when not, what it saw.
func Eventually(t testing.TB, what string, cond func() (ok bool, saw string)) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; last saw: %s", Timeout, what, saw)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settledLeaks is goleak.Find given a few seconds, for goroutines that end by themselves shortly
// after a test (an idle keep-alive connection being closed); one still there after that is a
// leak.
func settledLeaks(opts ...goleak.Option) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

// Main runs a package's tests for its TestMain and returns the exit code: it stops the shared
// Chromium after the tests, then fails the run when a goroutine outlives them (a leaked
// goroutine is a server, a watcher or a call that nobody stopped, and in the program it would
// pile up). opts name goroutines that are not leaks.
func Main(m *testing.M, opts ...goleak.Option) int {
	code := m.Run()
	if err := closeBrowser(); err != nil {
		fmt.Fprintf(os.Stderr, "stop Chromium: %v\n", err)
		code = 1
	}
	if code == 0 {
		if err := settledLeaks(opts...); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
	return code
}
