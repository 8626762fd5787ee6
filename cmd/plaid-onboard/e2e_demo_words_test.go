package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// pretends matches what the offline demo must never say: that something is billed, or that
// Plaid answered, refused, fired, verified or holds the Item, where the emulator did.
var pretends = regexp.MustCompile(`(?i)\bbill|\bPlaid (answer|refus|fire|stops|sends|bills|verifies|invalidat|no longer|rotated)|\bat Plaid\b|\bask Plaid\b`)

// suggestion finds a command the program suggests: after "Next:" (the one word for it), after
// "repair:" or "Repair it with:", or in backquotes. It ends at a backquote, at " (" (an aside
// such as "(or verification_expired)"), or at the end of the line.
var suggestion = regexp.MustCompile("(?m)(?:Next:|[Rr]epair(?: it with)?:|`)[^`\n]*?(plaid-onboard [^`\n]*?)(?:`| \\(|$)")

// placeholder is an argument a suggestion leaves for the user to fill in (NAME, ITEM).
var placeholder = regexp.MustCompile(`\b[A-Z]{3,}\b`)

// demoRun is one command of a demo journey and what it printed.
type demoRun struct {
	args   []string
	output string
	dirs   userDirs
	env    []string
}

// runDemoJourneys runs the demo journeys a newcomer runs, with a keyring and without one (no
// D-Bus session bus: the unsaved path), and hands each command with its output to check
// before the next one runs (a suggestion is for the Items as they are then).
func runDemoJourneys(t *testing.T, check func(demoRun)) {
	t.Helper()
	withKeyring := newUserDirs(t)
	noBus := newUserDirs(t)
	noBusEnv := []string{"HOME=" + noBus.home, "XDG_CONFIG_HOME=" + noBus.config, "XDG_RUNTIME_DIR=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	journeys := []struct {
		dirs userDirs
		env  []string
		args []string
	}{
		{withKeyring, withKeyring.env(), []string{"--demo", "sandbox", "link", "--flow", "automated-microdeposits"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "sandbox", "link"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "sandbox", "link"}}, // a second Item at the bank: the duplicate warning
		{withKeyring, withKeyring.env(), []string{"--demo", "auth", "first-platypus-bank"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "items", "status", "first-platypus-bank"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "items"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "items", "rotate", "first-platypus-bank-2"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "sandbox", "reset-login", "first-platypus-bank-2"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "items"}}, // the repair line
		{withKeyring, withKeyring.env(), []string{"--demo", "auth", "first-platypus-bank-2"}},
		{withKeyring, withKeyring.env(), []string{"--demo", "items", "remove", "first-platypus-bank-2", "--yes"}},
		{noBus, noBusEnv, []string{"--demo", "sandbox", "link"}},
		{noBus, noBusEnv, []string{"--demo", "sandbox", "link", "--no-save"}},
		{noBus, noBusEnv, []string{"--demo", "items"}},
	}
	for _, j := range journeys {
		stdout, stderr, _ := runBinary(t, j.dirs, j.env, j.args...)
		check(demoRun{args: j.args, output: stdout + stderr, dirs: j.dirs, env: j.env})
	}
}

// TestDemoNeverPretendsAndItsSuggestionsWork runs the demo journeys through the built binary
// and checks two promises on everything they print. The demo never speaks of billing or of
// Plaid answering: the emulator did. And every command it suggests works when pasted, in the
// directories and environment it was printed in: it starts with `plaid-onboard --demo` (the
// run's mode), and run, it exits neither with a usage error (status 2) nor for want of Plaid
// keys. "Works" allows an answer of the emulator's that the Item's state explains (exit 1
// with Plaid's error fields, e.g. ITEM_LOGIN_REQUIRED after a reset of the login). Commands
// that open Link (link, verify) are checked for their mode only: they wait for a browser.
// Suggestions with a placeholder (NAME) are templates, checked for their mode only.
func TestDemoNeverPretendsAndItsSuggestionsWork(t *testing.T) {
	requireKeyring(t)
	t.Parallel()
	ran := 0
	runDemoJourneys(t, func(r demoRun) {
		what := "plaid-onboard " + strings.Join(r.args, " ")
		if m := pretends.FindString(r.output); m != "" {
			t.Errorf("%s says %q, as if Plaid were involved:\n%s", what, m, r.output)
		}
		if nestedParens(r.output) {
			t.Errorf("%s nests parentheses:\n%s", what, r.output)
		}
		for _, m := range suggestion.FindAllStringSubmatch(r.output, -1) {
			cmd := strings.TrimRight(m[1], ".,;:")
			if !strings.HasPrefix(cmd, "plaid-onboard --demo ") {
				t.Errorf("%s suggests %q, not in the demo: pasted, it would ask for Plaid keys", what, cmd)
				continue
			}
			args := strings.Fields(strings.TrimPrefix(cmd, "plaid-onboard "))
			if placeholder.MatchString(cmd) || (len(args) > 1 && (args[1] == "link" || args[1] == "verify")) {
				continue
			}
			ran++
			stdout, stderr, code := runBinary(t, r.dirs, r.env, args...)
			if code == exitUsage || strings.Contains(stderr, "no plaid keys") || (code != 0 && !strings.Contains(stderr, "error_code:")) {
				t.Errorf("%s suggests %q; pasted, it exits %d:\n%s%s", what, cmd, code, stdout, stderr)
			}
		}
	})
	if ran < 3 {
		t.Errorf("ran %d suggested commands; the journeys suggest at least auth, set-verification-status and items status", ran)
	}
}
