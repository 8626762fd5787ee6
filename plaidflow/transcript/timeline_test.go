package transcript_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

func TestTimelineLinkRecordsLiftTheIDs(t *testing.T) {
	tl := transcript.NewTimeline(nil)
	tl.RecordLink(transcript.LinkRecord{Kind: transcript.KindLinkEvent, Name: "OPEN", Metadata: json.RawMessage(`{"link_session_id":"ls-1","view_name":"CONSENT"}`)})
	tl.RecordLink(transcript.LinkRecord{Kind: transcript.KindLinkExit,
		Error:    json.RawMessage(`{"error_type":"ITEM_ERROR","error_code":"INVALID_CREDENTIALS","error_message":"bad"}`),
		Metadata: json.RawMessage(`{"status":"requires_credentials","link_session_id":"ls-1","request_id":"req-9"}`)})
	ex := tl.Entries()[1] // the exit, after the OPEN event
	if ex.Kind != transcript.KindLinkExit {
		t.Fatalf("second entry = %+v, want the Link exit", ex)
	}
	if ex.ErrorCode != "INVALID_CREDENTIALS" || ex.RequestID != "req-9" || ex.LinkSessionID != "ls-1" {
		t.Errorf("exit entry = %+v", ex)
	}
	if ids := tl.IDs(); ids.LinkSessionID != "ls-1" || ids.LastRequestID != "req-9" {
		t.Errorf("ids = %+v", ids)
	}
	if d := transcript.Describe(ex); !strings.Contains(d, "status requires_credentials") || !strings.Contains(d, "INVALID_CREDENTIALS") {
		t.Errorf("exit described as %q", d)
	}
}

func TestTimelineIsSafeForConcurrentUseAndWakesSubscribers(t *testing.T) {
	tl := transcript.NewTimeline(nil)
	woke := tl.Subscribe()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				tl.Note("n")
				_ = tl.IDs()
			}
		}()
	}
	wg.Wait()
	if n := tl.Len(); n != 400 {
		t.Errorf("entries = %d, want 400", n)
	}
	select {
	case <-woke:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscriber was not woken after entries were added")
	}
}

// TestConfigureRecordsWhatAJourneyChoseInTheSessionSettings: what a journey chose lands in the
// session entry's settings, redacted like the rest, and the summary lists it; a later journey's
// choice replaces it.
func TestConfigureRecordsWhatAJourneyChoseInTheSessionSettings(t *testing.T) {
	tl := transcript.NewTimeline(nil)
	tl.Configure(func(s *transcript.Settings) { s.Scenario = "before start" }) // nothing to change yet
	if len(tl.Entries()) != 0 {
		t.Fatalf("Configure before Start recorded %+v", tl.Entries())
	}
	tl.Start(transcript.Entry{Environment: "sandbox", Settings: &transcript.Settings{Products: []string{"auth"}}}, "the-client-secret-123")
	tl.Note("a call")
	tl.Configure(func(s *transcript.Settings) {
		s.Scenario, s.ForceError, s.Institution, s.AuthFlow = "business", "ITEM_LOCKED", "ins_109508", ""
		s.UserCustomFile, s.UserCustomSHA256 = "ticket-the-client-secret-123.json", "ab12"
	})
	s := tl.Entries()[0].Settings
	if s.Scenario != "business" || s.ForceError != "ITEM_LOCKED" || s.Institution != "ins_109508" || s.UserCustomSHA256 != "ab12" || len(s.Products) != 1 {
		t.Errorf("session settings = %+v", s)
	}
	if strings.Contains(s.UserCustomFile, "the-client-secret-123") {
		t.Errorf("a known secret in the user_custom file's name was recorded: %q", s.UserCustomFile)
	}
	sum := transcript.Summary(tl.Entries())
	for _, want := range []string{"**Scenario**: `business`", "**Forced error**: `ITEM_LOCKED`", "**Institution**: `ins_109508`", "(SHA-256 `ab12`)"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	tl.Configure(func(s *transcript.Settings) { s.Scenario, s.ForceError, s.AuthFlow = "", "", "instant-auth" })
	if s := tl.Entries()[0].Settings; s.Scenario != "" || s.ForceError != "" || s.AuthFlow != "instant-auth" {
		t.Errorf("a later journey's settings did not replace the earlier: %+v", s)
	}
}

// TestSummaryOfADemoSaysItIsNotForPlaidSupport: a demo session's summary opens with the notice
// and does not offer its ids to Plaid Support; a Sandbox session's has neither.
func TestSummaryOfADemoSaysItIsNotForPlaidSupport(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	demo := transcript.Summary([]transcript.Entry{{Time: at, Kind: transcript.KindSession, Environment: "sandbox", Demo: true}})
	head, _, _ := strings.Cut(demo, "- **Program**")
	if !strings.Contains(head, transcript.DemoNotice) || strings.Contains(demo, "IDs for Plaid Support") {
		t.Errorf("demo summary does not open with the notice, or offers its ids to Plaid Support:\n%s", demo)
	}
	real := transcript.Summary([]transcript.Entry{{Time: at, Kind: transcript.KindSession, Environment: "sandbox"}})
	if strings.Contains(real, "not for Plaid Support") || !strings.Contains(real, "## IDs for Plaid Support") {
		t.Errorf("Sandbox summary:\n%s", real)
	}
}

// TestShownSettingsCleansEveryValue: a transcript someone sent can put escapes in any setting;
// what report --json shows of them has none.
func TestShownSettingsCleansEveryValue(t *testing.T) {
	esc := "\x1b]52;c;cm0=\x07\u202e\n"
	s := transcript.ShownSettings(transcript.Entry{Settings: &transcript.Settings{
		Products: []string{"auth" + esc}, CountryCodes: []string{"US" + esc}, ClientName: "n" + esc, RedirectURI: "r" + esc,
		APIURL: "a" + esc, ClientID: "c" + esc, Institution: "i" + esc, AuthFlow: "f" + esc, Scenario: "s" + esc,
		UserCustomFile: "u" + esc, UserCustomSHA256: "h" + esc, ForceError: "e" + esc,
	}})
	raw, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if len(m) != 12 {
		t.Fatalf("ShownSettings dropped a field: %v", m)
	}
	if strings.ContainsAny(fmtAll(m), "\x1b\x07\u202e\n") {
		t.Errorf("a setting kept an escape: %q", m)
	}
	if transcript.ShownSettings(transcript.Entry{}) != nil {
		t.Error("a session without settings has some")
	}
}

// fmtAll is every string of a decoded JSON object, joined.
func fmtAll(m map[string]any) string {
	var b strings.Builder
	for _, v := range m {
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case []any:
			for _, x := range v {
				b.WriteString(x.(string))
			}
		}
	}
	return b.String()
}
