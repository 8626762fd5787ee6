package tui

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// everyScreen reaches each screen of a session at a size.
func everyScreen(t *testing.T, w, h int, cfg config.Config) map[string]*Model {
	t.Helper()
	deps := func() Deps {
		d := testDeps(t, cfg)
		d.NoBrowser = true
		return d
	}
	keys := newTestModel(t, deps(), w, h)
	keys.Init()

	link := linkOpenAt(t, deps(), w, h)
	for _, ev := range linkEvents() {
		linkEvent(link, ev)
	}

	exited := linkOpenAt(t, deps(), w, h)
	linkExits(exited)

	work := linkOpenAt(t, deps(), w, h)
	j := work.c.flow.LinkJourney(nil, nil)
	work.Update(accountLinkedMsg{journey: j, kind: journeyLink, title: "Connecting First Platypus Bank"})

	failed := linkOpenAt(t, deps(), w, h)
	if sj, err := failed.c.flow.SandboxJourney(""); err == nil {
		failed.Update(accountLinkedMsg{journey: sj, kind: journeySandbox, title: "Sandbox Item"})
		failed.Update(stepRanMsg{id: failed.working.runID, rep: plaidflow.StepReport{Step: plaidflow.StepSandboxToken}, err: invalidKeys()})
	}

	res := resultsWith(t, deps(), w, h, platypusResult())

	ns := cfg.Namespace()
	linkSaved := linkOpenAt(t, deps(), w, h)
	linkSaved.Update(savedItemsLoadedMsg{ns: ns, items: []vault.SavedItem{savedPlatypus(ns)}})
	for _, ev := range linkEvents() {
		linkEvent(linkSaved, ev)
	}

	picker := linkOpenAt(t, deps(), w, h)
	picker.Update(savedItemsLoadedMsg{ns: ns, items: threeSaved(ns)})
	pressA(t, picker)

	for name, m := range map[string]*Model{"link_saved": linkSaved, "items": picker} {
		if !strings.Contains(view(m), "first-platypus-bank") {
			t.Fatalf("%s: the saved Items did not reach the screen:\n%s", name, view(m))
		}
	}
	return map[string]*Model{"keys": keys, "link": link, "link_exit": exited, "working": work, "working_failed": failed,
		"results": res, "link_saved": linkSaved, "items": picker}
}

func TestCtrlCQuitsFromEveryScreenWithExit130(t *testing.T) {
	for name, m := range everyScreen(t, 80, 24, liveConfigNoServer()) {
		_, cmd := m.Update(press("ctrl+c"))
		if cmd == nil {
			t.Fatalf("%s: ctrl+c did nothing", name)
		}
		if !quits(cmd) {
			t.Errorf("%s: ctrl+c does not quit", name)
		}
		if !errors.Is(m.Err(), ErrInterrupted) || !errors.Is(m.Err(), context.Canceled) {
			t.Errorf("%s: Err() = %v, want ErrInterrupted (exit 130)", name, m.Err())
		}
	}
}

// quits reports whether cmd (or a command of its batch) quits the program.
func quits(cmd tea.Cmd) bool {
	for _, msg := range collect(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
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
	cfg.Env = config.Production
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
				if !strings.Contains(last, "?") && !strings.Contains(last, "ctrl+c") {
					t.Errorf("%s at %dx%d (help %v): the way to the help is gone from the last line %q", name, size[0], size[1], help, last)
				}
			}
		}
	}
}

// TestEveryLineOfALinkExitCanBeReachedAt60x20 scrolls the body of a Link-exit error at the
// smallest size: every id support asks for and the retry key must be reachable.
func TestEveryLineOfALinkExitCanBeReachedAt60x20(t *testing.T) {
	m := linkOpen(t, 60, 20)
	for _, ev := range linkEvents()[:3] {
		linkEvent(m, ev)
	}
	linkExits(m)
	if !hasHelp(m, "r new Link session") {
		t.Errorf("at 60×20 the retry key is gone from the help:\n%s", view(m))
	}
	if !strings.Contains(view(m), "pgup") && !strings.Contains(view(m), "pgdn") {
		t.Fatalf("the screen does not fit and nothing says how to scroll:\n%s", view(m))
	}
	seen := view(m)
	for i := 0; i < 10 && !strings.Contains(view(m), "Reopen Link on the page"); i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyPgDown})
		seen += "\n" + view(m)
	}
	for _, want := range []string{"INVALID_CREDENTIALS (ITEM_ERROR)", "the provided credentials were not correct",
		"The credentials you provided were", "requires_credentials", "7pZq1wERt9LkYb2",
		"0f3c1a2b-9d4e-4f6a-8b7c-5d2e1f0a9b8c", "Reopen Link on the page"} {
		if !strings.Contains(seen, want) {
			t.Errorf("scrolling never showed %q; last view:\n%s", want, view(m))
		}
	}
	for i := 0; i < 3; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyPgUp})
	}
	if !strings.Contains(view(m), "http://127.0.0.1:43117/") {
		t.Errorf("pgup does not scroll back to the top:\n%s", view(m))
	}
}

func TestScrollKeysAreOfferedOnlyWhenThereIsSomethingToScroll(t *testing.T) {
	m := resultsModel(t, 160, 50, platypusResult())
	m.Update(press("?"))
	if strings.Contains(view(m), "pgdn") || strings.Contains(view(m), "pgup") {
		t.Errorf("at 160×50 the results fit, but scrolling is offered:\n%s", view(m))
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if !strings.Contains(view(m), "pgdn") {
		t.Errorf("at 60×20 the results do not fit, but scrolling is not offered:\n%s", view(m))
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
		if !strings.Contains(view(m), "› Plaid Checking") {
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

// TestTheSpinnerTurnsAgainWhenAScreenIsShownAgain: the spinner's ticks stop while nothing
// waits, and start again when a waiting screen is back on show (it used to stay frozen).
func TestTheSpinnerTurnsAgainWhenAScreenIsShownAgain(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	if !m.active().busy() {
		t.Fatalf("the link screen waits for the browser but is not busy")
	}
	pressA(t, m) // the saved Items: nothing to wait for
	m.Update(spinner.TickMsg{ID: m.spin.ID()})
	if m.turning {
		t.Fatalf("the spinner still turns on a screen that waits for nothing")
	}
	_, cmd := m.Update(press("esc")) // back to Link
	cmd = tea.Batch(cmd, follow(m, cmd))
	if !m.turning {
		t.Fatalf("back on the waiting link screen the spinner does not turn")
	}
	frame := m.spin.View()
	var ticked bool
	for _, msg := range collect(cmd) {
		if tick, ok := msg.(spinner.TickMsg); ok {
			m.Update(tick)
			ticked = true
		}
	}
	if !ticked || m.spin.View() == frame {
		t.Errorf("no tick came, or it did not move the spinner (ticked %v)", ticked)
	}
}

var colourCode = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

func TestNoColorMeansNoColourButTheCursorShows(t *testing.T) {
	colourful := func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		r.SetHasDarkBackground(true)
		return r
	}
	deps := testDeps(t, liveConfigNoServer())
	deps.Renderer = colourful()
	if out := newTestModel(t, deps, 80, 24).View(); !colourCode.MatchString(out) {
		t.Fatalf("with a colour terminal the view has no colour at all; the test below would prove nothing")
	}

	deps = testDeps(t, baseConfig())
	deps.Renderer = colourful()
	deps.Getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	for name, m := range everyScreenWith(t, deps) {
		if out := m.View(); colourCode.MatchString(out) {
			t.Errorf("%s: NO_COLOR is set but the view has colour codes: %q", name, colourCode.FindString(out))
		}
	}
	keys := newTestModel(t, deps, 80, 24)
	keys.Init()
	if out := keys.View(); !strings.Contains(out, "\x1b[7m") {
		t.Errorf("with NO_COLOR the input cursor (reverse video) is gone: typing would be blind:\n%q", out)
	}
}

func TestLightAndDarkTerminalsGetDifferentColours(t *testing.T) {
	render := func(dark bool) string {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		r.SetHasDarkBackground(dark)
		deps := testDeps(t, liveConfigNoServer())
		deps.Renderer = r
		return newTestModel(t, deps, 80, 24).View()
	}
	if render(true) == render(false) {
		t.Errorf("the same colours on light and dark backgrounds: the palette is not adaptive")
	}
}

// TestLightPaletteIsReadableOnWhite: the greys used for rules, hints and help keys keep a
// contrast a reader can see on a white background (WCAG: 3:1 for borders, 4.5:1 for text).
func TestLightPaletteIsReadableOnWhite(t *testing.T) {
	for _, c := range []struct {
		name string
		hex  string
		min  float64
	}{
		{"Rule", palette.Rule.Light, 3}, {"Faint", palette.Faint.Light, 4.5}, {"Subtle", palette.Subtle.Light, 4.5},
	} {
		if got := contrastOnWhite(c.hex); got < c.min {
			t.Errorf("%s %s has contrast %.1f:1 on white, want at least %.1f:1", c.name, c.hex, got, c.min)
		}
	}
}

func contrastOnWhite(hex string) float64 {
	var r, g, b int
	if _, err := fmtSscanf(hex, &r, &g, &b); err != nil {
		return 0
	}
	lin := func(v int) float64 {
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return pow((c+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (l + 0.05)
}

func everyScreenWith(t *testing.T, deps Deps) map[string]*Model {
	t.Helper()
	out := map[string]*Model{"keys": newTestModel(t, deps, 80, 24)}
	d := deps
	d.Config = linkOpenConfig()
	r := resultsWith(t, d, 80, 24, platypusResult())
	r.Update(press("v"))
	out["results"] = r
	return out
}

// startRun runs the program with ctx, as main does, on a pipe for the keyboard; it returns
// the writing end, the screen and Run's error when it ends, once the keys screen is up.
func startRun(t *testing.T, ctx context.Context) (keyboard io.Writer, screen *watchedBuffer, done <-chan error) {
	t.Helper()
	in, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() }) // ends Bubble Tea's reader of a non-terminal input
	deps := testDeps(t, baseConfig())
	deps.In = in
	out := newWatchedBuffer()
	deps.Out = out
	ended := make(chan error, 1)
	go func() { ended <- Run(ctx, deps) }()
	out.waitFor(t, "Your Plaid API keys") // the program runs
	return inW, out, ended
}

func TestRunRestoresTheTerminalAndReportsCtrlC(t *testing.T) {
	inW, out, done := startRun(t, context.Background())
	inW.Write([]byte{0x03}) // ctrl+c
	err := waitForRun(t, done, "ctrl+c to end Run")
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Errorf("Run after ctrl+c = %v, want ErrInterrupted (exit 130)", err)
	}
	if s := out.String(); !strings.Contains(s, "\x1b[?1049l") {
		t.Errorf("the alternate screen was not left: the terminal is not restored")
	}
}

func TestRunEndsWhenTheContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, _, done := startRun(t, ctx)
	cancel() // SIGINT or SIGTERM in the program
	if err := waitForRun(t, done, "cancelling the context to end Run"); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Run after a signal = %v, want ErrInterrupted", err)
	}
}
