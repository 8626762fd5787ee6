package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// The man page documents every command the binary has, with its flags and the exit statuses,
// and is roff that groff renders without a single warning.
func TestManPage(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "man")
	page := te.stdout.String()
	if !strings.HasPrefix(page, `.TH "PLAID\-ONBOARD" "1"`) {
		t.Errorf("the page does not start with its .TH header:\n%.200s", page)
	}
	root := newRootCmd(&app{d: te.d})
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() {
				continue
			}
			if want := `.SS "` + escape(sub.CommandPath()) + `"`; !strings.Contains(page, want) {
				t.Errorf("the man page has no section for %q", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
	for _, want := range []string{`\fB\-\-demo\fR`, `\fB\-\-timeout\fR \fIduration\fR`, `10 keys, 11 api, 12 keys\-accepted`, "130 interrupted", `.SH "FILES"`, "items.json"} {
		if !strings.Contains(page, want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
	if strings.Contains(page, `.SS "plaid\-onboard man"`) {
		t.Errorf("the hidden man command documents itself")
	}

	groff, err := exec.LookPath("groff")
	e2etest.Require(t, "groff, to render the man page (apt-get install groff-base)", err == nil)
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww")
	cmd.Stdin = strings.NewReader(page)
	var out, warnings bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &warnings
	if err := cmd.Run(); err != nil || warnings.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, warnings.String())
	}
	// What a reader sees, with groff's bold and underline overstrikes taken out.
	text := regexp.MustCompile(".\b").ReplaceAllString(out.String(), "")
	for _, want := range []string{"plaid-onboard - connect a bank account through Plaid", "plaid-onboard doctor [flags]", "--no-browser", "Plaid's base URL", "10 keys, 11 api, 12 keys-accepted, 13 redirect-uri, 14 keyring, 15 browser"} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
}

// A release build stamps its version with the ldflags of .goreleaser.yaml, and --version and the
// man page print it: the test builds with the configuration's own ldflags, so renaming a
// variable on either side fails here rather than in a release.
func TestReleaseLdflagsStampTheVersion(t *testing.T) {
	t.Parallel()
	cfg, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*- (-s -w -X main\.version=.*)$`).FindSubmatch(cfg)
	if m == nil {
		t.Fatalf(".goreleaser.yaml has no ldflags line setting main.version")
	}
	ldflags := strings.NewReplacer(
		"{{ .Version }}", "1.4.0",
		"{{ .FullCommit }}", "0123456789abcdef0123456789abcdef01234567",
		"{{ .CommitDate }}", "2026-11-20T08:00:00Z",
	).Replace(string(m[1]))
	if strings.Contains(ldflags, "{{") {
		t.Fatalf("the ldflags use a template this test does not fill: %s", ldflags)
	}
	bin := filepath.Join(t.TempDir(), "plaid-onboard")
	// Without the release's -trimpath and CGO_ENABLED=0, which would recompile every package
	// (minutes on a cold cache): -X, -s and -w change only the link.
	build := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build with the release ldflags: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "plaid-onboard v1.4.0 commit 0123456789ab 2026-11-20T08:00:00Z\n"; got != want {
		t.Errorf("--version of a release build = %q, want %q", got, want)
	}
	page, err := exec.Command(bin, "man").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := `.TH "PLAID\-ONBOARD" "1" "2026\-11\-20" "plaid\-onboard v1.4.0 commit 0123456789ab 2026\-11\-20T08:00:00Z"`; !strings.Contains(string(page), want) {
		t.Errorf("the man page's header is not stamped: want %s in\n%.300s", want, page)
	}
}

func TestStampedVersion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ v, commit, date, want string }{
		{"1.4.0", "0123456789abcdef", "2026-11-20T08:00:00Z", "v1.4.0 commit 0123456789ab 2026-11-20T08:00:00Z"},
		{"v2.0.0-rc.1", "", "", "v2.0.0-rc.1"},
		{"1.4.1-snapshot+abc1234", "abc1234", "", "v1.4.1-snapshot+abc1234 commit abc1234"},
		{"0.0.1-snapshot+none", "none", "0001-01-01T00:00:00Z", "v0.0.1-snapshot+none"},
	} {
		if got := stampedVersion(tt.v, tt.commit, tt.date); got != tt.want {
			t.Errorf("stampedVersion(%q, %q, %q) = %q, want %q", tt.v, tt.commit, tt.date, got, tt.want)
		}
	}
}

func TestVersionString(t *testing.T) {
	t.Parallel()
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install at a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"a tag with its commit", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: vcs("0123456789abcdef0123", "2025-06-01T10:00:00Z", "false")},
			"v1.2.0 commit 0123456789ab"},
		{"a local build with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "2025-06-01T10:00:00Z", "true")},
			"(devel) 2025-06-01T10:00:00Z commit 0123456789ab (modified)"},
		{"a local build without VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"no build information", nil, "(unknown: built without module information)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionString(tt.info, tt.info != nil); got != tt.want {
				t.Errorf("versionString = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--version")
	out := te.stdout.String()
	if !strings.HasPrefix(out, "plaid-onboard ") || strings.Count(out, "\n") != 1 || strings.Contains(out, " dev\n") {
		t.Errorf("--version printed %q, want one line: plaid-onboard VERSION", out)
	}
	if want := "plaid-onboard " + versionString(readBuildInfo()) + "\n"; out != want {
		t.Errorf("--version = %q, want %q", out, want)
	}
}
