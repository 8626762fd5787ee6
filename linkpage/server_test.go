package linkpage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

func TestStartListensOnLoopbackOnly(t *testing.T) {
	s := startServer(t, linkpage.Options{})

	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatalf("URL %q: %v", s.URL(), err)
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != "/" {
		t.Fatalf("URL = %q, want http://127.0.0.1:PORT/", s.URL())
	}

	// The page loads over a real connection, with the bound address as Host.
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatalf("GET %s: %v", s.URL(), err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), testToken) {
		t.Fatalf("GET %s = %d, want the page", s.URL(), resp.StatusCode)
	}

	// Without a redirect URI nothing listens on ::1.
	if c, err := net.Dial("tcp6", "[::1]:"+u.Port()); err == nil {
		c.Close()
		t.Errorf("something answers on [::1]:%s without a redirect URI", u.Port())
	}

	// A rebinding attacker's Host is refused on the real server too.
	r, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
	r.Host = "evil.example:" + u.Port()
	resp, err = http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host evil.example = %d, want 421", resp.StatusCode)
	}

	// Nothing answers on the machine's other addresses.
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil {
				continue
			}
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), u.Port()), 300*time.Millisecond)
			if err == nil {
				c.Close()
				t.Errorf("server answers on %s:%s; it must listen on 127.0.0.1 only", ipn.IP, u.Port())
			}
		}
	}

	if err := s.Start(); !errors.Is(err, linkpage.ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
}

// Given a server just started (its Serve goroutine may not have run yet), When Shutdown
// returns, Then the port refuses connections: a later program, or the next test, may take it.
func TestShutdownStopsListening(t *testing.T) {
	s := startServer(t, linkpage.Options{})
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL(), "http://"), "/")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// With no page open there is nothing to linger for (lingerForPage is 2s).
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("Shutdown with no page open took %v; it should not linger", d)
	}
	assertRefused(t, addr)
	assertShutDown(t, ctx, s)
}

// assertRefused fails unless a connection to addr is refused outright. A dial that times out
// proves nothing (a busy server is slow to accept), so only ECONNREFUSED passes.
func assertRefused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitFor)
	if err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Shutdown returned", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s after Shutdown: %v, want connection refused", addr, err)
	}
}

// The natural sequence is Finish then Shutdown; a page that is still polling
// must get to show the outcome before the server goes away.
func TestShutdownLetsAPollingPageCollectTheOutcome(t *testing.T) {
	waiting := make(chan struct{})
	s, err := linkpage.New(linkpage.Options{LinkToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	s.SetHooksForTest(nil, func() { close(waiting) })
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	shutdownAtEnd(t, s)
	client := &http.Client{Timeout: waitFor}
	get := func(path string, nonce string) (*http.Response, string, error) {
		r, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(s.URL(), "/")+path, nil)
		if nonce != "" {
			r.Header.Set("X-Link-Nonce", nonce)
		}
		resp, err := client.Do(r)
		if err != nil {
			return nil, "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b), nil
	}
	_, page, err := get("/", "")
	if err != nil {
		t.Fatal(err)
	}
	nonce := nonceAttrRE.FindStringSubmatch(page)[1]
	if _, _, err := get("/status", nonce); err != nil { // the page is alive
		t.Fatal(err)
	}

	s.Finish(linkpage.Outcome{OK: true, Message: "Connected to First Platypus Bank"})
	shut := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		shut <- time.Since(start)
	}()

	// The page's next poll comes while Shutdown waits for it.
	select {
	case <-waiting:
	case <-time.After(waitFor):
		t.Fatalf("Shutdown did not start waiting for the live page within %v", waitFor)
	}
	resp, body, err := get("/status", nonce)
	if err != nil {
		t.Fatalf("poll after Finish+Shutdown: %v (the page never saw the outcome)", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"finished":true`) || !strings.Contains(body, "First Platypus") {
		t.Fatalf("poll = %d %s, want the outcome", resp.StatusCode, body)
	}
	select {
	case d := <-shut:
		// Collected: Shutdown stops waiting at once rather than sitting out lingerForPage (2s).
		if d > 1500*time.Millisecond {
			t.Errorf("Shutdown took %v after the page collected the outcome", d)
		}
	case <-time.After(waitFor):
		t.Fatalf("Shutdown did not return %v after the page collected the outcome", waitFor)
	}
}

// An OAuth redirect_uri must match the one registered in the Plaid Dashboard,
// port included, so the program can pin the port and know the URI before it
// creates the link token.
func TestFixedPort(t *testing.T) {
	s, port := startOnFreePort(t, linkpage.Options{}, func(o *linkpage.Options, port int) { o.Port = port })
	if want := fmt.Sprintf("http://127.0.0.1:%d/", port); s.URL() != want {
		t.Errorf("URL = %q, want %q", s.URL(), want)
	}
	if s.OAuthRedirectURI() != "" {
		t.Errorf("OAuthRedirectURI = %q without a redirect URI, want empty", s.OAuthRedirectURI())
	}

	// A second server cannot take the same port: Start says so.
	other, err := linkpage.New(linkpage.Options{LinkToken: testToken, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(); err == nil {
		t.Error("second server started on a port in use")
	}

	for _, bad := range []int{-1, 65536} {
		if _, err := linkpage.New(linkpage.Options{LinkToken: testToken, Port: bad}); err == nil {
			t.Errorf("New with port %d succeeded", bad)
		}
	}
}

// Browsers open connections ahead of need and may never send a request on them. http.Server
// counts such a connection as busy until it is 5 s old, which made Shutdown run out of time
// when Chromium had just opened one; Shutdown closes them itself, since nothing is in flight.
func TestShutdownDoesNotWaitForConnectionsThatSentNothing(t *testing.T) {
	s := startServer(t, linkpage.Options{})
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL(), "http://"), "/")
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// The server accepts in order: once a later connection is answered, the silent one has
	// been accepted too.
	resp, err := http.Get(s.URL() + "status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a connection that sent nothing: %v", err)
	}
	assertRefused(t, addr)
}
