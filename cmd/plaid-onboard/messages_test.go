package main

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// helpWidth is the widest line a --help may print: wider lines wrap mid-word in an 80- or
// 100-column terminal, and a 681-character list of processors is unreadable.
const helpWidth = 100

// Every --help, of every command, fits in 100 columns.
func TestEveryHelpLineFitsIn100Columns(t *testing.T) {
	t.Parallel()
	root := newRootCmd(&app{})
	root.InitDefaultCompletionCmd()
	var paths [][]string
	walkCommands(root, func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		paths = append(paths, strings.Fields(strings.TrimPrefix(c.CommandPath(), "plaid-onboard")))
	})
	if len(paths) < 25 {
		t.Fatalf("found %d commands; the tree has more", len(paths))
	}
	for _, p := range paths {
		te := newTestEnv(t)
		args := append(append([]string{}, p...), "--help")
		out := te.mustRun(t, exitOK, args...)
		for i, line := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(line); w > helpWidth {
				t.Errorf("plaid-onboard %s: line %d is %d columns wide:\n%s", strings.Join(args, " "), i+1, w, line)
			}
		}
	}
}

// The root help names --secret-stdin, the way to give the secret that ps cannot show.
func TestRootHelpNamesSecretStdin(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	wantAll(t, "plaid-onboard --help", te.mustRun(t, exitOK, "--help"), "--secret-stdin")
}

// A shell cobra cannot complete for is a usage error naming the shells it can, not help and 0.
func TestCompletionForAnUnknownShellFails(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	if code := te.run("completion", "tcsh"); code != exitUsage {
		t.Fatalf("completion tcsh: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, te.stdout, te.stderr)
	}
	wantAll(t, "completion tcsh's error", te.stderr.String(), `"tcsh"`, "bash", "zsh", "fish", "powershell")
	if te.stdout.Len() != 0 {
		t.Errorf("completion tcsh printed on stdout (a script sourcing it would run that):\n%s", te.stdout)
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		te.mustRun(t, exitOK, "completion", shell)
	}
}

// Without keys, doctor says the offline demo works without any, as the command to run.
func TestDoctorWithoutKeysSuggestsTheDemo(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.d.Secrets = failingKeyring{}
	te.run("doctor", "--timeout", "2s")
	wantAll(t, "doctor without keys", te.stdout.String(), "The offline demo needs none: plaid-onboard --demo (the terminal UI) or plaid-onboard --demo doctor")
}

// nestedParens finds "((" or "))": an aside inside an aside, such as
// "(no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set))", which reads as a typo.
func nestedParens(s string) bool { return strings.Contains(s, "((") || strings.Contains(s, "))") }

// No message the program prints without a keyring nests parentheses: the errors of the keyring
// and of the demo are wrapped in asides by several callers.
func TestNoMessageNestsParentheses(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--demo", "sandbox", "link"},
		{"--demo", "sandbox", "link", "--json"},
		{"--demo", "doctor", "--timeout", "5s"},
		{"--demo", "whoami"},
		{"--demo", "items"},
		{"--demo", "auth"},
		{"doctor", "--timeout", "2s"},
	} {
		te := newTestEnv(t)
		te.d.Secrets = failingKeyring{}
		te.run(args...)
		if out := te.stdout.String() + te.stderr.String(); nestedParens(out) {
			t.Errorf("plaid-onboard %s nests parentheses:\n%s", strings.Join(args, " "), out)
		}
	}
}

// The link command's Link events on stderr are a table: whatever the event's name, its detail
// starts in the same column.
func TestLinkEventLinesAreAligned(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 6, 14, 2, 11, 0, time.UTC)
	events := []linkpage.Event{
		{Kind: linkpage.KindEvent, Received: at, Name: "OPEN", Metadata: &linkpage.EventMetadata{ViewName: "CONSENT"}},
		{Kind: linkpage.KindEvent, Received: at, Name: "SELECT_INSTITUTION", Metadata: &linkpage.EventMetadata{InstitutionName: "First Platypus Bank"}},
		{Kind: linkpage.KindEvent, Received: at, Name: "TRANSITION_VIEW", Metadata: &linkpage.EventMetadata{ViewName: "CREDENTIAL"}},
		{Kind: linkpage.KindEvent, Received: at, Name: "HANDOFF", Metadata: &linkpage.EventMetadata{ViewName: "CONNECTED"}},
	}
	col := -1
	for _, ev := range events {
		line := linkEventLine(ev)
		d := ev.Detail()
		i := strings.Index(line, d)
		if d == "" || i < 0 {
			t.Fatalf("%s: the line %q lacks the detail %q", ev.Name, line, d)
		}
		if col == -1 {
			col = i
		}
		if i != col {
			t.Errorf("%s: the detail starts at column %d, the first event's at %d:\n%q", ev.Name, i, col, line)
		}
	}
	if line := linkEventLine(linkpage.Event{Kind: linkpage.KindEvent, Received: at, Name: "EXIT"}); strings.HasSuffix(line, " ") {
		t.Errorf("an event with no detail ends in spaces: %q", line)
	}
}
