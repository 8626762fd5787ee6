package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// freeLoopbackPort returns a port free a moment ago on both 127.0.0.1 and ::1, as a redirect
// URI on localhost needs. The machine must have an IPv6 loopback: the page listens there too.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	for attempt := 1; attempt <= 10; attempt++ {
		ln4, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln4.Addr().(*net.TCPAddr).Port
		ln6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))
		ln4.Close()
		if err == nil {
			ln6.Close()
			return port
		}
		if _, err6 := net.Listen("tcp6", "[::1]:0"); err6 != nil {
			t.Fatalf("cannot listen on [::1] (%v): the OAuth redirect tests need an IPv6 loopback; enable it (sysctl net.ipv6.conf.lo.disable_ipv6=0)", err6)
		}
	}
	t.Fatal("no port free on both 127.0.0.1 and ::1 after 10 tries")
	return 0
}

// waitForURL waits for the tab to show a page whose address starts with prefix, and returns
// the address. The page navigates by itself, so an evaluation may meet the old page going away:
// that is retried until the deadline.
func waitForURL(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(e2etest.Timeout)
	last := ""
	for time.Now().Before(deadline) {
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.location.href`))
		if err == nil && strings.HasPrefix(href, prefix) {
			return href
		}
		if err == nil {
			last = href
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s…: %v", prefix, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("the browser did not reach %s… within %s (last at %s)", prefix, e2etest.Timeout, last)
	return ""
}

// startLinkOnAFreePort starts link (through start) on a port free on both loopback addresses a
// moment ago. Another process may take the port before the binary binds it (CI runs test
// binaries side by side); the binary then refuses to start, and another port is tried.
func startLinkOnAFreePort(t *testing.T, start func(port int) *process) (p *process, port int, url string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port = freeLoopbackPort(t)
		p = start(port)
		select {
		case url = <-p.url:
			return p, port, url
		case <-p.done:
			if !strings.Contains(p.stderrText(), "already in use") || attempt == 3 {
				t.Fatalf("link ended before its page started (%v):\n%s", p.err, p.stderrText())
			}
		case <-time.After(e2etest.Timeout):
			t.Fatalf("no Link URL on stderr within %s:\n%s", e2etest.Timeout, p.stderrText())
		}
	}
}

// TestE2ELinkOAuthRedirect: `link --redirect-uri http://localhost:PORT/oauth/callback` against the
// emulator (whose Dashboard lists that URI), in headless Chromium. The user picks Platypus OAuth
// Bank; Link sends the browser to the redirect URI with an oauth_state_id; the page served
// there re-creates Link with receivedRedirectUri, which resumes the session; the user logs in,
// and the binary prints the numbers and saves the Item in the real keyring.
func TestE2ELinkOAuthRedirect(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	var redirect string
	p, port, url := startLinkOnAFreePort(t, func(port int) *process {
		redirect = fmt.Sprintf("http://localhost:%d/oauth/callback", port)
		srv := emulator.NewServer(emulator.WithRedirectURIs(redirect))
		t.Cleanup(srv.Close)
		dirs := newUserDirs(t)
		return startLink(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), "--json", "--redirect-uri", redirect)
	})
	if want := fmt.Sprintf("http://127.0.0.1:%d/", port); url != want {
		t.Errorf("Link page at %s, want %s (the redirect URI's port)", url, want)
	}
	if err := oauthRoundTrip(t, url, redirect); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, p.stderrText())
	}
	res := flowResult(t, p)
	if res.Institution == nil || res.Institution.ID != "ins_127287" || res.Institution.Name != "Platypus OAuth Bank" ||
		len(res.Numbers.ACH) == 0 || res.Numbers.ACH[0].Routing == "" {
		t.Errorf("result: institution %+v, ACH %+v", res.Institution, res.Numbers.ACH)
	}
	if !res.Storage.Saved {
		t.Errorf("Item not saved: %+v", res.Storage)
	}
	stderr := p.stderrText()
	wantAll(t, "stderr", stderr, "OAuth banks return to "+redirect, "OPEN_OAUTH", "Platypus OAuth Bank", "HANDOFF", "✓ Saved the Item")
	// Both addresses are let go when the flow ends.
	for _, addr := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("[::1]:%d", port)} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s still answers after the flow ended", addr)
		}
	}
}

// waitForTrue waits for expr to be true in the tab's page, which may still be loading: an
// evaluation that fails meanwhile is retried until the deadline.
func waitForTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(e2etest.Timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		lastErr = err
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("waited %s for %s (last error %v)", e2etest.Timeout, what, lastErr)
}

// oauthRoundTrip drives the Link page at url through Platypus OAuth Bank the redirect way: the
// user picks the bank, Link sends the browser to redirect with an oauth_state_id, the page
// there resumes Link, and the user logs in and finishes. It checks the trip on the way.
func oauthRoundTrip(t *testing.T, url, redirect string) error {
	t.Helper()
	ctx, frame := openLink(t, url)
	err := chromedp.Do(ctx,
		paneIs(frame, "CONSENT"),
		clickIn(frame, "#continue"),
		paneIs(frame, "SELECT_INSTITUTION"),
		typeIn(frame, "#search", "oauth"),
		clickIn(frame, `[data-institution-id="ins_127287"]`),
		paneIs(frame, "OAUTH"),
		clickIn(frame, "#continue"),
	)
	if err != nil {
		return fmt.Errorf("drive Link to the bank: %w", err)
	}
	back := waitForURL(t, ctx, redirect+"?oauth_state_id=")
	state := strings.TrimPrefix(back, redirect+"?oauth_state_id=")
	if len(state) != 36 {
		t.Errorf("came back to %s: want the redirect URI with a UUID oauth_state_id", back)
	}

	// The return page is the Link page in resume mode: it re-creates Link, which resumes. The page
	// is now on localhost and the stand-in on 127.0.0.1, two sites, so Chromium runs the Link
	// iframe in a process of its own: drive it as its own target.
	waitForTrue(t, ctx, "the return page in resume mode", `!!document.getElementById('app') && document.getElementById('app').dataset.mode === 'resume'`)
	fctx := e2etest.Target(t, ctx, "the resumed Link iframe", "iframe", "/link/stand-in?")
	pane := func(name string) chromedp.Action[chromedp.Void] {
		return e2etest.Step("wait for the "+name+" pane", chromedp.WaitVisible(chromedp.CSS(`#pane[data-pane="`+name+`"]`)))
	}
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return e2etest.Step("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeInto := func(sel, text string) chromedp.Action[chromedp.Void] {
		return e2etest.Step("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
	}
	err = chromedp.Do(fctx,
		pane("CREDENTIAL"),
		typeInto("#username", "user_good"),
		typeInto("#password", "pass_good"),
		click("#submit"),
		pane("SELECT_ACCOUNT"),
		click("#continue"),
		pane("CONNECTED"),
		click("#continue"),
	)
	if err != nil {
		return fmt.Errorf("finish the resumed Link: %w", err)
	}
	err = chromedp.Do(ctx, pageDone())
	if err != nil {
		return fmt.Errorf("the return page: %w", err)
	}
	return nil
}

// squatter listens on host (127.0.0.1 or ::1) on a port whose twin on the other loopback
// address is free, as another local program would, until the test ends.
func squatter(t *testing.T, network, host string) (net.Listener, int) {
	t.Helper()
	twinNet, twinHost := "tcp4", "127.0.0.1"
	if network == "tcp4" {
		twinNet, twinHost = "tcp6", "::1"
	}
	for attempt := 1; attempt <= 10; attempt++ {
		ln, err := net.Listen(network, net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatalf("squatter on %s: %v", host, err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		twin, err := net.Listen(twinNet, net.JoinHostPort(twinHost, strconv.Itoa(port)))
		if err != nil {
			ln.Close() // the twin is held by someone else: another port
			continue
		}
		twin.Close()
		t.Cleanup(func() { ln.Close() })
		return ln, port
	}
	t.Fatalf("no port on %s whose twin on %s is free, after 10 tries", host, twinHost)
	return nil, 0
}

// runLinkRefused runs `link` expecting it to stop before any Plaid call, and returns its exit
// code and stderr.
func runLinkRefused(t *testing.T, srv *emulator.Server, args ...string) (int, string) {
	t.Helper()
	dirs := newUserDirs(t)
	ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), append([]string{"link", "--no-browser", "--no-save"}, args...)...)
	cmd.Dir, cmd.Env = dirs.work, fakePlaidEnv(dirs, srv, srv.LinkScriptURL())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("link did not stop within %s: %s", e2etest.Timeout, stderr.String())
	}
	code := exitStatus(t, err)
	return code, stderr.String()
}

// TestE2ELinkRefusesASquatter: another program listening on the redirect URI's port, on ::1 or
// on 127.0.0.1, would receive the bank's return (browsers try ::1 first for localhost): link
// refuses to start, says which address is taken and what to do, exits 1, and asks Plaid
// nothing.
func TestE2ELinkRefusesASquatter(t *testing.T) {
	t.Parallel()
	for _, squat := range []struct{ network, host string }{{"tcp6", "::1"}, {"tcp4", "127.0.0.1"}} {
		t.Run(squat.host, func(t *testing.T) {
			ln, port := squatter(t, squat.network, squat.host)
			addr := net.JoinHostPort(squat.host, strconv.Itoa(port))
			// The squatter answers like any local web server would.
			go func() { _ = http.Serve(ln, http.NotFoundHandler()) }()

			srv := emulator.NewServer()
			defer srv.Close()
			redirect := fmt.Sprintf("http://localhost:%d/oauth/callback", port)
			code, stderr := runLinkRefused(t, srv, "--redirect-uri", redirect)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, stderr)
			}
			wantAll(t, "stderr", stderr, addr+" is already in use by another program", redirect, "ss -ltnp")
			if strings.Contains(stderr, "Link is at") {
				t.Errorf("the Link page started anyway:\n%s", stderr)
			}
			if n := emulatortest.Requests(srv, "/link/token/create"); n != 0 {
				t.Errorf("%d calls to /link/token/create: the refusal must come before any Plaid call", n)
			}
		})
	}
}

// TestE2ELinkRedirectURIChecked: a redirect URI that cannot work is a usage error before any
// call, saying what to change; one the Dashboard does not list gets Plaid's INVALID_FIELD.
func TestE2ELinkRedirectURIChecked(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer(emulator.WithRedirectURIs("http://localhost:8765/oauth-return"))
	defer srv.Close()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--redirect-uri", "https://app.example.com/oauth"}, 2, "use http://localhost:PORT/PATH"},
		{[]string{"--redirect-uri", "http://localhost:8765/oauth?x=1"}, 2, "query string"},
		{[]string{"--redirect-uri", "http://localhost:8765/oauth-return", "--port", "9000"}, 2, "disagree"},
		{[]string{"--env", "production", "--redirect-uri", "http://localhost:8765/oauth-return"}, 2, "requires https"},
	} {
		code, stderr := runLinkRefused(t, srv, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("link %v: exit %d, want %d with %q:\n%s", tt.args, code, tt.code, tt.want, stderr)
		}
	}
	if n := emulatortest.Requests(srv, "/link/token/create"); n != 0 {
		t.Errorf("%d calls to /link/token/create for refused redirect URIs", n)
	}

	// Registered in the Dashboard? The emulator lists only :8765/oauth-return.
	port := freeLoopbackPort(t)
	code, stderr := runLinkRefused(t, srv, "--redirect-uri", fmt.Sprintf("http://localhost:%d/oauth-return", port))
	if code != 1 || !strings.Contains(stderr, "INVALID_FIELD") || !strings.Contains(stderr, "OAuth redirect URI must be configured in the developer dashboard") {
		t.Errorf("unregistered redirect URI: exit %d:\n%s", code, stderr)
	}
}

// TestE2ETUIOAuthRedirectInTmux: the terminal UI takes the redirect URI from PLAID_REDIRECT_URI
// (here with the offline demo, whose Dashboard lists any localhost URI): its Link page listens
// on the URI's port, and the OAuth round trip in Chromium ends with the bank's numbers on the
// results screen.
func TestE2ETUIOAuthRedirectInTmux(t *testing.T) {
	t.Parallel()
	port := freeLoopbackPort(t)
	redirect := fmt.Sprintf("http://localhost:%d/oauth/callback", port)
	s := startTUI(t, 100, 30, "NO_COLOR=1 PLAID_REDIRECT_URI="+redirect, "--demo --no-browser --no-save")
	s.waitForText("OFFLINE DEMO · not Plaid", "The emulator accepted the demo keys")
	s.keys("Enter")
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	s.waitForText("Link a bank account in your browser", url)

	if err := oauthRoundTrip(t, url, redirect); err != nil {
		t.Fatalf("%v\nthe screen:\n%s", err, s.screen())
	}
	s.waitForText("Platypus OAuth Bank", "ins_127287", "Plaid Checking")
	s.keys("C-c")
	s.waitExited(screenTimeout)
}

// TestE2ETUIRefusesASquatterInTmux: with --redirect-uri and another program on its port on ::1,
// the terminal UI does not start: it says which address is taken and exits 1.
func TestE2ETUIRefusesASquatterInTmux(t *testing.T) {
	t.Parallel()
	_, port := squatter(t, "tcp6", "::1")
	s := startTUI(t, 100, 30, "NO_COLOR=1", "--demo --no-browser --no-save --redirect-uri "+fmt.Sprintf("http://localhost:%d/oauth/callback", port))
	s.waitExited(screenTimeout)
	if b, err := os.ReadFile(s.exitFile); err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Errorf("exit status %q (%v), want 1", b, err)
	}
	// With the scrollback: the pane's last line says it is dead, which pushes the first one up.
	scr := s.run("capture-pane", "-p", "-J", "-S", "-100", "-t", s.target)
	if !strings.Contains(scr, fmt.Sprintf("[::1]:%d is already in use by another program", port)) {
		t.Errorf("the screen does not say the port is taken:\n%s", scr)
	}
}

// TestE2ELinkFixedPort: --port fixes the Link page's port without OAuth (127.0.0.1 only, no
// return page); a port another program holds is refused before any Plaid call.
func TestE2ELinkFixedPort(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	p, port, url := startLinkOnAFreePort(t, func(port int) *process {
		dirs := newUserDirs(t)
		return startLink(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), "--no-save", "--port", strconv.Itoa(port))
	})
	if want := fmt.Sprintf("http://127.0.0.1:%d/", port); url != want {
		t.Errorf("Link page at %s, want %s", url, want)
	}
	if resp, err := http.Get(url + "oauth-return?oauth_state_id=x"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a return page without a redirect URI: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if c, err := net.Dial("tcp6", fmt.Sprintf("[::1]:%d", port)); err == nil {
		c.Close()
		t.Errorf("--port alone listens on ::1 too")
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 130 {
		t.Errorf("exit %d after ctrl+c, want 130", code)
	}

	_, taken := squatter(t, "tcp4", "127.0.0.1")
	code, stderr := runLinkRefused(t, srv, "--port", strconv.Itoa(taken))
	if want := fmt.Sprintf("127.0.0.1:%d is already in use by another program", taken); code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "choose another port") {
		t.Errorf("--port on a taken port: exit %d:\n%s", code, stderr)
	}
}

// The Link page's flags are where a user looks: on `link` and the terminal UI, not on the
// commands without a page, and `emulator` has its own --redirect-uri for the Dashboard.
func TestLinkPageFlagsInHelp(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		want, lack []string
	}{
		{[]string{"link", "--help"}, []string{"--redirect-uri", "--port", "OAuth banks", "PLAID_REDIRECT_URI", "::1"}, nil},
		{[]string{"--help"}, []string{"--redirect-uri", "--port"}, nil},
		{[]string{"sandbox", "link", "--help"}, nil, []string{"--redirect-uri"}},
		{[]string{"emulator", "--help"}, []string{"--redirect-uri", "oauth_state_id"}, nil},
	} {
		te := newTestEnv(t)
		te.mustRun(t, exitOK, tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(te.stdout.String(), w) {
				t.Errorf("%v lacks %q", tt.args, w)
			}
		}
		for _, l := range tt.lack {
			if strings.Contains(te.stdout.String(), l) {
				t.Errorf("%v has %q", tt.args, l)
			}
		}
	}
}
