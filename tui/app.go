// Package tui is the terminal front end of plaid-onboard: a Bubble Tea program that walks a
// developer from Plaid keys to the account and routing numbers of a linked bank account.
//
// The root model (this file) owns the screen enum, the header, the footer, the scrolling body
// and the global keys; it handles app messages first, then forwards what is left to the active
// screen only. Update never renders: View draws each state once (frame.go). Screens (keys,
// link, working, results, and items for the Items of earlier runs) live in their own files and
// talk to the root through messages and a few small methods. Every Plaid, keyring, browser and
// clipboard call is a tea.Cmd in commands.go. Nothing about Plaid is decided here: the steps
// and their order are a plaidflow.Journey.
package tui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// screenID is the screen on show.
type screenID int

const (
	screenKeys screenID = iota
	screenLink
	screenWorking
	screenResults
	// screenItems lists the Items earlier runs saved and acts on them. It is off the main path,
	// so the header shows the step it was opened from (Link or Results).
	screenItems
)

// component is one screen: a tea.Model with its own help and size, and two facts the root
// asks about: whether something is under way (the spinner turns) and the failure on show.
type component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
	// busy reports whether the screen waits on something and shows the spinner.
	busy() bool
	// failure is the error on show that the user has not got past: quitting now exits 1.
	failure() error
}

// focuser is a screen with lines to bring into view when they change (the focused field, the
// selected account with its numbers, an error that just appeared): its view, drawn once with
// them, and first to last of its lines, first winning when they do not all fit; -1 when there
// is nothing to show.
type focuser interface {
	focusView() (view string, first, last int)
}

// focusTurner is a focuser whose focus is brought into view again, where it is, after an
// action on it (the numbers just revealed), as when it moves: the turn counts those actions.
type focusTurner interface {
	focusTurn() int
}

// common is what every screen shares: dependencies, the style sheet, the spinner's frame,
// and the session's configuration and flow once the keys are confirmed.
type common struct {
	ctx    context.Context
	deps   Deps
	styles *Styles

	cfg  config.Config
	flow *plaidflow.Flow

	// underway are the journey steps running; Run waits for them when the UI closes.
	underway stepsUnderway

	spin *spinner.Model // the one spinner; the root turns it, screens draw its frame
	seq  atomic.Int64
	// indexReads numbers the reads of the Items index (loadSavedItems); savedRead, on the
	// Model, is the newest one shown.
	indexReads atomic.Int64
	links      chan linkUpdatedMsg // every Link page's updates, read by receive
	// retries are the retries of the session's Plaid client, read by receive, so the
	// footer can say why a step takes longer than usual.
	retries retryFeed
	// retired are journeys left behind whose pages are being closed (closeJourney).
	retired retiredJourneys
	// receivers are the webhook receivers started, closed at shutdown (webhooks.go).
	receivers webhookReceivers
	// removed are the item_ids removed on the Items screen this session, so the line left on
	// quitting suggests no command for an Item that no longer exists.
	removed map[string]bool
	// linkFrom is where the journey on show began on the timeline, and linkNone why it has no
	// Link session ("" when it may have one): the link_session_id pinned on screen is the one
	// of that journey, never an earlier one's (beginJourney).
	linkFrom int
	linkNone string
	// notSaved is the Item on the results that could not be saved (no keyring), so that an
	// empty Items screen says why it is not there rather than "link one first".
	notSaved *plaidapi.Result
	// status is what just happened, on the status line above the footer (status.go).
	status statusLine
}

// beginJourney marks the start of a journey on the timeline; none says why it opens no Link
// session ("" for a journey with Link).
func (c *common) beginJourney(none string) {
	c.linkFrom, c.linkNone = c.deps.Timeline.Len(), none
}

// voice is who answers this session: Plaid, or the demo's emulator (present.Voice decides
// the words for both front ends).
func (c *common) voice() present.Voice { return present.VoiceOf(c.cfg) }

// nextID numbers a request so a stale answer can be recognised.
func (c *common) nextID() int { return int(c.seq.Add(1)) }

func (c *common) now() time.Time { return c.deps.Now() }

// spinner is the spinner's current frame.
func (c *common) spinner() string { return c.spin.View() }

// border is the cards' edge: calm, or the warning colour in Production.
func (c *common) border(env config.Env) lipgloss.Style {
	if env == config.Production && !c.cfg.Demo {
		return c.styles.CardProd
	}
	return c.styles.Card
}

// cardWidth is the inside width of the main cards, so screens line up with each other.
func cardWidth(w int) int { return min(w-4, 66) }

// Model is the root model of the UI.
type Model struct {
	c *common
	// cancel ends the context of a model made by New (Run ends its own).
	cancel context.CancelFunc

	screen  screenID
	keys    *keysScreen
	link    *linkScreen
	working *workingScreen
	results *resultsScreen
	items   *itemsScreen
	tl      *timelinePane // the ids and the timeline under the Link and results screens
	// savedRead is the newest read of the Items index shown (savedItemsLoadedMsg.read).
	savedRead int64
	tlFeed    <-chan struct{}
	verify    *verifyPanel // the verification status and webhooks under the results
	hooking   bool         // the webhook receiver is starting or started

	itemsFrom screenID // where esc on the Items screen returns to

	header header
	footer footer
	global globalKeys
	// body, focus and the scrolling keys are the scrolling as of the last frame drawn, which
	// Update acts on (settle): the body holds that frame's content, scrolled to where it showed.
	body    viewport.Model
	focus   [4]int // the screen, the focus lines last brought into view, and its turn (focusTurner)
	spin    spinner.Model
	turning bool // a spinner tick is on its way

	// state counts the changes to what is shown (each Update, Init), from 1; frame is the last
	// one drawn, which View draws again until the state changes.
	state uint64
	frame frame

	width, height int
	interrupted   bool
}

// New returns the root model for deps, for tea.NewProgram (Run does this for the program).
func New(deps Deps) *Model {
	deps.fill()
	// Its own context, ended by shutdown: the commands that wait for Link pages and retries
	// must end with the model, not outlive it.
	ctx, cancel := context.WithCancel(context.Background())
	m := newModel(ctx, deps)
	m.cancel = cancel
	return m
}

func newModel(ctx context.Context, deps Deps) *Model {
	styles := NewStyles(deps.Renderer, !deps.noColor())
	m := &Model{
		global: newGlobalKeys(),
		spin:   newSpinner(styles),
		body:   viewport.New(80, 10),
		width:  80,
		height: 24,
		state:  1,
	}
	c := &common{ctx: ctx, deps: deps, styles: styles, cfg: deps.Config, spin: &m.spin,
		links: make(chan linkUpdatedMsg, 64), retries: make(retryFeed, 16)}
	m.c = c
	m.keys = newKeysScreen(c)
	m.link = newLinkScreen(c)
	m.working = newWorkingScreen(c)
	m.results = newResultsScreen(c)
	m.items = newItemsScreen(c)
	m.tl = newTimelinePane(c)
	m.verify = newVerifyPanel(c)
	m.tlFeed = deps.Timeline.Subscribe()
	m.tl.changed()
	m.header = header{c: c}
	m.footer = newFooter(c, deps.Notes)
	m.resize()
	return m
}

// Err is how the session ended: nil, ErrInterrupted, or the failure on screen when the user
// quit.
func (m *Model) Err() error {
	if m.interrupted {
		return ErrInterrupted
	}
	return m.active().failure()
}

// WriteReport leaves what was linked in the scrollback once the UI has closed: the report
// (masked unless the user revealed the numbers, and never with --mask unless revealed anyway),
// then the command that fetches the numbers again. Nothing without a result.
func (m *Model) WriteReport(w io.Writer) error {
	res, reveal := m.results.shown()
	if res == nil {
		return nil
	}
	if res.Demo {
		fmt.Fprintln(w, present.DemoBanner)
	}
	if err := present.WriteReport(w, res, !reveal); err != nil {
		return err
	}
	switch next := present.NextCommand(res); {
	case m.c.removed[res.ItemID]:
		fmt.Fprintf(w, "\nThis Item was removed %s during the session: link again to see numbers.\n", m.c.voice().At())
	case next != "":
		fmt.Fprintf(w, "\nNext: %s\n", next)
	}
	return nil
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	m.settle() // the keys screen focuses a field and may check the keys: a change to draw
	cmd := tea.Batch(m.keys.Init(), m.loadSaved(), receive(m.c.ctx, m.c.links), receive(m.c.ctx, m.c.retries), waitForTimeline(m.c.ctx, m.tlFeed))
	return tea.Batch(cmd, m.turn())
}

// loadSaved lists the Items saved for the namespace in use (nothing without a vault).
func (m *Model) loadSaved() tea.Cmd {
	if m.c.deps.Vault == nil {
		return nil
	}
	return loadSavedItems(m.c)
}

// Update implements tea.Model: global keys and app messages first, then the active screen.
// It draws nothing: View draws the state it leaves.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.settle()
	cmd := m.update(msg)
	m.tl.updateKeys(m.timelineKeysOn())
	m.verify.updateKeys(m.screen == screenResults && !m.results.modal())
	return m, tea.Batch(cmd, m.turn())
}

// turn starts the spinner's ticks when a screen waits on something and none are on their way.
func (m *Model) turn() tea.Cmd {
	if m.turning || !m.active().busy() {
		return nil
	}
	m.turning = true
	return m.spin.Tick
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return nil

	case spinner.TickMsg:
		// One spinner for every screen: its ticks stop when nothing waits and start again when
		// something does, so a screen shown again never finds it frozen.
		if !m.active().busy() {
			m.turning = false
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd

	case tea.KeyMsg:
		if !m.keepsStatus(msg) {
			m.c.clearStatus() // the user moved on; what the key does may say something new
		}
		if cmd, ok := m.globalKey(msg); ok {
			return cmd
		}
		return m.forward(msg)

	case stepRanMsg, itemActedMsg, linkTokenCreatedMsg, errMsg:
		// An answer came: the retry it may have needed is over. The message goes on below.
		m.footer.retry = ""
	}
	if cmd, ok := m.session(msg); ok {
		return cmd
	}
	if r, ok := m.routeOf(msg); ok {
		return m.follow(r, msg)
	}
	return m.forward(msg)
}

// globalKey answers the keys of every screen: quit, help and scrolling; then those of the
// panels the root draws under a screen (the timeline, the verification status).
func (m *Model) globalKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.global.Quit):
		m.interrupted = true
		return tea.Quit, true
	case key.Matches(msg, m.global.Help):
		m.footer.toggleHelp()
		return nil, true
	case key.Matches(msg, m.global.PageDown):
		m.body.PageDown()
		return nil, true
	case key.Matches(msg, m.global.PageUp):
		m.body.PageUp()
		return nil, true
	}
	if m.timelineKeysOn() {
		if cmd, ok := m.tl.handleKey(msg); ok {
			return cmd, true
		}
	}
	if m.screen == screenResults && !m.results.modal() {
		if cmd, ok := m.verify.handleKey(msg); ok {
			return cmd, true
		}
	}
	return nil, false
}

// keepsStatus: the keys that only look (scrolling, the help) leave the status line as it is.
func (m *Model) keepsStatus(msg tea.KeyMsg) bool {
	// By their keys, whether or not scrolling is on: pgdn on a screen that fits still only looks.
	for _, b := range []key.Binding{m.global.Help, m.global.PageUp, m.global.PageDown} {
		if slices.Contains(b.Keys(), msg.String()) {
			return true
		}
	}
	return false
}

// session handles the messages about the whole session rather than one screen: the timeline,
// retries, the saved Items (every screen that lists them hears of each read), the keys Plaid
// accepted, and the webhooks of the Items on the results.
func (m *Model) session(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case timelineChangedMsg:
		m.tl.changed()
		return waitForTimeline(m.c.ctx, m.tlFeed), true

	case transcriptSavedMsg:
		m.tl.saved(msg)
		return nil, true

	case idCopiedMsg:
		m.c.setStatus(statusOK, m.c.clipboardSent(clipboardSentMsg(msg)))
		return nil, true

	case statusMsg:
		m.c.setStatus(msg.kind, msg.text)
		return nil, true

	case clipboardSentMsg:
		// Whichever screen copied, the status line says what went to the clipboard.
		m.c.setStatus(statusOK, m.c.clipboardSent(msg))
		return nil, true

	case errMsg:
		if msg.op == opCopy {
			m.c.setStatus(statusBad, msg.err.Error())
			return nil, true
		}
		return nil, false

	case codeLangSavedMsg:
		m.tl.langSaved(msg)
		return nil, true

	case retriedMsg:
		m.footer.retry = "↻ " + msg.retry.String()
		return receive(m.c.ctx, m.c.retries), true

	case linkUpdatedMsg:
		// The Link page's updates go to the link screen whichever screen is on show, so its
		// event list stays complete and the channel keeps being read.
		_, cmd := m.link.Update(msg)
		return tea.Batch(cmd, receive(m.c.ctx, m.c.links)), true

	case stepRanMsg:
		// A step's answer goes to the screen running its journey, on show or not: Link may
		// hand over its public token while the user browses the saved Items.
		for _, s := range []interface {
			component
			owns(int) bool
		}{m.link, m.working} {
			if s.owns(msg.id) {
				_, cmd := s.Update(msg)
				return cmd, true
			}
		}
		return nil, true

	case savedItemsLoadedMsg:
		// An older read that answers late (a reset's reload can overtake the load made when
		// the screen opened) must not put back what the newer one replaced.
		if msg.read != 0 {
			if msg.read < m.savedRead {
				return nil, true
			}
			m.savedRead = msg.read
		}
		_, c1 := m.link.Update(msg)
		_, c2 := m.items.Update(msg)
		return tea.Batch(c1, c2), true

	case keysConfirmedMsg:
		// The session's keys, and so its client and flow; the Link screen starts with them
		// (routed below). The environment, and so the namespace, may have changed.
		m.c.deps.Timeline.Note("Plaid accepted the keys for " + msg.client.Config().Env.Title())
		m.c.cfg = msg.client.Config()
		m.c.flow = plaidflow.NewFlow(msg.client, m.c.deps.Vault)
		m.c.flow.Now = m.c.deps.Now
		// The session's set-up notes have had their moment; where the keys were saved (or why
		// not) is what just happened.
		m.footer.setNotice("")
		if msg.notice != "" {
			kind := statusOK
			if strings.HasPrefix(msg.notice, "Keys not saved") {
				kind = statusWarn
			}
			m.c.setStatus(kind, msg.notice)
		}
		r, _ := m.routeOf(msg)
		return tea.Batch(m.follow(r, msg), m.loadSaved(), m.startWebhooks(msg.client)), true

	case webhooksStartedMsg:
		return m.verify.started(msg), true

	case webhookReceivedMsg:
		return tea.Batch(m.verify.webhook(msg.wh), waitForWebhook(m.c.ctx, m.verify.hub.feed)), true

	case webhookSetMsg:
		m.verify.pointedAt(msg)
		return nil, true

	case statusSetMsg:
		return m.verify.statusSet(msg), true

	case webhookFiredMsg:
		m.verify.fired(msg)
		return nil, true

	case flowRefreshedMsg:
		if res, ok := m.verify.refreshed(msg); ok {
			_, cmd := m.results.Update(numbersShownMsg{res: res})
			return tea.Batch(cmd, m.verify.setResult(res)), true
		}
		return nil, true
	}
	return nil, false
}

// forward hands msg to the active screen only.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	_, cmd := m.active().Update(msg)
	return cmd
}

func (m *Model) active() component { return m.screenOf(m.screen) }

// screenOf is the screen id stands for.
func (m *Model) screenOf(id screenID) component {
	switch id {
	case screenLink:
		return m.link
	case screenWorking:
		return m.working
	case screenResults:
		return m.results
	case screenItems:
		return m.items
	}
	return m.keys
}

func (m *Model) show(s screenID) {
	if s != m.screen {
		m.body.GotoTop()
	}
	m.screen = s
}

// shutdown stops every Link page when the program ends (Run calls it after the terminal is
// restored), telling an open tab first, and closes the webhook receivers. Each server gives the
// requests under way a moment to end; they are stopped side by side, so quitting waits for the
// slowest of them, not for their sum.
func (m *Model) shutdown() {
	if m.cancel != nil {
		m.cancel()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		m.link.shutdown()
		m.working.shutdown()
	})
	wg.Go(m.c.retired.closeAll)
	wg.Go(m.c.receivers.closeAll)
	wg.Wait()
	m.verify.hub.close()
}

// step is the header's step for the screen on show: the Items stand in for the step they
// were opened from.
func (m *Model) step() screenID {
	if m.screen == screenItems {
		return m.itemsFrom
	}
	return m.screen
}

// resize gives every screen, and the timeline pane, the room the window leaves them: on a new
// window size only.
func (m *Model) resize() {
	w, h := m.innerWidth(), max(m.height-headerHeight-2, 1)
	for _, s := range []component{m.keys, m.link, m.working, m.results, m.items} {
		s.SetSize(w, h)
	}
	m.tl.SetHeight(h)
}

// pinned is what stays above the footer whatever the body scrolls: the ids Plaid Support asks
// for, where the timeline is shown ("" elsewhere).
func (m *Model) pinned(w int) string {
	if !m.timelineShown() {
		return ""
	}
	return m.tl.IDs(w)
}

// timelineShown: the ids and the timeline pane belong to the Link and results screens.
func (m *Model) timelineShown() bool {
	return m.screen == screenLink || m.screen == screenResults
}

// timelineKeysOn: the timeline's keys work where it is shown, except while the results' copy
// picker waits for its key.
func (m *Model) timelineKeysOn() bool {
	return m.timelineShown() && !(m.screen == screenResults && m.results.modal())
}

// helpFor is the help of the screen on show, with the timeline's keys where it is shown.
func (m *Model) helpFor(scr component) help.KeyMap {
	var keys help.KeyMap = scr
	if m.screen == screenResults {
		keys = withVerify{KeyMap: keys, p: m.verify}
	}
	if m.timelineShown() {
		return withTimeline{KeyMap: keys, p: m.tl}
	}
	return keys
}

// startWebhooks starts the session's webhook receiver once, when Plaid can reach it (the
// emulator on loopback, or the user's --public-url).
func (m *Model) startWebhooks(client *plaidapi.Client) tea.Cmd {
	public, ok := webhook.Target(client.Config(), m.c.deps.WebhookPublicURL)
	if !ok || m.hooking {
		return nil
	}
	m.hooking = true
	return startWebhooks(m.c.ctx, &m.c.receivers, client, m.c.deps.Timeline, m.c.deps.WebhookPort, public)
}

func (m *Model) margin() int {
	if m.width >= 70 {
		return 2
	}
	return 1
}

func (m *Model) innerWidth() int { return max(m.width-2*m.margin(), 10) }
