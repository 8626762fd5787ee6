package e2etest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where the tests find Chromium (CHROMIUM overrides it).
var chromiumPath = "/usr/bin/chromium"

func init() {
	if p := os.Getenv("CHROMIUM"); p != "" {
		chromiumPath = p
	}
}

// The one headless Chromium of this test binary: started by the first Tab, stopped by Main.
// Starting Chromium costs about a second on an idle machine and several on a busy one, and a
// test needs only a tab of its own, which a browser context (an incognito profile: cookies,
// storage and cache apart) gives it.
var browser struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; tests open theirs beside it
	err    error
	dir    string
	cancel func() // closes the browser and waits for it to exit
}

// startBrowser starts Chromium with a profile, a TMPDIR and a HOME of its own, removed once it
// has stopped: Chromium keeps its singleton socket in $TMPDIR, which a browser that is stopped
// rather than closed leaves behind, and its crash reports under $XDG_CONFIG_HOME, the user's.
// The directory is not a test's TempDir, whose path (with the test's name) makes the socket's
// path longer than a Unix socket's limit, which Chromium refuses; nor does it belong to one test.
func startBrowser() error {
	dir, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		return err
	}
	browser.dir = dir
	profile, tmp, home := filepath.Join(dir, "profile"), filepath.Join(dir, "tmp"), filepath.Join(dir, "home")
	for _, d := range []string{profile, tmp, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache")),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1100, 800),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	browser.ctx = ctx
	browser.cancel = func() {
		// Close Chromium gracefully and wait for it, so it is gone before its directory is
		// removed; cancelAlloc then kills whatever did not exit, and waits for it too.
		closing, cancelClosing := context.WithTimeout(ctx, Timeout)
		defer cancelClosing()
		_ = chromedp.Cancel(closing)
		cancel()
		cancelAlloc()
	}
	// The first action starts the browser and lives as long as it, so it takes no timeout; the
	// start is bounded by a timer instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			return fmt.Errorf("start Chromium: %w", err)
		}
	case <-time.After(Timeout):
		return fmt.Errorf("chromium did not start within %s", Timeout)
	}
	return nil
}

// closeBrowser stops the shared Chromium, when a test started it, and removes its directory.
func closeBrowser() error {
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dir != "" {
		if err := os.RemoveAll(browser.dir); err != nil {
			return fmt.Errorf("remove Chromium's directory: %w", err)
		}
	}
	return nil
}

// Tab opens a tab for the test in the test binary's Chromium, starting it on first use, in a
// browser context of its own, so tests that run at once share no cookie, storage or pop-up. The
// tab closes when the test ends. Its context has a backstop deadline for the whole test; give
// each action its own with Step.
func Tab(t testing.TB) context.Context {
	t.Helper()
	_, err := os.Stat(chromiumPath)
	Require(t, "Chromium at "+chromiumPath+" (apt-get install chromium, or set CHROMIUM to its path)", err == nil)
	browser.once.Do(func() { browser.err = startBrowser() })
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	ctx, cancel := context.WithTimeout(browser.ctx, 5*time.Minute)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancelTab(); cancel() })
	// Create the tab now, so that its browser context is known to Target.
	if err := chromedp.Do(ctx, Step("open a tab", chromedp.Navigate("about:blank"))); err != nil {
		t.Fatalf("open a tab in Chromium: %v", err)
	}
	return ctx
}

// Step names a browser action for its error and gives it its own deadline, so that a slow or
// stuck browser fails the test saying which step it was at.
func Step(what string, a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		ctx, cancel := context.WithTimeout(ctx, Timeout)
		defer cancel()
		if _, err := a(ctx, tg); err != nil {
			return chromedp.Void{}, fmt.Errorf("%s: %w", what, err)
		}
		return chromedp.Void{}, nil
	}
}

// Steps is one action made of several, run in order until the first error: a part of a user's
// path that several tests take.
func Steps(actions ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for _, a := range actions {
			if _, err := a(ctx, tg); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}

// WaitJS waits until a JavaScript condition holds in the tab's page (chromedp.Poll: the page's
// Content-Security-Policy must allow eval).
func WaitJS(condition string) chromedp.Action[chromedp.Void] {
	return Step("wait for "+condition, chromedp.Poll[chromedp.Void](condition,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(Timeout)))
}

// Target waits for a target of the tab's browser context (a pop-up window, an out-of-process
// iframe) of type typ whose URL contains urlPart, and returns a context attached to it, detached
// when the test ends. Only the tab's own browser context is searched, so tests running at once
// never take each other's.
func Target(t testing.TB, tab context.Context, what, typ, urlPart string) context.Context {
	t.Helper()
	own := chromedp.FromContext(tab).BrowserContextID
	var found context.Context
	Eventually(t, what, func() (bool, string) {
		targets, err := chromedp.Targets(tab)
		if err != nil {
			t.Fatalf("list the browser's targets: %v", err)
		}
		var seen []string
		for _, tg := range targets {
			if tg.BrowserContextID != own {
				continue
			}
			if tg.Type == typ && strings.Contains(tg.URL, urlPart) {
				ctx, cancel := chromedp.NewContext(tab, chromedp.WithTargetID(tg.TargetID))
				t.Cleanup(cancel)
				found = ctx
				return true, ""
			}
			seen = append(seen, string(tg.Type)+" "+tg.URL)
		}
		return false, fmt.Sprintf("targets %v", seen)
	})
	return found
}

// Console collects what a tab's pages write to the console as errors and exceptions (Content-
// Security-Policy violations show there), for a test to check at its end.
type Console struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// Listen collects the console errors of the tab until its context ends.
func Listen(tab context.Context) *Console {
	c := &Console{}
	msgs := chromedp.Console(tab)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			c.mu.Lock()
			c.messages = append(c.messages, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// Errors returns the console errors and exceptions so far, less those whose text contains one
// of expected.
func (c *Console) Errors(expected ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
next:
	for _, m := range c.messages {
		for _, e := range expected {
			if strings.Contains(m.Text, e) {
				continue next
			}
		}
		out = append(out, m.String())
	}
	return out
}
