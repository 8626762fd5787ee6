// Package tui is the terminal front end of plaid-onboard: a Bubble Tea program that walks a
// developer from Plaid keys to the account and routing numbers of a linked bank account.
//
// The root model (this file) owns the screen enum, the global keys and the app messages; each
// screen (keys, link, working, results, and saved for the Items of earlier runs) lives in its
// own file and sees only the messages meant for it. Every Plaid, keyring, browser and clipboard
// call is a tea.Cmd in commands.go. Nothing about Plaid is decided here: the steps and their
// order come from plaidflow.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// ClientFactory builds a Plaid client; tests may swap it.
type ClientFactory func(plaidflow.Config, *http.Client) (*plaidflow.Client, error)

// Deps is everything the UI touches outside itself, built by cmd and passed in.
type Deps struct {
	// In and Out are the terminal. Out also receives OSC 52 clipboard sequences.
	In  io.Reader
	Out io.Writer

	// Config is the resolved configuration; it may lack keys (the keys screen asks for them).
	// Its Source fields say where each value came from.
	Config plaidflow.Config
	// Vault keeps keys and Items; nil when saving is off (--no-save).
	Vault *plaidflow.Vault
	// HTTPClient is used for every Plaid call (nil: plaidflow's default).
	HTTPClient *http.Client
	// Browser opens the Link page (the URL is always shown as well); nil means none can.
	Browser linkpage.Browser
	// NoBrowser keeps the browser from opening by itself (--no-browser); o still opens it.
	NoBrowser bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Getenv reads the environment (NO_COLOR, TERM, TMUX); nil: os.Getenv.
	Getenv func(string) string
	// NewClient builds the Plaid client (nil: plaidflow.NewClient).
	NewClient ClientFactory
	// Notes are things the user should know about how the session was set up.
	Notes []string
	// Renderer renders the styles (nil: one for Out, honouring NO_COLOR). Tests pass one with
	// the termenv.Ascii profile.
	Renderer *lipgloss.Renderer
}

func (d *Deps) fill() {
	if d.In == nil {
		d.In = os.Stdin
	}
	if d.Out == nil {
		d.Out = os.Stdout
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Getenv == nil {
		d.Getenv = os.Getenv
	}
	if d.NewClient == nil {
		d.NewClient = plaidflow.NewClient
	}
	if d.Renderer == nil {
		d.Renderer = lipgloss.NewRenderer(d.Out)
	}
	if d.Getenv("NO_COLOR") != "" { // https://no-color.org: whoever built the renderer
		d.Renderer.SetColorProfile(termenv.Ascii)
	}
}

// ErrInterrupted is the session's result when the user pressed ctrl+c (exit status 130).
var ErrInterrupted = fmt.Errorf("interrupted: %w", context.Canceled)

// Run runs the UI on deps.In and deps.Out until the user quits, and returns how the session
// ended: nil after a normal quit (exit 0), ErrInterrupted after ctrl+c or a signal (130), or the
// last failure the user saw when they quit after it (1). The Link page is shut down and the
// terminal restored before it returns.
func Run(ctx context.Context, deps Deps) error {
	deps.fill()
	// Ask the terminal for its background before Bubble Tea owns the input: the answer picks
	// the light or dark half of every AdaptiveColor.
	deps.Renderer.HasDarkBackground()
	// The window title is written here, before Bubble Tea starts: bubbletea v1.3.10's
	// tea.SetWindowTitle writes to the output outside the renderer's lock, racing its flushes.
	termenv.NewOutput(deps.Out).SetWindowTitle("plaid-onboard")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, deps)
	p := tea.NewProgram(m,
		tea.WithInput(deps.In),
		tea.WithOutput(deps.Out),
		tea.WithAltScreen(),
		tea.WithContext(ctx),
	)
	final, runErr := p.Run()
	cancel() // stop the Plaid calls still under way
	if deps.HTTPClient != nil {
		// Unused keep-alive connections would hold up a local server's shutdown (the demo's
		// emulator) by seconds.
		deps.HTTPClient.CloseIdleConnections()
	}
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	m.shutdownPage()

	switch {
	case errors.Is(runErr, tea.ErrInterrupted), errors.Is(runErr, tea.ErrProgramKilled):
		return ErrInterrupted
	case runErr != nil:
		return fmt.Errorf("terminal ui: %w", runErr)
	}
	if err := m.Err(); err != nil {
		return err
	}
	if s := m.summary(); s != "" {
		fmt.Fprintln(deps.Out, s)
	}
	return nil
}

// screenID is the screen on show.
type screenID int

const (
	screenKeys screenID = iota
	screenLink
	screenWorking
	screenResults
	// screenSaved lists the Items earlier runs saved and fetches one's numbers. It is off the
	// main path, so the header shows it as the step it stands in for (see step).
	screenSaved
)

// screenNames are the steps of the header, one per screen on the main path.
var screenNames = []string{"Keys", "Link", "Working", "Results"}

// component is one screen: a tea.Model with its own help and size.
type component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// common is what every screen shares: dependencies, the style sheet, the keymap, and the
// session's configuration and Plaid client once the keys are confirmed.
type common struct {
	ctx    context.Context
	deps   Deps
	styles *Styles
	keys   *KeyMap

	cfg    plaidflow.Config
	client *plaidflow.Client
	flow   *plaidflow.Flow

	seq int
}

// nextID numbers a request so a stale answer can be recognised.
func (c *common) nextID() int {
	c.seq++
	return c.seq
}

func (c *common) now() time.Time { return c.deps.Now() }

// border is the cards' edge: calm, or the warning colour in Production.
func (c *common) border(env plaidflow.Env) lipgloss.Style {
	if env == plaidflow.Production && !c.cfg.Demo {
		return c.styles.CardProd
	}
	return c.styles.Card
}

// cardWidth is the inside width of the main cards, so screens line up with each other.
func cardWidth(w int) int { return min(w-4, 66) }

// Model is the root model of the UI.
type Model struct {
	c *common

	screen  screenID
	keys    *keysScreen
	link    *linkScreen
	working *workingScreen
	results *resultsScreen
	saved   *savedScreen

	help          help.Model
	width, height int
	notice        string

	// failure is the last error the user saw and has not got past; quitting with it set exits 1.
	failure     error
	interrupted bool
	result      *plaidflow.Result
	// resultSaved: result is a saved Item's, fetched again rather than linked in this run.
	resultSaved bool
}

// New returns the root model for deps, for tea.NewProgram (Run does this for the program).
func New(deps Deps) *Model {
	deps.fill()
	return newModel(context.Background(), deps)
}

func newModel(ctx context.Context, deps Deps) *Model {
	styles := NewStyles(deps.Renderer)
	c := &common{ctx: ctx, deps: deps, styles: styles, keys: DefaultKeyMap(), cfg: deps.Config}
	h := help.New()
	h.Styles = styles.Help
	m := &Model{
		c:       c,
		keys:    newKeysScreen(c),
		link:    newLinkScreen(c),
		working: newWorkingScreen(c),
		results: newResultsScreen(c),
		saved:   newSavedScreen(c),
		help:    h,
		width:   80,
		height:  24,
	}
	if len(deps.Notes) > 0 {
		m.notice = strings.Join(deps.Notes, "; ")
	}
	m.layout()
	return m
}

// Err is how the session ended: nil, ErrInterrupted, or the failure the user quit after.
func (m *Model) Err() error {
	if m.interrupted {
		return ErrInterrupted
	}
	return m.failure
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.keys.Init(), m.loadSaved())
}

// loadSaved lists the Items saved for the namespace in use (nothing without a vault).
func (m *Model) loadSaved() tea.Cmd {
	if m.c.deps.Vault == nil {
		return nil
	}
	return loadSavedItems(m.c.deps.Vault, m.c.cfg.Namespace())
}

// Update implements tea.Model. Global keys and app messages first, then the active screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.layout() // the help, and so the room left for the screen, may have changed
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return nil

	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.c.keys.Quit):
			m.interrupted = true
			return tea.Quit
		case key.Matches(msg, m.c.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.layout()
			return nil
		}

	case tea.QuitMsg:
		return nil

	case errMsg:
		cmd := m.forward(msg)
		if m.errorCounts(msg) {
			m.failure = msg.err
		}
		if msg.op == opExchange || msg.op == opNumbers {
			return tea.Batch(cmd, m.link.Finish(linkpage.Outcome{OK: false,
				Message: "Linked, but the terminal hit an error: look there for the details."}))
		}
		return cmd

	case linkTokenCreatedMsg:
		if m.keys.owns(msg.id) || m.link.owns(msg.id) {
			m.failure = nil
		}
		return m.forward(msg)

	case keysConfirmedMsg:
		m.c.client = msg.client
		m.c.cfg = msg.client.Config()
		m.c.flow = plaidflow.NewFlow(msg.client, m.c.deps.Vault)
		m.c.flow.Now = m.c.deps.Now
		m.notice = msg.notice
		m.show(screenLink)
		// The environment (and so the namespace) may have changed on the keys screen.
		return tea.Batch(m.link.Open(msg.token), m.loadSaved())

	case keysEditRequestedMsg:
		m.notice = ""
		m.failure = nil
		cmd := m.link.Reset()
		m.show(screenKeys)
		return tea.Batch(cmd, m.keys.Resume())

	case anotherLinkRequestedMsg:
		m.notice = ""
		m.result, m.resultSaved = nil, false
		m.show(screenLink)
		// The Item just linked is among the saved ones now.
		return tea.Batch(m.link.Restart(), m.loadSaved())

	case savedItemsLoadedMsg:
		// For the link screen whichever screen is on show: at startup that is the keys.
		m.link.setSaved(msg)
		return nil

	case savedItemsRequestedMsg:
		if m.screen != screenLink {
			return nil
		}
		m.show(screenSaved)
		return m.saved.Open(m.link.saved)

	case linkReturnRequestedMsg:
		m.failure = m.link.stuckOn()
		m.show(screenLink)
		return nil

	case savedNumbersFetchedMsg:
		if m.screen != screenSaved || !m.saved.owns(msg.id) {
			return nil
		}
		m.failure = nil
		m.result, m.resultSaved = msg.res, true
		m.results.SetResult(msg.res)
		m.show(screenResults)
		return m.link.Finish(linkpage.Outcome{OK: true,
			Message: "The terminal fetched the numbers of " + msg.item.Name + ", saved earlier; this Link session is not needed. You can close this tab."})

	case linkPageStartedMsg, linkEventReceivedMsg, linkPageClosedMsg, browserOpenedMsg:
		// The Link page's messages go to the link screen whichever screen is on show, so its
		// event list stays complete and the page keeps being read.
		cmd := m.link.handle(msg)
		if ev, ok := msg.(linkEventReceivedMsg); ok && ev.ev.Kind == linkpage.KindExit && m.link.exitErr != nil {
			m.failure = m.link.exitErr
		}
		return cmd

	case publicTokenReceivedMsg:
		m.notice = ""
		m.failure = nil
		m.link.handedOver()
		m.show(screenWorking)
		return m.working.Start(msg.linked, msg.sandbox)

	case stepsSettledMsg:
		if !m.working.owns(msg.id) {
			return nil
		}
		m.failure = nil
		m.result = msg.res
		m.results.SetResult(msg.res)
		m.show(screenResults)
		return m.link.Finish(linkpage.Outcome{OK: true,
			Message: "Connected to " + institutionName(msg.res) + ". You can close this tab and return to the terminal."})
	}
	return m.forward(msg)
}

// errorCounts reports whether an error is one the user is stuck on (quitting exits 1).
func (m *Model) errorCounts(msg errMsg) bool {
	switch msg.op {
	case opCreateLinkToken:
		return m.keys.owns(msg.id) || m.link.owns(msg.id)
	case opExchange, opNumbers:
		return m.working.owns(msg.id)
	case opSavedNumbers:
		return m.saved.owns(msg.id)
	case opCopy:
		return false
	}
	return true
}

// forward hands msg to the active screen only.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	_, cmd := m.active().Update(msg)
	return cmd
}

func (m *Model) active() component {
	switch m.screen {
	case screenLink:
		return m.link
	case screenWorking:
		return m.working
	case screenResults:
		return m.results
	case screenSaved:
		return m.saved
	}
	return m.keys
}

// step is the header's step for the screen on show: the saved Items stand in for Link while
// one is picked, and for the working steps once its numbers are being fetched.
func (m *Model) step() screenID {
	if m.screen != screenSaved {
		return m.screen
	}
	if m.saved.state == savedPicking {
		return screenLink
	}
	return screenWorking
}

func (m *Model) show(s screenID) {
	m.screen = s
	m.layout()
}

// shutdownPage stops the Link page when the program ends (Run calls it after the terminal is
// restored), telling an open tab first.
func (m *Model) shutdownPage() {
	m.link.shutdown()
}

// summary is what stays on the terminal after the UI closes: what was linked and where it is.
func (m *Model) summary() string {
	res := m.result
	if res == nil {
		return ""
	}
	s := fmt.Sprintf("Linked %s", institutionName(res))
	if m.resultSaved {
		s = fmt.Sprintf("Fetched the numbers of %s", institutionName(res))
	}
	if res.Demo {
		s += " (offline demo, not Plaid)"
	}
	if res.Storage.Saved {
		name := res.ItemName
		if name == "" {
			name = res.ItemID
		}
		s += fmt.Sprintf("; Item %q saved in %s.", name, res.Storage.Where)
	} else {
		s += "; the Item was not saved."
	}
	return s
}

// layout gives each screen the space left between the header and the footer.
func (m *Model) layout() {
	m.help.Width = m.innerWidth()
	bodyH := m.height - headerHeight - m.footerHeight()
	if bodyH < 1 {
		bodyH = 1
	}
	for _, s := range []component{m.keys, m.link, m.working, m.results, m.saved} {
		s.SetSize(m.innerWidth(), bodyH)
	}
}

func (m *Model) margin() int {
	if m.width >= 70 {
		return 2
	}
	return 1
}

func (m *Model) innerWidth() int {
	w := m.width - 2*m.margin()
	if w < 10 {
		w = 10
	}
	return w
}

// View implements tea.Model.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w := m.innerWidth()
	header := m.headerView(w)
	footer := m.footerView(w)
	bodyH := m.height - lineCount(header) - lineCount(footer)
	body := fit(m.active().View(), w, bodyH)

	pad := strings.Repeat(" ", m.margin())
	var b strings.Builder
	for i, line := range strings.Split(header+"\n"+body+"\n"+footer, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pad)
		b.WriteString(line)
	}
	return fit(b.String(), m.width, m.height)
}

const headerHeight = 3

// headerView is the title, the environment and demo badges, and the steps.
func (m *Model) headerView(w int) string {
	st := m.c.styles
	cfg := m.c.cfg
	env := cfg.Env
	if m.screen == screenKeys {
		env = m.keys.env // what the user is choosing right now
	}
	var badges []string
	switch {
	case cfg.Demo:
		badges = append(badges, st.Badge(st.BadgeDem, "OFFLINE DEMO · not Plaid"))
	case env == plaidflow.Production:
		badges = append(badges, st.Badge(st.BadgeProd, "PRODUCTION"))
	default:
		badges = append(badges, st.Badge(st.BadgeEnv, "Sandbox"))
	}
	right := strings.Join(badges, " ")

	title := st.Title.Render("◆ plaid-onboard")
	tagline := st.Tagline.Render("  Plaid Auth, step by step")
	left := title + tagline
	if lipgloss.Width(left)+lipgloss.Width(right)+1 > w {
		left = title
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		gap = 1
	}
	line1 := left + strings.Repeat(" ", gap) + right

	var steps []string
	now := m.step()
	for i, name := range screenNames {
		sid := screenID(i)
		switch {
		case sid < now:
			steps = append(steps, st.StepDone.Render("✓ "+name))
		case sid == now:
			steps = append(steps, st.StepNow.Render("● "+name))
		default:
			steps = append(steps, st.StepTodo.Render("○ "+name))
		}
	}
	line2 := strings.Join(steps, st.Faint.Render(" ─ "))
	rule := st.Rule.Render(strings.Repeat("─", w))
	return line1 + "\n" + line2 + "\n" + rule
}

// footerView is the notice line, if any, and the help.
func (m *Model) footerView(w int) string {
	st := m.c.styles
	var parts []string
	if m.notice != "" {
		lines := wrap(m.notice, w)
		if len(lines) > 2 {
			lines = lines[:2]
		}
		for _, l := range lines {
			parts = append(parts, st.Muted.Render(l))
		}
	}
	scr := m.active()
	global := []key.Binding{withHelp(m.c.keys.Help, "?", "more")}
	if m.help.ShowAll {
		// One line per group, so the full help reads the same at 60 columns as at 160.
		groups := append(scr.FullHelp(), []key.Binding{
			withHelp(m.c.keys.Help, "?", "close help"), m.c.keys.Quit,
		})
		parts = append(parts, st.Rule.Render(strings.Repeat("─", w)))
		for _, g := range groups {
			if len(g) > 0 {
				parts = append(parts, m.help.ShortHelpView(g))
			}
		}
	} else {
		// Drop the screen's last keys before "? more": it is the way to the rest.
		bs := scr.ShortHelp()
		measure := m.help
		measure.Width = 0 // no truncation: measure the whole line
		n := len(bs)
		for n > 0 && lipgloss.Width(measure.ShortHelpView(append(bs[:n:n], global...))) > w {
			n--
		}
		parts = append(parts, m.help.ShortHelpView(append(bs[:n:n], global...)))
	}
	return strings.Join(parts, "\n")
}

func (m *Model) footerHeight() int {
	return lineCount(m.footerView(m.innerWidth()))
}

func institutionName(res *plaidflow.Result) string {
	if res != nil && res.Institution != nil && res.Institution.Name != "" {
		return res.Institution.Name
	}
	return "your bank"
}
