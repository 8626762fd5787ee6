package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// A kept /auth/get answer is byte for byte the answer made afresh, but for its request_id,
// and a change to the Item is seen by the very next call.
func TestKeptAuthAnswerIsTheFreshOne(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	access := mustAccessToken(t, srv, "ins_109508")
	requestID := regexp.MustCompile(`"request_id":"[A-Za-z0-9]+"`)
	authGet := func(body map[string]any) rawAnswer {
		t.Helper()
		a := rawCall(t, srv, "/auth/get", body)
		if a.status != http.StatusOK {
			t.Fatalf("/auth/get %v: HTTP %d %s", body, a.status, a.body)
		}
		if id := a.decode(t)["request_id"]; id != a.header.Get("X-Request-Id") {
			t.Errorf("request_id %q in the body, %q in X-Request-Id", id, a.header.Get("X-Request-Id"))
		}
		return a
	}
	first := authGet(map[string]any{"access_token": access})
	kept := authGet(map[string]any{"access_token": access})
	if bytes.Equal(first.body, kept.body) {
		t.Errorf("two calls answered with the same request_id: %s", kept.body)
	}
	// With options, the answer is never kept: made afresh for the same accounts.
	var ids []any
	for _, a := range first.decode(t)["accounts"].([]any) {
		ids = append(ids, a.(map[string]any)["account_id"])
	}
	fresh := authGet(map[string]any{"access_token": access, "options": map[string]any{"account_ids": ids}})
	for _, a := range []rawAnswer{first, kept} {
		if got, want := requestID.ReplaceAll(a.body, nil), requestID.ReplaceAll(fresh.body, nil); !bytes.Equal(got, want) {
			t.Errorf("kept answer differs from the fresh one:\n%s\nfresh:\n%s", got, want)
		}
	}

	// The Item's webhook, as /auth/get shows it in item.webhook, changes.
	hooks := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hooks.Close()
	if a := rawCall(t, srv, "/item/webhook/update", map[string]any{"access_token": access, "webhook": hooks.URL}); a.status != http.StatusOK {
		t.Fatalf("/item/webhook/update: HTTP %d %s", a.status, a.body)
	}
	if got := authGet(map[string]any{"access_token": access}).decode(t)["item"].(map[string]any)["webhook"]; got != hooks.URL {
		t.Errorf("/auth/get after /item/webhook/update shows the webhook %v, want %s", got, hooks.URL)
	}
}

// A body checked for one endpoint is not taken as checked for another: the same bytes that
// /auth/get accepts carry a field /item/get does not know.
func TestCheckedBodyIsPerEndpoint(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	access := mustAccessToken(t, srv, "ins_109508")
	body := map[string]any{"access_token": access, "options": map[string]any{}}
	for range 2 {
		if a := rawCall(t, srv, "/auth/get", body); a.status != http.StatusOK {
			t.Fatalf("/auth/get: HTTP %d %s", a.status, a.body)
		}
	}
	if a := rawCall(t, srv, "/item/get", body); a.decode(t)["error_code"] != "UNKNOWN_FIELDS" {
		t.Errorf("/item/get with options, after /auth/get took the same body: HTTP %d %s, want UNKNOWN_FIELDS", a.status, a.body)
	}
}
