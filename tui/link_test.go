package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

func TestLinkOpensThePageAndTheBrowserAndShowsTheURL(t *testing.T) {
	srv := fakePlaid(t)
	deps := testDeps(t, demoConfig(srv))
	browser := deps.Browser.(*fakeBrowser)
	m, d := started(t, deps, 80, 24)
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
	if n := emulatortest.Requests(srv, "/link/token/create"); n != 1 {
		t.Errorf("/link/token/create called %d times; the keys check's token should open Link", n)
	}
}

func TestLinkBrowserFailureIsNotFatal(t *testing.T) {
	m := linkOpen(t, 80, 24)
	m.Update(linkUpdatedMsg{run: m.link.runID, u: linkpage.Update{Kind: linkpage.UpdateBrowser, URL: m.link.url, BrowserErr: linkpage.ErrRemoteSession}})
	v := view(m)
	if !strings.Contains(v, "http://127.0.0.1:43117/") || !strings.Contains(v, "Over SSH") {
		t.Errorf("over SSH the screen should show the URL and say why no browser opened:\n%s", v)
	}
	m.Update(browserOpenedMsg{err: errors.New("xdg-open: not found")})
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
		linkEvent(m, ev)
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

func TestLinkUpdatesOfAnOldSessionAreDropped(t *testing.T) {
	m := linkOpen(t, 100, 30)
	old := m.link.runID
	m.Update(press("esc"))
	m.Update(keysConfirmedMsg{client: sandboxClient(t, linkOpenConfig()), token: &plaidapi.LinkToken{Token: "link-sandbox-y"}})
	m.Update(linkUpdatedMsg{run: old, u: linkpage.Update{Kind: linkpage.UpdateEvent, Event: linkEvents()[0]}})
	if len(m.link.events) != 0 {
		t.Errorf("an event of the page left behind reached the new session's list")
	}
}

func TestLinkEventListKeepsTheNewestWhenShort(t *testing.T) {
	m := linkOpen(t, 60, 20)
	for _, ev := range append(linkEvents(), linkEvents()...) {
		linkEvent(m, ev)
	}
	v := view(m)
	if !strings.Contains(v, "SUBMIT_CREDENTIALS") || !strings.Contains(v, "earlier") {
		t.Errorf("at 60×20 the newest event should show, with a note of the earlier ones:\n%s", v)
	}
	if w, line := maxLineWidth(m.View()); w > 60 {
		t.Errorf("line of %d cells at 60 columns: %q", w, line)
	}
}

func TestLinkSuccessHandsTheJourneyToTheWorkingSteps(t *testing.T) {
	m := linkOpen(t, 80, 24)
	j := m.link.journey
	_, cmd := m.Update(stepRanMsg{id: m.link.runID, rep: plaidflow.StepReport{Step: plaidflow.StepLink}})
	var got *accountLinkedMsg
	for _, msg := range collect(cmd) {
		if l, ok := msg.(accountLinkedMsg); ok {
			got = &l
		}
	}
	if got == nil || got.journey != j || got.kind != journeyLink {
		t.Fatalf("Link's success did not hand the journey over: %+v", got)
	}
	m.Update(*got)
	if m.screen != screenWorking || !m.working.owns(m.working.runID) {
		t.Errorf("screen %v after Link's success, want working", m.screen)
	}
}

func TestLinkExitShowsWhyAndOffersARetry(t *testing.T) {
	m := linkOpen(t, 100, 40)
	linkExits(m)
	v := view(m)
	for _, want := range []string{"Link closed without linking an account", "INVALID_CREDENTIALS (ITEM_ERROR)",
		"requires_credentials", "7pZq1wERt9LkYb2", "link_session_id  0f3c1a2b-9d4e-4f6a-8b7c-5d2e1f0a9b8c", "Reopen Link on the page", "press r for a new Link session"} {
		if !strings.Contains(v, want) {
			t.Errorf("after onExit the screen lacks %q:\n%s", want, v)
		}
	}
	if m.Err() == nil || !strings.Contains(m.Err().Error(), "INVALID_CREDENTIALS") {
		t.Errorf("quitting after onExit should exit 1 with the Link error; Err() = %v", m.Err())
	}

	_, cmd := m.Update(press("r"))
	if cmd == nil || m.link.state != linkStarting {
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
	m.Update(press("s")) // opens the choice of scenario
	_, cmd := m.Update(press("enter"))
	var handed bool
	for _, msg := range collect(cmd) {
		if l, ok := msg.(accountLinkedMsg); ok && l.kind == journeySandbox {
			handed = true
		}
	}
	if !handed {
		t.Errorf("s did not start the Sandbox shortcut")
	}

	prod := liveConfigNoServer()
	prod.Env = config.Production
	deps := testDeps(t, prod)
	deps.NoBrowser = true
	pm := linkOpenAt(t, deps, 80, 24)
	if hasHelp(pm, "sandbox shortcut") || strings.Contains(view(pm), "user_good") {
		t.Errorf("Production: the Sandbox shortcut is offered:\n%s", view(pm))
	}
	if _, cmd := pm.Update(press("s")); len(collect(cmd)) > 0 {
		t.Errorf("Production: s did something")
	}
	if v := view(pm); !strings.Contains(v, "[PRODUCTION]") {
		t.Errorf("Production: no warning badge:\n%s", v)
	}
}

func TestLinkEscGoesBackToTheKeysAndStopsThePage(t *testing.T) {
	m, d, _ := demoOnLink(t, 80, 24, nil)
	sess := m.link.box.get()

	d.send(press("esc"))
	d.until("the keys screen", func() bool { return m.screen == screenKeys })
	d.until("the page to stop", func() bool { return sess.URL() != "" && !listening(sess.URL()) })
}

func TestLinkSandboxShortcutReachesResults(t *testing.T) {
	m, d, _ := demoOnLink(t, 80, 24, nil)
	d.sandboxShortcut()
	v := view(m)
	for _, want := range []string{"First Platypus Bank", "Plaid Checking", "011401533", "••••0000", "✓ Saved"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	items, err := m.c.deps.Vault.Items("demo")
	if err != nil || len(items) != 1 {
		t.Errorf("the Item was not saved in the demo namespace: %v %v", items, err)
	}
}

// collect runs cmd (and the commands of a batch, each in its own goroutine) and returns the
// messages that come back within a second; commands that wait (for a Link page, a timer) are
// left behind.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan []tea.Msg, 1)
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, collect(c)...)
			}
			ch <- out
			return
		}
		if msg == nil {
			ch <- nil
			return
		}
		ch <- []tea.Msg{msg}
	}()
	select {
	case msgs := <-ch:
		return msgs
	case <-time.After(time.Second):
		return nil
	}
}

func hasHelp(m *Model, desc string) bool {
	lines := strings.Split(view(m), "\n")
	return strings.Contains(lines[len(lines)-1], desc)
}

func TestLinkSDKLoadFailureStopsTheWait(t *testing.T) {
	m := linkOpen(t, 100, 30)
	m.Update(stepRanMsg{id: m.link.runID, rep: plaidflow.StepReport{Step: plaidflow.StepLink},
		err: &linkpage.LoadError{Reason: "The browser could not fetch the Link script. (https://cdn.plaid.com)"}})
	v := view(m)
	for _, want := range []string{"The browser could not load Plaid Link", "cdn.plaid.com", "Press r to try again"} {
		if !strings.Contains(v, want) {
			t.Errorf("after the SDK failed to load the screen lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Waiting for you to finish") {
		t.Errorf("the screen still says it is waiting:\n%s", v)
	}
}

// TestLinkSucceedsWhileTheSavedItemsAreOnShow: the user finishes Link in the browser while
// looking at the saved Items; the journey still goes on to the working steps.
func TestLinkSucceedsWhileTheSavedItemsAreOnShow(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	pressA(t, m)
	if m.screen != screenItems {
		t.Fatalf("a did not show the saved Items (screen %v)", m.screen)
	}
	_, cmd := m.Update(stepRanMsg{id: m.link.runID, rep: plaidflow.StepReport{Step: plaidflow.StepLink}})
	follow(m, cmd)
	if m.screen != screenWorking {
		t.Errorf("Link's success was lost on the saved Items screen (screen %v)", m.screen)
	}
}

// TestLinkReopenedFromThePage: the screen and the page agree. After Link closes, the page
// offers Reopen and this screen says so; Link reopened from the page (its OPEN) puts the screen
// back to waiting on the same URL; `r` replaces the session with a new one, URL and all.
func TestLinkReopenedFromThePage(t *testing.T) {
	m := linkOpen(t, 100, 40)
	url := m.link.url
	linkExits(m)
	if m.link.state != linkExited || !strings.Contains(view(m), "Reopen Link on the page") {
		t.Fatalf("after onExit: state %v\n%s", m.link.state, view(m))
	}
	linkEvent(m, linkpage.Event{Kind: linkpage.KindEvent, Name: "OPEN", Received: at(30), Metadata: &linkpage.EventMetadata{}})
	v := view(m)
	if m.link.state != linkWaiting || strings.Contains(v, "INVALID_CREDENTIALS (ITEM_ERROR)") || !strings.Contains(v, url) {
		t.Errorf("after Link was reopened from the page: state %v, want waiting on %s without the old error:\n%s", m.link.state, url, v)
	}

	linkExits(m)
	old := m.link.runID
	_, cmd := m.Update(press("r"))
	if cmd == nil || m.link.state != linkStarting || m.link.runID == old || m.link.url != "" {
		t.Errorf("r did not replace the session: state %v, run %d (was %d), url %q", m.link.state, m.link.runID, old, m.link.url)
	}
}

// TestLinkScriptBlocked: the page could not load the Link script; the screen names the URL
// it tried and says what the page offers (reload) and what `r` does.
func TestLinkScriptBlocked(t *testing.T) {
	m := linkOpen(t, 100, 40)
	reason := "The browser could not fetch the Link script. (https://cdn.plaid.com/link/v2/stable/link-initialize.js)"
	linkEvent(m, linkpage.Event{Kind: linkpage.KindLoadFailed, Received: at(3), LoadError: reason})
	v := view(m)
	for _, want := range []string{"The browser could not load Plaid Link", "https://cdn.plaid.com/link/v2/stable/link-initialize.js",
		"reload the page", "press r for a new Link session"} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen lacks %q:\n%s", want, v)
		}
	}
	if m.Err() == nil {
		t.Error("quitting now should exit 1 with the load failure")
	}
}
