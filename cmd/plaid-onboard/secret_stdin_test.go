package main

import (
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// TestSecretStdin: --secret-stdin takes the secret from the first line of stdin (trimmed), so it
// never shows in `ps`; it is refused with --secret, with an empty stdin and in the terminal UI.
func TestSecretStdin(t *testing.T) {
	t.Parallel()
	t.Run("the secret on stdin is the one used", func(t *testing.T) {
		te := newTestEnv(t)
		te.useFakePlaid(t)
		delete(te.environ, "PLAID_SECRET")
		te.d.Stdin = strings.NewReader("  " + emulator.DemoSecret + " \nnext line\n")
		te.mustRun(t, exitOK, "sandbox", "link", "--no-save", "--secret-stdin")
	})
	t.Run("a wrong secret on stdin is refused by Plaid", func(t *testing.T) {
		te := newTestEnv(t)
		te.useFakePlaid(t)
		delete(te.environ, "PLAID_SECRET")
		te.d.Stdin = strings.NewReader("not-the-secret\n")
		te.mustRun(t, exitFailure, "sandbox", "link", "--no-save", "--secret-stdin")
	})
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"with --secret too", "s\n", []string{"sandbox", "link", "--secret", "x", "--secret-stdin"}, "--secret and --secret-stdin"},
		{"with nothing on stdin", "\n", []string{"sandbox", "link", "--secret-stdin"}, "stdin gave no secret"},
		{"in the terminal UI", "s\n", []string{"--secret-stdin"}, "the terminal UI reads stdin as the terminal"},
		{"with --demo", "s\n", []string{"--demo", "sandbox", "link", "--secret-stdin"}, "--demo brings its own keys"},
	} {
		t.Run("refused "+tc.name, func(t *testing.T) {
			te := newTestEnv(t)
			te.d.Stdin = strings.NewReader(tc.stdin)
			if code := te.run(tc.args...); code != exitUsage || !strings.Contains(te.stderr.String(), tc.want) {
				t.Fatalf("exit %d, want 2 saying %q; stderr:\n%s", code, tc.want, te.stderr)
			}
		})
	}
	t.Run("the help of --secret warns about ps", func(t *testing.T) {
		te := newTestEnv(t)
		te.run("sandbox", "link", "--help")
		if out := te.stdout.String(); !strings.Contains(out, "read it with ps") || !strings.Contains(out, "--secret-stdin") {
			t.Fatalf("sandbox link --help does not warn that --secret shows in ps nor offer --secret-stdin:\n%s", out)
		}
	})
}
