package linkpage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// The page must listen on ::1 for a localhost redirect URI, so the machine the tests run on must
// have an IPv6 loopback. Where it has none, this says so rather than letting the ::1 tests
// below pass for the wrong reason (the server then skips ::1 on purpose).
func TestIPv6LoopbackWorksHere(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatalf("cannot listen on [::1] on this machine (%v): the OAuth redirect tests need an IPv6 loopback; enable it (sysctl net.ipv6.conf.lo.disable_ipv6=0)", err)
	}
	ln.Close()
}

// startRedirect starts a real server for a localhost redirect URI at path on a free port, and
// returns it with the URI.
func startRedirect(t *testing.T, opts linkpage.Options, path string) (*linkpage.Server, string) {
	t.Helper()
	var uri string
	s, _ := startOnFreePort(t, opts, func(o *linkpage.Options, port int) {
		uri = fmt.Sprintf("http://localhost:%d%s", port, path)
		o.RedirectURI = uri
	})
	return s, uri
}

// get fetches url with the given Host header and returns the status and body.
func get(t *testing.T, url, host string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		r.Host = host
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", url, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Given a localhost redirect URI, the page listens on its port on 127.0.0.1 AND ::1 (a browser
// may take localhost to either, and tries ::1 first), and serves the return page at the URI's
// own path, whichever loopback name the browser used.
func TestRedirectListensOnBothLoopbacks(t *testing.T) {
	s, redirect := startRedirect(t, linkpage.Options{}, "/oauth/callback")
	if s.OAuthRedirectURI() != redirect {
		t.Errorf("OAuthRedirectURI = %q, want %q", s.OAuthRedirectURI(), redirect)
	}
	port := strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/"), "http://127.0.0.1:")
	if want := "http://localhost:" + port + "/oauth/callback"; redirect != want {
		t.Fatalf("page at %s, redirect %s: not the same port", s.URL(), redirect)
	}
	const state = "?oauth_state_id=ad4e7d7b-2f3a-4f6c-9a57-7d3e5e3b9f10"
	for _, tt := range []struct{ url, host string }{
		{"http://[::1]:" + port + "/oauth/callback" + state, "localhost:" + port},
		{"http://[::1]:" + port + "/oauth/callback" + state, ""}, // Host [::1]:PORT
		{"http://127.0.0.1:" + port + "/oauth/callback" + state, "localhost:" + port},
		{"http://127.0.0.1:" + port + "/oauth/callback" + state, ""},
	} {
		code, body := get(t, tt.url, tt.host)
		if code != http.StatusOK || !strings.Contains(body, `data-mode="resume"`) || !strings.Contains(body, testToken) {
			t.Errorf("GET %s (Host %q) = %d, want the return page in resume mode", tt.url, tt.host, code)
		}
	}
	if code, body := get(t, s.URL(), ""); code != http.StatusOK || !strings.Contains(body, `data-mode="open"`) {
		t.Errorf("GET %s = %d, want the Link page in open mode", s.URL(), code)
	}
	// Only the registered path is the return: Plaid matches redirect URIs exactly.
	for _, p := range []string{"/oauth-return", "/oauth/callback/", "/oauth/Callback", "/oauth"} {
		if code, _ := get(t, "http://[::1]:"+port+p+state, ""); code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, code)
		}
	}
	// Another name for the same address is still refused on ::1 (DNS rebinding).
	if code, _ := get(t, "http://[::1]:"+port+"/oauth/callback"+state, "evil.example:"+port); code != http.StatusMisdirectedRequest {
		t.Errorf("evil Host on ::1 = %d, want 421", code)
	}
	// Shut down, both addresses are free again.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"127.0.0.1:" + port, "[::1]:" + port} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s still answers after Shutdown", addr)
		}
	}
}

// Given another program listening on the redirect URI's port on ::1 (or on 127.0.0.1), the page
// refuses to start, naming the address and what to do: otherwise that program would receive the
// bank's return. Nothing of the page is left listening.
func TestRedirectRefusesSquatter(t *testing.T) {
	for _, squat := range []struct{ network, host, other, otherHost string }{
		{"tcp6", "::1", "tcp4", "127.0.0.1"},
		{"tcp4", "127.0.0.1", "tcp6", "::1"},
	} {
		t.Run(squat.host, func(t *testing.T) {
			// The squatter takes a free port on one address; should a neighbouring test hold
			// the same port on the other address, that is another case: pick another port.
			for attempt := 1; ; attempt++ {
				ln, err := net.Listen(squat.network, net.JoinHostPort(squat.host, "0"))
				if err != nil {
					t.Fatalf("squatter cannot listen on %s: %v", squat.host, err)
				}
				port := ln.Addr().(*net.TCPAddr).Port
				addr := net.JoinHostPort(squat.host, strconv.Itoa(port))
				otherAddr := net.JoinHostPort(squat.otherHost, strconv.Itoa(port))
				if l, err := net.Listen(squat.other, otherAddr); err != nil {
					ln.Close()
					if attempt < 5 {
						continue
					}
					t.Fatalf("no port free on %s whose twin on %s is free", squat.otherHost, squat.host)
				} else {
					l.Close()
				}
				redirect := fmt.Sprintf("http://localhost:%d/oauth/callback", port)
				opts := linkpage.Options{LinkToken: testToken, RedirectURI: redirect}
				check := func(what string, err error) {
					t.Helper()
					var inUse *linkpage.PortInUseError
					if !errors.As(err, &inUse) || inUse.Addr != addr {
						t.Fatalf("%s with %s taken = %v, want a PortInUseError for %s", what, addr, err, addr)
					}
					msg := err.Error()
					for _, want := range []string{addr, "already in use by another program", redirect, "Plaid Dashboard"} {
						if !strings.Contains(msg, want) {
							t.Errorf("%s error %q does not mention %q", what, msg, want)
						}
					}
					if !errors.Is(err, syscall.EADDRINUSE) {
						t.Errorf("%s error is not EADDRINUSE", what)
					}
				}
				check("CheckListen", linkpage.CheckListen(opts))
				s, err := linkpage.New(opts)
				if err != nil {
					t.Fatal(err)
				}
				check("Start", s.Start())
				if s.URL() != "" {
					t.Errorf("URL = %q after a refused start", s.URL())
				}
				// The address the page did bind was let go.
				if l, err := net.Listen(squat.other, otherAddr); err != nil {
					t.Errorf("%s still held after the refused start: %v", otherAddr, err)
				} else {
					l.Close()
				}
				ln.Close()
				return
			}
		})
	}
}

// A redirect URI the page cannot serve is refused with what to change; one it can is accepted.
func TestRedirectURIChecked(t *testing.T) {
	tests := []struct {
		uri  string
		port int
		want string // "" means accepted
	}{
		{"http://localhost:8765/oauth-return", 0, ""},
		{"http://127.0.0.1:8765/cb", 0, ""},
		{"http://[::1]:8765/a/b/c", 0, ""},
		{"http://localhost:8765/", 0, ""},
		{"http://localhost:8765/oauth-return", 8765, ""},
		{"http://localhost:8765/oauth-return", 9000, "disagree"},
		{"https://localhost:8765/oauth-return", 0, "plain http"},
		{"https://app.example.com/oauth", 0, "plain http"},
		{"http://app.example.com:8765/oauth", 0, "only on this computer"},
		{"http://localhost.example.com:8765/oauth", 0, "only on this computer"},
		{"http://localhost:8765/oauth?x=1", 0, "no user, query or fragment"},
		{"http://localhost:8765/oauth#x", 0, "no user, query or fragment"},
		{"http://localhost:8765/status", 0, "own paths"},
		{"http://localhost:8765/callback/success", 0, "/callback/"},
		{"http://localhost:99999/oauth", 0, "not 1-65535"},
		{"localhost:8765/oauth", 0, "absolute"},
	}
	for _, tt := range tests {
		_, err := linkpage.New(linkpage.Options{LinkToken: testToken, RedirectURI: tt.uri, Port: tt.port})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("New(%s, port %d) = %v, want accepted", tt.uri, tt.port, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("New(%s, port %d) = %v, want an error saying %q", tt.uri, tt.port, err, tt.want)
		}
	}
	if p, ok := linkpage.RedirectPort("http://localhost/oauth"); !ok || p != 80 {
		t.Errorf("RedirectPort without a port = %d, %v; want 80", p, ok)
	}
}

// The handler answers to [::1] and takes callbacks from the return page's origin only when it
// serves a redirect URI; at "/" the bank's oauth_state_id is what makes a request the return.
func TestRedirectHostsAndRoot(t *testing.T) {
	s := newServer(t, linkpage.Options{RedirectURI: "http://localhost:40123/"})
	nonce := pageNonce(t, s)
	if w := do(t, s, req{path: "/"}); !strings.Contains(w.Body.String(), `data-mode="open"`) {
		t.Errorf("GET / = %d, want the page in open mode", w.Code)
	}
	if w := do(t, s, req{path: "/?oauth_state_id=x", host: "localhost:40123"}); !strings.Contains(w.Body.String(), `data-mode="resume"`) {
		t.Errorf("GET /?oauth_state_id = %d, want the page in resume mode", w.Code)
	}
	if w := do(t, s, req{path: "/", host: "[::1]:40123"}); w.Code != http.StatusOK {
		t.Errorf("Host [::1]:40123 = %d, want 200 while serving a redirect URI", w.Code)
	}
	for _, origin := range []string{"http://[::1]:40123", "http://localhost:40123", "http://127.0.0.1:40123"} {
		w := do(t, s, req{method: http.MethodPost, path: "/callback/event", body: eventBody("OPEN"),
			headers: map[string]string{"Content-Type": "application/json", "X-Link-Nonce": nonce, "Origin": origin}})
		if w.Code != http.StatusNoContent {
			t.Errorf("callback from %s = %d, want 204", origin, w.Code)
			continue
		}
		<-s.Events() // buffered: the accepted callback's event is there
	}
	for _, origin := range []string{"http://[::1]:40124", "https://localhost:40123", "http://evil.example:40123"} {
		w := do(t, s, req{method: http.MethodPost, path: "/callback/event", body: eventBody("OPEN"),
			headers: map[string]string{"Content-Type": "application/json", "X-Link-Nonce": nonce, "Origin": origin}})
		if w.Code != http.StatusForbidden {
			t.Errorf("callback from %s = %d, want 403", origin, w.Code)
		}
	}
	if w := do(t, s, req{method: http.MethodPost, path: "/?oauth_state_id=x"}); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST to the return = %d, want 405", w.Code)
	}
}
