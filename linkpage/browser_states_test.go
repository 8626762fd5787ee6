package linkpage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// linkRun is a Session's Link running in the background, as a front end runs it.
type linkRun struct {
	sess    *linkpage.Session
	url     chan string
	updates chan linkpage.Update
	done    chan sessionResult
}

type sessionResult struct {
	public string
	err    error
}

func runSession(t *testing.T, scriptURL string, reopen bool) *linkRun {
	t.Helper()
	r := &linkRun{url: make(chan string, 1), updates: make(chan linkpage.Update, 64), done: make(chan sessionResult, 1)}
	r.sess = linkpage.NewSession(linkpage.SessionOptions{
		Page:   linkpage.Options{ScriptURL: scriptURL, Environment: "sandbox", ClientName: "Acme Onboarding"},
		Reopen: reopen,
		OnUpdate: func(u linkpage.Update) {
			if u.Kind == linkpage.UpdateStarted {
				r.url <- u.URL
			}
			r.updates <- u
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = r.sess.Close() })
	go func() {
		pub, _, _, err := r.sess.Link(ctx, testToken)
		r.done <- sessionResult{pub, err}
	}()
	return r
}

func (r *linkRun) pageURL(t *testing.T) string {
	t.Helper()
	select {
	case u := <-r.url:
		return u
	case <-timeAfter():
		t.Fatal("the Link page did not start")
		return ""
	}
}

// result waits for Link to return.
func (r *linkRun) result(t *testing.T) sessionResult {
	t.Helper()
	select {
	case res := <-r.done:
		return res
	case <-timeAfter():
		t.Fatal("Link did not return")
		return sessionResult{}
	}
}

// sawExit waits for the exit to reach the front end through OnUpdate.
func (r *linkRun) sawExit(t *testing.T) {
	t.Helper()
	for {
		select {
		case u := <-r.updates:
			if u.Kind == linkpage.UpdateEvent && u.Event.Kind == linkpage.KindExit {
				return
			}
		case <-timeAfter():
			t.Fatal("the exit never reached the front end")
		}
	}
}

// TestBrowserLinkPageStates drives a whole Session in headless Chromium through each way Link
// can end that is not a plain success, and checks what the page says and offers.
func TestBrowserLinkPageStates(t *testing.T) {
	sdk := fakeSDKServer(t)

	// The bug this guards: Link reopened from the page was replaced a second later by
	// "Something went wrong" (the terminal had already ended the session), and the terminal
	// kept showing a dead URL. While the terminal waits, Reopen works and the session
	// completes with the reopened Link's public token.
	t.Run("the terminal UI waits: Reopen works", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		r := runSession(t, sdk.URL+"/exit-then-success.js", true)
		tb := openTab(t, r.pageURL(t))
		r.sawExit(t)
		tb.waitState(t, "exited")
		if got := tb.text(t, "status-title"); got != "Link closed" {
			t.Errorf("title = %q: closing Link is not a failure", got)
		}
		eventually(t, "the page to offer Reopen while the terminal waits", func() (bool, string) {
			return tb.visible(t, "reopen"), "no Reopen button"
		})
		tb.screenshot(t, "exited-reopen")
		tb.eval(t, `document.getElementById('reopen').click(), ''`)
		res := r.result(t)
		if res.err != nil || res.public != "public-sandbox-reopened" {
			t.Fatalf("Link returned %q, %v; want the reopened Link's public token", res.public, res.err)
		}
		tb.waitState(t, "connected")
		if got := tb.text(t, "status-title"); got != "Connected to First Platypus Bank" {
			t.Errorf("title after the reopened Link = %q", got)
		}
		tb.noErrors(t)
	})

	t.Run("a scripted command stops at the exit: no Reopen", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		r := runSession(t, sdk.URL+"/exit-error.js", false)
		tb := openTab(t, r.pageURL(t))
		res := r.result(t)
		var exit *linkpage.ExitError
		if !errors.As(res.err, &exit) || exit.Status != "requires_credentials" {
			t.Fatalf("Link returned %v, want the exit with its status", res.err)
		}
		tb.waitState(t, "exited-error")
		eventually(t, "the page to say the terminal stopped waiting", func() (bool, string) {
			d := tb.text(t, "status-detail")
			return strings.Contains(d, "Run the command again"), d
		})
		if got := tb.text(t, "status-title"); got != "Link closed: INVALID_CREDENTIALS" {
			t.Errorf("title = %q", got)
		}
		if tb.visible(t, "reopen") {
			t.Error("Reopen offered, but the command no longer waits for Link")
		}
		tb.screenshot(t, "exited-scripted")
	})

	t.Run("the user quits in the terminal", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		r := runSession(t, sdk.URL+"/wait.js", true)
		tb := openTab(t, r.pageURL(t))
		tb.waitState(t, "open")
		closed := make(chan error, 1)
		go func() { closed <- r.sess.Close() }()
		tb.waitState(t, "closed")
		if got := tb.text(t, "status-title"); got != "Closed from the terminal" {
			t.Errorf("title = %q, want a quit not to read as a failure", got)
		}
		if tb.visible(t, "reopen") || tb.visible(t, "reload") {
			t.Error("a button offered after the terminal closed the session")
		}
		tb.screenshot(t, "closed")
		// Close's error is not checked: Chromium may hold a preconnected socket that
		// http.Server.Shutdown waits on; Close then force-closes it, which is fine here.
		<-closed
		if res := r.result(t); !errors.Is(res.err, linkpage.ErrSessionClosed) {
			t.Errorf("Link returned %v, want ErrSessionClosed", res.err)
		}
	})

	// An ad blocker stops the real script URL: the page names the URL it tried and what stops
	// such a load, and the command stops waiting; the page keeps saying why after the program
	// is gone, instead of "plaid-onboard is no longer running".
	t.Run("a blocker stops the Link script", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		script := sdk.URL + "/success.js"
		r := runSession(t, script, false)
		tb := newTab(t)
		err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			if _, err := cdp.Call(ctx, target, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, target, network.SetBlockedURLs, network.SetBlockedURLsParams{
				URLPatterns: []*network.BlockPattern{{URLPattern: script, Block: true}},
			})
			return err
		}), chromedp.Navigate(r.pageURL(t)))
		if err != nil {
			t.Fatal(err)
		}
		res := r.result(t)
		var le *linkpage.LoadError
		if !errors.As(res.err, &le) || !strings.Contains(le.Reason, script) {
			t.Fatalf("Link returned %v, want a load error naming %s", res.err, script)
		}
		tb.waitState(t, "blocked")
		if got := tb.text(t, "status-title"); got != "Plaid Link could not load" {
			t.Errorf("title = %q", got)
		}
		d := tb.text(t, "status-detail")
		for _, w := range []string{script, "blocker", "proxy", "PLAID_LINK_SCRIPT_URL"} {
			if !strings.Contains(d, w) {
				t.Errorf("detail %q lacks %q", d, w)
			}
		}
		eventually(t, "the page to hear the command stopped", func() (bool, string) {
			d := tb.text(t, "status-detail")
			return strings.Contains(d, "run the command again"), d
		})
		if tb.visible(t, "reload") {
			t.Error("Reload offered, but the command no longer waits")
		}
		tb.screenshot(t, "blocked")
		if err := r.sess.Close(); err != nil {
			t.Fatal(err)
		}
		if got := tb.text(t, "status-title"); got != "Plaid Link could not load" || tb.eval(t, `document.getElementById('app').dataset.state`) != "blocked" {
			t.Errorf("after the program stopped the page says %q", got)
		}
		if errs := tb.errors("ERR_BLOCKED_BY_CLIENT", "blocked"); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
	})

	t.Run("the terminal UI waits: a blocked script offers Reload", func(t *testing.T) {
		t.Parallel() // each subtest has its own server and tab
		r := runSession(t, sdk.URL+"/missing.js", true)
		tb := openTab(t, r.pageURL(t))
		tb.waitState(t, "blocked")
		eventually(t, "the page to offer Reload while the terminal waits", func() (bool, string) {
			return tb.visible(t, "reload"), "no Reload button"
		})
		if tb.visible(t, "reopen") {
			t.Error("Reopen offered for a Link that never loaded")
		}
		tb.screenshot(t, "blocked-reload")
	})
}

// timeAfter bounds each wait of these tests by waitFor.
func timeAfter() <-chan time.Time { return time.After(waitFor) }
