package linkpage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// fakeSDKs stands in for link-initialize.js. Each path is one scenario; the
// fake's Plaid.create records its config on window.__fakeLink and open()
// calls back at once, the way Link's end-of-flow burst arrives.
var fakeSDKs = map[string]string{
	// The user gives up on the first open; reopened, Link links First Platypus Bank.
	"/exit-then-success.js": `
		if (rec.opened === 1) {
			cfg.onEvent('OPEN', {view_name: null, link_session_id: 'sess-1'});
			cfg.onEvent('EXIT', {exit_status: 'requires_credentials', link_session_id: 'sess-1'});
			cfg.onExit(null, {institution: null, status: 'requires_credentials', link_session_id: 'sess-1', request_id: 'Rq1'});
		} else {
			cfg.onEvent('OPEN', {view_name: null, link_session_id: 'sess-2'});
			cfg.onSuccess('public-sandbox-reopened', {institution: {name: 'First Platypus Bank', institution_id: 'ins_109508'},
				accounts: [], link_session_id: 'sess-2', transfer_status: null});
		}`,
	// Link opens and the user is still busy in it.
	"/wait.js": `
		cfg.onEvent('OPEN', {view_name: null, link_session_id: 'sess-fake', timestamp: new Date().toISOString()});`,
	// The user links First Platypus Bank.
	"/success.js": `
		cfg.onEvent('OPEN', {view_name: null, link_session_id: 'sess-fake', timestamp: new Date().toISOString()});
		cfg.onEvent('HANDOFF', {view_name: null, link_session_id: 'sess-fake', timestamp: new Date().toISOString()});
		cfg.onSuccess('public-sandbox-xyz', {
			institution: {name: 'First Platypus Bank', institution_id: 'ins_109508'},
			accounts: [{id: 'acc_1', name: 'Plaid Checking', mask: '0000', type: 'depository', subtype: 'checking', verification_status: null}],
			link_session_id: 'sess-fake', transfer_status: null});`,
	// Link's end-of-flow burst: many events at once, then onSuccess.
	"/burst.js": `
		for (var i = 1; i <= 20; i++) {
			cfg.onEvent('TRANSITION_VIEW', {view_name: 'V' + (i < 10 ? '0' : '') + i, link_session_id: 'sess-fake'});
		}
		cfg.onEvent('HANDOFF', {link_session_id: 'sess-fake'});
		cfg.onSuccess('public-sandbox-burst', {institution: null, accounts: [], link_session_id: 'sess-fake'});`,
	// The user types a wrong password and gives up.
	"/exit-error.js": `
		cfg.onEvent('OPEN', {view_name: null, link_session_id: 'sess-fake'});
		cfg.onEvent('ERROR', {error_code: 'INVALID_CREDENTIALS', error_type: 'ITEM_ERROR', view_name: 'ERROR', link_session_id: 'sess-fake'});
		cfg.onEvent('EXIT', {exit_status: 'requires_credentials', link_session_id: 'sess-fake'});
		cfg.onExit({error_type: 'ITEM_ERROR', error_code: 'INVALID_CREDENTIALS',
			error_message: 'the provided credentials were not correct',
			display_message: 'The credentials you provided were incorrect. Check that your credentials are the same that you use for this institution.'},
			{institution: {name: 'First Platypus Bank', institution_id: 'ins_109508'}, status: 'requires_credentials',
			 link_session_id: 'sess-fake', request_id: 'Ab3dE5gH7jK9mN1'});`,
}

func fakeSDKServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := fakeSDKs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `(function () {
	window.Plaid = { create: function (cfg) {
		var rec = window.__fakeLink = window.__fakeLink || {created: 0, opened: 0};
		rec.created++;
		rec.token = cfg.token;
		rec.receivedRedirectUri = cfg.receivedRedirectUri || null;
		rec.cspNonce = cfg.cspNonce || null;
		return {
			open: function () { rec.opened++; %s },
			exit: function () {},
			destroy: function () {}
		};
	} };
})();`, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// tab is a tab of the test binary's Chromium that closes with the (sub)test, and what its page
// writes to the console.
type tab struct {
	ctx     context.Context
	console *e2etest.Console
}

// newTab opens a tab at the size these pages were designed in. A developer's quick run without
// Chromium may skip in -short mode; with PLAID_ONBOARD_E2E=1 (the README's and CI's test
// command) the browser test is part of the proof, so a missing Chromium fails it.
func newTab(t *testing.T) *tab {
	t.Helper()
	if testing.Short() && !e2etest.Required() {
		t.Skip("skipping the headless Chromium test in -short mode")
	}
	ctx := e2etest.Tab(t)
	tb := &tab{ctx: ctx, console: e2etest.Listen(ctx)}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(760, 640)); err != nil {
		t.Fatalf("size the tab: %v", err)
	}
	return tb
}

// openTab opens a tab (newTab) on url.
func openTab(t *testing.T, url string) *tab {
	t.Helper()
	tb := newTab(t)
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return tb
}

// noErrors fails the test with the page's console errors (CSP violations show there).
func (tb *tab) noErrors(t *testing.T) {
	t.Helper()
	if errs := tb.errors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// errors returns the console errors and exceptions, less the expected ones.
func (tb *tab) errors(expected ...string) []string { return tb.console.Errors(expected...) }

func (tb *tab) eval(t *testing.T, js string) string {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitState waits for the page's data-state, failing with what it shows.
// (chromedp's Poll compiles its predicate with new Function, which this
// page's CSP rightly forbids, so this polls from the test side.)
func (tb *tab) waitState(t *testing.T, want string) {
	t.Helper()
	eventually(t, "the page's state to be "+want, func() (bool, string) {
		got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.getElementById('app').dataset.state`))
		if err == nil && got == want {
			return true, ""
		}
		return false, fmt.Sprintf("state %q (%v); page says %q / %q; console: %v", got, err,
			tb.eval(t, `document.getElementById('status-title').textContent`),
			tb.eval(t, `document.getElementById('status-detail').textContent`), tb.errors())
	})
}

func (tb *tab) text(t *testing.T, id string) string {
	t.Helper()
	return tb.eval(t, `document.getElementById('`+id+`').textContent`)
}

func (tb *tab) visible(t *testing.T, id string) bool {
	t.Helper()
	return tb.eval(t, `String(!document.getElementById('`+id+`').hidden)`) == "true"
}

// screenshot saves the viewport to $LINKPAGE_SCREENSHOT_DIR/linkpage-<name>.png
// when that variable is set (e.g. LINKPAGE_SCREENSHOT_DIR=/tmp).
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("LINKPAGE_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(dir, "linkpage-"+name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func (tb *tab) darkMode(t *testing.T) {
	t.Helper()
	err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	}))
	if err != nil {
		t.Fatalf("emulate dark mode: %v", err)
	}
}

// expectEvents reads the next events and checks their kinds and names.
func expectEvents(t *testing.T, s *linkpage.Server, want ...string) []linkpage.Event {
	t.Helper()
	var got []linkpage.Event
	for _, w := range want {
		select {
		case ev := <-s.Events():
			name := ev.Kind.String()
			if ev.Kind == linkpage.KindEvent {
				name = ev.Name
			}
			if name != w {
				t.Fatalf("event %d = %s, want %s (want order %v)", len(got), name, w, want)
			}
			got = append(got, ev)
		case <-time.After(waitFor):
			t.Fatalf("no event within %v after %d of %v", waitFor, len(got), want)
		}
	}
	return got
}

// TestBrowser drives the real page in headless Chromium with a stand-in SDK:
// the callbacks reach the program in order through the real CSP, and the page
// shows each state the user goes through.
func TestBrowser(t *testing.T) {
	sdk := fakeSDKServer(t)

	start := func(t *testing.T, script string, opts linkpage.Options) *linkpage.Server {
		t.Helper()
		opts.ScriptURL = sdk.URL + script
		if opts.ClientName == "" {
			opts.ClientName = "Acme Onboarding"
		}
		if opts.Environment == "" {
			opts.Environment = "sandbox"
		}
		return startServer(t, opts)
	}

	t.Run("success, then Finish", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/success.js", linkpage.Options{})
		tb := openTab(t, s.URL())
		evs := expectEvents(t, s, "OPEN", "HANDOFF", "success")
		if evs[2].PublicToken != "public-sandbox-xyz" || evs[2].Success.Institution.Name != "First Platypus Bank" ||
			len(evs[2].Success.Accounts) != 1 || evs[2].Success.Accounts[0].Mask != "0000" {
			t.Errorf("success event = %+v %+v", evs[2], evs[2].Success)
		}
		tb.waitState(t, "connected")
		if got := tb.text(t, "status-title"); got != "Connected to First Platypus Bank" {
			t.Errorf("title = %q", got)
		}
		if got := tb.text(t, "status-detail"); got != "Finishing in the terminal…" {
			t.Errorf("detail = %q", got)
		}
		if tb.eval(t, `window.__fakeLink.token`) != testToken || tb.eval(t, `String(window.__fakeLink.receivedRedirectUri)`) != "null" {
			t.Error("Plaid.create did not get the link token, or got a receivedRedirectUri on a first open")
		}
		tb.screenshot(t, "connected")

		const final = "Connected to First Platypus Bank. You can close this tab and return to the terminal."
		s.Finish(linkpage.Outcome{OK: true, Message: final})
		tb.waitState(t, "done")
		if got := tb.text(t, "status-title"); got != "All set" {
			t.Errorf("final title = %q", got)
		}
		if got := tb.text(t, "status-detail"); got != final {
			t.Errorf("final detail = %q, want the program's message", got)
		}
		if tb.visible(t, "reopen") {
			t.Error("Reopen offered after a success")
		}
		tb.screenshot(t, "finished")
		tb.darkMode(t)
		tb.screenshot(t, "finished-dark")
		if errs := tb.errors(); len(errs) > 0 {
			t.Errorf("console errors (CSP violations show here): %v", errs)
		}
	})

	t.Run("a burst of events arrives in order", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/burst.js", linkpage.Options{})
		tb := openTab(t, s.URL())
		var want []string
		for range 20 {
			want = append(want, "TRANSITION_VIEW")
		}
		evs := expectEvents(t, s, append(want, "HANDOFF", "success")...)
		for i, ev := range evs[:20] {
			if w := fmt.Sprintf("V%02d", i+1); ev.Metadata.ViewName != w {
				t.Fatalf("event %d has view %s, want %s: the page reordered Link's events", i, ev.Metadata.ViewName, w)
			}
		}
		tb.waitState(t, "connected")
		if got := tb.text(t, "status-title"); got != "Connected" {
			t.Errorf("title without an institution = %q", got)
		}
	})

	t.Run("Link open, then the terminal gives up", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/wait.js", linkpage.Options{Environment: "production", ClientName: "Acme Payments"})
		tb := openTab(t, s.URL())
		expectEvents(t, s, "OPEN")
		tb.waitState(t, "open")
		if got := tb.text(t, "status-title"); got != "Link is open" {
			t.Errorf("title = %q", got)
		}
		tb.screenshot(t, "waiting")

		s.Finish(linkpage.Outcome{OK: false, Message: "Cancelled in the terminal"})
		tb.waitState(t, "failed")
		if got := tb.text(t, "status-title"); got != "Something went wrong" {
			t.Errorf("title = %q", got)
		}
		if got := tb.text(t, "status-detail"); got != "Cancelled in the terminal" {
			t.Errorf("detail = %q", got)
		}
		tb.screenshot(t, "cancelled")
		tb.noErrors(t)
	})

	t.Run("exit with an error, then reopen", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/exit-error.js", linkpage.Options{})
		s.AllowReopen(true) // the terminal UI keeps waiting after an exit
		tb := openTab(t, s.URL())
		evs := expectEvents(t, s, "OPEN", "ERROR", "EXIT", "exit")
		if e := evs[3].ExitError; e == nil || e.ErrorCode != "INVALID_CREDENTIALS" || evs[3].Exit.RequestID != "Ab3dE5gH7jK9mN1" {
			t.Errorf("exit event = %+v %+v", evs[3].ExitError, evs[3].Exit)
		}
		if evs[1].Metadata.ErrorCode != "INVALID_CREDENTIALS" || evs[1].Metadata.ViewName != "ERROR" {
			t.Errorf("ERROR event metadata = %+v", evs[1].Metadata)
		}
		tb.waitState(t, "exited-error")
		if got := tb.text(t, "status-title"); got != "Link closed: INVALID_CREDENTIALS" {
			t.Errorf("title = %q", got)
		}
		if got := tb.text(t, "status-detail"); !strings.HasPrefix(got, "The credentials you provided were incorrect.") {
			t.Errorf("detail = %q, want Plaid's display_message", got)
		}
		eventually(t, "a Reopen button after an exit", func() (bool, string) {
			return tb.visible(t, "reopen"), "no Reopen button"
		})
		tb.screenshot(t, "exit-error")
		tb.darkMode(t)
		tb.screenshot(t, "exit-error-dark")

		tb.eval(t, `document.getElementById('reopen').click(), ''`)
		expectEvents(t, s, "OPEN", "ERROR", "EXIT", "exit")
		if got := tb.eval(t, `String(window.__fakeLink.opened)`); got != "2" {
			t.Errorf("Link opened %s times, want 2", got)
		}

		// The terminal reports the exit as the end of the flow: the page keeps
		// Link's headline, shows the program's sentence, and stops offering
		// to reopen a session the program no longer waits for.
		s.Finish(linkpage.Outcome{OK: false, Message: "link exited with INVALID_CREDENTIALS (ITEM_ERROR) [request_id Ab3dE5gH7jK9mN1]"})
		eventually(t, "the page to stop offering Reopen after Finish", func() (bool, string) {
			return !tb.visible(t, "reopen"), "the Reopen button still shown"
		})
		if got := tb.text(t, "status-title"); got != "Link closed: INVALID_CREDENTIALS" {
			t.Errorf("title after Finish = %q", got)
		}
		if got := tb.text(t, "status-detail"); !strings.Contains(got, "request_id Ab3dE5gH7jK9mN1") {
			t.Errorf("detail after Finish = %q", got)
		}
		tb.screenshot(t, "exit-finished")
		tb.noErrors(t)
	})

	t.Run("OAuth return resumes Link", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s, redirect := startRedirect(t, linkpage.Options{ScriptURL: sdk.URL + "/wait.js", Environment: "sandbox"}, "/oauth/callback")
		tb := newTab(t)
		ret := redirect + "?oauth_state_id=ad4e7d7b-2f3a-4f6c-9a57-7d3e5e3b9f10"
		if err := chromedp.Do(tb.ctx, chromedp.Navigate(ret)); err != nil {
			t.Fatal(err)
		}
		expectEvents(t, s, "OPEN")
		tb.waitState(t, "open")
		if got := tb.eval(t, `String(window.__fakeLink.receivedRedirectUri)`); got != ret {
			t.Errorf("receivedRedirectUri = %q, want %q", got, ret)
		}
		tb.noErrors(t)
	})

	t.Run("the header fits a phone", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/wait.js", linkpage.Options{Environment: "demo", ClientName: "plaid-onboard demo"})
		tb := newTab(t)
		if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.URL())); err != nil {
			t.Fatal(err)
		}
		tb.waitState(t, "open")
		// One line is about the mark's 18px; a brand broken at its hyphen is two lines.
		h, err := strconv.Atoi(tb.eval(t, `String(Math.round(document.querySelector('.brand').getBoundingClientRect().height))`))
		if err != nil || h > 24 {
			t.Errorf("the brand is %dpx tall (%v) at 390px wide: it wraps", h, err)
		}
		if got := tb.eval(t, `document.querySelector('.brand').textContent`); got != "plaid-onboard" {
			t.Errorf("brand = %q", got)
		}
		if got := tb.eval(t, `document.title`); got != "Connect a bank account · plaid-onboard demo" {
			t.Errorf("title = %q", got)
		}
		if w := tb.eval(t, `String(document.documentElement.scrollWidth)`); w != "390" {
			t.Errorf("page is %spx wide at a 390px viewport: it scrolls sideways", w)
		}
		tb.screenshot(t, "phone")
	})

	t.Run("SDK fails to load", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		s := start(t, "/missing.js", linkpage.Options{Environment: "demo", ClientName: "plaid-onboard demo"})
		s.AllowReopen(true)
		tb := openTab(t, s.URL())
		tb.waitState(t, "blocked")
		if got, want := tb.text(t, "status-title"), "Plaid Link could not load"; got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		if got := tb.text(t, "status-detail"); !strings.Contains(got, sdk.URL+"/missing.js") {
			t.Errorf("detail = %q, want the script URL it tried", got)
		}
		eventually(t, "a Reload button while the terminal waits", func() (bool, string) {
			return tb.visible(t, "reload"), "no Reload button"
		})
		// The terminal hears of it too, so it stops waiting for a Link that will not come.
		ev := nextEvent(t, s)
		if ev.Kind != linkpage.KindLoadFailed || !strings.Contains(ev.LoadError, sdk.URL) {
			t.Errorf("event = %v %q, want load-failed naming %s", ev.Kind, ev.LoadError, sdk.URL)
		}
		tb.screenshot(t, "sdk-failed")
		if errs := tb.errors("404"); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
	})
}
