package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// control sends a control API request and decodes its JSON answer.
func control(t *testing.T, s *Server, method, path, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, raw)
	}
	return resp.StatusCode, m
}

// flowClient is the product's own Plaid client pointed at the fake, without retries: faults
// must reach it as the errors the program explains.
func flowClient(t *testing.T, s *Server) *plaidapi.Client {
	t.Helper()
	c, err := plaidapi.NewClient(config.Config{ClientID: DemoClientID, Secret: DemoSecret, Env: config.Sandbox, APIURL: s.URL,
		Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "control test"},
		&http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// One attempt per call: these tests count the calls each fault answers, which the client's
	// retries (tested in plaidflow) would absorb.
	c.Retries = plaidapi.RetryPolicy{Attempts: 1}
	return c
}

// Advancing the clock through the control API expires a public token at once.
func TestControlClockAdvanceExpiresPublicToken(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := mustPublicToken(t, srv, "ins_109508")

	status, ans := control(t, srv, http.MethodPost, "/_emulator/clock/advance?by=31m", "")
	if status != http.StatusOK || ans["ok"] != true {
		t.Fatalf("clock/advance: %d %v", status, ans)
	}
	now, err := time.Parse(time.RFC3339, ans["now"].(string))
	if err != nil || time.Until(now) < 30*time.Minute {
		t.Errorf("clock/advance says now is %v, want about 31 minutes ahead", ans["now"])
	}

	_, err = flowClient(t, srv).Exchange(context.Background(), tok)
	pe, ok := plaidapi.AsError(err)
	if !ok || pe.Code != "INVALID_PUBLIC_TOKEN" || !strings.Contains(pe.Message, "expired") {
		t.Fatalf("exchange after 31 minutes: %v, want INVALID_PUBLIC_TOKEN (expired)", err)
	}
}

// Each kind of fault reaches the program's Plaid client as what it would meet for real: a
// Plaid error it can explain, an unexpected answer, or a transport error.
func TestControlFaultsReachTheClient(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, err error, took time.Duration)
	}{
		{"rate limit", `{"path":"/auth/get","kind":"rate_limit","error_code":"AUTH_LIMIT"}`, wantFlowError(429, "RATE_LIMIT_EXCEEDED", "AUTH_LIMIT")},
		{"rate limit default code", `{"path":"/auth/get","kind":"rate_limit"}`, wantFlowError(429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT")},
		{"error 500", `{"path":"/auth/get","kind":"error","error_code":"INTERNAL_SERVER_ERROR"}`, wantFlowError(500, "API_ERROR", "INTERNAL_SERVER_ERROR")},
		{"status 503", `{"path":"/auth/get","kind":"status","status":503}`, wantFlowError(503, "API_ERROR", "PLANNED_MAINTENANCE")},
		{"status with a code", `{"path":"/auth/get","kind":"status","status":502,"error_code":"INTERNAL_SERVER_ERROR"}`, wantFlowError(502, "API_ERROR", "INTERNAL_SERVER_ERROR")},
		{"malformed json", `{"path":"/auth/get","kind":"malformed_json"}`, wantFlowError(200, "API_ERROR", "UNEXPECTED_RESPONSE")},
		{"text/plain", `{"path":"/auth/get","kind":"text_plain","status":504}`, wantFlowError(504, "API_ERROR", "UNEXPECTED_RESPONSE")},
		{"drop", `{"path":"/auth/get","kind":"drop"}`, func(t *testing.T, err error, _ time.Duration) {
			var ue *url.Error
			if _, isPlaid := plaidapi.AsError(err); isPlaid || !errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("dropped connection: %v (%T), want a transport error", err, err)
			}
		}},
		{"hang", `{"path":"/auth/get","kind":"hang"}`, func(t *testing.T, err error, _ time.Duration) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("hung call: %v, want the caller's deadline to end it", err)
			}
		}},
		{"latency", `{"path":"/auth/get","latency":"150ms"}`, func(t *testing.T, err error, took time.Duration) {
			if err != nil || took < 150*time.Millisecond {
				t.Errorf("delayed call: %v after %v, want success after at least 150ms", err, took)
			}
		}},
		{"latency then error", `{"path":"/auth/get","kind":"error","error_code":"PLANNED_MAINTENANCE","latency":"150ms"}`, func(t *testing.T, err error, took time.Duration) {
			wantFlowError(503, "API_ERROR", "PLANNED_MAINTENANCE")(t, err, took)
			if took < 150*time.Millisecond {
				t.Errorf("the fault answered after %v, want at least 150ms", took)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer()
			defer srv.Close()
			client := flowClient(t, srv)
			access := mustAccessToken(t, srv, "ins_109508")
			if status, ans := control(t, srv, http.MethodPost, "/_emulator/faults", tt.body); status != http.StatusOK || ans["ok"] != true {
				t.Fatalf("add fault: %d %v", status, ans)
			}
			// A hung call must end by the caller's deadline, and no other call waits that long.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			_, err := client.Auth(ctx, access)
			tt.check(t, err, time.Since(start))

			// count defaults to 1: the next call is answered as usual.
			if _, err := client.Auth(context.Background(), access); err != nil {
				t.Errorf("the call after a one-off fault failed: %v", err)
			}
		})
	}
}

func wantFlowError(status int, typ, code string) func(*testing.T, error, time.Duration) {
	return func(t *testing.T, err error, _ time.Duration) {
		t.Helper()
		pe, ok := plaidapi.AsError(err)
		if !ok {
			t.Fatalf("error %v (%T), want a plaidapi.Error %s", err, err, code)
		}
		if pe.HTTPStatus != status || pe.Type != typ || pe.Code != code {
			t.Errorf("got HTTP %d %s/%s (%s), want HTTP %d %s/%s", pe.HTTPStatus, pe.Type, pe.Code, pe.Message, status, typ, code)
		}
	}
}

// A fault's count says how many calls it answers, and DELETE clears faults that would last.
func TestControlFaultCountAndClear(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	client := flowClient(t, srv)
	access := mustAccessToken(t, srv, "ins_109508")
	ctx := context.Background()

	control(t, srv, http.MethodPost, "/_emulator/faults", `{"path":"/auth/get","kind":"error","error_code":"INTERNAL_SERVER_ERROR","count":2}`)
	for i := range 2 {
		if _, err := client.Auth(ctx, access); !plaidapi.HasCode(err, "INTERNAL_SERVER_ERROR") {
			t.Errorf("call %d of a count-2 fault: %v", i+1, err)
		}
	}
	if _, err := client.Auth(ctx, access); err != nil {
		t.Errorf("third call after a count-2 fault: %v", err)
	}

	status, ans := control(t, srv, http.MethodPost, "/_emulator/faults", `{"path":"/auth/get","kind":"status","status":503,"count":0}`)
	if status != http.StatusOK || ans["fault"].(map[string]any)["count"] != 0.0 {
		t.Fatalf("add lasting fault: %d %v", status, ans)
	}
	for range 3 {
		if _, err := client.Auth(ctx, access); !plaidapi.HasCode(err, "PLANNED_MAINTENANCE") {
			t.Fatalf("a lasting fault did not last: %v", err)
		}
	}
	if status, _ := control(t, srv, http.MethodDelete, "/_emulator/faults", ""); status != http.StatusOK {
		t.Fatalf("clear faults: %d", status)
	}
	if _, err := client.Auth(ctx, access); err != nil {
		t.Errorf("after DELETE /_emulator/faults: %v", err)
	}
}

// Reset forgets Items, tokens, faults and the clock's advance.
func TestControlResetForgetsEverything(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	client := flowClient(t, srv)
	access := mustAccessToken(t, srv, "ins_109508")
	control(t, srv, http.MethodPost, "/_emulator/faults", `{"path":"/link/token/create","kind":"hang","count":0}`)
	control(t, srv, http.MethodPost, "/_emulator/clock/advance?by=48h", "")

	status, ans := control(t, srv, http.MethodPost, "/_emulator/reset", "")
	if status != http.StatusOK || ans["ok"] != true {
		t.Fatalf("reset: %d %v", status, ans)
	}
	if now, _ := time.Parse(time.RFC3339, ans["now"].(string)); time.Until(now) > time.Minute {
		t.Errorf("after reset the clock says %v, want now", ans["now"])
	}
	_, err := client.Auth(context.Background(), access)
	if !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") {
		t.Errorf("the Item's access token after reset: %v, want INVALID_ACCESS_TOKEN", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{}); err != nil {
		t.Errorf("the hang fault outlived reset: %v", err)
	}
}

// Mistakes get 400 and a message that says what is wrong; the control API answers only to its
// own address and to no web page.
func TestControlRefusals(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		want                     string
	}{
		{"not JSON", "POST", "/_emulator/faults", `path=/auth/get`, nil, 400, "not a fault"},
		{"empty body", "POST", "/_emulator/faults", ``, nil, 400, "not a fault"},
		{"unknown field", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"hang","times":3}`, nil, 400, `unknown field "times"`},
		{"two values", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"hang"}{}`, nil, 400, "one fault at a time"},
		{"count not a number", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"hang","count":"2"}`, nil, 400, "not a fault"},
		{"no kind", "POST", "/_emulator/faults", `{"path":"/auth/get"}`, nil, 400, "kind is missing"},
		{"unknown kind", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"teapot"}`, nil, 400, `kind "teapot" is not one of rate_limit, error, status, hang, drop, malformed_json, text_plain, latency`},
		{"unknown path", "POST", "/_emulator/faults", `{"path":"/auth/gets","kind":"hang"}`, nil, 400, `path "/auth/gets" is not an endpoint`},
		{"bad latency", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"hang","latency":"soon"}`, nil, 400, `latency "soon"`},
		{"negative latency", "POST", "/_emulator/faults", `{"path":"/auth/get","latency":"-1s"}`, nil, 400, "negative"},
		{"error without a code", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"error"}`, nil, 400, "needs an error_code"},
		{"unknown code", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"error","error_code":"OOPS"}`, nil, 400, `"OOPS" is not one the emulator knows`},
		{"rate limit with another code", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"rate_limit","error_code":"ITEM_LOCKED"}`, nil, 400, "not a RATE_LIMIT_EXCEEDED code"},
		{"status without a status", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"status"}`, nil, 400, "needs a status between 400 and 599"},
		{"hang with a status", "POST", "/_emulator/faults", `{"path":"/auth/get","kind":"hang","status":500}`, nil, 400, "takes no status"},
		{"clock without by", "POST", "/_emulator/clock/advance", ``, nil, 400, "needs ?by=DURATION"},
		{"clock backwards", "POST", "/_emulator/clock/advance?by=-1h", ``, nil, 400, "only moves forward"},
		{"clock by nonsense", "POST", "/_emulator/clock/advance?by=tomorrow", ``, nil, 400, `by="tomorrow"`},
		{"GET reset", "GET", "/_emulator/reset", ``, nil, 405, "use POST"},
		{"PUT faults", "PUT", "/_emulator/faults", ``, nil, 405, "DELETE to clear"},
		{"unknown control path", "POST", "/_emulator/time", ``, nil, 404, "no control endpoint /_emulator/time"},
		{"another host (DNS rebinding)", "POST", "/_emulator/reset", ``, []string{"Host", "evil.example:80"}, 421, "not this emulator's loopback address"},
		{"a web page", "POST", "/_emulator/reset", ``, []string{"Origin", "https://evil.example"}, 403, "not web pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ans := control(t, srv, tt.method, tt.path, tt.body, tt.header...)
			msg, _ := ans["error"].(string)
			if status != tt.status || !strings.Contains(msg, tt.want) {
				t.Errorf("%s %s %s: %d %q, want %d and a message with %q", tt.method, tt.path, tt.body, status, msg, tt.status, tt.want)
			}
		})
	}
	// The same requests from the emulator's own origin, by either loopback name, are fine.
	for _, h := range [][]string{{"Origin", srv.URL}, {"Host", strings.Replace(strings.TrimPrefix(srv.URL, "http://"), "127.0.0.1", "localhost", 1)}} {
		if status, ans := control(t, srv, http.MethodPost, "/_emulator/reset", "", h...); status != http.StatusOK {
			t.Errorf("reset with %s %s: %d %v", h[0], h[1], status, ans)
		}
	}
}

// WithPort listens on the port asked for, on loopback; a port in use is an error, not a panic.
func TestListenOnAGivenPort(t *testing.T) {
	first := NewServer()
	defer first.Close()
	u, _ := url.Parse(first.URL)
	port := u.Port()
	n, _ := strconv.Atoi(port)
	if _, err := Listen(WithPort(n)); err == nil || !strings.Contains(err.Error(), "listen on 127.0.0.1") {
		t.Errorf("Listen on a port in use: %v, want an error", err)
	}
	first.Close()
	again, err := Listen(WithPort(n))
	if err != nil {
		t.Fatalf("Listen(WithPort(%d)) after the port was freed: %v", n, err)
	}
	defer again.Close()
	if again.URL != "http://127.0.0.1:"+port {
		t.Errorf("URL %s, want http://127.0.0.1:%s", again.URL, port)
	}
	if _, err := Listen(WithPort(70000)); err == nil {
		t.Error("Listen(WithPort(70000)) succeeded")
	}
}

// A fault posted to the control API while calls to its path are taking faults: the answer
// that says the fault back reads it while a call may be using it up. Under -race this failed
// while the echo read the queued fault after letting go of the lock (issue 16, item 10).
func TestControlAddFaultWhileCallsTakeFaults(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	request := func(path, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Host = host
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	for range 100 {
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		added := httptest.NewRecorder()
		go func() {
			defer wg.Done()
			<-start
			srv.serveHTTP(added, request(controlPrefix+"faults", `{"path":"/auth/get","kind":"rate_limit","count":1}`))
		}()
		go func() { // calls until one is answered by the fault
			defer wg.Done()
			<-start
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				rec := httptest.NewRecorder()
				srv.serveHTTP(rec, request("/auth/get", `{}`))
				if rec.Code == http.StatusTooManyRequests {
					return
				}
			}
			t.Errorf("no call to /auth/get was answered by the fault within 10s")
		}()
		close(start)
		wg.Wait()
		if added.Code != http.StatusOK || !strings.Contains(added.Body.String(), `"count":1`) {
			t.Fatalf("POST %sfaults: HTTP %d %s, want the fault said back with count 1", controlPrefix, added.Code, added.Body)
		}
	}
}
