package linkpage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// updates records a session's updates on a channel, so a test waits on each one.
type updates chan linkpage.Update

func (u updates) on(up linkpage.Update) { u <- up }

// next waits for the next update and checks its kind.
func (u updates) next(t *testing.T, want linkpage.UpdateKind) linkpage.Update {
	t.Helper()
	select {
	case up := <-u:
		if up.Kind != want {
			t.Fatalf("update = %v %+v, want %v", up.Kind, up, want)
		}
		return up
	case <-time.After(waitFor):
		t.Fatalf("no %v update within %v", want, waitFor)
	}
	return linkpage.Update{}
}

// none asserts no update is waiting (call it once Link has returned: updates come from Link's
// goroutine, so by then all of them have been sent).
func (u updates) none(t *testing.T) {
	t.Helper()
	select {
	case up := <-u:
		t.Fatalf("unexpected update %v %+v", up.Kind, up)
	default:
	}
}

// linkResult is what Link returned.
type linkResult struct {
	token, instID, instName string
	err                     error
}

// runLink runs Link in a goroutine and returns where its result arrives.
func runLink(ctx context.Context, s *linkpage.Session, token string) <-chan linkResult {
	out := make(chan linkResult, 1)
	go func() {
		var r linkResult
		r.token, r.instID, r.instName, r.err = s.Link(ctx, token)
		out <- r
	}()
	return out
}

func waitResult(t *testing.T, ch <-chan linkResult) linkResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitFor):
		t.Fatalf("Link did not return within %v", waitFor)
	}
	return linkResult{}
}

// newSession builds a session whose updates land on the returned channel and closes it when
// the test ends.
func newSession(t *testing.T, opts linkpage.SessionOptions) (*linkpage.Session, updates) {
	t.Helper()
	ups := make(updates, 256)
	opts.OnUpdate = ups.on
	if opts.Page.Environment == "" {
		opts.Page.Environment = "sandbox"
	}
	s := linkpage.NewSession(opts)
	t.Cleanup(func() { _ = s.Close() })
	return s, ups
}

// livePage is the Link page as a browser sees it: it loaded the page over loopback and posts
// the callbacks the way page.js does.
type livePage struct {
	t      *testing.T
	base   string // http://127.0.0.1:PORT
	nonce  string
	client *http.Client
}

func openLivePage(t *testing.T, url string) *livePage {
	t.Helper()
	p := &livePage{t: t, base: strings.TrimSuffix(url, "/"), client: &http.Client{Timeout: waitFor}}
	resp, err := p.client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := nonceAttrRE.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s = %d without a session nonce", url, resp.StatusCode)
	}
	p.nonce = m[1]
	return p
}

func (p *livePage) post(kind, body string) {
	p.t.Helper()
	r, _ := http.NewRequest(http.MethodPost, p.base+"/callback/"+kind, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", p.base)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set(linkpage.NonceHeader, p.nonce)
	resp, err := p.client.Do(r)
	if err != nil {
		p.t.Fatalf("POST /callback/%s: %v", kind, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		p.t.Fatalf("POST /callback/%s = %d %s, want 204", kind, resp.StatusCode, b)
	}
}

type pageStatus struct {
	Finished bool   `json:"finished"`
	OK       bool   `json:"ok"`
	Message  string `json:"message"`
	Ending   string `json:"ending"`
}

// What the page is told when the terminal ends a session without a result.
const (
	exitedMsg  = "plaid-onboard stopped waiting for Link and has reported this in the terminal. Run the command again to try again; you can close this tab."
	blockedMsg = "plaid-onboard stopped waiting for Link. Once the script can load, run the command again; you can close this tab."
	closedMsg  = "The terminal closed this Link session (you quit, went back, or started a new session there). You can close this tab."
)

// status is what the page's poll of /status sees.
func (p *livePage) status() pageStatus {
	p.t.Helper()
	r, _ := http.NewRequest(http.MethodGet, p.base+"/status", nil)
	r.Header.Set(linkpage.NonceHeader, p.nonce)
	resp, err := p.client.Do(r)
	if err != nil {
		p.t.Fatalf("GET /status: %v", err)
	}
	defer resp.Body.Close()
	var st pageStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		p.t.Fatalf("GET /status = %d, undecodable: %v", resp.StatusCode, err)
	}
	return st
}

// closeWhilePolling closes s while polling /status as the open page does, and returns the
// outcome the page collected: Close waits for a live page to collect it before stopping.
func closeWhilePolling(t *testing.T, s *linkpage.Session, page *livePage) pageStatus {
	t.Helper()
	// A page that already shows the ending stops polling; Close has nothing to wait for.
	if st := page.status(); st.Finished {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		return st
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	deadline := time.Now().Add(waitFor)
	st := page.status()
	for !st.Finished {
		if time.Now().After(deadline) {
			t.Fatalf("the page never heard how the session ended (last status %+v)", st)
		}
		st = page.status()
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Close did not return within %v of the page collecting the outcome", waitFor)
	}
	return st
}

// assertNotListening fails unless connections to url's address are refused.
func assertNotListening(t *testing.T, url string) {
	t.Helper()
	assertRefused(t, strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
}

// Given a session running Link, When the page reports Link's callbacks, Then Link returns what
// the flow needs, OnUpdate heard the page start and then every callback in order, and the page
// is told what the terminal knows.
func TestSessionLinkOutcomes(t *testing.T) {
	type callback struct{ kind, body string }
	tests := []struct {
		name       string
		callbacks  []callback
		wantLabels []string // the UpdateEvent labels after UpdateStarted
		check      func(t *testing.T, r linkResult, last linkpage.Event)
		wantPage   pageStatus // what /status says after Link returned
	}{
		{
			name: "success hands over the token and the institution",
			callbacks: []callback{
				{"event", eventBody("OPEN")}, {"event", eventBody("HANDOFF")}, {"success", successBody},
			},
			wantLabels: []string{"OPEN", "HANDOFF", "onSuccess"},
			check: func(t *testing.T, r linkResult, last linkpage.Event) {
				if r.err != nil || r.token != "public-sandbox-1f0e2c3d-aaaa-bbbb-cccc-000000000001" ||
					r.instID != "ins_109508" || r.instName != "First Platypus Bank" {
					t.Errorf("Link = %q %q %q %v, want the public token and First Platypus Bank", r.token, r.instID, r.instName, r.err)
				}
				// The metadata the TUI lists stays reachable through the update.
				if m := last.Success; m == nil || len(m.Accounts) != 2 || m.LinkSessionID != "6b1f1c4e-0000-4000-8000-000000000001" {
					t.Errorf("success update metadata = %+v, want 2 accounts and the link_session_id", m)
				}
				if got := last.Detail(); got != "First Platypus Bank · 2 accounts" {
					t.Errorf("success Detail = %q", got)
				}
			},
			// The front end says how the exchange went; until then the page waits.
			wantPage: pageStatus{Finished: false},
		},
		{
			name:       "exit with an error returns an *ExitError",
			callbacks:  []callback{{"event", eventBody("OPEN")}, {"exit", exitWithError}},
			wantLabels: []string{"OPEN", "onExit"},
			check: func(t *testing.T, r linkResult, last linkpage.Event) {
				var ee *linkpage.ExitError
				if !errors.As(r.err, &ee) {
					t.Fatalf("Link err = %T %v, want *ExitError", r.err, r.err)
				}
				if ee.Err == nil || ee.Err.ErrorCode != "INVALID_CREDENTIALS" || ee.Status != "requires_credentials" ||
					ee.Institution != "First Platypus Bank" || ee.RequestID != "Ab3dE5gH7jK9mN1" || ee.LinkSessionID != "sess-1" {
					t.Errorf("ExitError = %+v (%+v)", ee, ee.Err)
				}
				if r.token != "" {
					t.Errorf("exit handed over token %q", r.token)
				}
				if got := last.Detail(); got != "INVALID_CREDENTIALS · status requires_credentials" {
					t.Errorf("exit Detail = %q", got)
				}
			},
			wantPage: pageStatus{Finished: true, OK: false, Message: exitedMsg, Ending: linkpage.EndingExited},
		},
		{
			name:       "the user just closes Link",
			callbacks:  []callback{{"exit", exitNoError}},
			wantLabels: []string{"onExit"},
			check: func(t *testing.T, r linkResult, _ linkpage.Event) {
				var ee *linkpage.ExitError
				if !errors.As(r.err, &ee) || ee.Err != nil || ee.Status != "institution_not_found" {
					t.Errorf("Link err = %#v, want *ExitError without a Link error", r.err)
				}
			},
			wantPage: pageStatus{Finished: true, OK: false, Message: exitedMsg, Ending: linkpage.EndingExited},
		},
		{
			name:       "the SDK cannot load",
			callbacks:  []callback{{"load-error", `{"reason":"The browser could not fetch the Link script (https://cdn.plaid.com)"}`}},
			wantLabels: []string{"LOAD_FAILED"},
			check: func(t *testing.T, r linkResult, _ linkpage.Event) {
				var le *linkpage.LoadError
				if !errors.As(r.err, &le) || le.Reason != "The browser could not fetch the Link script (https://cdn.plaid.com)" {
					t.Fatalf("Link err = %#v, want *LoadError with the page's reason", r.err)
				}
				for _, want := range []string{"could not load Plaid Link", "check the network", "PLAID_LINK_SCRIPT_URL"} {
					if !strings.Contains(le.Error(), want) {
						t.Errorf("%q does not say %q", le.Error(), want)
					}
				}
			},
			wantPage: pageStatus{Finished: true, Message: blockedMsg, Ending: linkpage.EndingBlocked},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ups := newSession(t, linkpage.SessionOptions{})
			if s.URL() != "" {
				t.Errorf("URL before Link = %q, want empty", s.URL())
			}
			done := runLink(context.Background(), s, testToken)
			started := ups.next(t, linkpage.UpdateStarted)
			if !strings.HasPrefix(started.URL, "http://127.0.0.1:") || s.URL() != started.URL {
				t.Fatalf("started at %q, URL() = %q", started.URL, s.URL())
			}
			page := openLivePage(t, started.URL)
			for _, c := range tt.callbacks {
				page.post(c.kind, c.body)
			}
			r := waitResult(t, done)
			var last linkpage.Event
			for i, want := range tt.wantLabels {
				up := ups.next(t, linkpage.UpdateEvent)
				if got := up.Event.Label(); got != want {
					t.Fatalf("event update %d = %s, want %s (want order %v)", i, got, want, tt.wantLabels)
				}
				last = up.Event
			}
			ups.none(t)
			tt.check(t, r, last)
			if got := page.status(); got != tt.wantPage {
				t.Errorf("page status after Link = %+v, want %+v", got, tt.wantPage)
			}

			// Closing tells the page, unless the terminal already said how it ended.
			wantClosed := tt.wantPage
			if !wantClosed.Finished {
				wantClosed = pageStatus{Finished: true, Message: closedMsg, Ending: linkpage.EndingClosed}
			}
			if got := closeWhilePolling(t, s, page); got != wantClosed {
				t.Errorf("page status on Close = %+v, want %+v", got, wantClosed)
			}
			assertNotListening(t, started.URL)
		})
	}
}

// Given Link waiting for the user, When the terminal's context ends, Then Link returns at once
// with ctx.Err(), and Close then tells the page and closes the port.
func TestSessionContextCancel(t *testing.T) {
	s, ups := newSession(t, linkpage.SessionOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := runLink(ctx, s, testToken)
	url := ups.next(t, linkpage.UpdateStarted).URL
	page := openLivePage(t, url)

	cancel()
	r := waitResult(t, done)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Link after cancel = %v, want context.Canceled", r.err)
	}
	// The page is still up for Close to tell it the session is over.
	if st := page.status(); st.Finished {
		t.Errorf("page finished before Close: %+v", st)
	}
	if st := closeWhilePolling(t, s, page); st.Message != closedMsg {
		t.Errorf("page status on Close = %+v, want the terminal's closing message", st)
	}
	assertNotListening(t, url)
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want the first one's nil", err)
	}
	if _, _, _, err := s.Link(context.Background(), testToken); !errors.Is(err, linkpage.ErrSessionUsed) {
		t.Errorf("second Link = %v, want ErrSessionUsed", err)
	}
}

// Given a session, When Link is called twice, Then the second call is refused at once and the
// first one carries on.
func TestSessionSecondLinkErrors(t *testing.T) {
	s, ups := newSession(t, linkpage.SessionOptions{})
	done := runLink(context.Background(), s, testToken)
	url := ups.next(t, linkpage.UpdateStarted).URL

	if _, _, _, err := s.Link(context.Background(), testToken); !errors.Is(err, linkpage.ErrSessionUsed) {
		t.Errorf("second Link while the first runs = %v, want ErrSessionUsed", err)
	}
	openLivePage(t, url).post("success", successBody)
	if r := waitResult(t, done); r.err != nil || r.token == "" {
		t.Errorf("first Link = %+v, want the token", r)
	}
}

// Given a session, When Close comes before Link, Then nothing ever listens and Link says the
// session was closed; When Close comes during Link, Then Link returns and the port is closed.
func TestSessionClose(t *testing.T) {
	t.Run("before Link", func(t *testing.T) {
		b := &fakeBrowser{}
		s, ups := newSession(t, linkpage.SessionOptions{Browser: b, OpenBrowser: true})
		if err := s.Close(); err != nil {
			t.Fatalf("Close before Link: %v", err)
		}
		if _, _, _, err := s.Link(context.Background(), testToken); !errors.Is(err, linkpage.ErrSessionClosed) {
			t.Errorf("Link after Close = %v, want ErrSessionClosed", err)
		}
		ups.none(t)
		if s.URL() != "" || len(b.opened()) != 0 {
			t.Errorf("URL %q, browser opened %v: nothing should have started", s.URL(), b.opened())
		}
	})

	t.Run("during Link", func(t *testing.T) {
		s, ups := newSession(t, linkpage.SessionOptions{})
		done := runLink(context.Background(), s, testToken)
		url := ups.next(t, linkpage.UpdateStarted).URL
		openLivePage(t, url).post("event", eventBody("OPEN"))
		ups.next(t, linkpage.UpdateEvent)

		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		assertNotListening(t, url)
		if r := waitResult(t, done); !errors.Is(r.err, linkpage.ErrSessionClosed) {
			t.Errorf("Link after Close = %v, want ErrSessionClosed", r.err)
		}
	})

	t.Run("after success, the first Finish stands", func(t *testing.T) {
		s, ups := newSession(t, linkpage.SessionOptions{})
		done := runLink(context.Background(), s, testToken)
		page := openLivePage(t, ups.next(t, linkpage.UpdateStarted).URL)
		page.post("success", successBody)
		waitResult(t, done)

		s.Finish(true, "Connected to First Platypus Bank.")
		s.Finish(false, "a later word must not replace the first")
		want := pageStatus{Finished: true, OK: true, Message: "Connected to First Platypus Bank."}
		if got := page.status(); got != want {
			t.Errorf("page status = %+v, want %+v", got, want)
		}
		// Close stops the page with the success still on it: the page is polling, so Close
		// waits for it to collect the outcome, which it already has.
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	t.Run("Close says the terminal closed it", func(t *testing.T) {
		s, ups := newSession(t, linkpage.SessionOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := runLink(ctx, s, testToken)
		page := openLivePage(t, ups.next(t, linkpage.UpdateStarted).URL)
		page.status() // the page is alive, so Close lingers for its next poll
		st := closeWhilePolling(t, s, page)
		if st.OK || st.Message != closedMsg {
			t.Errorf("page status = %+v, want the terminal's closing message", st)
		}
		if r := waitResult(t, done); !errors.Is(r.err, linkpage.ErrSessionClosed) {
			t.Errorf("Link = %v, want ErrSessionClosed", r.err)
		}
	})
}

// fakeBrowser records what it was asked to open.
type fakeBrowser struct {
	err  error
	mu   sync.Mutex
	urls []string
}

func (b *fakeBrowser) Browse(url string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.urls = append(b.urls, url)
	return b.err
}

func (b *fakeBrowser) opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.urls...)
}

// Given the browser options, When Link starts the page, Then the browser opens only when asked,
// right after the page listens, and a browser that fails is reported, never fatal.
func TestSessionBrowser(t *testing.T) {
	errNoDisplay := errors.New("no display")
	tests := []struct {
		name        string
		browser     *fakeBrowser
		open        bool
		wantOpened  bool
		wantErr     error
		wantOpenErr error // OpenBrowser's result once the page listens
	}{
		{name: "opened when asked", browser: &fakeBrowser{}, open: true, wantOpened: true},
		{name: "--no-browser: not opened", browser: &fakeBrowser{}, open: false},
		{name: "a failing browser is reported", browser: &fakeBrowser{err: errNoDisplay}, open: true, wantOpened: true, wantErr: errNoDisplay, wantOpenErr: errNoDisplay},
		{name: "no browser at all", open: true, wantOpenErr: linkpage.ErrNoBrowser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := linkpage.SessionOptions{OpenBrowser: tt.open}
			if tt.browser != nil {
				opts.Browser = tt.browser
			}
			s, ups := newSession(t, opts)
			if tt.browser != nil {
				if err := s.OpenBrowser(); !errors.Is(err, linkpage.ErrNotListening) {
					t.Errorf("OpenBrowser before Link = %v, want ErrNotListening", err)
				}
			}
			done := runLink(context.Background(), s, testToken)
			url := ups.next(t, linkpage.UpdateStarted).URL
			if tt.wantOpened {
				up := ups.next(t, linkpage.UpdateBrowser)
				if up.URL != url || !errors.Is(up.BrowserErr, tt.wantErr) {
					t.Errorf("browser update = %q %v, want %q %v", up.URL, up.BrowserErr, url, tt.wantErr)
				}
			}
			// Link carries on whatever the browser did.
			openLivePage(t, url).post("success", successBody)
			if r := waitResult(t, done); r.err != nil {
				t.Fatalf("Link = %v, want the token", r.err)
			}
			ups.next(t, linkpage.UpdateEvent)
			ups.none(t)

			var opened []string
			if tt.browser != nil {
				opened = tt.browser.opened()
			}
			if tt.wantOpened != (len(opened) == 1) || (len(opened) == 1 && opened[0] != url) {
				t.Errorf("browser opened %v, want opened=%v at %s", opened, tt.wantOpened, url)
			}
			// The `o` key opens it again, whatever OpenBrowser said at the start.
			if err := s.OpenBrowser(); !errors.Is(err, tt.wantOpenErr) {
				t.Errorf("OpenBrowser = %v, want %v", err, tt.wantOpenErr)
			}
			if tt.browser != nil {
				if got := tt.browser.opened(); len(got) != len(opened)+1 || got[len(got)-1] != url {
					t.Errorf("after OpenBrowser the browser opened %v, want %s once more", got, url)
				}
			}
		})
	}
}

// Given PLAID_REDIRECT_URI naming this page's own OAuth return, When Link starts the page, Then
// it listens on that port and serves the return page the token was made for.
func TestSessionRedirectURI(t *testing.T) {
	// A port found free may be taken by another process before the page binds it (CI runs test
	// binaries side by side): then pick another, a few times.
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		redirect := fmt.Sprintf("http://localhost:%d/oauth/callback", port)
		s, ups := newSession(t, linkpage.SessionOptions{RedirectURI: redirect})
		ctx, cancel := context.WithCancel(context.Background())
		done := runLink(ctx, s, testToken)
		select {
		case up := <-ups:
			if want := "http://127.0.0.1:" + strconv.Itoa(port) + "/"; up.Kind != linkpage.UpdateStarted || up.URL != want {
				t.Errorf("first update = %v %q, want started at %q", up.Kind, up.URL, want)
			}
			if s.OAuthRedirectURI() != redirect {
				t.Errorf("OAuthRedirectURI = %q, want %q", s.OAuthRedirectURI(), redirect)
			}
			cancel()
			waitResult(t, done)
			return
		case r := <-done:
			cancel()
			if !errors.Is(r.err, syscall.EADDRINUSE) || attempt == 3 {
				t.Fatalf("Link on port %d = %v", port, r.err)
			}
		case <-time.After(waitFor):
			cancel()
			t.Fatalf("the page did not start within %v", waitFor)
		}
	}
}

// A Link exit is read by Plaid's field names, so a program shows it like any Plaid error.
func TestExitErrorFieldsByPlaidsNames(t *testing.T) {
	e := &linkpage.ExitError{
		Err:    &linkpage.LinkError{ErrorType: "ITEM_ERROR", ErrorCode: "ITEM_LOCKED", ErrorMessage: "locked", DisplayMessage: "Your account is locked"},
		Status: "requires_credentials", Institution: "First Platypus Bank", RequestID: "req-1", LinkSessionID: "sess-1",
	}
	for name, want := range map[string]string{
		"error_code": "ITEM_LOCKED", "error_type": "ITEM_ERROR", "error_message": "locked", "display_message": "Your account is locked",
		"status": "requires_credentials", "institution": "First Platypus Bank", "request_id": "req-1", "link_session_id": "sess-1", "unknown": "",
	} {
		if got := e.LinkExitField(name); got != want {
			t.Errorf("LinkExitField(%q) = %q, want %q", name, got, want)
		}
	}
	if got := (&linkpage.ExitError{Status: "institution_not_found"}).LinkExitField("error_code"); got != "" {
		t.Errorf("a plain close has error_code %q", got)
	}
}
