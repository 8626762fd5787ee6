package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

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
	if code := te.run("--version"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	out := te.stdout.String()
	if !strings.HasPrefix(out, "plaid-onboard ") || strings.Count(out, "\n") != 1 || strings.Contains(out, " dev\n") {
		t.Errorf("--version printed %q, want one line: plaid-onboard VERSION", out)
	}
	if want := "plaid-onboard " + versionString(readBuildInfo()) + "\n"; out != want {
		t.Errorf("--version = %q, want %q", out, want)
	}
}
