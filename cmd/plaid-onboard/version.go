package main

import (
	"runtime/debug"
)

// readBuildInfo is the build information the go command embedded in the binary.
func readBuildInfo() (*debug.BuildInfo, bool) { return debug.ReadBuildInfo() }

// versionString is what --version prints after the program's name: the module version of an
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
