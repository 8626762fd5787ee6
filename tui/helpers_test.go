package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// TestMain shortens the settle delay for every test and fails the package when a goroutine
// outlives its tests (a Link session, a keyring call or a Plaid call that nobody stopped).
func TestMain(m *testing.M) {
	settleDelay = 20 * time.Millisecond
	code := m.Run()
	if code == 0 {
		if err := settledLeaks(
			// teatest's test model waits for an interrupt of the test binary for its whole
			// life, by design; it is the library's, not ours.
			goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
		); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// settledLeaks is goleak.Find given a few seconds: a cursor blink command (bubbles) waits out
// its blink interval, about half a second, before it ends by itself, which is longer than
// goleak's own wait. A goroutine still there after that is a leak.
func settledLeaks(opts ...goleak.Option) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

// fixedNow is the clock of every test, so views are the same on every run.
var fixedNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// plainRenderer renders without colour, like NO_COLOR: golden files hold plain text.
func plainRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// fakeBrowser records the URLs it was asked to open.
type fakeBrowser struct {
	mu   sync.Mutex
	urls []string
	err  error
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

// syncBuffer is an io.Writer the clipboard command can write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// baseConfig is a Sandbox configuration without keys.
func baseConfig() config.Config {
	return config.Config{
		Env:           config.Sandbox,
		EnvSource:     config.SourceDefault,
		Products:      []string{"auth"},
		CountryCodes:  []string{"US"},
		ClientName:    "plaid-onboard",
		LinkScriptURL: config.DefaultLinkScript,
	}
}

// fakePlaid starts the Plaid fake for one test.
func fakePlaid(t *testing.T) *emulator.Server {
	t.Helper()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// demoConfig is what --demo builds: the emulator's keys and URLs.
func demoConfig(srv *emulator.Server) config.Config {
	cfg := baseConfig()
	cfg.Demo = true
	cfg.EnvSource = config.SourceDemo
	cfg.ClientID, cfg.ClientIDSource = emulator.DemoClientID, config.SourceDemo
	cfg.Secret, cfg.SecretSource = emulator.DemoSecret, config.SourceDemo
	cfg.APIURL = srv.URL
	cfg.LinkScriptURL = srv.LinkScriptURL()
	return cfg
}

// testDeps are deterministic dependencies: fixed clock, no colour, a fake browser, a
// clipboard buffer and an in-memory vault.
func testDeps(t *testing.T, cfg config.Config) Deps {
	t.Helper()
	httpClient := plaidapi.NewHTTPClient()
	// Runs before the fake's Close (cleanups run last-registered first): an idle keep-alive
	// connection would otherwise hold its shutdown up for 5 s.
	t.Cleanup(httpClient.CloseIdleConnections)
	return Deps{
		HTTPClient: httpClient,
		In:         strings.NewReader(""),
		Out:        &syncBuffer{},
		Config:     cfg,
		Vault:      vault.NewVault(vault.NewMemoryStore(), t.TempDir()),
		Browser:    &fakeBrowser{},
		NoBrowser:  false,
		Now:        func() time.Time { return fixedNow },
		Getenv:     func(string) string { return "" },
		Renderer:   plainRenderer(),
	}
}

// newTestModel builds the root model at a size; its commands end with the test and its Link
// pages are shut down afterwards.
// demoDeps is what the program is given for --demo against srv, with no browser to open.
func demoDeps(t *testing.T, srv *emulator.Server) Deps {
	t.Helper()
	deps := testDeps(t, demoConfig(srv))
	deps.NoBrowser = true
	return deps
}

// demoOnEmulator is a new emulator and the program's --demo dependencies against it.
func demoOnEmulator(t *testing.T) (*emulator.Server, Deps) {
	t.Helper()
	srv := fakePlaid(t)
	return srv, demoDeps(t, srv)
}

// liveOnEmulator is a new emulator standing in for Plaid and the program's dependencies with
// keys from the environment, as a user with real keys starts it.
func liveOnEmulator(t *testing.T) (*emulator.Server, Deps) {
	t.Helper()
	srv := fakePlaid(t)
	return srv, testDeps(t, liveConfig(srv, config.SourceEnviron))
}

// runProgram runs the program on deps in Bubble Tea's test program, in a w×h terminal.
func runProgram(t *testing.T, deps Deps, w, h int) *teatest.TestModel {
	t.Helper()
	m := New(deps)
	t.Cleanup(m.shutdown)
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
}

func newTestModel(t *testing.T, deps Deps, w, h int) *Model {
	t.Helper()
	deps.fill()
	ctx, cancel := context.WithCancel(context.Background())
	m := newModel(ctx, deps)
	m.cancel = cancel // ended first by a driver's cleanup (newDriver)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	t.Cleanup(func() {
		cancel()
		m.shutdown()
	})
	return m
}

// view is the screen as a user reads it: styles stripped, trailing spaces trimmed.
func view(m tea.Model) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// namedKeys are the keys press knows by name; anything else is typed as runes.
var namedKeys = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace,
}

func press(s string) tea.KeyMsg {
	if t, ok := namedKeys[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// typeText types s one key at a time.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// driver runs a model's commands the way Bubble Tea does, for tests against the emulator: each
// command in its own goroutine, their messages fed back to Update one at a time. Timers
// (spinner frames, cursor blinks) are dropped so a run ends.
type driver struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
	quit bool
	// running are the commands under way; done ends their wait to deliver.
	running sync.WaitGroup
	done    chan struct{}
}

// started is the model for deps in a w×h terminal with a driver that has run its Init: the
// program as it is when the user first sees it.
func started(t *testing.T, deps Deps, w, h int) (*Model, *driver) {
	t.Helper()
	m := newTestModel(t, deps, w, h)
	d := newDriver(t, m)
	d.init()
	return m, d
}

// newDriver drives m. When the test ends, the session's context is cancelled and the commands
// still under way are waited for, before the test's temporary directories are removed: a
// command that runs beside the flow (pointing the Item's webhook records the call in the index)
// must not write into a directory being deleted.
func newDriver(t *testing.T, m *Model) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 64), done: make(chan struct{})}
	t.Cleanup(func() {
		if m.cancel != nil {
			m.cancel()
		}
		close(d.done)
		ended := make(chan struct{})
		go func() { d.running.Wait(); close(ended) }()
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			t.Errorf("commands of the session still running 10s after the test ended")
		}
	})
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.running.Add(1)
	go func() {
		defer d.running.Done()
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

// send delivers msg to the model and runs the commands it returns.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

func (d *driver) init() { d.exec(d.m.Init()) }

// until feeds messages until cond holds, failing after timeout.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, view(d.m))
		}
	}
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
	case tea.QuitMsg:
		d.quit = true
	case spinner.TickMsg, cursor.BlinkMsg:
		// timers: dropped
	default:
		if reflect.TypeOf(msg).String() == "tea.sequenceMsg" {
			d.t.Fatalf("sequence commands are not supported by the test driver")
		}
		d.send(msg)
	}
}

// screenShows waits until the stripped view contains s.
func (d *driver) screenShows(s string) {
	d.t.Helper()
	d.until("the screen to show "+s, func() bool { return strings.Contains(view(d.m), s) })
}

// sandboxClient is a client for baseConfig with well-formed keys (it is never called).
func sandboxClient(t *testing.T, cfg config.Config) *plaidapi.Client {
	t.Helper()
	if !cfg.HasKeys() {
		cfg.ClientID, cfg.Secret = "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "http://127.0.0.1:1" // refused at once: a test must never reach real Plaid
	}
	c, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func str(s string) *string   { return &s }
func num(f float64) *float64 { return &f }
func usd() plaidapi.Balances { return plaidapi.Balances{ISOCurrencyCode: str("USD")} }
func bal(a, c *float64) plaidapi.Balances {
	b := usd()
	b.Available, b.Current = a, c
	return b
}

// platypusResult is First Platypus Bank as Sandbox returns it for user_good, saved.
func platypusResult() *plaidapi.Result {
	return &plaidapi.Result{
		Environment: "sandbox",
		ItemID:      "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6",
		ItemName:    "first-platypus-bank",
		Institution: &plaidapi.Institution{ID: "ins_109508", Name: "First Platypus Bank"},
		Accounts: []plaidapi.Account{
			{ID: "acc-checking", Name: "Plaid Checking", Mask: str("0000"), Type: "depository", Subtype: str("checking"), Balances: bal(num(100), num(110))},
			{ID: "acc-saving", Name: "Plaid Saving", Mask: str("1111"), Type: "depository", Subtype: str("savings"), Balances: bal(num(200), num(210))},
			{ID: "acc-cd", Name: "Plaid CD", Mask: str("2222"), Type: "depository", Subtype: str("cd"), Balances: bal(nil, num(1000))},
			{ID: "acc-card", Name: "Plaid Credit Card", Mask: str("3333"), Type: "credit", Subtype: str("credit card"), Balances: bal(nil, num(410))},
			{ID: "acc-mm", Name: "Plaid Money Market", Mask: str("4444"), Type: "depository", Subtype: str("money market"), Balances: bal(num(43200), num(43200))},
			{ID: "acc-cash", Name: "Plaid Cash Management", Mask: str("9002"), Type: "depository", Subtype: str("cash management"), Balances: bal(num(12060), num(12060))},
		},
		Numbers: plaidapi.Numbers{
			ACH: []plaidapi.ACH{
				{AccountID: "acc-checking", Account: "1111222233330000", Routing: "011401533", WireRouting: str("021000021")},
				{AccountID: "acc-saving", Account: "1111222233331111", Routing: "011401533", WireRouting: str("021000021")},
				{AccountID: "acc-cash", Account: "1111222233339002", Routing: "011401533", WireRouting: str("021000021")},
			},
		},
		RequestID: "m8MDnv9okwxFNBV",
		Storage:   plaidapi.Storage{Saved: true, Where: "the OS keyring (service plaid-onboard); index in ~/.config/plaid-onboard/items.json"},
		FetchedAt: fixedNow,
	}
}

// maxLineWidth is the widest line of a view, in cells.
func maxLineWidth(s string) (int, string) {
	w, widest := 0, ""
	for _, l := range strings.Split(s, "\n") {
		if lw := ansi.StringWidth(l); lw > w {
			w, widest = lw, l
		}
	}
	return w, widest
}

// watchedBuffer is a terminal the test can wait on: waitFor returns when the output holds a
// string, and fails the test, saying what it waited for, when it does not in time.
type watchedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced on every write
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{written: make(chan struct{})} }

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	close(w.written)
	w.written = make(chan struct{})
	return n, err
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func (w *watchedBuffer) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		found, next := strings.Contains(w.b.String(), s), w.written
		w.mu.Unlock()
		if found {
			return
		}
		select {
		case <-next:
		case <-deadline:
			t.Fatalf("timed out waiting for the terminal to show %q; it shows:\n%q", s, w.String())
		}
	}
}

// linkOpenAt is a link screen whose page listens at a fixed address, with no events yet.
func linkOpenAt(t *testing.T, deps Deps, w, h int) *Model {
	t.Helper()
	m := newTestModel(t, deps, w, h)
	m.Update(keysConfirmedMsg{client: sandboxClient(t, deps.Config), token: &plaidapi.LinkToken{Token: "link-sandbox-x"}})
	m.Update(linkUpdatedMsg{run: m.link.runID, u: linkpage.Update{Kind: linkpage.UpdateStarted, URL: "http://127.0.0.1:43117/"}})
	return m
}

// linkEvent delivers a Link callback to the link screen, as its page reports it.
func linkEvent(m *Model, ev linkpage.Event) tea.Cmd {
	_, cmd := m.Update(linkUpdatedMsg{run: m.link.runID, u: linkpage.Update{Kind: linkpage.UpdateEvent, Event: ev}})
	return cmd
}

// linkExits is Link closing with exitEvent, as the terminal UI's Session reports it: the
// callback only, since the Link step keeps waiting for the page's Reopen.
func linkExits(m *Model) {
	linkEvent(m, exitEvent())
}

// waitForRun waits for Run's result, failing loudly when it does not come in time.
func waitForRun(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return nil
	}
}

func fmtSscanf(hex string, r, g, b *int) (int, error) {
	return fmt.Sscanf(hex, "#%02x%02x%02x", r, g, b)
}

func pow(x, y float64) float64 { return math.Pow(x, y) }

// listening reports whether something accepts connections at url's host.
func listening(url string) bool {
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// bodyText is the whole of the active screen as the user can scroll through it.
func bodyText(m *Model) string { return ansi.Strip(m.active().View()) }

// demoOnLink is the demo against a fresh emulator, w×h, with the keys accepted and the Link
// page open and waiting. tweak may change the dependencies first.
func demoOnLink(t *testing.T, w, h int, tweak func(*Deps)) (*Model, *driver, *emulator.Server) {
	t.Helper()
	srv, deps := demoOnEmulator(t)
	if tweak != nil {
		tweak(&deps)
	}
	m := newTestModel(t, deps, w, h)
	d := newDriver(t, m)
	d.init()
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	return m, d, srv
}

// sandboxShortcut makes an Item with the Sandbox shortcut's default choice, from the Link
// page, and waits for its results.
func (d *driver) sandboxShortcut() {
	d.t.Helper()
	d.send(press("s")) // the Sandbox shortcut opens its choice, on the default
	d.send(press("enter"))
	d.until("the results", func() bool { return d.m.screen == screenResults })
}
