package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid/plaid-go/v42/plaid"
)

// getControl GETs a control path as a test on this machine would.
func getControl(t *testing.T, s *Server, path string) rawAnswer {
	t.Helper()
	return rawRequest(t, s, http.MethodGet, path, http.Header{}, nil)
}

// inspectOf is GET /_emulator/state, decoded.
func inspectOf(t *testing.T, s *Server) inspectState {
	t.Helper()
	a := getControl(t, s, "/_emulator/state")
	var st inspectState
	if err := json.Unmarshal(a.body, &st); a.status != 200 || err != nil {
		t.Fatalf("GET /_emulator/state: HTTP %d %v: %s", a.status, err, a.body)
	}
	return st
}

// What a test sees inside after linking an Item, setting its webhook and asking for its
// numbers: the Item with its accounts and state, the webhook with its outcome, the calls newest
// first with their request_ids; and never an access token or an account number in full.
func TestInspectState(t *testing.T) {
	t.Parallel()
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")
	rcv := newHookReceiver(t)
	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	_, resp, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/auth/get: %v", err)
	}
	authRequestID := resp.Header.Get("X-Request-Id")
	postFault(t, srv, `{"path": "/auth/get", "error_code": "AUTH_LIMIT", "count": 3}`)
	_, _, err = api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest("access-sandbox-nope")).Execute()
	if err == nil {
		t.Fatal("/accounts/get with an unknown token succeeded")
	}

	a := getControl(t, srv, "/_emulator/state")
	for _, secret := range []string{access, "1111222233330000", "111122223333"} {
		if strings.Contains(string(a.body), secret) {
			t.Errorf("the state shows %q in full:\n%s", secret, a.body)
		}
	}
	st := inspectOf(t, srv)
	if len(st.Items) != 1 {
		t.Fatalf("items %+v, want the one Item", st.Items)
	}
	it := st.Items[0]
	if it.State != "healthy" || it.InstitutionID != "ins_109508" || it.InstitutionName != "First Platypus Bank" ||
		it.Webhook == nil || *it.Webhook != rcv.URL || it.AccessToken == nil || !strings.HasPrefix(access, strings.TrimSuffix(*it.AccessToken, "…")) ||
		len(*it.AccessToken) > len("access-sandbox-")+shortTokenChars+len("…") || it.Created == "" {
		t.Errorf("item %+v", it)
	}
	if len(it.Accounts) != len(userGoodAccounts) || it.Accounts[0].Mask == nil || *it.Accounts[0].Mask != "0000" ||
		it.Accounts[0].Balances.Available == nil || *it.Accounts[0].Balances.Available != 100 || it.Accounts[0].Subtype == nil {
		t.Errorf("accounts %+v, want user_good's with masks and balances", it.Accounts)
	}

	if len(st.Webhooks) != 1 || st.Webhooks[0].WebhookCode != "WEBHOOK_UPDATE_ACKNOWLEDGED" || st.Webhooks[0].Outcome != "delivered" ||
		st.Webhooks[0].Status != 200 || st.Webhooks[0].URL != rcv.URL || st.Webhooks[0].Time == "" {
		t.Errorf("webhooks %+v, want the acknowledgement delivered", st.Webhooks)
	}

	var endpoints []string
	for _, r := range st.Requests {
		endpoints = append(endpoints, r.Endpoint)
	}
	want := []string{"/accounts/get", "/auth/get", "/item/webhook/update", "/item/public_token/exchange"}
	if strings.Join(endpoints, " ") != strings.Join(want, " ") {
		t.Fatalf("requests %v, want newest first %v", endpoints, want)
	}
	newest, auth := st.Requests[0], st.Requests[1]
	if newest.Status != 400 || newest.ErrorCode != "INVALID_ACCESS_TOKEN" || len(newest.RequestID) != 15 {
		t.Errorf("the failed call: %+v", newest)
	}
	if auth.RequestID != authRequestID || auth.Status != 200 || auth.ErrorCode != "" || auth.LatencyMS <= 0 ||
		newest.Seq != auth.Seq+1 {
		t.Errorf("the /auth/get call: %+v, want request_id %s, 200, a latency", auth, authRequestID)
	}
	if _, err := time.Parse(time.RFC3339Nano, auth.Time); err != nil {
		t.Errorf("time %q: %v", auth.Time, err)
	}
	if len(st.Faults) != 1 || st.Faults[0].Path != "/auth/get" || st.Faults[0].Kind != FaultError || st.Faults[0].Count != 3 {
		t.Errorf("faults %+v, want the AUTH_LIMIT one, 3 calls left", st.Faults)
	}
}

// The log keeps the last requestLogSize calls: more calls overwrite the oldest, and a watcher
// that fell behind is told how many it missed.
func TestRequestLogBounded(t *testing.T) {
	t.Parallel()
	var l requestLog
	for i := range requestLogSize + 5 {
		l.add(loggedRequest{requestID: "r" + strconv.Itoa(i+1), path: "/auth/get"})
	}
	calls, last, missed := l.since(0)
	if len(calls) != requestLogSize || last != requestLogSize+5 || missed != 5 {
		t.Fatalf("since(0): %d calls, last %d, missed %d; want %d, %d, 5", len(calls), last, missed, requestLogSize, requestLogSize+5)
	}
	if calls[0].requestID != "r1005" || calls[len(calls)-1].requestID != "r6" {
		t.Errorf("newest %s, oldest %s; want r1005 and r6", calls[0].requestID, calls[len(calls)-1].requestID)
	}
	if calls, _, missed := l.since(last - 2); len(calls) != 2 || missed != 0 || calls[0].seq != last {
		t.Errorf("since(last-2): %d calls, missed %d", len(calls), missed)
	}
	if ids := l.requestIDsOf("/auth/get"); len(ids) != requestLogSize || ids[0] != "r6" {
		t.Errorf("requestIDsOf: %d ids from %v", len(ids), ids[:1])
	}
	l.reset()
	if calls, last2, missed := l.since(0); len(calls) != 0 || missed != 0 || last2 != last {
		t.Errorf("after reset: %d calls, missed %d, last %d", len(calls), missed, last2)
	}
	l.add(loggedRequest{requestID: "after"})
	if calls, _, _ := l.since(0); len(calls) != 1 || calls[0].requestID != "after" {
		t.Errorf("after reset and one call: %+v", calls)
	}
}

// GET /_emulator/requests?after=LAST&wait=… answers when the next call is made, with that call:
// what `plaid-onboard emulator logs --follow` waits on.
func TestRequestsFollow(t *testing.T) {
	t.Parallel()
	srv, api, ctx := newTestAPI(t)
	first := getControl(t, srv, "/_emulator/requests")
	var before LoggedRequests
	if err := json.Unmarshal(first.body, &before); err != nil || len(before.Requests) != 0 {
		t.Fatalf("requests before any call: %v %s", err, first.body)
	}
	answered := make(chan LoggedRequests, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_emulator/requests?after="+strconv.FormatUint(before.Last, 10)+"&wait=1m", nil)
		var got LoggedRequests
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
		}
		answered <- got
	}()
	e2etest.Eventually(t, "the follower to wait", func() (bool, string) {
		srv.reqLog.mu.Lock()
		defer srv.reqLog.mu.Unlock()
		return srv.reqLog.wake != nil, "no one waits on the request log"
	})
	_, resp, _ := api.InstitutionsGetById(ctx).InstitutionsGetByIdRequest(*plaid.NewInstitutionsGetByIdRequest("ins_109508", []plaid.CountryCode{plaid.COUNTRYCODE_US})).Execute()
	select {
	case got := <-answered:
		if len(got.Requests) != 1 || got.Requests[0].Endpoint != "/institutions/get_by_id" || got.Requests[0].RequestID != resp.Header.Get("X-Request-Id") {
			t.Errorf("the follower got %+v, want the one /institutions/get_by_id call", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("GET /_emulator/requests?after=…&wait=1m did not answer within 30s of a call")
	}
}

// A watcher's wait ends when the emulator begins to close, with an answer: Close, which gives
// the calls under way half a second to end before it cuts their connections, is not held up,
// and the watcher learns the state as it was rather than losing its connection.
func TestRequestsFollowEndsOnClose(t *testing.T) {
	t.Parallel()
	srv := NewServer()
	type answer struct {
		status int
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/_emulator/state?after=1000000&wait=1m")
		if err != nil {
			done <- answer{err: err}
			return
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- answer{resp.StatusCode, err}
	}()
	e2etest.Eventually(t, "the watcher to wait", func() (bool, string) {
		srv.reqLog.mu.Lock()
		defer srv.reqLog.mu.Unlock()
		return srv.reqLog.wake != nil, "no one waits on the request log"
	})
	srv.Close()
	if a := <-done; a.err != nil || a.status != http.StatusOK {
		t.Errorf("the watcher got %d %v when the emulator closed, want its answer (200)", a.status, a.err)
	}
}

// The read-only routes take GET only, and say what they take.
func TestInspectRoutes(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	for _, c := range []struct {
		method, path string
		status       int
		contains     string
	}{
		{http.MethodGet, "/_emulator/", 200, "<title>Plaid emulator: inside</title>"},
		{http.MethodGet, "/_emulator/inspect.js", 200, "/_emulator/state"},
		{http.MethodGet, "/_emulator/inspect.css", 200, ":root"},
		{http.MethodPost, "/_emulator/state", 405, "use GET"},
		{http.MethodGet, "/_emulator/state?wait=soon", 400, "not a duration"},
		{http.MethodGet, "/_emulator/requests?after=x", 400, "not a number"},
		{http.MethodGet, "/_emulator/nope", 404, "GET /_emulator/state"},
	} {
		a := rawRequest(t, srv, c.method, c.path, http.Header{}, nil)
		if a.status != c.status || !strings.Contains(string(a.body), c.contains) {
			t.Errorf("%s %s: HTTP %d %.200s; want %d containing %q", c.method, c.path, a.status, a.body, c.status, c.contains)
		}
	}
	page := getControl(t, srv, "/_emulator/")
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the page's CSP %q", csp)
	}
}
