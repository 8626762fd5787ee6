package tui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// everyScreen reaches each screen of a demo-like session at a size.
func everyScreen(t *testing.T, w, h int, cfg plaidflow.Config) map[string]*Model {
	t.Helper()
	mk := func() *Model {
		deps := testDeps(t, cfg)
		deps.NoBrowser = true
		return newTestModel(t, deps, w, h)
	}
	keys := mk()
	keys.Init()

	link := mk()
	link.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	link.Update(linkPageStartedMsg{id: link.link.reqID, page: fixedPage(t)})
	for _, ev := range linkEvents() {
		link.Update(linkEventReceivedMsg{page: link.link.page, ev: ev})
	}

	work := mk()
	work.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	work.Update(publicTokenReceivedMsg{linked: plaidflow.Linked{PublicToken: "p", Institution: &plaidflow.Institution{Name: "First Platypus Bank"}}})

	res := mk()
	res.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	res.Update(publicTokenReceivedMsg{linked: plaidflow.Linked{PublicToken: "p"}})
	res.Update(stepsSettledMsg{id: res.working.runID, res: platypusResult()})

	// The saved Items of earlier runs: offered on the link screen, listed, and a failed fetch.
	ns := cfg.Namespace()
	linkSaved := mk()
	linkSaved.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	linkSaved.Update(linkPageStartedMsg{id: linkSaved.link.reqID, page: fixedPage(t)})
	linkSaved.Update(savedItemsLoadedMsg{ns: ns, items: []plaidflow.SavedItem{savedPlatypus(ns)}})
	for _, ev := range linkEvents() {
		linkSaved.Update(linkEventReceivedMsg{page: linkSaved.link.page, ev: ev})
	}

	picker := mk()
	picker.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	picker.Update(savedItemsLoadedMsg{ns: ns, items: threeSaved(ns)})
	pressA(t, picker)

	failed := mk()
	failed.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	failed.Update(savedItemsLoadedMsg{ns: ns, items: threeSaved(ns)})
	pressA(t, failed)
	failed.Update(press("enter"))
	failed.Update(errMsg{op: opSavedNumbers, id: failed.saved.reqID, err: invalidAccessToken()})

	for name, m := range map[string]*Model{"link_saved": linkSaved, "saved_picker": picker, "saved_failed": failed} {
		if !strings.Contains(view(m), "first-platypus-bank") {
			t.Fatalf("%s: the saved Items did not reach the screen:\n%s", name, view(m))
		}
	}
	return map[string]*Model{"keys": keys, "link": link, "working": work, "results": res,
		"link_saved": linkSaved, "saved_picker": picker, "saved_failed": failed}
}

func TestCtrlCQuitsFromEveryScreenWithExit130(t *testing.T) {
	for name, m := range everyScreen(t, 80, 24, liveConfigNoServer()) {
		_, cmd := m.Update(press("ctrl+c"))
		if cmd == nil {
			t.Fatalf("%s: ctrl+c did nothing", name)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: ctrl+c does not quit", name)
		}
		if !errors.Is(m.Err(), ErrInterrupted) || !errors.Is(m.Err(), context.Canceled) {
			t.Errorf("%s: Err() = %v, want ErrInterrupted (exit 130)", name, m.Err())
		}
	}
}

func TestDemoBadgeIsOnEveryScreen(t *testing.T) {
	cfg := liveConfigNoServer()
	cfg.Demo = true
	for name, m := range everyScreen(t, 80, 24, cfg) {
		if first := strings.SplitN(view(m), "\n", 2)[0]; !strings.Contains(first, "OFFLINE DEMO · not Plaid") {
			t.Errorf("%s: no demo badge in the header: %q", name, first)
		}
	}
}

func TestProductionIsBadgedOnEveryScreen(t *testing.T) {
	cfg := liveConfigNoServer()
	cfg.Env = plaidflow.Production
	for name, m := range everyScreen(t, 80, 24, cfg) {
		if first := strings.SplitN(view(m), "\n", 2)[0]; !strings.Contains(first, "PRODUCTION") {
			t.Errorf("%s: no Production badge in the header: %q", name, first)
		}
	}
}

func TestEveryScreenFitsFrom60x20To160x50(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 50}} {
		for name, m := range everyScreen(t, size[0], size[1], liveConfigNoServer()) {
			for _, help := range []bool{false, true} {
				if help {
					m.Update(press("?"))
				}
				out := m.View()
				if n := strings.Count(out, "\n") + 1; n != size[1] {
					t.Errorf("%s at %dx%d (help %v): %d lines", name, size[0], size[1], help, n)
				}
				if w, line := maxLineWidth(out); w > size[0] {
					t.Errorf("%s at %dx%d (help %v): a line is %d cells: %q", name, size[0], size[1], help, w, line)
				}
				last := strings.Split(view(m), "\n")[size[1]-1]
				if !strings.Contains(last, "?") {
					t.Errorf("%s at %dx%d (help %v): the way to the help is gone from the last line %q", name, size[0], size[1], help, last)
				}
			}
		}
	}
}

func TestResizingDownKeepsTheScreenWhole(t *testing.T) {
	m := resultsModel(t, 160, 50, platypusResult())
	for _, size := range [][2]int{{120, 40}, {80, 24}, {60, 20}, {100, 30}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		out := m.View()
		if w, line := maxLineWidth(out); w > size[0] {
			t.Errorf("after resizing to %dx%d a line is %d cells: %q", size[0], size[1], w, line)
		}
		if !strings.Contains(view(m), "Plaid Checking") {
			t.Errorf("after resizing to %dx%d the selected account is gone:\n%s", size[0], size[1], view(m))
		}
	}
}

func TestQuestionMarkTogglesTheFullHelp(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	if strings.Contains(view(m), "close help") {
		t.Fatalf("the full help shows before ?")
	}
	m.Update(press("?"))
	v := view(m)
	if !strings.Contains(v, "close help") || !strings.Contains(v, "ctrl+c quit") || !strings.Contains(v, "link another account") {
		t.Errorf("? does not show the full help:\n%s", v)
	}
	m.Update(press("?"))
	if strings.Contains(view(m), "close help") {
		t.Errorf("? again does not close the full help")
	}
}

func TestNoColorMeansNoColourCodes(t *testing.T) {
	colourful := func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		r.SetHasDarkBackground(true)
		return r
	}
	deps := testDeps(t, liveConfigNoServer())
	deps.Renderer = colourful()
	if out := New(deps).View(); !strings.Contains(out, "\x1b[") {
		t.Fatalf("with a colour terminal the view has no colour at all; the test below would prove nothing")
	}

	deps = testDeps(t, liveConfigNoServer())
	deps.Renderer = colourful()
	deps.Getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	for name, m := range everyScreenWith(t, deps) {
		if out := m.View(); strings.Contains(out, "\x1b[") {
			t.Errorf("%s: NO_COLOR is set but the view has escape codes: %q", name, out[:min(len(out), 200)])
		}
	}
}

func TestLightAndDarkTerminalsGetDifferentColours(t *testing.T) {
	render := func(dark bool) string {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		r.SetHasDarkBackground(dark)
		deps := testDeps(t, liveConfigNoServer())
		deps.Renderer = r
		return New(deps).View()
	}
	if render(true) == render(false) {
		t.Errorf("the same colours on light and dark backgrounds: the palette is not adaptive")
	}
}

func everyScreenWith(t *testing.T, deps Deps) map[string]*Model {
	t.Helper()
	m := New(deps)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	t.Cleanup(m.shutdownPage)
	out := map[string]*Model{"keys": m}
	r := New(deps)
	r.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	r.Update(keysConfirmedMsg{client: sandboxClient(t, deps.Config), token: plaidflow.LinkToken{Token: "t"}})
	r.Update(publicTokenReceivedMsg{linked: plaidflow.Linked{PublicToken: "p"}})
	r.Update(stepsSettledMsg{id: r.working.runID, res: platypusResult()})
	r.Update(press("v"))
	out["results"] = r
	return out
}

func TestRunRestoresTheTerminalAndReportsCtrlC(t *testing.T) {
	in, inW := io.Pipe()
	deps := testDeps(t, baseConfig())
	deps.In = in
	out := &syncBuffer{}
	deps.Out = out
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), deps) }()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Your Plaid API keys") {
		if time.Now().After(deadline) {
			t.Fatalf("the keys screen never drew:\n%q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	inW.Write([]byte{0x03}) // ctrl+c
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
			t.Errorf("Run after ctrl+c = %v, want ErrInterrupted (exit 130)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ctrl+c did not end Run")
	}
	if s := out.String(); !strings.Contains(s, "\x1b[?1049l") {
		t.Errorf("the alternate screen was not left: the terminal is not restored")
	}
}

func TestRunEndsWhenTheContextIsCancelled(t *testing.T) {
	in, _ := io.Pipe()
	deps := testDeps(t, baseConfig())
	deps.In = in
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, deps) }()
	time.Sleep(100 * time.Millisecond)
	cancel() // SIGINT or SIGTERM in the program
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("Run after a signal = %v, want ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the context did not end Run")
	}
}
