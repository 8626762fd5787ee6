package linkpage_test

import (
	"net/http"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// FuzzCallback posts arbitrary bodies, with the page's valid headers, to each
// callback: whatever arrives, the server must answer 2xx or 4xx and never
// panic, and anything it emits must be well formed.
func FuzzCallback(f *testing.F) {
	kinds := []string{"success", "exit", "event"}
	for i, body := range []string{
		successBody, exitWithError, eventBody("OPEN"),
		exitNoError, `{"event_name":"HANDOFF"}`, `{"public_token":"public-sandbox-x","metadata":null}`,
		``, `null`, `{}`, `[]`, `"x"`, `0`, `{"public_token":1}`, `{"event_name":"OPEN","metadata":{"timestamp":null}}`,
		`{"error":{"error_code":null},"metadata":{"institution":{"name":null}}}`,
		`{"public_token":"public-sandbox-x","metadata":{"accounts":[null,{"id":null}]}}`,
		`{"event_name":"OPEN","metadata":{"view_name":"\u0000\u001b\ud800"}}`,
		`{"event_name":"OPEN"}{"event_name":"OPEN"}`, `{"a":` + "\xff" + `}`,
	} {
		f.Add(uint8(i%len(kinds)), body)
		f.Add(uint8((i+1)%len(kinds)), body)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		s := newServer(t, linkpage.Options{})
		kind := kinds[int(which)%len(kinds)]
		w := callback(t, s, pageNonce(t, s), kind, body)
		if w.Code < 200 || w.Code >= 500 || (w.Code >= 300 && w.Code < 400) {
			t.Fatalf("POST /callback/%s %q = %d, want 2xx or 4xx", kind, body, w.Code)
		}
		if w.Code != http.StatusNoContent {
			noEvent(t, s)
			return
		}
		ev := nextEvent(t, s)
		switch ev.Kind {
		case linkpage.KindSuccess:
			if ev.PublicToken == "" || ev.Success == nil {
				t.Fatalf("malformed success event %+v", ev)
			}
		case linkpage.KindExit:
			if ev.Exit == nil {
				t.Fatalf("exit event without metadata %+v", ev)
			}
		case linkpage.KindEvent:
			if ev.Name == "" || ev.Metadata == nil {
				t.Fatalf("malformed event %+v", ev)
			}
		default:
			t.Fatalf("unknown kind %v", ev.Kind)
		}
	})
}
