package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// TestTUIAutomatedMicrodepositsInTmux walks the Auth flow lab's slowest flow as a user would,
// with the real binary, the in-process emulator (--demo) and the real keyring: --flow
// automated-microdeposits, the Sandbox shortcut makes the Item, the status panel shows it
// pending with no numbers; A moves it to automatically_verified, the AUTH webhook arrives at the
// session's receiver verified, and the numbers show. NO_COLOR is on: the screen must still read.
// https://plaid.com/docs/auth/coverage/automated/
func TestTUIAutomatedMicrodepositsInTmux(t *testing.T) {
	t.Parallel()
	e2etest.SkipIfShort(t, "builds and drives the binary")
	requireTmux(t)
	requireKeyring(t)
	bin := testBinary(t)
	dirs := newUserDirs(t)
	exitFile := filepath.Join(dirs.home, "exit-code")
	t.Cleanup(func() { forgetDemoItems(t, dirs) })
	cmd := "cd " + dirs.work + " && env HOME=" + dirs.home + " XDG_CONFIG_HOME=" + dirs.config +
		" DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS") + " NO_COLOR=1 TERM=xterm-256color " +
		bin + " --demo --no-browser --flow automated-microdeposits"
	s := startTmux(t, 120, 60, cmd, exitFile)

	s.waitForText("The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("Verified by Automated micro-deposits", "microdeposits_good", "Houndstooth Bank (ins_109512)")
	s.keys("s")
	scr := s.waitForText("pending_automatic_verification", "(this session's receiver)", "A verify (Sandbox)")
	if strings.Contains(scr, "011401533") {
		t.Fatalf("numbers shown while the account is pending:\n%s", scr)
	}
	s.keys("A")
	s.waitForText("automatically_verified", "webhook ✓ AUTH AUTOMATICALLY_VERIFIED", "011401533")
	s.keys("T")
	s.waitForText("Timeline", "/sandbox/item/set_verification_status → HTTP 200", "pending_automatic_verification → automatically_verified")
	s.keys("q")
	s.waitExited(screenTimeout)
	if b, err := os.ReadFile(exitFile); err != nil || strings.TrimSpace(string(b)) != "0" {
		t.Errorf("exit status after q: %q %v", b, err)
	}
}

// forgetDemoItems deletes from the keyring the access tokens of the demo Items a test saved.
func forgetDemoItems(t *testing.T, dirs userDirs) {
	b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json"))
	if err != nil {
		return
	}
	for _, m := range regexp.MustCompile(`"item_id":\s*"([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
		_ = keyring.Delete(plaidflow.KeyringService, "demo/item/"+m[1])
	}
}

// TestTUIFlagsAreCheckedFirst: a mistyped --flow, a --public-url that is not a URL and a port
// out of range are usage errors (exit 2) that say what is wrong, before anything starts.
func TestTUIFlagsAreCheckedFirst(t *testing.T) {
	dirs := newUserDirs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--flow", "automated-microdeposit"}, "did you mean automated-microdeposits?"},
		{[]string{"--demo", "--public-url", "ftp://example.com"}, `--public-url "ftp://example.com" is not an http(s) URL`},
		{[]string{"--demo", "--webhook-port", "70000"}, "--webhook-port 70000 is not a port"},
	} {
		_, stderr, code := runBinary(t, dirs, dirs.env(), tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("plaid-onboard %s: exit %d, want 2 saying %q; stderr:\n%s", strings.Join(tc.args, " "), code, tc.want, stderr)
		}
	}
}
