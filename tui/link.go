package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The link screen runs the first steps of a Link journey: the Link token (unless the keys
// screen's check made one) and Link itself, on the loopback page of a linkpage.Session, while
// it shows the page's URL and a live list of Link's events. When Link hands over a public
// token, the journey goes to the working screen. In Sandbox (and the demo) `s` makes an Item
// without the browser; `a` opens the Items saved by earlier runs.

type linkState int

const (
	linkStarting  linkState = iota // the Link token or the page is being made
	linkWaiting                    // the page is up; waiting for the user in the browser
	linkSucceeded                  // a public token was handed over
	linkExited                     // Link closed without an account
	linkBlocked                    // the page could not load the Link script
	linkFailed                     // the token or the page could not be made
)

// eventRow is one line of the event list.
type eventRow struct {
	at            time.Time
	label, detail string
	kind          linkpage.EventKind
}

// sessionBox holds the Link session the journey opened last: the journey opens it from the
// goroutine that runs the Link step, and `o` reads it from Update.
type sessionBox struct {
	mu  sync.Mutex
	cur *linkpage.Session
}

func (b *sessionBox) set(s *linkpage.Session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cur = s
}

func (b *sessionBox) get() *linkpage.Session {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur
}

type linkScreen struct {
	c             *common
	keys          linkKeys
	width, height int

	state   linkState
	journey *plaidflow.Journey // nil once handed over to the working screen
	runID   int                // the journey's id; its steps' answers carry it
	box     *sessionBox
	url     string

	browserTried bool
	browserErr   error

	events []eventRow
	err    error // why Link closed, or why the token or the page could not be made

	// repairing names the saved Item Link runs in update mode for (repairID is its id); "" for
	// a new Item.
	repairing, repairID string

	// linkLive: the Link step runs and its page still waits for the user, even after Link
	// closed or its script failed to load; the page then offers Reopen (or Reload), and `r`
	// replaces the whole session with a new one.
	linkLive bool

	// saved are the Items earlier runs left in the vault for this namespace.
	saved    []vault.SavedItem
	savedErr error // the vault's index could not be read

	// picker is the Sandbox shortcut's choice of scenario, open after `s`.
	picker sandboxPicker

	// flows is "How should the account be verified?" (flow_choice.go), open after f.
	flows flowPicker
	// verifying: the journey is Link re-opened for the micro-deposit code of the saved Item
	// repairing names (VerifyJourney), not a repair.
	verifying  bool
	verifyAcct string

	// hosted: new Items link through Hosted Link, by a QR code (link_hosted.go), after H.
	hosted hostedView
}

func newLinkScreen(c *common) *linkScreen {
	s := &linkScreen{c: c, keys: newLinkKeys(), box: &sessionBox{}, picker: newSandboxPicker(),
		flows: newFlowPicker()}
	s.flows.choose(c.deps.AuthFlow) // --flow, checked by cmd
	s.updateKeys()
	return s
}

// Init implements tea.Model.
func (s *linkScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *linkScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *linkScreen) owns(id int) bool { return id != 0 && s.runID == id }

// busy implements component.
func (s *linkScreen) busy() bool { return s.state == linkStarting || s.state == linkWaiting }

// failure implements component.
func (s *linkScreen) failure() error {
	if s.stuck() {
		return s.err
	}
	return nil
}

// focusView implements focuser: an error that just appeared, from its title to the keys that
// get past it.
func (s *linkScreen) focusView() (string, int, int) {
	v := s.View()
	if s.flows.open {
		// The verification choice, from its question to its keys.
		lines := strings.Split(ansiStrip(v), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "How should the account be verified?") {
				return v, i, len(lines) - 1
			}
		}
	}
	if !s.stuck() {
		return v, -1, -1
	}
	lines := strings.Split(ansiStrip(v), "\n")
	first := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "✗ ") {
			first = i
			break
		}
	}
	return v, first, len(lines) - 1
}

// stuck: Link did not get an account, and the screen shows why.
func (s *linkScreen) stuck() bool {
	return s.state == linkExited || s.state == linkBlocked || s.state == linkFailed
}

// sandboxAllowed: the shortcut exists only where plaidflow's Sandbox rule allows it.
func (s *linkScreen) sandboxAllowed() bool {
	return s.c.flow != nil && s.c.cfg.SandboxOnly() == nil && s.repairing == ""
}

// setSaved takes the vault's list of saved Items, when it is about the namespace in use.
func (s *linkScreen) setSaved(msg savedItemsLoadedMsg) {
	if msg.ns != s.c.cfg.Namespace() {
		return // listed for an environment the user has since left
	}
	s.saved, s.savedErr = msg.items, msg.err
	s.updateKeys()
}

// savedAllowed: the Items key works once the keys are confirmed and Link has not handed over.
func (s *linkScreen) savedAllowed() bool {
	return len(s.saved) > 0 && s.c.flow != nil && s.state != linkSucceeded && s.repairing == ""
}

// Start begins a Link journey with the keys screen's Link token (nil or expired: the journey
// makes one).
func (s *linkScreen) Start(ready *plaidapi.LinkToken) tea.Cmd {
	stop := s.Stop()
	if ready != nil && !ready.Expiration.IsZero() && !s.c.now().Before(ready.Expiration) {
		ready = nil
	}
	s.runID = s.c.nextID()
	s.c.beginJourney("")
	j, err := s.c.flow.LinkJourneyFor(s.opener(s.runID), ready, s.flows.current().flowName())
	if s.hosted.on {
		j, err = s.c.flow.HostedLinkJourney(s.hostedShow(s.runID), plaidflow.HostedOptions{}), nil // link_hosted.go
	}
	if err != nil {
		s.state, s.err = linkFailed, err
		return stop
	}
	s.journey = j
	s.state = linkStarting
	return tea.Batch(stop, s.next())
}

// Restart begins a new Link journey with a fresh Link token: to link another account.
func (s *linkScreen) Restart() tea.Cmd { return s.Start(nil) }

// Stop leaves the journey (going back to the keys): its page is told and stops.
func (s *linkScreen) Stop() tea.Cmd {
	j := s.journey
	s.journey, s.runID = nil, 0
	s.state = linkStarting
	s.events, s.err, s.url = nil, nil, ""
	s.browserTried, s.browserErr = false, nil
	s.repairing, s.repairID, s.linkLive = "", "", false
	s.verifying, s.verifyAcct = false, ""
	s.hosted.reset()
	s.picker.open, s.flows.open = false, false
	s.updateKeys()
	return closeJourney(s.c, j)
}

// Repair starts Link in update mode for the saved Item itemID (called name): a Link token made
// with its access token, then Link, where the user logs in again. On success nothing is
// exchanged; the working screen fetches the numbers again. A journey still waiting is stopped.
func (s *linkScreen) Repair(itemID, name string) tea.Cmd {
	stop := s.Stop()
	s.runID = s.c.nextID()
	s.c.beginJourney("")
	s.repairing, s.repairID = name, itemID
	s.journey = s.c.flow.UpdateJourney(s.opener(s.runID), itemID, false)
	s.state = linkStarting
	return tea.Batch(stop, s.next())
}

// Done is told the numbers are on screen. A Link journey that is still waiting (the numbers
// came through the Sandbox shortcut or a saved Item) ends, telling its open tab why.
func (s *linkScreen) Done(res *plaidapi.Result, kind journeyKind) tea.Cmd {
	if s.journey == nil {
		return nil
	}
	msg := "The terminal made a Sandbox Item without Link; this Link session is not needed. You can close this tab."
	if kind == journeySaved {
		msg = "The terminal fetched the numbers of " + present.ItemRef(res) + ", saved earlier; this Link session is not needed. You can close this tab."
	}
	sess := s.box.get()
	j := s.journey
	s.journey, s.runID = nil, 0
	s.state = linkSucceeded
	s.updateKeys()
	return tea.Batch(finishSession(sess, true, msg), closeJourney(s.c, j))
}

// shutdown stops the page when the program ends.
func (s *linkScreen) shutdown() {
	if s.journey != nil {
		_ = s.journey.Close()
	}
}

// isLinkStep: the step waits for the user in Link (a new Item, or update mode).
func isLinkStep(step plaidflow.StepID) bool {
	return step.WaitsForLink()
}

// opener makes the Link UI for each Link session of journey run: a linkpage.Session whose
// updates go to the root's channel, tagged with run so a stale page's are dropped.
func (s *linkScreen) opener(run int) func() plaidflow.LinkUI {
	ctx, ch, deps, cfg, box := s.c.ctx, s.c.links, s.c.deps, s.c.cfg, s.box
	return func() plaidflow.LinkUI {
		sess := linkpage.NewSession(linkpage.SessionOptions{
			Page: linkpage.Options{
				ScriptURL:   cfg.LinkScriptURL,
				Environment: cfg.Namespace(), // "demo" for the demo, else the environment
				ClientName:  cfg.ClientName,
				Port:        cfg.LinkPort,
			},
			RedirectURI: cfg.RedirectURI,
			Browser:     deps.Browser,
			OpenBrowser: deps.Browser != nil && !deps.NoBrowser,
			// The screen stays on this session after Link closes: the page's Reopen works,
			// and `r` starts a new session instead.
			Reopen: true,
			OnUpdate: func(u linkpage.Update) {
				recordLink(deps.Timeline, u)
				select {
				case ch <- linkUpdatedMsg{run: run, u: u}:
				case <-ctx.Done():
				}
			},
		})
		box.set(sess)
		return sess
	}
}

// next runs the journey's next step.
func (s *linkScreen) next() tea.Cmd {
	step, ok := s.journey.Next()
	if !ok {
		return nil
	}
	if isLinkStep(step) {
		s.events, s.url = nil, ""
		s.browserTried, s.browserErr = false, nil
		s.linkLive = true
	}
	s.updateKeys()
	return runStep(s.c.ctx, &s.c.underway, s.runID, s.journey, step)
}

// updateKeys switches the screen's bindings on and off for its state.
func (s *linkScreen) updateKeys() {
	k := &s.keys
	stuck := s.stuck()
	k.Open.SetEnabled((s.state == linkWaiting || s.linkLive && stuck) && s.c.deps.Browser != nil && !s.hostedShown())
	k.Copy.SetEnabled(s.state == linkWaiting && s.shownURL() != "" && !s.picker.open && !s.flows.open)
	k.Hosted.SetEnabled(s.hostedAllowed() && (s.state == linkWaiting || stuck) && !s.picker.open && !s.flows.open)
	k.Hosted.SetHelp("H", map[bool]string{true: "Link page here", false: "Hosted Link (QR)"}[s.hosted.on])
	k.Sandbox.SetEnabled(s.sandboxAllowed() && s.flowSandbox() && (s.state == linkWaiting || stuck) && !s.picker.open && !s.flows.open)
	k.Flow.SetEnabled(s.flowAllowed())
	k.Retry.SetEnabled(stuck && s.journey != nil)
	k.Items.SetEnabled(s.savedAllowed())
	if s.verifying {
		k.Back.SetHelp("esc", "cancel")
	} else if s.repairing != "" {
		k.Back.SetHelp("esc", "cancel repair")
	} else {
		k.Back.SetHelp("esc", "back to keys")
	}
}

// Update implements tea.Model.
func (s *linkScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return s, keyed(s, s.update(msg)) }

func (s *linkScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case linkUpdatedMsg:
		if !s.owns(msg.run) {
			return nil
		}
		if msg.hosted.Kind != 0 {
			s.hostedUpdated(msg.hosted)
			return nil
		}
		return s.linkUpdated(msg.u)

	case browserOpenedMsg:
		s.browserTried, s.browserErr = true, msg.err
		return nil

	case stepRanMsg:
		if !s.owns(msg.id) {
			return nil
		}
		return s.stepRan(msg)

	case savedItemsLoadedMsg:
		s.setSaved(msg)
		return nil

	// The moves the root routes here (route.go).
	case keysConfirmedMsg:
		return s.Start(msg.token)
	case keysEditRequestedMsg:
		return s.Stop()
	case repairRequestedMsg:
		return s.Repair(msg.itemID, s.itemName(msg.itemID, msg.name))
	case numbersShownMsg:
		// The Link page of this run (still waiting, if the numbers came another way) is done.
		return s.Done(msg.res, msg.kind)
	case anotherLinkRequestedMsg:
		return s.Restart()
	case verifyRequestedMsg:
		return s.Verify(msg.itemID, msg.name, msg.accountID)

	case tea.KeyMsg:
		return s.handleKey(msg)
	}
	return nil
}

// itemName is name, or else the saved Item's name as last listed (its id when it is not).
func (s *linkScreen) itemName(itemID, name string) string {
	if name != "" {
		return name
	}
	for _, it := range s.saved {
		if it.ItemID == itemID {
			return it.Name
		}
	}
	return itemID
}

func (s *linkScreen) linkUpdated(u linkpage.Update) tea.Cmd {
	switch u.Kind {
	case linkpage.UpdateStarted:
		s.url, s.state = u.URL, linkWaiting
	case linkpage.UpdateBrowser:
		s.browserTried, s.browserErr = true, u.BrowserErr
	case linkpage.UpdateEvent:
		ev := u.Event
		s.events = append(s.events, eventRow{at: ev.Received, label: ev.Label(), detail: ev.Detail(), kind: ev.Kind})
		switch {
		case ev.Kind == linkpage.KindExit:
			// The page offers to reopen Link; this screen says why it closed meanwhile.
			s.state, s.err = linkExited, ev.ExitErr()
		case ev.Kind == linkpage.KindLoadFailed:
			s.state, s.err = linkBlocked, &linkpage.LoadError{Reason: ev.LoadError}
		case ev.Kind == linkpage.KindEvent && ev.Name == "OPEN" && (s.state == linkExited || s.state == linkBlocked):
			s.state, s.err = linkWaiting, nil // reopened (or reloaded) from the page
		}
	}
	return nil
}

func (s *linkScreen) stepRan(msg stepRanMsg) tea.Cmd {
	if isLinkStep(msg.rep.Step) || msg.err != nil {
		s.linkLive = false
	}
	if msg.err == nil {
		if !isLinkStep(msg.rep.Step) {
			return s.next() // the Link token is made: open Link with it
		}
		// Link handed over a public token: the rest of the journey is the working screen's.
		j := s.journey
		s.journey, s.runID = nil, 0
		s.state = linkSucceeded
		title, kind := "Connecting your bank", journeyLink
		if inst := j.Institution(); inst != nil && inst.Name != "" {
			title = "Connecting " + inst.Name
		}
		if s.repairing != "" {
			title, kind = "Repairing "+s.repairing, journeyUpdate
		}
		if s.verifying {
			title = "Verifying " + s.repairing
		}
		return func() tea.Msg { return accountLinkedMsg{journey: j, kind: kind, title: title} }
	}
	var exit *linkpage.ExitError
	var load *linkpage.LoadError
	switch {
	case errors.Is(msg.err, linkpage.ErrSessionClosed), errors.Is(msg.err, context.Canceled):
		return nil // the page was closed from here
	case errors.As(msg.err, &exit):
		s.state, s.err = linkExited, exit
	case hostedEnded(msg.err):
		s.state, s.err = linkExited, msg.err
	case errors.As(msg.err, &load):
		s.state, s.err = linkBlocked, load
	default:
		s.state, s.err = linkFailed, msg.err
	}
	return nil
}

func (s *linkScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.flows.open {
		if !s.flowAllowed() {
			s.flows.open = false
		} else if chosen, handled := s.flows.handleKey(msg); chosen != nil {
			return s.useFlow(*chosen)
		} else if handled || !key.Matches(msg, k.Quit) {
			return nil // while the list is open, only q still quits
		}
	}
	if key.Matches(msg, s.keys.Flow) {
		s.flows.openList()
		return nil
	}
	if s.picker.open {
		if !s.sandboxAllowed() || (s.state != linkWaiting && !s.stuck()) {
			s.picker.open = false // the shortcut went away under it (Link handed over)
		} else if chosen, handled := s.picker.handleKey(msg); chosen != nil {
			return s.makeSandboxItem(*chosen)
		} else if handled || !key.Matches(msg, k.Quit) {
			return nil // while the list is open, only q still quits
		}
	}
	switch {
	case key.Matches(msg, k.Back) && s.verifying:
		// Called off: back to the results of the Item, with a new Link session waiting here.
		return tea.Batch(s.Restart(), func() tea.Msg { return verifyCancelledMsg{} })
	case key.Matches(msg, k.Back) && s.repairing != "":
		// The repair is called off: a new Link session for a new Item waits here again.
		return tea.Batch(s.Restart(), func() tea.Msg { return itemsRequestedMsg{} })
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return keysEditRequestedMsg{} }
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Copy):
		// A URL cut with … to fit the window is still copied whole.
		what := "the Link page's URL"
		if s.hostedShown() {
			what = "the Hosted Link URL"
		}
		return sendToClipboard(s.c.deps.Out, s.c.deps.Getenv, s.shownURL(), what)
	case key.Matches(msg, k.Open):
		if sess := s.box.get(); sess != nil {
			return openBrowser(sess)
		}
	case key.Matches(msg, k.Sandbox) && s.flows.current().flow != nil:
		return s.makeFlowSandboxItem(s.flows.current())
	case key.Matches(msg, k.Sandbox):
		s.picker.open = true // the choice of scenario comes first: see makeSandboxItem
	case key.Matches(msg, k.Retry):
		if s.linkLive {
			// The old page still waits: close it (it says so) and start afresh, with a new
			// Link token, page and URL.
			if s.verifying {
				return s.Verify(s.repairID, s.repairing, s.verifyAcct)
			}
			if s.repairing != "" {
				return s.Repair(s.repairID, s.repairing)
			}
			return s.Restart()
		}
		s.state, s.err = linkStarting, nil
		return s.next()
	case key.Matches(msg, k.Items):
		return func() tea.Msg { return itemsRequestedMsg{} }
	case key.Matches(msg, k.Hosted):
		s.hosted.on = !s.hosted.on // link_hosted.go
		return s.Restart()
	}
	return nil
}

// makeSandboxItem runs the Sandbox shortcut with the picked choice. The page keeps running, as
// with a saved Item: coming back finds it as it was.
func (s *linkScreen) makeSandboxItem(c sandboxChoice) tea.Cmd {
	var user *plaidflow.SandboxUser
	institution := ""
	if c.scenario != nil {
		user, institution = c.scenario.User(), c.scenario.Institution
	}
	j, err := s.c.flow.SandboxJourneyAs(institution, user)
	if err != nil {
		s.state, s.err = linkFailed, err
		return nil
	}
	return func() tea.Msg {
		return accountLinkedMsg{journey: j, kind: journeySandbox, title: c.title()}
	}
}

// ShortHelp implements help.KeyMap: most important first, since a narrow footer drops from
// the end.
func (s *linkScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.flows.open {
		p := s.flows.keys
		return []key.Binding{p.Up, p.Pick, p.Cancel, k.Quit}
	}
	if s.picker.open {
		p := s.picker.keys
		return []key.Binding{p.Up, p.Pick, p.Cancel, k.Quit}
	}
	if s.hostedShown() {
		// The Hosted Link URL is what the user takes to the phone: c comes first.
		return []key.Binding{k.Retry, k.Copy, k.Hosted, k.Sandbox, k.Items, k.Back, k.Quit, s.keys.Flow}
	}
	return []key.Binding{k.Retry, k.Open, k.Hosted, k.Sandbox, k.Copy, k.Items, k.Back, k.Quit, s.keys.Flow}
}

// shownURL is the URL the screen shows: the Hosted Link page's, or the Link page's on this
// machine ("" while there is none).
func (s *linkScreen) shownURL() string {
	if s.hostedShown() {
		return s.hosted.url
	}
	return s.url
}

// FullHelp implements help.KeyMap.
func (s *linkScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{withHelp(k.Retry, "r", "new Link session"), withHelp(k.Open, "o", "open the Link page in the browser"), withHelp(k.Copy, "c", "copy the URL (whole, even when cut with …)")},
		{withHelp(k.Sandbox, "s", "sandbox shortcut (no browser)"), withHelp(k.Items, "i", "saved Items: numbers, health, actions (no Link)")},
		{withHelp(s.keys.Flow, "f", "how the account is verified (Auth flow)"), s.hostedHelp()},
		{k.Back, k.Quit},
	}
}
