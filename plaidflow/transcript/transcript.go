package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// A transcript is a timeline written as JSON Lines: one Entry per line, the session entry
// first, every entry with an RFC 3339 time and a kind. Next to it, PATH.md is the Markdown
// summary a support ticket quotes. Both are redacted (Redactor) and created with mode 0600,
// since even without secrets they name the user's bank and accounts.

// LastTranscriptName is the file in the state directory (DefaultStateDir) that keeps the last
// session's transcript, for `plaid-onboard report` without an argument.
const LastTranscriptName = "last-session.jsonl"

// DefaultStateDir is where the program keeps what it records about its own runs (the last
// session's transcript), apart from the configuration and the Item index: $XDG_STATE_HOME
// (default ~/.local/state) on Linux and the other Unix systems, the user's configuration
// directory on macOS and Windows, which have no state directory of their own; then
// plaid-onboard.
func DefaultStateDir(getenv func(string) string) (string, error) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the state directory: %w", err)
		}
		return filepath.Join(base, "plaid-onboard", "state"), nil
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "plaid-onboard"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("find the state directory: neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "plaid-onboard"), nil
}

// ErrNotTranscript is returned when a file is not a plaid-onboard transcript.
var ErrNotTranscript = errors.New("not a plaid-onboard transcript")

// WriteTranscript writes entries as JSON Lines to path and their summary to path+".md", both
// redacted by r (nil: by shape and field name only) and with mode 0600. It refuses to write
// through a symbolic link, and an existing file gets mode 0600 before anything is written.
func WriteTranscript(path string, entries []Entry, r *Redactor) error {
	if r == nil {
		r = &Redactor{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(r.Entry(e)); err != nil {
			return fmt.Errorf("write the transcript: %w", err)
		}
	}
	if err := writePrivate(path, buf.Bytes()); err != nil {
		return err
	}
	return writePrivate(path+".md", []byte(r.String(Summary(entries))))
}

// writePrivate writes data to path with mode 0600, refusing symbolic links.
func writePrivate(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("write %s: it is a symbolic link; refusing to follow it", path)
		}
		if !fi.Mode().IsRegular() {
			return &fs.PathError{Op: "write", Path: path, Err: &localfile.NotFileError{Mode: fi.Mode()}}
		}
	}
	f, err := openPrivate(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Asked again of the opened file: a FIFO put there after the Lstat would take the
	// transcript (or, with no reader, made openPrivate fail instead of wait).
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = &fs.PathError{Op: "write", Path: path, Err: &localfile.NotFileError{Mode: fi.Mode()}}
		}
		return err
	}
	// An existing file keeps its mode through O_CREATE: tighten it before the data goes in.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// SaveLastTranscript keeps entries as the last session's transcript in dir (the state
// directory), for `report` without an argument. It returns the path written.
func SaveLastTranscript(dir string, entries []Entry, r *Redactor) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keep the last session's transcript: %w", err)
	}
	path := filepath.Join(dir, LastTranscriptName)
	if err := WriteTranscript(path, entries, r); err != nil {
		return "", fmt.Errorf("keep the last session's transcript: %w", err)
	}
	return path, nil
}

// ReadTranscript reads a transcript. A file whose first line is not a session entry, or with a
// line that is not an entry, is ErrNotTranscript (wrapped with the line's number).
func ReadTranscript(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	var out []Entry
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil || e.Kind == "" || e.Time.IsZero() {
			return nil, fmt.Errorf("line %d: %w", n, ErrNotTranscript)
		}
		if len(out) == 0 && e.Kind != KindSession {
			return nil, fmt.Errorf("line %d is a %q entry, not the session entry a transcript starts with: %w", n, e.Kind, ErrNotTranscript)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the transcript: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the file is empty: %w", ErrNotTranscript)
	}
	return out, nil
}

// maxTranscriptFile bounds the transcript report reads: a long session's JSON Lines are a few
// megabytes, and the entries are all held in memory.
const maxTranscriptFile = 64 << 20

// ReadTranscriptFile reads the transcript at path. Support staff run report on files customers
// send: a FIFO, a device or a file past maxTranscriptFile is refused (localfile.Read).
func ReadTranscriptFile(path string) ([]Entry, error) {
	b, err := localfile.Read(path, maxTranscriptFile)
	if err != nil {
		return nil, err
	}
	entries, err := ReadTranscript(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

// ReadTranscriptStream reads a transcript piped in (`report -`), within the bound a file has.
func ReadTranscriptStream(r io.Reader) ([]Entry, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxTranscriptFile+1))
	if err != nil {
		return nil, fmt.Errorf("read the transcript from stdin: %w", err)
	}
	if len(b) > maxTranscriptFile {
		return nil, fmt.Errorf("the transcript on stdin is larger than %d MiB, more than a session writes: %w", maxTranscriptFile>>20, ErrNotTranscript)
	}
	entries, err := ReadTranscript(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	return entries, nil
}

// DemoNotice heads the report of a session run with --demo: its ids were made up by the
// emulator, and Plaid Support can find none of them.
const DemoNotice = "Offline demo: this session ran against plaid-onboard's built-in emulator, not Plaid. Its ids exist nowhere at Plaid: it is not for Plaid Support."

// ShownSettings is the session entry's settings as a report shows them: every value through
// sanitize.Line, since a transcript may be a file someone sent. nil when it has none.
func ShownSettings(sess Entry) *Settings {
	if sess.Settings == nil {
		return nil
	}
	s := *sess.Settings
	field := func(v *string) { *v = sanitize.Line(*v, sanitize.Field) }
	list := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = sanitize.Line(v, sanitize.Field)
		}
		return out
	}
	s.Products, s.CountryCodes = list(s.Products), list(s.CountryCodes)
	s.ClientName = sanitize.Line(s.ClientName, sanitize.Name)
	s.RedirectURI, s.APIURL = sanitize.Line(s.RedirectURI, sanitize.Message), sanitize.Line(s.APIURL, sanitize.Message)
	for _, v := range []*string{&s.ClientID, &s.Institution, &s.AuthFlow, &s.Scenario, &s.UserCustomFile, &s.UserCustomSHA256, &s.ForceError} {
		field(v)
	}
	return &s
}

// Summary is the Markdown a support ticket quotes: the program, platform, environment and
// settings, the ids Plaid Support asks for, then what happened, in order. It is built from
// entries as given; WriteTranscript and the report redact it.
func Summary(entries []Entry) string {
	var b strings.Builder
	var sess Entry
	if len(entries) > 0 && entries[0].Kind == KindSession {
		sess = entries[0]
	}
	env := sanitize.Line(sess.Environment, sanitize.Field)
	if env == "" {
		env = "unknown"
	}
	if sess.Demo {
		env += " (offline demo: the built-in emulator, not Plaid)"
	}
	fmt.Fprintf(&b, "# plaid-onboard session, %s\n\n", stamp(sess.Time))
	if sess.Demo {
		fmt.Fprintf(&b, "> **%s**\n\n", DemoNotice)
	}
	// Every value of a transcript may come from a file someone sent: each goes through
	// sanitize.Line, so the report can neither act on the terminal nor forge a line of its own.
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "- **%s**: %s\n", k, sanitize.Line(v, sanitize.Message))
		}
	}
	line("Program", strings.TrimSpace("plaid-onboard "+sess.Version))
	if sess.OS != "" {
		line("OS", sanitize.Line(sess.OS, sanitize.Field)+"/"+sanitize.Line(sess.Arch, sanitize.Field))
	}
	line("Command", code(sess.Command))
	line("Environment", env)
	if s := sess.Settings; s != nil {
		line("Products", strings.Join(s.Products, ", "))
		line("Country codes", strings.Join(s.CountryCodes, ", "))
		line("Client name", sanitize.Line(s.ClientName, sanitize.Name))
		line("client_id", code(s.ClientID))
		line("Redirect URI", s.RedirectURI)
		line("API URL (overridden)", s.APIURL)
		line("Institution", code(s.Institution))
		line("Auth flow", s.AuthFlow)
		line("Scenario", code(s.Scenario))
		if s.UserCustomFile != "" {
			digest := ""
			if s.UserCustomSHA256 != "" {
				digest = " (SHA-256 " + code(sanitize.Line(s.UserCustomSHA256, sanitize.Field)) + ")"
			}
			line("user_custom file", code(s.UserCustomFile)+digest)
		}
		if s.ForceError != "" {
			line("Forced error", code(sanitize.Line(s.ForceError, sanitize.Field))+" (force_error: this error was asked for on purpose)")
		}
	}

	ids := IDsOf(entries)
	if sess.Demo {
		b.WriteString("\n## IDs (the emulator's: unknown to Plaid)\n\n")
	} else {
		b.WriteString("\n## IDs for Plaid Support\n\n")
	}
	none := "none"
	orNone := func(v string) string {
		if v == "" {
			return none
		}
		return code(v)
	}
	fmt.Fprintf(&b, "- **link_session_id**: %s\n", orNone(ids.LinkSessionID))
	fmt.Fprintf(&b, "- **item_id**: %s\n", orNone(ids.ItemID))
	if len(ids.AccountIDs) == 0 {
		fmt.Fprintf(&b, "- **account_ids**: %s\n", none)
	} else {
		fmt.Fprintf(&b, "- **account_ids**: %s\n", codes(ids.AccountIDs))
	}
	if len(ids.RequestIDs) == 0 {
		fmt.Fprintf(&b, "- **request_ids**: %s\n", none)
	} else {
		fmt.Fprintf(&b, "- **request_ids**: %s\n", codes(ids.RequestIDs))
	}

	b.WriteString("\n## What happened\n\n")
	n := 0
	for _, e := range entries {
		if e.Kind == KindSession {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. `%s` %s\n", n, e.Time.UTC().Format("15:04:05.000"), Describe(e))
	}
	if n == 0 {
		b.WriteString("Nothing was recorded after the session started.\n")
	}
	if o := outcome(entries); o != "" {
		fmt.Fprintf(&b, "\n## Outcome\n\n%s\n", o)
	}
	return b.String()
}

// Describe is one entry as a line of text: what the summary lists and the TUI's pane shows.
// An entry may come from a file someone sent, or from a webhook anyone posted: each part goes
// through sanitize.Line, the short ones (names, ids, codes) bounded tighter than messages.
func Describe(e Entry) string {
	var parts []string
	add := func(s string) {
		if s = sanitize.Line(s, sanitize.Message); s != "" {
			parts = append(parts, s)
		}
	}
	short := func(s string) string { return sanitize.Line(s, sanitize.Field) }
	errText := func() string {
		if e.ErrorCode == "" {
			return ""
		}
		s := short(e.ErrorCode)
		if e.ErrorType != "" {
			s += " (" + short(e.ErrorType) + ")"
		}
		return s
	}
	switch e.Kind {
	case KindSession:
		add("session started: " + short(e.Environment))
	case KindAPICall:
		call := short(e.Endpoint)
		if e.Attempt > 1 {
			call += fmt.Sprintf(" (attempt %d)", e.Attempt)
		}
		if e.NetworkError != "" {
			call += " → network error: " + short(e.NetworkError)
		} else {
			call += fmt.Sprintf(" → HTTP %d", e.HTTPStatus)
		}
		add(call + " in " + millis(e.DurationMS))
		add(errText())
		if e.RequestID != "" {
			add("request_id " + short(e.RequestID))
		}
		if e.ItemID != "" {
			add("item_id " + short(e.ItemID))
		}
		if len(e.AccountIDs) > 0 {
			add(fmt.Sprintf("%d account_ids", len(e.AccountIDs)))
		}
	case KindLinkPage:
		add("Link page " + short(e.Name))
		add(short(e.URL))
		add(e.Message)
	case KindLinkEvent:
		add("Link event " + short(e.Name))
		add(metaDetail(e.Metadata))
		add(errText())
	case KindLinkExit:
		add("Link onExit")
		add(metaDetail(e.Metadata))
		add(errText())
		if e.RequestID != "" {
			add("request_id " + short(e.RequestID))
		}
		if e.LinkSessionID != "" {
			add("link_session_id " + short(e.LinkSessionID))
		}
	case KindLinkSuccess:
		add("Link onSuccess")
		add(metaDetail(e.Metadata))
		switch n := len(e.AccountIDs); {
		case n == 1:
			add("1 account")
		case n > 1:
			add(fmt.Sprintf("%d accounts", n))
		}
		if e.LinkSessionID != "" {
			add("link_session_id " + short(e.LinkSessionID))
		}
	case KindStep:
		mark := map[string]string{"done": "✓", "failed": "✗", "warning": "!", "skipped": "–", "stopped": "–"}[e.Outcome]
		add(strings.TrimSpace(mark + " " + short(e.Step)))
		add(short(e.Detail))
		add(errText())
		add(e.ErrorMessage)
		if e.RequestID != "" && !strings.Contains(e.Detail, e.RequestID) {
			add("request_id " + short(e.RequestID))
		}
		add(e.Message)
	default:
		add(e.Message)
	}
	return strings.Join(parts, " · ")
}

// metaDetail picks the Link metadata a person reads: the bank, the pane, the status.
func metaDetail(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var m struct {
		InstitutionName string `json:"institution_name"`
		ViewName        string `json:"view_name"`
		ExitStatus      string `json:"exit_status"`
		Status          string `json:"status"`
		Institution     *struct {
			Name string `json:"name"`
		} `json:"institution"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var parts []string
	if m.InstitutionName != "" {
		parts = append(parts, sanitize.Line(m.InstitutionName, sanitize.Name))
	} else if m.Institution != nil && m.Institution.Name != "" {
		parts = append(parts, sanitize.Line(m.Institution.Name, sanitize.Name))
	}
	if m.ViewName != "" {
		parts = append(parts, "view "+sanitize.Line(m.ViewName, sanitize.Field))
	}
	if s := m.ExitStatus + m.Status; s != "" {
		parts = append(parts, "status "+sanitize.Line(s, sanitize.Field))
	}
	return strings.Join(parts, " · ")
}

// outcome is the last step's word on how the session ended, or a Link exit's.
func outcome(entries []Entry) string {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		switch {
		case e.Kind == KindStep && e.Outcome != "stopped", e.Kind == KindLinkExit:
			return Describe(e)
		}
	}
	return ""
}

// millis is a duration in milliseconds as people read it: "0.4 ms", "12 ms".
func millis(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

func code(s string) string {
	if s = sanitize.Line(s, sanitize.Message); s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}
