package tui

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

const (
	testLinkSessionID = "3f1c9a2e-7b4d-4c1e-9a8f-2d6b5e0c7a91"
	testLastRequestID = "Kq7ZpW2mXr9TbLe"
)

// recordSession puts a short Link session on the model's timeline, at fixed times, as the
// client's transport and the Link page would, and tells the model.
func recordSession(m *Model) {
	tl := m.c.deps.Timeline
	tl.Add(transcript.Entry{Time: at(0), Kind: transcript.KindAPICall, Endpoint: "/link/token/create", HTTPStatus: 200, Attempt: 1, DurationMS: 41, RequestID: "Lt3mQ8vN1pRx5Ya"})
	tl.RecordLink(transcript.LinkRecord{At: at(1), Kind: transcript.KindLinkEvent, Name: "OPEN", Metadata: json.RawMessage(`{"view_name":"CONSENT","link_session_id":"` + testLinkSessionID + `"}`)})
	tl.RecordLink(transcript.LinkRecord{At: at(11), Kind: transcript.KindLinkEvent, Name: "SELECT_INSTITUTION", Metadata: json.RawMessage(`{"institution_name":"First Platypus Bank","link_session_id":"` + testLinkSessionID + `"}`)})
	tl.RecordLink(transcript.LinkRecord{At: at(21), Kind: transcript.KindLinkEvent, Name: "HANDOFF", Metadata: json.RawMessage(`{"link_session_id":"` + testLinkSessionID + `"}`)})
	tl.RecordLink(transcript.LinkRecord{At: at(21), Kind: transcript.KindLinkSuccess, Name: "onSuccess",
		Metadata: json.RawMessage(`{"institution":{"name":"First Platypus Bank","institution_id":"ins_109508"},"accounts":[{"id":"vzeNDwK7KQIm4yEog683uElbp9GRLEFXGK98D","mask":"0000"}],"link_session_id":"` + testLinkSessionID + `"}`)})
	tl.Add(transcript.Entry{Time: at(22), Kind: transcript.KindAPICall, Endpoint: "/item/public_token/exchange", HTTPStatus: 200, Attempt: 1, DurationMS: 88, RequestID: "Ex9bT4kLm2QwZs7", ItemID: "M5eVJqLnv3tbzdLDqr3pXmVjR6KQm9Fk9aN8e"})
	tl.Add(transcript.Entry{Time: at(22), Kind: transcript.KindAPICall, Endpoint: "/auth/get", HTTPStatus: 503, Attempt: 1, DurationMS: 12, ErrorType: "API_ERROR", ErrorCode: "PLANNED_MAINTENANCE", RequestID: "Ra1nD0mReq1dAbc"})
	tl.Add(transcript.Entry{Time: at(23), Kind: transcript.KindAPICall, Endpoint: "/auth/get", HTTPStatus: 200, Attempt: 2, DurationMS: 130, RequestID: testLastRequestID})
	m.Update(timelineChangedMsg{})
}

var timelineGoldenStates = []goldenState{
	{"link_ids", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		recordSession(m)
		return m
	}},
	{"link_timeline_open", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		recordSession(m)
		m.Update(press("T"))
		return m
	}},
	{"results_timeline_scrolled", func(t *testing.T, w, h int) *Model {
		m := resultsModel(t, w, h, platypusResult())
		recordSession(m)
		m.Update(press("T"))
		m.Update(press("up"))
		return m
	}},
}

func TestTimelineGolden(t *testing.T) {
	checkGoldens(t, timelineGoldenStates, func(_ *Model, out string) string { return out })
}

func TestTimelineIDsAreVisibleAndOneKeyCopiesThem(t *testing.T) {
	m := linkOpen(t, 80, 24)
	recordSession(m)
	body := bodyText(m) + "\n" + view(m)
	for _, want := range []string{"link_session_id  " + testLinkSessionID, "last request_id  " + testLastRequestID, "I copies both"} {
		if !strings.Contains(body, want) {
			t.Errorf("the screen does not show %q:\n%s", want, body)
		}
	}
	_, cmd := m.Update(press("I"))
	if cmd == nil {
		t.Fatal("I does nothing")
	}
	m.Update(cmd())
	out := m.c.deps.Out.(*syncBuffer).String()
	want := "link_session_id " + testLinkSessionID + " request_id " + testLastRequestID
	if !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(want))) {
		t.Errorf("I did not send %q to the clipboard (OSC 52); the terminal got %q", want, out)
	}
	if v := view(m); !strings.Contains(v, "Sent the link_session_id") || !strings.Contains(v, "request_id "+testLastRequestID) {
		t.Errorf("after I the screen does not say what was sent:\n%s", v)
	}
}

func TestTimelinePaneOpensScrollsAndCloses(t *testing.T) {
	m := resultsModel(t, 100, 30, platypusResult())
	recordSession(m)
	if strings.Contains(view(m), "Timeline") {
		t.Fatal("the pane is open before T")
	}
	m.Update(press("T"))
	if v := view(m); !strings.Contains(v, "/auth/get (attempt 2) → HTTP 200") || !strings.Contains(v, "PLANNED_MAINTENANCE") {
		t.Fatalf("the open pane does not show the newest calls:\n%s", v)
	}
	cursor := m.results.cursor
	for i := 0; i < 8; i++ {
		m.Update(press("up"))
	}
	v := view(m)
	if !strings.Contains(v, "/link/token/create → HTTP 200") || !strings.Contains(v, "newer below") {
		t.Errorf("scrolling up does not reach the first call:\n%s", v)
	}
	if m.results.cursor != cursor {
		t.Error("the arrows moved the account selection while the pane was open")
	}
	m.Update(press("esc"))
	if strings.Contains(view(m), "Timeline  ") {
		t.Errorf("esc did not close the pane:\n%s", view(m))
	}
	m.Update(press("down"))
	if m.results.cursor == cursor {
		t.Error("with the pane closed the arrows do not move the selection again")
	}
}

// TestTimelineFollowsALiveSessionAndTSavesIt: the Sandbox shortcut against the emulator; the
// client's calls and the Link page reach the timeline as they happen, the last request_id on
// screen is the last call's, and t writes a transcript (0600, no secret) where --transcript says.
func TestTimelineFollowsALiveSessionAndTSavesIt(t *testing.T) {
	_, deps := liveOnEmulator(t)
	deps.NoBrowser = true
	deps.Vault = nil // --no-save: no question about saving the keys
	deps.TranscriptPath = filepath.Join(t.TempDir(), "tui.jsonl")
	m, d := started(t, deps, 100, 40)
	d.until("the keys check", func() bool { return m.keys.check.state == checkOK })
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	d.until("the Link page on the timeline", func() bool {
		for _, e := range m.tl.entries {
			if e.Kind == transcript.KindLinkPage && strings.HasPrefix(e.URL, "http://127.0.0.1:") {
				return true
			}
		}
		return false
	})
	d.send(press("s"))
	d.send(press("enter")) // the default Item on the Sandbox shortcut's list
	d.until("the results", func() bool { return m.screen == screenResults })
	d.until("the numbers step on the timeline", func() bool {
		for _, e := range m.tl.entries {
			if e.Kind == transcript.KindStep && e.Step == plaidflow.StepNumbers.String() {
				return true
			}
		}
		return false
	})
	// The id on screen is the newest call's, read at the same moment (a decoration call may
	// still be answering).
	var last string
	for _, e := range m.tl.entries {
		if e.RequestID != "" {
			last = e.RequestID
		}
	}
	if m.tl.ids.LastRequestID != last || !strings.Contains(view(m), "last request_id  "+last) {
		t.Fatalf("last request_id on screen is not the newest call's (%s):\n%s", last, view(m))
	}

	d.send(press("t"))
	d.screenShows("Saved the transcript")
	fi, err := os.Stat(deps.TranscriptPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("transcript mode %v, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(deps.TranscriptPath)
	md, _ := os.ReadFile(deps.TranscriptPath + ".md")
	for _, want := range []string{`"kind":"link_page"`, `"endpoint":"/sandbox/public_token/create"`, last} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the transcript lacks %s", want)
		}
	}
	if strings.Contains(string(raw)+string(md), emulator.DemoSecret) {
		t.Error("the transcript holds the client secret")
	}
	if !strings.Contains(string(md), m.results.res.ItemID) {
		t.Errorf("the summary lacks the item_id:\n%s", md)
	}
}

// t never writes into the working directory (it may be the user's repository): without
// --transcript the file goes to the state directory, and the status line says where.
func TestTranscriptDefaultPathIsInTheStateDirectory(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the state directory there is under the configuration directory")
	}
	env := map[string]string{"HOME": "/home/ada"}
	d := Deps{Getenv: func(k string) string { return env[k] }}
	if got, err := d.transcriptPath(fixedNow); err != nil || got != "/home/ada/.local/state/plaid-onboard/plaid-onboard-20250314-092653.jsonl" {
		t.Errorf("default transcript path = %q, %v", got, err)
	}
	env["XDG_STATE_HOME"] = "/var/state"
	if got, _ := d.transcriptPath(fixedNow); got != "/var/state/plaid-onboard/plaid-onboard-20250314-092653.jsonl" {
		t.Errorf("with XDG_STATE_HOME, default transcript path = %q", got)
	}
	d.TranscriptPath = "/tmp/x.jsonl"
	if got, _ := d.transcriptPath(fixedNow); got != "/tmp/x.jsonl" {
		t.Errorf("with --transcript, t saves to %q", got)
	}
	d = Deps{Getenv: func(string) string { return "" }}
	if got, err := d.transcriptPath(fixedNow); err == nil {
		t.Errorf("with neither HOME nor XDG_STATE_HOME, t would save to %q", got)
	}
}

func TestTranscriptKeySavesInTheStateDirectoryAndSaysTheWholePath(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the state directory there is under the configuration directory")
	}
	home := t.TempDir()
	deps := testDeps(t, linkOpenConfig())
	deps.Getenv = func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}
	m := resultsWith(t, deps, 80, 24, platypusResult())
	d := newDriver(t, m)
	d.send(press("t"))
	d.screenShows("Saved the transcript")
	want := filepath.Join(home, ".local", "state", "plaid-onboard", "plaid-onboard-20250314-092653.jsonl")
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("t did not write %s: %v", want, err)
	}
	if _, err := os.Stat(want + ".md"); err != nil {
		t.Errorf("t did not write the summary beside it: %v", err)
	}
	shown := strings.Join(strings.Fields(view(m)), " ")
	if !strings.Contains(shown, "~/.local/state/plaid-onboard/plaid-onboard-20250314-092653.jsonl") {
		t.Errorf("the status line does not give the whole path:\n%s", view(m))
	}
}

// The link_session_id pinned on screen (and what I copies for Plaid Support) is the one of the
// journey on show: after a repair in update mode, l links another account with a new Link
// session, and the Sandbox shortcut opens none at all (it calls /sandbox/public_token/create;
// https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate). Showing the repair's id for
// either would send Support to the wrong session.
func TestLinkSessionIDBelongsToTheJourneyOnShow(t *testing.T) {
	m := linkOpen(t, 100, 30)
	m.Update(repairRequestedMsg{itemID: "M5eVJqLnv3tbzdLDqr3pXmVjR6KQm9Fk9aN8e", name: "First Platypus Bank"})
	recordSession(m) // the repair's Link session
	if v := view(m); !strings.Contains(v, "link_session_id  "+testLinkSessionID) {
		t.Fatalf("the repair's link_session_id is not on screen:\n%s", v)
	}

	m.Update(anotherLinkRequestedMsg{}) // l: link another account
	m.Update(timelineChangedMsg{})
	if v := view(m); strings.Contains(v, testLinkSessionID) || !strings.Contains(v, "link_session_id  none yet") {
		t.Errorf("the new Link session shows another session's id, want none yet:\n%s", v)
	}

	j, err := m.c.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	m.Update(accountLinkedMsg{journey: j, kind: journeySandbox, title: "Sandbox Item"}) // s
	m.Update(numbersShownMsg{id: m.working.runID, res: platypusResult(), kind: journeySandbox})
	m.Update(timelineChangedMsg{})
	if m.screen != screenResults {
		t.Fatalf("the results did not show (screen %v)", m.screen)
	}
	v := view(m)
	if strings.Contains(v, testLinkSessionID) || !strings.Contains(v, "link_session_id  none: no Link session (Sandbox shortcut)") {
		t.Errorf("the Sandbox Item shows a link_session_id it does not have:\n%s", v)
	}
	if text, _ := m.tl.idsText(); strings.Contains(text, testLinkSessionID) || !strings.HasPrefix(text, "request_id ") {
		t.Errorf("I would copy %q for the Sandbox Item, want its request_id only", text)
	}
}
