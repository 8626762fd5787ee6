package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

func TestLinkOpensThePageAndTheBrowserAndShowsTheURL(t *testing.T) {
	srv := fakePlaid(t)
	deps := testDeps(t, demoConfig(srv))
	browser := deps.Browser.(*fakeBrowser)
	m := newTestModel(t, deps, 80, 24)
	d := newDriver(t, m)
	d.init()
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.url != "" && len(browser.opened()) == 1 })
	d.screenShows("Opened in your browser")

	if got := browser.opened()[0]; got != m.link.url || !strings.HasPrefix(got, "http://127.0.0.1:") {
		t.Errorf("browser opened %q; the page is at %q", got, m.link.url)
	}
	if !strings.Contains(view(m), m.link.url) {
		t.Errorf("the URL is not on screen:\n%s", view(m))
	}
	d.send(press("o"))
	d.until("the browser to open again", func() bool { return len(browser.opened()) == 2 })
}

func TestLinkBrowserFailureIsNotFatal(t *testing.T) {
	m := linkOpen(t, 80, 24)
	m.Update(browserOpenedMsg{url: m.link.url, err: linkpage.ErrRemoteSession})
	v := view(m)
	if !strings.Contains(v, "http://127.0.0.1:43117/") || !strings.Contains(v, "Over SSH") {
		t.Errorf("over SSH the screen should show the URL and say why no browser opened:\n%s", v)
	}
	m.Update(browserOpenedMsg{url: m.link.url, err: errors.New("xdg-open: not found")})
	if v := view(m); !strings.Contains(v, "Could not open a browser (xdg-open: not found)") {
		t.Errorf("the browser's failure is not explained:\n%s", v)
	}
	if m.screen != screenLink || m.Err() != nil {
		t.Errorf("a browser failure must not end or fail the session")
	}
}

func TestLinkListsEventsAsTheyArrive(t *testing.T) {
	m := linkOpen(t, 100, 30)
	for _, ev := range linkEvents() {
		_, cmd := m.Update(linkEventReceivedMsg{page: m.link.page, ev: ev})
		if cmd == nil {
			t.Fatalf("after %s the screen stopped listening to the page", ev.Name)
		}
	}
	v := view(m)
	for _, want := range []string{
		"09:26:54  OPEN", "view CONSENT",
		"09:27:04  SELECT_INSTITUTION   First Platypus Bank",
		"09:27:05  TRANSITION_VIEW      First Platypus Bank · view CREDENTIAL",
		"SUBMIT_CREDENTIALS",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("event list lacks %q:\n%s", want, v)
		}
	}
}

func TestLinkEventListKeepsTheNewestWhenShort(t *testing.T) {
	m := linkOpen(t, 60, 20)
	for _, ev := range append(linkEvents(), linkEvents()...) {
		m.Update(linkEventReceivedMsg{page: m.link.page, ev: ev})
	}
	v := view(m)
	if !strings.Contains(v, "SUBMIT_CREDENTIALS") || !strings.Contains(v, "earlier") {
		t.Errorf("at 60×20 the newest event should show, with a note of the earlier ones:\n%s", v)
	}
	if w, line := maxLineWidth(m.View()); w > 60 {
		t.Errorf("line of %d cells at 60 columns: %q", w, line)
	}
}

func TestLinkSuccessHandsTheTokenToTheWorkingSteps(t *testing.T) {
	m := linkOpen(t, 80, 24)
	_, cmd := m.Update(linkEventReceivedMsg{page: m.link.page, ev: linkpage.Event{
		Kind: linkpage.KindSuccess, Received: at(30), PublicToken: "public-sandbox-abc",
		Success: &linkpage.SuccessMetadata{Institution: &linkpage.Institution{Name: "First Platypus Bank", InstitutionID: "ins_109508"},
			Accounts: []linkpage.Account{{ID: "a1", Name: "Plaid Checking"}}},
	}})
	var got *publicTokenReceivedMsg
	for _, msg := range collect(cmd) {
		if p, ok := msg.(publicTokenReceivedMsg); ok {
			got = &p
		}
	}
	if got == nil || got.linked.PublicToken != "public-sandbox-abc" || got.linked.Institution.Name != "First Platypus Bank" {
		t.Fatalf("onSuccess did not hand over the public token and institution: %+v", got)
	}
	m.Update(*got)
	if m.screen != screenWorking {
		t.Errorf("screen %v after onSuccess, want working", m.screen)
	}
}

func TestLinkExitShowsWhyAndOffersARetry(t *testing.T) {
	m := linkOpen(t, 100, 30)
	m.Update(linkEventReceivedMsg{page: m.link.page, ev: exitEvent()})
	v := view(m)
	for _, want := range []string{"Link closed without linking an account", "INVALID_CREDENTIALS (ITEM_ERROR)",
		"requires_credentials", "7pZq1wERt9LkYb2", "Press r to try again"} {
		if !strings.Contains(v, want) {
			t.Errorf("after onExit the screen lacks %q:\n%s", want, v)
		}
	}
	if m.Err() == nil || !strings.Contains(m.Err().Error(), "INVALID_CREDENTIALS") {
		t.Errorf("quitting after onExit should exit 1 with the Link error; Err() = %v", m.Err())
	}

	before := m.link.reqID
	m.Update(press("r"))
	if m.link.reqID == before || m.link.state != linkStarting {
		t.Errorf("r did not start a new Link session (state %v)", m.link.state)
	}
	if strings.Contains(view(m), "INVALID_CREDENTIALS") {
		t.Errorf("the old error is still shown on the new session:\n%s", view(m))
	}
}

func TestLinkSandboxShortcutOnlyOutsideProduction(t *testing.T) {
	m := linkOpen(t, 80, 24)
	if !hasHelp(m, "sandbox shortcut") {
		t.Errorf("Sandbox: the help does not offer the shortcut:\n%s", view(m))
	}
	_, cmd := m.Update(press("s"))
	if cmd == nil || m.link.state != linkSandboxing {
		t.Errorf("s did not start the Sandbox shortcut")
	}

	prod := liveConfigNoServer()
	prod.Env = plaidflow.Production
	deps := testDeps(t, prod)
	deps.NoBrowser = true
	pm := newTestModel(t, deps, 80, 24)
	pm.Update(keysConfirmedMsg{client: sandboxClient(t, prod), token: plaidflow.LinkToken{Token: "link-production-x"}})
	pm.Update(linkPageStartedMsg{id: pm.link.reqID, page: fixedPage(t)})
	if hasHelp(pm, "sandbox shortcut") || strings.Contains(view(pm), "user_good") {
		t.Errorf("Production: the Sandbox shortcut is offered:\n%s", view(pm))
	}
	pm.Update(press("s"))
	if pm.link.state == linkSandboxing {
		t.Errorf("Production: s started the Sandbox shortcut")
	}
	if v := view(pm); !strings.Contains(v, "[PRODUCTION]") {
		t.Errorf("Production: no warning badge:\n%s", v)
	}
}

func TestLinkEscGoesBackToTheKeysAndStopsThePage(t *testing.T) {
	srv := fakePlaid(t)
	m := newTestModel(t, testDeps(t, demoConfig(srv)), 80, 24)
	d := newDriver(t, m)
	d.init()
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.page != nil })
	page := m.link.page

	d.send(press("esc"))
	d.until("the keys screen", func() bool { return m.screen == screenKeys })
	d.until("the page to stop", func() bool {
		select {
		case _, open := <-page.Events():
			return !open
		default:
			return false
		}
	})
}

func TestLinkSandboxShortcutReachesResults(t *testing.T) {
	srv := fakePlaid(t)
	deps := testDeps(t, demoConfig(srv))
	m := newTestModel(t, deps, 80, 24)
	d := newDriver(t, m)
	d.init()
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	d.send(press("s"))
	d.until("the results", func() bool { return m.screen == screenResults })
	v := view(m)
	for _, want := range []string{"First Platypus Bank", "Plaid Checking", "011401533", "••••0000", "✓ Saved"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	items, err := deps.Vault.Items("demo")
	if err != nil || len(items) != 1 {
		t.Errorf("the Item was not saved in the demo namespace: %v %v", items, err)
	}
}

// collect runs cmd (and the commands of a batch) and returns the messages that come back
// promptly; commands that wait (for page events, for a timer) are left behind.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, collect(c)...)
			}
			return out
		}
		return []tea.Msg{msg}
	case <-time.After(300 * time.Millisecond):
		return nil
	}
}

func hasHelp(m *Model, desc string) bool {
	lines := strings.Split(view(m), "\n")
	return strings.Contains(lines[len(lines)-1], desc)
}

func TestLinkSDKLoadFailureStopsTheWait(t *testing.T) {
	m := linkOpen(t, 100, 30)
	m.Update(linkEventReceivedMsg{page: m.link.page, ev: linkpage.Event{Kind: linkpage.KindLoadFailed,
		LoadError: "The browser could not fetch the Link script. (https://cdn.plaid.com)"}})
	v := view(m)
	for _, want := range []string{"Could not start Plaid Link", "could not load Plaid Link", "cdn.plaid.com", "Press r to try again"} {
		if !strings.Contains(v, want) {
			t.Errorf("after the SDK failed to load the screen lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Waiting for you to finish") {
		t.Errorf("the screen still says it is waiting:\n%s", v)
	}
}
