package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// The session's timeline on the Link and results screens: under the screen, the ids Plaid
// Support asks for (link_session_id, the last request_id), always visible with a key to copy
// them; T opens a scrollable pane with every Plaid call, Link event and step so far; t saves
// the whole timeline as a transcript (redacted JSON Lines and its Markdown summary). The root
// owns it, so the two screens need not know of it.

// timelinePane is the ids and the pane.
type timelinePane struct {
	c    *common
	keys timelineKeys

	entries []transcript.Entry // the timeline as last read
	ids     transcript.IDs
	open    bool
	offset  int    // entries scrolled back from the newest
	rows    int    // entries the open pane shows (SetHeight)
	reveal  bool   // the pane just opened: the root scrolls it into view
	lang    string // the language C copies a call's code in (timeline_code.go)
	pick    int    // the call C copies, counted back from the newest
}

func newTimelinePane(c *common) *timelinePane {
	p := &timelinePane{c: c, keys: newTimelineKeys(), lang: c.deps.CodeLang}
	p.updateKeys(false)
	return p
}

// timelineChangedMsg: entries were added to the session's timeline.
type timelineChangedMsg struct{}

// transcriptSavedMsg: t wrote the transcript (or could not).
type transcriptSavedMsg struct {
	path    string
	entries int
	err     error
}

// idCopiedMsg: an id was sent to the clipboard.
type idCopiedMsg struct{ what string }

// waitForTimeline waits for the timeline to grow; the root issues it again after each change.
func waitForTimeline(ctx context.Context, ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-ch:
			return timelineChangedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// recordLink puts what a Link page reports on the session's timeline.
func recordLink(tl *transcript.Timeline, u linkpage.Update) {
	tl.RecordLink(transcript.LinkRecord(u.Record()))
}

// transcriptPath is where t saves: --transcript PATH, else a new file in the program's state
// directory (beside the last session's transcript that `report` reads), never the working
// directory, which may be the user's repository.
func (d *Deps) transcriptPath(now time.Time) (string, error) {
	if d.TranscriptPath != "" {
		return d.TranscriptPath, nil
	}
	dir, err := transcript.DefaultStateDir(d.Getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "plaid-onboard-"+now.Format("20060102-150405")+".jsonl"), nil
}

// saveTranscript writes the timeline to the path t saves to, off the UI thread.
func saveTranscript(d *Deps, tl *transcript.Timeline, now time.Time) tea.Cmd {
	return func() tea.Msg {
		entries := tl.Entries()
		path, err := d.transcriptPath(now)
		if err != nil {
			return transcriptSavedMsg{err: err}
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if d.TranscriptPath == "" {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return transcriptSavedMsg{path: path, err: err}
			}
		}
		return transcriptSavedMsg{path: path, entries: len(entries), err: transcript.WriteTranscript(path, entries, tl.Redactor())}
	}
}

// copyID sends an id to the clipboard through the one copy mechanism (OSC 52).
func copyID(c *common, id, what string) tea.Cmd {
	send := sendToClipboard(c.deps.Out, c.deps.Getenv, id, what)
	return func() tea.Msg {
		switch msg := send().(type) {
		case clipboardSentMsg:
			return idCopiedMsg(msg)
		default:
			return msg
		}
	}
}

func (p *timelinePane) updateKeys(on bool) {
	k := &p.keys
	k.Toggle.SetEnabled(on)
	k.Save.SetEnabled(on)
	k.CopyIDs.SetEnabled(on && (p.linkSessionID() != "" || p.ids.LastRequestID != ""))
	k.Up.SetEnabled(on && p.open)
	k.Down.SetEnabled(on && p.open)
	k.Close.SetEnabled(on && p.open)
	k.CopyCode.SetEnabled(on && p.open && p.chosenCall() >= 0)
	k.CodeLang.SetEnabled(on && p.open && p.chosenCall() >= 0)
	k.CopyCode.SetHelp("C", "copy call as "+p.codeLang())
	if p.open {
		k.Toggle.SetHelp("T", "close timeline")
	} else {
		k.Toggle.SetHelp("T", "timeline")
	}
}

// linkSessionID is the link_session_id of the journey on show: the last one on the timeline
// since it began ("" when it has none yet, or none at all: common.linkNone says why). An
// earlier journey's (a repair in update mode, a Link page left for the Sandbox shortcut) is
// not this one's, and Plaid Support given it would look at the wrong session.
func (p *timelinePane) linkSessionID() string {
	for i := len(p.entries) - 1; i >= p.c.linkFrom && i >= 0; i-- {
		if id := p.entries[i].LinkSessionID; id != "" {
			return id
		}
	}
	return ""
}

// changed reads the timeline again.
func (p *timelinePane) changed() {
	p.entries = p.c.deps.Timeline.Entries()
	p.ids = transcript.IDsOf(p.entries)
	if p.offset > 0 {
		p.offset = min(p.offset+1, p.maxOffset()) // keep the rows in view where they were
	}
}

// SetHeight sizes the open pane for a body h rows tall.
func (p *timelinePane) SetHeight(h int) {
	p.rows = paneRows(h)
	p.offset = min(p.offset, p.maxOffset())
}

// maxOffset scrolls back until the oldest entry is at the top of a full pane.
func (p *timelinePane) maxOffset() int { return max(len(p.entries)-p.rows, 0) }

// handleKey answers the pane's keys; handled is false for the keys the screen should get.
func (p *timelinePane) handleKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := p.keys
	switch {
	case key.Matches(msg, k.Toggle):
		p.open, p.offset, p.reveal, p.pick = !p.open, 0, !p.open, 0
		return nil, true
	case key.Matches(msg, k.Close):
		p.open = false
		return nil, true
	case key.Matches(msg, k.Up):
		if !p.movePick(+1) {
			p.offset = min(p.offset+1, p.maxOffset())
		}
		return nil, true
	case key.Matches(msg, k.Down):
		if !p.movePick(-1) {
			p.offset = max(p.offset-1, 0)
		}
		return nil, true
	case key.Matches(msg, k.Save):
		p.c.setStatus(statusInfo, "Saving the transcript…")
		return saveTranscript(&p.c.deps, p.c.deps.Timeline, p.c.now()), true
	case key.Matches(msg, k.CopyCode):
		return p.copyCode(), true
	case key.Matches(msg, k.CodeLang):
		return p.nextLang(), true
	case key.Matches(msg, k.CopyIDs):
		text, what := p.idsText()
		return copyID(p.c, text, what), true
	}
	return nil, false
}

// idsText is what I copies: the ids known so far, labelled, on one line to paste into a
// ticket, and how the status line names them.
func (p *timelinePane) idsText() (text, what string) {
	var parts, names []string
	if id := p.linkSessionID(); id != "" {
		parts, names = append(parts, "link_session_id "+id), append(names, "the link_session_id "+id)
	}
	if id := p.ids.LastRequestID; id != "" {
		parts, names = append(parts, "request_id "+id), append(names, "the request_id "+id)
	}
	return strings.Join(parts, " "), strings.Join(names, " and ")
}

// saved says on the status line where t wrote the transcript: the whole path (with ~ for the
// home directory), so it can be attached to a ticket or given to `report`.
func (p *timelinePane) saved(msg transcriptSavedMsg) {
	if msg.err != nil {
		p.c.setStatus(statusBad, "Could not save the transcript: "+msg.err.Error())
		return
	}
	path := homeTilde(msg.path, p.c.deps.Getenv("HOME"))
	p.c.setStatus(statusOK, fmt.Sprintf("Saved the transcript (%s, redacted) to %s and its summary beside it (.md)", entriesWord(msg.entries), path))
}

// homeTilde writes a path under the home directory with ~, as a shell takes it back.
func homeTilde(path, home string) string {
	if home == "" || home == "/" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, strings.TrimSuffix(home, "/")+"/"); ok {
		return "~/" + rest
	}
	return path
}

func entriesWord(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

// paneRows is how many entries the open pane shows for a window h rows tall.
func paneRows(h int) int { return min(max(h/3, 3), 12) }

// IDs draws the two ids Plaid Support asks for, w cells wide. The root pins them above the
// footer, outside the scrolling body, so they stay visible however long the screen is.
func (p *timelinePane) IDs(w int) string {
	st := p.c.styles
	id := func(label, v string, withKey bool) string {
		if v == "" {
			none := "none yet"
			if label == "link_session_id" && p.c.linkNone != "" {
				none = "none: " + p.c.linkNone
			}
			return truncate(st.Muted.Render(label+"  ")+st.Faint.Render(none), w)
		}
		line := st.Muted.Render(label+"  ") + v
		if !withKey {
			return truncate(line, w)
		}
		line += st.Faint.Render("  ") + st.Key.Render("I")
		if full := line + st.Faint.Render(" copies both"); lipgloss.Width(full) <= w {
			return full
		}
		return truncate(line, w) // the key stays when the words do not fit
	}
	// The key goes on the first id there is: it copies both.
	session := p.linkSessionID()
	first := session != ""
	return id("link_session_id", session, first) + "\n" + id("last request_id", p.ids.LastRequestID, !first)
}

// View draws the pane when it is open, w cells wide ("" when it is closed).
func (p *timelinePane) View(w int) string {
	st := p.c.styles
	var lines []string
	if !p.open {
		return strings.Join(lines, "\n")
	}
	n := len(p.entries)
	end := max(n-p.offset, 0)
	start := max(end-p.rows, 0)
	head := st.Heading.Render("Timeline") + st.Faint.Render(fmt.Sprintf("  %s · %d–%d", entriesWord(n), min(start+1, n), end))
	if p.offset > 0 {
		head += st.Faint.Render(fmt.Sprintf(" · %d newer below", p.offset))
	}
	lines = append(lines, "", truncate(head, w))
	chosen := p.chosenCall()
	for i, e := range p.entries[start:end] {
		at := e.Time.Format("15:04:05")
		gap := st.Faint.Render(" ")
		if start+i == chosen {
			gap = st.Key.Render("›") // C copies this call: marked in the gap, so no column moves
		}
		text := transcript.Describe(e)
		style := st.Muted
		switch {
		case e.ErrorCode != "" || e.Outcome == "failed" || e.NetworkError != "" || e.HTTPStatus >= 400:
			style = st.Bad
		case e.Kind == transcript.KindLinkSuccess || e.Outcome == "done":
			style = st.OK
		case e.Kind == transcript.KindLinkEvent:
			style = st.Accent
		}
		lines = append(lines, truncate(st.Faint.Render(at)+gap+style.Render(text), w))
	}
	if n == 0 {
		lines = append(lines, st.Faint.Render("  nothing yet"))
	}
	return strings.Join(lines, "\n")
}

// withTimeline adds the pane's keys to a screen's help.
type withTimeline struct {
	help.KeyMap
	p *timelinePane
}

// ShortHelp implements help.KeyMap: the screen's keys come first, then the pane's.
func (h withTimeline) ShortHelp() []key.Binding {
	k := h.p.keys
	if h.p.open {
		// The pane has the arrows: say so first.
		out := []key.Binding{withHelp(k.Up, "↑/↓", "scroll timeline"), k.CopyCode, k.CodeLang, k.Toggle}
		for _, b := range h.KeyMap.ShortHelp() {
			if !strings.Contains(b.Help().Key, "↑") { // the screen's arrows wait until the pane closes
				out = append(out, b)
			}
		}
		return out
	}
	return append(h.KeyMap.ShortHelp(), k.Toggle, k.Save, k.CopyIDs)
}

// FullHelp implements help.KeyMap.
func (h withTimeline) FullHelp() [][]key.Binding {
	k := h.p.keys
	return append(h.KeyMap.FullHelp(),
		[]key.Binding{withHelp(k.Toggle, "T", "open / close the timeline"), k.Up, k.Down, k.Close, k.CopyCode, withHelp(k.CodeLang, "g", "next code language (remembered)")},
		[]key.Binding{withHelp(k.Save, "t", "save the transcript (redacted)"), withHelp(k.CopyIDs, "I", "copy link_session_id and request_id")})
}
