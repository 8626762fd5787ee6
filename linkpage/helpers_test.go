package linkpage_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// waitFor bounds every wait in these tests: long enough for a loaded 2-core CI machine running
// -race, short enough that a hang fails the test rather than the whole run.
const waitFor = 10 * time.Second

// testAddr is the address handler tests pretend the server bound.
const (
	testAddr   = "127.0.0.1:40123"
	testHost   = "127.0.0.1:40123"
	testOrigin = "http://127.0.0.1:40123"
	testToken  = "link-sandbox-7f3c2a9e-1b4d-4c8e-9a6f-2d5e8b1c0a77"
)

// newServer builds a server whose handler expects testAddr and shuts it down
// when the test ends.
func newServer(t testing.TB, opts linkpage.Options) *linkpage.Server {
	t.Helper()
	if opts.LinkToken == "" {
		opts.LinkToken = testToken
	}
	s, err := linkpage.New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	s.SetAddrForTest(testAddr)
	shutdownAtEnd(t, s)
	return s
}

// shutdownAtEnd shuts s down when the test ends.
func shutdownAtEnd(t testing.TB, s *linkpage.Server) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
}

// startServer starts a real server and shuts it down when the test ends.
func startServer(t *testing.T, opts linkpage.Options) *linkpage.Server {
	t.Helper()
	if opts.LinkToken == "" {
		opts.LinkToken = testToken
	}
	s, err := linkpage.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	shutdownAtEnd(t, s)
	return s
}

// startOnFreePort starts a real server on a loopback port found free, which at puts in the
// options, and shuts it down when the test ends. A port found free may be taken by a
// neighbouring test binary before the server binds it: then it picks another, a few times.
func startOnFreePort(t *testing.T, opts linkpage.Options, at func(o *linkpage.Options, port int)) (*linkpage.Server, int) {
	t.Helper()
	if opts.LinkToken == "" {
		opts.LinkToken = testToken
	}
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		at(&opts, port)
		s, err := linkpage.New(opts)
		if err != nil {
			t.Fatalf("New(%+v): %v", opts, err)
		}
		if err := s.Start(); err != nil {
			if errors.Is(err, syscall.EADDRINUSE) && attempt < 5 {
				continue
			}
			t.Fatalf("Start on port %d: %v", port, err)
		}
		shutdownAtEnd(t, s)
		return s, port
	}
}

// freePort returns a loopback port nothing listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// assertShutDown fails unless s, once shut down, has closed Events and takes a second Shutdown
// quietly.
func assertShutDown(t *testing.T, ctx context.Context, s *linkpage.Server) {
	t.Helper()
	select {
	case _, ok := <-s.Events():
		if ok {
			t.Error("Events delivered an event after Shutdown")
		}
	case <-time.After(waitFor):
		t.Fatalf("Events not closed %v after Shutdown", waitFor)
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown = %v, want nil", err)
	}
}

// req describes one request to the handler; zero fields get sane defaults
// (Host testHost, and for callbacks the page's own Origin, JSON and nonce).
type req struct {
	method  string
	path    string
	host    string
	body    string
	headers map[string]string
}

func do(t testing.TB, s *linkpage.Server, r req) *httptest.ResponseRecorder {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, "http://"+testHost+r.path, body)
	hr.Host = testHost
	switch r.host {
	case "":
	case "<empty>":
		hr.Host = ""
	default:
		hr.Host = r.host
	}
	for k, v := range r.headers {
		if v == "<absent>" {
			hr.Header.Del(k)
			continue
		}
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, hr)
	return w
}

// callback posts body to /callback/<kind> the way the page does.
func callback(t testing.TB, s *linkpage.Server, nonce, kind, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, req{method: http.MethodPost, path: "/callback/" + kind, body: body, headers: map[string]string{
		"Content-Type":   "application/json",
		"Origin":         testOrigin,
		"Sec-Fetch-Site": "same-origin",
		"X-Link-Nonce":   nonce,
	}})
}

var nonceAttrRE = regexp.MustCompile(`data-session-nonce="([^"]*)"`)

// pageNonce reads the session nonce the way the page's script does: from the
// rendered page.
func pageNonce(t testing.TB, s *linkpage.Server) string {
	t.Helper()
	w := do(t, s, req{path: "/"})
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", w.Code)
	}
	m := nonceAttrRE.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("page has no data-session-nonce attribute")
	}
	return m[1]
}

// nextEvent waits for an event, at most waitFor.
func nextEvent(t testing.TB, s *linkpage.Server) linkpage.Event {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatal("Events closed, want an event")
		}
		return ev
	case <-time.After(waitFor):
		t.Fatalf("no event within %v", waitFor)
	}
	return linkpage.Event{}
}

// noEvent asserts nothing was emitted.
func noEvent(t testing.TB, s *linkpage.Server) {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if ok {
			t.Fatalf("unexpected event emitted: %+v", ev)
		}
	default:
	}
}

// cspDirectives splits a Content-Security-Policy into directive -> sources.
func cspDirectives(t testing.TB, csp string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		if _, dup := out[f[0]]; dup {
			t.Errorf("CSP directive %q appears twice", f[0])
		}
		out[f[0]] = f[1:]
	}
	return out
}

// eventually polls cond until it holds, failing with what it waited for (and cond's account of
// what it saw last) once waitFor has passed: a slow machine fails loudly, never silently.
func eventually(t testing.TB, what string, cond func() (ok bool, saw string)) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, saw := cond()
		if ok {
			return
		}
		select {
		case <-deadline.C:
			t.Fatalf("waited %v for %s; last saw %s", waitFor, what, saw)
		case <-tick.C:
		}
	}
}
