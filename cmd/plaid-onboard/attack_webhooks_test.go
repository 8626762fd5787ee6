package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// The hostile-input suite for `webhooks listen` (issue 16, item 9): whatever the --forward-to
// target does and whatever anyone posts to the listener, Plaid gets its answer promptly, the
// webhook goes nowhere but the target named, and Plaid is not asked for keys on a forger's
// behalf.

// postWebhook posts body to the listener with header as its Plaid-Verification, giving up
// after limit; it returns the status and how long the answer took.
func postWebhook(url, header string, body []byte, limit time.Duration) (int, time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Plaid-Verification", header)
	start := time.Now()
	resp, err := (&http.Client{Timeout: limit}).Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

func authUpdate(i int) []byte {
	return fmt.Appendf(nil, `{"webhook_type":"AUTH","webhook_code":"DEFAULT_UPDATE","item_id":"item-%d","environment":"sandbox"}`, i)
}

// A --forward-to app that never answers does not hold up the listener's answers to Plaid,
// which retries a webhook not answered with a 200 within 10 seconds
// (https://plaid.com/docs/api/webhooks/#webhook-retries; support.plaid.com "Can Plaid re-push
// failed or missed webhook events": "doesn't respond within 10 seconds"). Before: the first
// webhook was answered after the forward's 10 s timeout, the fourth after 40 s.
func TestAttackWebhooksHangingForwardTarget(t *testing.T) {
	t.Parallel()
	srv, dirs, env := emulatorEnv(t)
	release := make(chan struct{})
	var arrived atomic.Int32
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		select { // hangs, as an app stopped in a debugger does
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(app.Close)
	t.Cleanup(func() { close(release) })

	lp := startListen(t, dirs, env, "--forward-to", app.URL+"/plaid/webhook")
	url := lp.waitURL(t)
	var slowest time.Duration
	for i := range 4 {
		body := authUpdate(i)
		status, took, err := postWebhook(url, emulatortest.SignWebhook(srv, body, time.Now()), body, 5*time.Second)
		slowest = max(slowest, took)
		if err != nil || status != http.StatusOK || took > 2*time.Second {
			t.Errorf("webhook %d: HTTP %d after %s (%v), want 200 within 2s whatever the app does\n%s",
				i+1, status, took.Round(time.Millisecond), err, lp.output())
		}
	}
	t.Logf("4 webhooks answered, the slowest in %s", slowest.Round(time.Millisecond))
	// The forwards were made all the same, side by side, not one after the other.
	e2etest.Eventually(t, "the 4 forwards to reach the app that hangs", func() (bool, string) {
		return arrived.Load() == 4, fmt.Sprintf("%d arrived\n%s", arrived.Load(), lp.output())
	})
}

// A --forward-to app that redirects does not get the webhook sent on elsewhere: the redirect is
// the forward's answer. Before: the listener followed a 307 to another host and re-sent the
// body and the Plaid-Verification header there ("forwarded …: HTTP 200").
func TestAttackWebhooksForwardRedirect(t *testing.T) {
	t.Parallel()
	srv, dirs, env := emulatorEnv(t)
	var stolen atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	t.Cleanup(elsewhere.Close)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/collect", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(app.Close)

	lp := startListen(t, dirs, env, "--forward-to", app.URL+"/plaid/webhook")
	url := lp.waitURL(t)
	body := authUpdate(1)
	if status, _, err := postWebhook(url, emulatortest.SignWebhook(srv, body, time.Now()), body, 5*time.Second); err != nil || status != http.StatusOK {
		t.Fatalf("the webhook: HTTP %d %v\n%s", status, err, lp.output())
	}
	e2etest.Eventually(t, "the listener to say what came of the forward", func() (bool, string) {
		return strings.Contains(lp.stderrText(), "forwarded"), lp.output()
	})
	if !strings.Contains(lp.stderrText(), "HTTP 307") {
		t.Errorf("the forward's result is not the redirect:\n%s", lp.stderrText())
	}
	if n := stolen.Load(); n != 0 {
		t.Errorf("the host the app redirected to got %d requests, want none\n%s", n, lp.output())
	}
}

// JWTs naming keys Plaid never issued do not make the listener ask Plaid (with the secret) for
// each one. Before: 20 forged webhooks, 20 calls to /webhook_verification_key/get.
func TestAttackWebhooksForgedKidsKeyFetches(t *testing.T) {
	t.Parallel()
	srv, dirs, env := emulatorEnv(t)
	lp := startListen(t, dirs, env)
	url := lp.waitURL(t)
	forger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for i := range 20 {
		body := authUpdate(i)
		header := emulator.SignWebhookJWT(forger, fmt.Sprintf("forged-key-%02d", i), body, time.Now())
		if status, _, err := postWebhook(url, header, body, 5*time.Second); err != nil || status == http.StatusOK {
			t.Errorf("forged webhook %d: HTTP %d %v, want refused", i+1, status, err)
		}
		if got := lp.next(t, fmt.Sprintf("forged webhook %d", i+1)); got["verified"] != false {
			t.Errorf("forged webhook %d printed as %v", i+1, got)
		}
	}
	n := emulatortest.Requests(srv, "/webhook_verification_key/get")
	if n > 5 {
		t.Errorf("%d calls to /webhook_verification_key/get for 20 forged key ids, want at most 5\n%s", n, lp.output())
	}
	t.Logf("%d calls to /webhook_verification_key/get for 20 forged key ids", n)
}

// A client that sends a webhook's body a byte at a time is cut off by a deadline rather than
// holding a connection (and a goroutine) open for as long as it likes. Before: the connection
// stayed open as long as bytes kept coming.
func TestAttackWebhooksSlowBody(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	lp := startListen(t, dirs, env)
	url := lp.waitURL(t)
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", conn.RemoteAddr()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a byte every 100 ms, until the listener hangs up
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	const limit = 12 * time.Second
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	_, err = io.Copy(io.Discard, conn) // ends when the listener answers and closes
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the listener still held the slow connection open after %s\n%s", limit, lp.output())
	}
	t.Logf("the listener closed the slow connection after %s", time.Since(start).Round(time.Millisecond))
}

// --forward-to a cloud metadata address (link-local) is refused, with why, before anything
// listens: a webhook posted there could reach the machine's cloud credentials service. Before:
// accepted silently.
func TestAttackWebhooksForwardToMetadata(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	for _, target := range []string{"http://169.254.169.254/", "http://[fe80::1]:8080/hook", "http://[::ffff:169.254.169.254]/"} {
		lp := startListen(t, dirs, env, "--forward-to", target)
		select {
		case <-lp.url:
			t.Errorf("--forward-to %s: the listener started\n%s", target, lp.output())
			continue
		case <-lp.done:
		case <-time.After(e2etest.Timeout):
			t.Fatalf("--forward-to %s: neither refused nor started within %s\n%s", target, e2etest.Timeout, lp.output())
		}
		if code := lp.wait(t); code != 2 || !strings.Contains(lp.stderrText(), "link-local") {
			t.Errorf("--forward-to %s: exit %d, want 2 with the reason (link-local)\n%s", target, code, lp.output())
		}
	}
}

// A --forward-to target off this machine is allowed (an app in a container or on another
// host is a real need) but named at start, since every verified webhook will go there: a
// command pasted from somewhere cannot send them away unseen. Before: nothing was said.
func TestAttackWebhooksForwardRemoteNamed(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	lp := startListen(t, dirs, env, "--forward-to", "http://203.0.113.7:9/hook") // TEST-NET-3: nothing is sent at start
	lp.waitURL(t)
	e2etest.Eventually(t, "the listener to finish starting", func() (bool, string) {
		return strings.Contains(lp.stderrText(), "Press ctrl+c"), lp.output()
	})
	if !strings.Contains(lp.stderrText(), "203.0.113.7:9 is not on this machine") || !strings.Contains(lp.stderrText(), "unencrypted") {
		t.Errorf("a remote forward target is not named as such:\n%s", lp.stderrText())
	}
}
