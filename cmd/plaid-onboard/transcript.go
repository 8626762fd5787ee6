package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Every command that talks to Plaid, and the terminal UI, records its session on a
// transcript.Timeline: the Plaid client's calls, Link's callbacks, the journey's steps. When the
// session ends, the timeline is written, redacted, to --transcript PATH (with PATH.md beside it)
// and always to the state directory as the last session's, for `report`.

// newTimeline starts a session's timeline with the facts a support engineer needs first: the
// program and platform, the command, the environment and the settings in force.
func newTimeline(d deps, command string, cfg config.Config) *transcript.Timeline {
	tl := transcript.NewTimeline(d.Now)
	settings := transcript.SettingsOf(cfg)
	if cfg.Demo {
		settings.APIURL = "" // the built-in emulator's port of this run says nothing
	}
	cmd := "plaid-onboard " + command
	if command == "" {
		cmd = "plaid-onboard (terminal UI)"
	}
	tl.Start(transcript.Entry{
		Program:     "plaid-onboard",
		Version:     versionString(readBuildInfo()),
		OS:          runtime.GOOS,
		Arch:        runtime.GOARCH,
		Command:     cmd,
		Environment: string(cfg.Env),
		Demo:        cfg.Demo,
		Settings:    &settings,
	}, cfg.Secret)
	return tl
}

// recordLinkUpdate puts what the Link page reports on the timeline.
func recordLinkUpdate(tl *transcript.Timeline, u linkpage.Update) {
	tl.RecordLink(transcript.LinkRecord(u.Record()))
}

// checkTranscriptPath refuses, before anything runs, a --transcript path that cannot be
// written: a symbolic link (it is not followed), a directory, a folder that does not exist.
func checkTranscriptPath(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			return usagef("--transcript %s is a symbolic link: it is not followed; give the file's own path", path)
		case fi.IsDir():
			return usagef("--transcript %s is a directory: give a file name", path)
		}
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("--transcript %s: the folder %s does not exist", path, filepath.Dir(path))
	}
	return nil
}

// writeTranscripts writes the session's timeline to --transcript PATH (saying where on stderr)
// and keeps it as the last session's in the state directory. A failure is said, not fatal: the
// command's own outcome matters more. The last session's copy is kept in the state directory,
// not beside the Item index: it is a record of the run, never a place where an Item is saved.
func writeTranscripts(d deps, path string, tl *transcript.Timeline) {
	if tl == nil {
		return
	}
	entries := tl.Entries()
	if path != "" {
		if err := transcript.WriteTranscript(path, entries, tl.Redactor()); err != nil {
			fmt.Fprintf(d.Stderr, "could not write the transcript: %v\n", err)
		} else {
			fmt.Fprintf(d.Stderr, "Transcript: %s (%d entries; summary %s.md)\n", path, len(entries), path)
		}
	}
	if len(entries) <= 1 || d.StateDir == nil {
		return // nothing happened: the last session worth a report stays
	}
	dir, err := d.StateDir()
	if err == nil {
		_, err = transcript.SaveLastTranscript(dir, entries, tl.Redactor())
	}
	if err != nil {
		fmt.Fprintf(d.Stderr, "could not keep this session's transcript for `plaid-onboard report`: %v\n", err)
	}
}
