package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// newReportCmd is `report`: the Markdown summary of a session, for a support ticket. The keys
// of its flags are those whose secret is redacted again.
func newReportCmd(a *app) *cobra.Command {
	o := &keysJSONFlags{}
	cmd := &cobra.Command{
		Use:   "report [TRANSCRIPT]",
		Short: "Print the Markdown summary of a session's transcript, for a support ticket",
		Long: `Prints the Markdown summary of a transcript written with --transcript PATH (or by t in the
terminal UI): the program version, OS, environment and the settings in force (products,
country codes, redirect URI, API URL when overridden), the ids Plaid Support asks for
(link_session_id, item_id, account_ids, request_ids), then what happened, in order.

With - it reads the transcript from stdin (a file a customer sent, piped in: curl … | plaid-onboard
report -); a file name must be a regular file. Without TRANSCRIPT it reports the last session: every command that calls Plaid, and the
terminal UI, keeps its transcript as last-session.jsonl in the state directory
($XDG_STATE_HOME/plaid-onboard, by default ~/.local/state/plaid-onboard).

The summary is redacted like the transcript: no client secret, access, public or processor
token, and no full account number or IBAN (their last 4 characters stay). With --json it
prints {"environment", "demo", "notice", "settings", "transcript", "session", "ids", "entries",
"summary"}.

The settings include what shaped Plaid's answers: the Sandbox institution, the Auth flow, the
scenario, the user_custom file (its name and SHA-256, not its contents) and the forced error.
A report of an offline demo (--demo) says at its top that the emulator answered, not Plaid, and
that it is not for Plaid Support.`,
		Example: `  plaid-onboard report
  plaid-onboard sandbox link --transcript session.jsonl && plaid-onboard report session.jsonl
  plaid-onboard report session.jsonl --json | jq .ids
  gunzip -c ticket-1234.jsonl.gz | plaid-onboard report -`,
		Args: maxArgs(1, "one transcript file"),
		RunE: a.runE(func(_ context.Context, args []string) error { return a.runReport(o, args) }),
	}
	addPlaidFlags(a, cmd, &o.keys)
	addJSONFlag(cmd, &o.json)
	return cmd
}

// reportDocument is report --json.
type reportDocument struct {
	// Environment and Demo are the session's, as in every JSON document of the program.
	Environment string `json:"environment"`
	Demo        bool   `json:"demo"`
	// Notice says a demo's session is the emulator's and not for Plaid Support.
	Notice string `json:"notice,omitempty"`
	// Settings are the session's settings in force, cleaned for showing (what the summary
	// lists): the scenario, user_custom file, forced error, Auth flow and institution among them.
	Settings   *transcript.Settings `json:"settings,omitempty"`
	Transcript string               `json:"transcript"`
	Session    transcript.Entry     `json:"session"`
	IDs        transcript.IDs       `json:"ids"`
	Entries    []transcript.Entry   `json:"entries"`
	Summary    string               `json:"summary"`
}

func (a *app) runReport(o *keysJSONFlags, args []string) error {
	entries, path, err := a.readTranscriptArg("report", args)
	if err != nil {
		return err
	}
	// A transcript is redacted when written; this redacts again, in case the file was written by
	// hand or by an older version, and learns the secret in force now, if any.
	red := &transcript.Redactor{}
	if cfg, err := offlineConfig(a.d, o.keys); err == nil {
		red.Learn("token", cfg.Secret)
	}
	for i := range entries {
		entries[i] = red.Entry(entries[i])
	}
	summary := red.String(transcript.Summary(entries))
	if o.json {
		doc := reportDocument{Environment: entries[0].Environment, Demo: entries[0].Demo, Settings: transcript.ShownSettings(entries[0]),
			Transcript: path, Session: entries[0], IDs: transcript.IDsOf(entries), Entries: entries, Summary: summary}
		if doc.Demo {
			doc.Notice = transcript.DemoNotice
		}
		return printJSON(a.d.Stdout, doc)
	}
	// The summary's values went through sanitize.Line; the file's name may be as hostile.
	fmt.Fprintf(a.d.Stdout, "%s\n_Transcript: %s_\n", summary, sanitize.Line(path, sanitize.Message))
	return nil
}

// readTranscriptArg reads the transcript a command names: a file, - for stdin, or none for the
// last session's. It returns the entries and the path to show.
func (a *app) readTranscriptArg(command string, args []string) ([]transcript.Entry, string, error) {
	path := ""
	if len(args) == 1 {
		path = args[0]
	} else {
		dir, err := a.d.StateDir()
		if err != nil {
			return nil, "", err
		}
		path = filepath.Join(dir, transcript.LastTranscriptName)
	}
	var entries []transcript.Entry
	var err error
	if path == "-" {
		if f, ok := a.d.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return nil, "", usagef("%s - reads a transcript piped in (… | plaid-onboard %s -); stdin is this terminal", command, command)
		}
		path = "(stdin)"
		entries, err = transcript.ReadTranscriptStream(a.d.Stdin)
	} else {
		entries, err = transcript.ReadTranscriptFileAnyForm(path) // gzipped too, as tickets attach it
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(args) == 0:
		return nil, "", fmt.Errorf("no session recorded yet (%s does not exist): every command that calls Plaid keeps its transcript there; or give a transcript written with --transcript PATH", path)
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("no transcript at %s", path)
	case errors.Is(err, transcript.ErrNotTranscript):
		return nil, "", fmt.Errorf("%w (a transcript is the JSON Lines file written by --transcript PATH; its summary is PATH.md)", err)
	case err != nil:
		return nil, "", fmt.Errorf("read the transcript: %w", err)
	}
	return entries, path, nil
}
