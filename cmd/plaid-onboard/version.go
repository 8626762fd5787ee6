package main

import (
	"runtime/debug"
	"strings"
)

// Set at link time by release builds (.goreleaser.yaml's ldflags: -X main.version=... -X
// main.commit=... -X main.date=...): GoReleaser builds from a tag it knows the version of, which
// the Go toolchain's module information does not carry for a build inside a checkout.
var (
	version = ""
	commit  = ""
	date    = ""
)

// readBuildInfo is the build information the go command embedded in the binary.
func readBuildInfo() (*debug.BuildInfo, bool) { return debug.ReadBuildInfo() }

// currentVersion is what --version prints after the program's name: the stamped release
// version when there is one, else what the module's build information says.
func currentVersion() string {
	if version != "" {
		return stampedVersion(version, commit, date)
	}
	return versionString(readBuildInfo())
}

// stampedVersion is a release build's version line: "1.4.0 commit 0123456789ab 2026-11-22T08:00:00Z".
// GoReleaser's version has no leading v; the tag had one, and Go's module versions do too.
func stampedVersion(v, rev, when string) string {
	if v[0] >= '0' && v[0] <= '9' {
		v = "v" + v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	// GoReleaser says "none" for what git could not tell it (a snapshot of a clone without a
	// remote): nothing known is nothing to print.
	if known(rev) {
		v += " commit " + rev
	}
	if known(when) {
		v += " " + when
	}
	return v
}

// known reports whether a stamped value says something: GoReleaser stamps "none" and the zero
// time for what git could not tell it (a snapshot of a clone without a remote).
func known(s string) bool {
	return s != "" && s != "none" && !strings.HasPrefix(s, "0001-01-01")
}

// versionString is the version of a binary built without stamping: the module version of an
// installed binary (go install ...@v1.2.0), else "(devel)" with the commit's time, then the
// commit when the build recorded one, marked when the tree had local changes.
func versionString(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "(unknown: built without module information)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "(devel)"
		if t := settings["vcs.time"]; t != "" {
			v += " " + t
		}
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " commit " + rev
		if settings["vcs.modified"] == "true" {
			v += " (modified)"
		}
	}
	return v
}
