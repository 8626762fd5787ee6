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
