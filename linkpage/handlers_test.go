package linkpage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

const (
	successBody = `{"public_token":"public-sandbox-1f0e2c3d-aaaa-bbbb-cccc-000000000001","metadata":{
		"institution":{"name":"First Platypus Bank","institution_id":"ins_109508"},
		"accounts":[{"id":"acc_1","name":"Plaid Checking","mask":"0000","type":"depository","subtype":"checking","verification_status":null},
		            {"id":"acc_2","name":"Plaid Saving","mask":"1111","type":"depository","subtype":"savings","verification_status":null}],
		"link_session_id":"6b1f1c4e-0000-4000-8000-000000000001","transfer_status":null,"status":"connected"}}`
	exitWithError = `{"error":{"error_type":"ITEM_ERROR","error_code":"INVALID_CREDENTIALS",
		"error_message":"the provided credentials were not correct","display_message":"The credentials you provided were incorrect."},
		"metadata":{"institution":{"name":"First Platypus Bank","institution_id":"ins_109508"},"status":"requires_credentials",
		"link_session_id":"sess-1","request_id":"Ab3dE5gH7jK9mN1"}}`
	exitNoError = `{"error":null,"metadata":{"institution":null,"status":"institution_not_found","link_session_id":"sess-2","request_id":null}}`
)

func eventBody(name string) string {
	return `{"event_name":"` + name + `","metadata":{"view_name":null,"link_session_id":"sess-1","timestamp":"2024-05-01T12:00:00.000Z"}}`
}

// Given a page, When it reports a success, Then the program gets the public
// token and Plaid's metadata, with nulls as empty strings.
func TestSuccessIsEmittedWithMetadata(t *testing.T) {
	s := newServer(t, linkpage.Options{Environment: "sandbox"})
	nonce := pageNonce(t, s)

	w := callback(t, s, nonce, "success", successBody)
	if w.Code != http.StatusNoContent {
		t.Fatalf("success = %d %q, want 204", w.Code, w.Body)
	}
	ev := nextEvent(t, s)
	if ev.Kind != linkpage.KindSuccess || ev.PublicToken != "public-sandbox-1f0e2c3d-aaaa-bbbb-cccc-000000000001" {
		t.Fatalf("event = %v %q, want success with the public token", ev.Kind, ev.PublicToken)
	}
	if ev.Received.IsZero() {
		t.Error("Received is zero")
	}
	md := ev.Success
	if md.Institution == nil || md.Institution.Name != "First Platypus Bank" || md.Institution.InstitutionID != "ins_109508" {
		t.Errorf("institution = %+v", md.Institution)
	}
	if len(md.Accounts) != 2 || md.Accounts[1] != (linkpage.Account{ID: "acc_2", Name: "Plaid Saving", Mask: "1111", Type: "depository", Subtype: "savings"}) {
		t.Errorf("accounts = %+v", md.Accounts)
	}
	if md.LinkSessionID != "6b1f1c4e-0000-4000-8000-000000000001" || md.TransferStatus != "" {
		t.Errorf("session %q transfer %q", md.LinkSessionID, md.TransferStatus)
	}
	// Fields this package does not model ("status") survive in RawMetadata,
	// and the public token is not in it.
	if !strings.Contains(string(ev.RawMetadata), `"status":"connected"`) || strings.Contains(string(ev.RawMetadata), "public-sandbox") {
		t.Errorf("RawMetadata = %s", ev.RawMetadata)
	}
}

// Public tokens are single-use: a replayed or second success must be refused
// and must never reach the program.
func TestSuccessIsAcceptedOnce(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)

	if w := callback(t, s, nonce, "success", successBody); w.Code != http.StatusNoContent {
		t.Fatalf("first success = %d, want 204", w.Code)
	}
	nextEvent(t, s)

	for _, body := range []string{
		successBody, // replay of the same token
		`{"public_token":"public-sandbox-another","metadata":null}`, // a different one
	} {
		w := callback(t, s, nonce, "success", body)
		if w.Code != http.StatusConflict {
			t.Errorf("later success = %d, want 409", w.Code)
		}
		noEvent(t, s)
	}
	// Other callbacks still flow after the success.
	if w := callback(t, s, nonce, "event", eventBody("HANDOFF")); w.Code != http.StatusNoContent {
		t.Errorf("event after success = %d, want 204", w.Code)
	}
}

func TestExit(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantError *linkpage.LinkError
		wantExit  linkpage.ExitMetadata
	}{
		{
			name: "with a Link error",
			body: exitWithError,
			wantError: &linkpage.LinkError{ErrorType: "ITEM_ERROR", ErrorCode: "INVALID_CREDENTIALS",
				ErrorMessage: "the provided credentials were not correct", DisplayMessage: "The credentials you provided were incorrect."},
			wantExit: linkpage.ExitMetadata{Institution: &linkpage.Institution{Name: "First Platypus Bank", InstitutionID: "ins_109508"},
				Status: "requires_credentials", LinkSessionID: "sess-1", RequestID: "Ab3dE5gH7jK9mN1"},
		},
		{
			name:     "user closed Link (error null, nulls in metadata)",
			body:     exitNoError,
			wantExit: linkpage.ExitMetadata{Status: "institution_not_found", LinkSessionID: "sess-2"},
		},
		{
			name:     "no metadata at all",
			body:     `{"error":null}`,
			wantExit: linkpage.ExitMetadata{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, linkpage.Options{})
			if w := callback(t, s, pageNonce(t, s), "exit", tt.body); w.Code != http.StatusNoContent {
				t.Fatalf("exit = %d %q, want 204", w.Code, w.Body)
			}
			ev := nextEvent(t, s)
			if ev.Kind != linkpage.KindExit {
				t.Fatalf("kind = %v, want exit", ev.Kind)
			}
			if (ev.ExitError == nil) != (tt.wantError == nil) || (ev.ExitError != nil && *ev.ExitError != *tt.wantError) {
				t.Errorf("ExitError = %+v, want %+v", ev.ExitError, tt.wantError)
			}
			if ev.Exit == nil {
				t.Fatal("Exit metadata is nil")
			}
			got := *ev.Exit
			if (got.Institution == nil) != (tt.wantExit.Institution == nil) ||
				(got.Institution != nil && *got.Institution != *tt.wantExit.Institution) {
				t.Errorf("institution = %+v, want %+v", got.Institution, tt.wantExit.Institution)
			}
			got.Institution, tt.wantExit.Institution = nil, nil
			if got != tt.wantExit {
				t.Errorf("exit metadata = %+v, want %+v", got, tt.wantExit)
			}
		})
	}
}

// Link may deliver its events in a burst around onSuccess; the page sends
// them one after another and the program must see them in that order.
func TestEventsKeepTheirOrder(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)
	names := []string{"OPEN", "TRANSITION_VIEW", "SEARCH_INSTITUTION", "SELECT_INSTITUTION", "SUBMIT_CREDENTIALS", "TRANSITION_VIEW", "HANDOFF"}
	for _, n := range names {
		if w := callback(t, s, nonce, "event", eventBody(n)); w.Code != http.StatusNoContent {
			t.Fatalf("event %s = %d, want 204", n, w.Code)
		}
	}
	if w := callback(t, s, nonce, "success", successBody); w.Code != http.StatusNoContent {
		t.Fatalf("success = %d", w.Code)
	}
	for i, n := range names {
		ev := nextEvent(t, s)
		if ev.Kind != linkpage.KindEvent || ev.Name != n {
			t.Fatalf("event %d = %v %q, want event %q", i, ev.Kind, ev.Name, n)
		}
		if ev.Metadata == nil || ev.Metadata.LinkSessionID != "sess-1" || ev.Metadata.ViewName != "" {
			t.Errorf("metadata = %+v", ev.Metadata)
		}
	}
	if ev := nextEvent(t, s); ev.Kind != linkpage.KindSuccess {
		t.Fatalf("last = %v, want success", ev.Kind)
	}
}

// Whatever Link (or a hostile page) puts in the metadata ends up in a
// terminal: escape sequences must not.
func TestControlCharactersAreStripped(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)
	body := `{"event_name":"SELECT_INSTITUTION","metadata":{"institution_name":"Evil\u001b[2J\u001b]0;pwned\u0007 Bank\u202e","error_message":"a\r\nb"}}`
	if w := callback(t, s, nonce, "event", body); w.Code != http.StatusNoContent {
		t.Fatalf("event = %d %q", w.Code, w.Body)
	}
	md := nextEvent(t, s).Metadata
	if md.InstitutionName != "Evil[2J]0;pwned Bank" || md.ErrorMessage != "ab" {
		t.Errorf("institution_name %q, error_message %q: control characters left in", md.InstitutionName, md.ErrorMessage)
	}
}

// The checks a security reviewer looks for, on every callback: each refused
// request must leave the program untouched.
func TestCallbackRequestChecks(t *testing.T) {
	big := `{"event_name":"OPEN","metadata":{"view_name":"` + strings.Repeat("x", 70<<10) + `"}}`
	tests := []struct {
		name    string
		kind    string
		body    string
		headers map[string]string // overrides of the page's headers
		noLen   bool              // send without Content-Length (chunked)
		want    int
	}{
		{name: "well-formed event", kind: "event", body: eventBody("OPEN"), want: 204},
		{name: "no nonce", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"X-Link-Nonce": "<absent>"}, want: 403},
		{name: "wrong nonce", kind: "success", body: successBody, headers: map[string]string{"X-Link-Nonce": strings.Repeat("0", 64)}, want: 403},
		{name: "nonce of another length", kind: "exit", body: exitNoError, headers: map[string]string{"X-Link-Nonce": "abc"}, want: 403},
		{name: "foreign Origin", kind: "success", body: successBody, headers: map[string]string{"Origin": "https://evil.example"}, want: 403},
		{name: "Origin null", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "null"}, want: 403},
		{name: "Origin on another port", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "http://127.0.0.1:40124"}, want: 403},
		{name: "Origin with https", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "https://127.0.0.1:40123"}, want: 403},
		{name: "Origin localhost (OAuth return page)", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "http://localhost:40123"}, want: 204},
		{name: "no Origin (non-browser client with the nonce)", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "<absent>", "Sec-Fetch-Site": "<absent>"}, want: 204},
		{name: "cross-site fetch metadata", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Origin": "<absent>", "Sec-Fetch-Site": "cross-site"}, want: 403},
		{name: "text/plain (a form or simple request)", kind: "success", body: successBody, headers: map[string]string{"Content-Type": "text/plain"}, want: 415},
		{name: "form encoded", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, want: 415},
		{name: "no content type", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Content-Type": "<absent>"}, want: 415},
		{name: "json with charset", kind: "event", body: eventBody("OPEN"), headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}, want: 204},
		{name: "body over 64 KiB", kind: "event", body: big, want: 413},
		{name: "body over 64 KiB, chunked", kind: "event", body: big, noLen: true, want: 413},
		{name: "empty body", kind: "exit", body: "", want: 400},
		{name: "not JSON", kind: "success", body: "public_token=public-sandbox-x", want: 400},
		{name: "truncated JSON", kind: "success", body: `{"public_token":"public-sandbox-x"`, want: 400},
		{name: "JSON null", kind: "exit", body: `null`, want: 400},
		{name: "JSON array", kind: "event", body: `[` + eventBody("OPEN") + `]`, want: 400},
		{name: "two objects", kind: "event", body: eventBody("OPEN") + eventBody("EXIT"), want: 400},
		{name: "trailing garbage", kind: "event", body: eventBody("OPEN") + "]", want: 400},
		{name: "unknown top-level field", kind: "success", body: `{"public_token":"public-sandbox-x","access_token":"access-sandbox-x"}`, want: 400},
		{name: "metadata not an object", kind: "event", body: `{"event_name":"OPEN","metadata":"x"}`, want: 400},
		{name: "metadata field of the wrong type", kind: "event", body: `{"event_name":"OPEN","metadata":{"view_name":7}}`, want: 400},
		{name: "success without a token", kind: "success", body: `{"metadata":{}}`, want: 400},
		{name: "success with an empty token", kind: "success", body: `{"public_token":"","metadata":{}}`, want: 400},
		{name: "token with markup", kind: "success", body: `{"public_token":"public-<script>","metadata":{}}`, want: 400},
		{name: "event without a name", kind: "event", body: `{"metadata":{}}`, want: 400},
		{name: "event name with an escape", kind: "event", body: `{"event_name":"OPEN\u001b[31m"}`, want: 400},
		{name: "exit error not an object", kind: "exit", body: `{"error":"boom"}`, want: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, linkpage.Options{})
			headers := map[string]string{
				"Content-Type":   "application/json",
				"Origin":         testOrigin,
				"Sec-Fetch-Site": "same-origin",
				"X-Link-Nonce":   pageNonce(t, s),
			}
			for k, v := range tt.headers {
				headers[k] = v
			}
			hr := httptest.NewRequest(http.MethodPost, "http://"+testHost+"/callback/"+tt.kind, strings.NewReader(tt.body))
			hr.Host = testHost
			for k, v := range headers {
				if v != "<absent>" {
					hr.Header.Set(k, v)
				}
			}
			if tt.noLen {
				hr.ContentLength = -1
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, hr)
			if w.Code != tt.want {
				t.Fatalf("POST /callback/%s = %d %q, want %d", tt.kind, w.Code, strings.TrimSpace(w.Body.String()), tt.want)
			}
			if tt.want >= 400 {
				noEvent(t, s)
			} else {
				nextEvent(t, s)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)
	status := func(t *testing.T, nonce string) (int, map[string]any) {
		t.Helper()
		h := map[string]string{"X-Link-Nonce": nonce}
		if nonce == "" {
			h = nil
		}
		w := do(t, s, req{path: "/status", headers: h})
		var got map[string]any
		if w.Code == http.StatusOK {
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("status body %q: %v", w.Body, err)
			}
		}
		return w.Code, got
	}

	t.Run("needs the nonce", func(t *testing.T) {
		if code, _ := status(t, ""); code != http.StatusForbidden {
			t.Errorf("without nonce = %d, want 403", code)
		}
		if code, _ := status(t, strings.Repeat("a", 64)); code != http.StatusForbidden {
			t.Errorf("wrong nonce = %d, want 403", code)
		}
	})
	t.Run("before Finish", func(t *testing.T) {
		code, got := status(t, nonce)
		if code != http.StatusOK || got["finished"] != false {
			t.Errorf("= %d %v, want 200 finished:false", code, got)
		}
	})
	t.Run("after Finish", func(t *testing.T) {
		s.Finish(linkpage.Outcome{OK: true, Message: "Connected to First Platypus Bank"})
		code, got := status(t, nonce)
		want := map[string]any{"finished": true, "ok": true, "message": "Connected to First Platypus Bank"}
		if code != http.StatusOK || len(got) != len(want) {
			t.Fatalf("= %d %v, want 200 %v", code, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
	})
	t.Run("after a failed Finish", func(t *testing.T) {
		s.Finish(linkpage.Outcome{OK: false, Message: "Could not exchange the public token"})
		_, got := status(t, nonce)
		if got["ok"] != false || got["message"] != "Could not exchange the public token" {
			t.Errorf("= %v", got)
		}
	})
}

// A handler blocked on a program that stopped reading must come free when
// the request ends or when the server shuts down.
func TestEmitNeverBlocksForever(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	blocked := make(chan struct{}, 1)
	s.SetHooksForTest(func() { blocked <- struct{}{} }, nil)
	nonce := pageNonce(t, s)
	post := func(ctx context.Context) int {
		hr := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://"+testHost+"/callback/event", strings.NewReader(eventBody("TRANSITION_VIEW")))
		hr.Host = testHost
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("X-Link-Nonce", nonce)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, hr)
		return w.Code
	}

	// Fill the buffer without reading: every event up to its capacity is taken at once.
	events := s.Events()
	if cap(events) < 8 {
		t.Fatalf("the buffer holds %d events; Link's end-of-flow burst needs more", cap(events))
	}
	for len(events) < cap(events) {
		if code := post(context.Background()); code != http.StatusNoContent {
			t.Fatalf("event %d with room in the buffer = %d, want 204", len(events), code)
		}
	}

	// A request that ends while blocked comes free with 503 (the page may retry).
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- post(ctx) }()
	waitBlocked := func(what string) {
		t.Helper()
		select {
		case <-blocked:
		case <-time.After(waitFor):
			t.Fatalf("%s never blocked on the full buffer within %v", what, waitFor)
		}
	}
	answered := func(after string) int {
		t.Helper()
		select {
		case code := <-done:
			return code
		case <-time.After(waitFor):
			t.Fatalf("handler still blocked %v after %s", waitFor, after)
			return 0
		}
	}
	waitBlocked("a callback with a deadline")
	cancel()
	if code := answered("its request ended"); code != http.StatusServiceUnavailable {
		t.Fatalf("full buffer, request cancelled = %d, want 503", code)
	}

	// Now block one without a deadline, and shut down.
	go func() {
		w := callback(t, s, nonce, "event", eventBody("HANDOFF"))
		done <- w.Code
	}()
	waitBlocked("a callback without a deadline")
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if code := answered("Shutdown"); code != http.StatusGone {
		t.Errorf("blocked handler after Shutdown = %d, want 410", code)
	}
}

func TestShutdown(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	assertShutDown(t, ctx, s)
	if err := s.Start(); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
	// Nothing reaches the program any more: the callbacks answer 410.
	for _, c := range []struct{ kind, body string }{{"success", successBody}, {"exit", exitNoError}, {"event", eventBody("OPEN")}} {
		if w := callback(t, s, nonce, c.kind, c.body); w.Code != http.StatusGone {
			t.Errorf("%s after Shutdown = %d, want 410", c.kind, w.Code)
		}
	}
}

// Given a page whose Link SDK did not load, When it says so, Then the program hears of it (and
// a hostile reason reaches the terminal without control characters); without the nonce, not.
func TestLoadErrorIsEmitted(t *testing.T) {
	s := newServer(t, linkpage.Options{Environment: "sandbox"})
	nonce := pageNonce(t, s)

	if w := callback(t, s, "wrong", "load-error", `{"reason":"x"}`); w.Code != http.StatusForbidden {
		t.Fatalf("load-error without the nonce = %d, want 403", w.Code)
	}
	noEvent(t, s)

	w := callback(t, s, nonce, "load-error", `{"reason":"The browser could not fetch the Link script.\u001b[2J (https://cdn.plaid.com)"}`)
	if w.Code != http.StatusNoContent {
		t.Fatalf("load-error = %d %q, want 204", w.Code, w.Body)
	}
	ev := nextEvent(t, s)
	if ev.Kind != linkpage.KindLoadFailed || ev.LoadError != "The browser could not fetch the Link script.[2J (https://cdn.plaid.com)" {
		t.Errorf("event = %v %q", ev.Kind, ev.LoadError)
	}
	if w := callback(t, s, nonce, "load-error", `not json`); w.Code != http.StatusBadRequest {
		t.Errorf("malformed load-error = %d, want 400", w.Code)
	}
}

// Given Link exits with an error, Then the exit reads as an error naming Plaid's code, the
// message for people, and the ids support asks for; a plain close says the user closed Link.
func TestExitErrNamesWhatSupportNeeds(t *testing.T) {
	s := newServer(t, linkpage.Options{Environment: "sandbox"})
	nonce := pageNonce(t, s)
	callback(t, s, nonce, "exit", exitWithError)
	err := nextEvent(t, s).ExitErr()
	if err == nil {
		t.Fatal("ExitErr() = nil for an exit")
	}
	for _, want := range []string{"INVALID_CREDENTIALS", "ITEM_ERROR", "The credentials you provided were incorrect.", "Ab3dE5gH7jK9mN1", "sess-1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err.Error(), want)
		}
	}
	if err.Institution != "First Platypus Bank" || err.Status != "requires_credentials" {
		t.Errorf("institution %q status %q", err.Institution, err.Status)
	}

	callback(t, s, nonce, "exit", exitNoError)
	if msg := nextEvent(t, s).ExitErr().Error(); !strings.Contains(msg, "closed before an account was linked") || !strings.Contains(msg, "institution_not_found") {
		t.Errorf("plain close reads %q", msg)
	}
	callback(t, s, nonce, "event", eventBody("OPEN"))
	if e := nextEvent(t, s).ExitErr(); e != nil {
		t.Errorf("ExitErr() of an OPEN event = %v, want nil", e)
	}
}
