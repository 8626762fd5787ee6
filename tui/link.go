package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The link screen: the loopback Link page runs Plaid Link in the browser while this screen
// shows its URL and a live list of Link's events. In Sandbox (and the demo) `s` makes an Item
// without the browser, through the same steps.

type linkState int

const (
	linkStarting   linkState = iota // creating a token or starting the page
	linkWaiting                     // the page is up; waiting for the user in the browser
	linkSandboxing                  // the Sandbox shortcut is running
	linkSucceeded                   // a public token was handed over
	linkExited                      // Link closed without an account
	linkFailed                      // the token or the page could not be made
)

// eventRow is one line of the event list.
type eventRow struct {
	at     time.Time
	name   string
	detail string
	kind   linkpage.EventKind
}

type linkScreen struct {
	c             *common
	width, height int

	state    linkState
	reqID    int
	page     *linkpage.Server
	url      string
	finished bool // the page was told the outcome

	browserTried bool
	browserErr   error

	events     []eventRow
	exitErr    *linkpage.ExitError
	err        error // the token or the page could not be made
	sandboxErr error
	// beforeSandbox is the state to return to if the Sandbox shortcut fails.
	beforeSandbox linkState

	// saved are the Items earlier runs left in the vault for this namespace: `a` fetches their
	// numbers without linking again.
	saved    []plaidflow.SavedItem
	savedErr error // the vault's index could not be read

	spinner spinner.Model
}

func newLinkScreen(c *common) *linkScreen {
	return &linkScreen{
		c:       c,
		spinner: newSpinner(c.styles),
	}
}

// Init implements tea.Model.
func (s *linkScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *linkScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *linkScreen) owns(id int) bool { return id != 0 && s.reqID == id }

// sandboxAllowed: the shortcut exists only in Sandbox (the demo emulates Sandbox).
func (s *linkScreen) sandboxAllowed() bool {
	return s.c.cfg.Env == plaidflow.Sandbox && s.c.client != nil
}

// setSaved takes the vault's list of saved Items, when it is about the namespace in use.
func (s *linkScreen) setSaved(msg savedItemsLoadedMsg) {
	if msg.ns != s.c.cfg.Namespace() {
		return // listed for an environment the user has since left
	}
	s.saved, s.savedErr = msg.items, msg.err
}

// savedAllowed: `a` works once the keys are confirmed and nothing else is under way.
func (s *linkScreen) savedAllowed() bool {
	return len(s.saved) > 0 && s.c.flow != nil && s.state != linkSandboxing && s.state != linkSucceeded
}

// stuckOn is the error the screen shows and the user has not got past, if any.
func (s *linkScreen) stuckOn() error {
	switch {
	case s.state == linkExited && s.exitErr != nil:
		return s.exitErr
	case s.state == linkFailed && s.err != nil:
		return s.err
	}
	return nil
}

// Open starts the Link page with a token made ahead (on the keys screen), so it is instant.
func (s *linkScreen) Open(token plaidflow.LinkToken) tea.Cmd {
	stop := s.retire()
	s.begin()
	return tea.Batch(stop, startLinkPage(s.reqID, s.c.cfg, token.Token), s.spinner.Tick)
}

// Restart opens a new Link session with a fresh token: after Link exited, or to link
// another account.
func (s *linkScreen) Restart() tea.Cmd {
	stop := s.retire()
	s.begin()
	return tea.Batch(stop, createLinkToken(s.c.ctx, s.reqID, s.c.deps, s.c.cfg), s.spinner.Tick)
}

// Reset leaves the screen (going back to the keys): the page is told and stopped.
func (s *linkScreen) Reset() tea.Cmd {
	stop := s.retire()
	s.reqID = 0
	s.state = linkStarting
	s.events = nil
	return stop
}

func (s *linkScreen) begin() {
	s.reqID = s.c.nextID()
	s.state = linkStarting
	s.events = nil
	s.exitErr, s.err, s.sandboxErr = nil, nil, nil
	s.browserTried, s.browserErr = false, nil
	s.url = ""
}

// retire stops the current page, telling an open tab that this session is over.
func (s *linkScreen) retire() tea.Cmd {
	if s.page == nil {
		return nil
	}
	page := s.page
	s.page = nil
	if s.finished {
		return finishLinkPage(page, linkpage.Outcome{OK: false, Message: "This Link session has ended."})
	}
	return finishLinkPage(page, linkpage.Outcome{OK: false, Message: "This Link session was closed from the terminal."})
}

// handedOver records that a public token went to the working steps (from Link or the
// Sandbox shortcut).
func (s *linkScreen) handedOver() { s.state = linkSucceeded }

// Finish tells the page how the flow ended (once) and stops it.
func (s *linkScreen) Finish(outcome linkpage.Outcome) tea.Cmd {
	if s.page == nil || s.finished {
		return nil
	}
	s.finished = true
	return finishLinkPage(s.page, outcome)
}

// shutdown stops the page when the program ends.
func (s *linkScreen) shutdown() {
	if s.page == nil {
		return
	}
	if !s.finished {
		s.page.Finish(linkpage.Outcome{OK: false, Message: "plaid-onboard was closed in the terminal."})
	}
	ctx, cancel := context.WithTimeout(context.Background(), pageShutdownTimeout)
	defer cancel()
	_ = s.page.Shutdown(ctx)
}

// handle takes the Link page's messages, whichever screen is on show.
func (s *linkScreen) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case linkPageStartedMsg:
		if !s.owns(msg.id) {
			// A page nobody waits for any more (the user went back meanwhile).
			return finishLinkPage(msg.page, linkpage.Outcome{OK: false, Message: "This Link session has ended."})
		}
		s.page, s.finished = msg.page, false
		s.url = msg.page.URL()
		s.state = linkWaiting
		cmds := []tea.Cmd{waitForLinkEvent(msg.page)}
		if s.c.deps.Browser != nil && !s.c.deps.NoBrowser {
			cmds = append(cmds, openBrowser(s.c.deps.Browser, s.url))
		}
		return tea.Batch(cmds...)

	case linkEventReceivedMsg:
		if msg.page != s.page {
			return nil
		}
		return tea.Batch(waitForLinkEvent(msg.page), s.event(msg.ev))

	case linkPageClosedMsg:
		if msg.page == s.page {
			s.page = nil
			if s.state == linkWaiting {
				s.state, s.err = linkFailed, errors.New("the Link page stopped unexpectedly")
			}
		}
		return nil

	case browserOpenedMsg:
		if msg.url == s.url {
			s.browserTried, s.browserErr = true, msg.err
		}
		return nil
	}
	return nil
}

// event records one Link callback and acts on success and exit.
func (s *linkScreen) event(ev linkpage.Event) tea.Cmd {
	row := eventRow{at: ev.Received, kind: ev.Kind}
	switch ev.Kind {
	case linkpage.KindEvent:
		row.name, row.detail = ev.Name, eventDetail(ev.Metadata)
		s.events = append(s.events, row)
		return nil

	case linkpage.KindSuccess:
		row.name = "onSuccess"
		linked := plaidflow.Linked{PublicToken: ev.PublicToken}
		if m := ev.Success; m != nil {
			var parts []string
			if m.Institution != nil {
				linked.Institution = &plaidflow.Institution{ID: m.Institution.InstitutionID, Name: m.Institution.Name}
				parts = append(parts, m.Institution.Name)
			}
			parts = append(parts, plural(len(m.Accounts), "account"))
			row.detail = strings.Join(parts, " · ")
		}
		s.events = append(s.events, row)
		if s.state != linkWaiting {
			return nil // the Sandbox shortcut got there first
		}
		s.state = linkSucceeded
		return func() tea.Msg { return publicTokenReceivedMsg{linked: linked} }

	case linkpage.KindExit:
		row.name = "onExit"
		s.exitErr = ev.ExitErr()
		var parts []string
		if e := ev.ExitError; e != nil && e.ErrorCode != "" {
			parts = append(parts, e.ErrorCode)
		}
		if ev.Exit != nil && ev.Exit.Status != "" {
			parts = append(parts, "status "+ev.Exit.Status)
		}
		row.detail = strings.Join(parts, " · ")
		s.events = append(s.events, row)
		if s.state == linkWaiting {
			s.state = linkExited
		}
		return s.Finish(linkpage.Outcome{OK: false, Message: "Link closed without linking an account. The terminal can start it again."})

	case linkpage.KindLoadFailed:
		// Link will never call back: say so instead of waiting.
		row.name, row.detail = "LOAD_FAILED", ev.LoadError
		s.events = append(s.events, row)
		if s.state == linkWaiting {
			s.state, s.err = linkFailed, fmt.Errorf("the browser could not load Plaid Link: %s; check the network (or PLAID_LINK_SCRIPT_URL)", ev.LoadError)
		}
	}
	return nil
}

func eventDetail(m *linkpage.EventMetadata) string {
	if m == nil {
		return ""
	}
	var parts []string
	add := func(prefix, v string) {
		if v != "" {
			parts = append(parts, prefix+v)
		}
	}
	add("", m.InstitutionName)
	add("view ", m.ViewName)
	add("search “", quoteEnd(m.InstitutionSearchQuery))
	add("mfa ", m.MFAType)
	add("", m.ErrorCode)
	add("status ", m.ExitStatus)
	return strings.Join(parts, " · ")
}

func quoteEnd(s string) string {
	if s == "" {
		return ""
	}
	return s + "”"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Update implements tea.Model.
func (s *linkScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.busy() {
			return s, nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return s, cmd

	case linkTokenCreatedMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		return s, startLinkPage(s.reqID, s.c.cfg, msg.token.Token)

	case errMsg:
		switch msg.op {
		case opCreateLinkToken, opStartLinkPage:
			if s.owns(msg.id) {
				s.state, s.err = linkFailed, msg.err
			}
		case opSandboxPublicToken:
			if s.state == linkSandboxing {
				s.state, s.sandboxErr = s.beforeSandbox, msg.err
			}
		}
		return s, nil

	case tea.KeyMsg:
		return s, s.handleKey(msg)
	}
	return s, nil
}

func (s *linkScreen) busy() bool {
	return s.state == linkStarting || s.state == linkWaiting || s.state == linkSandboxing
}

func (s *linkScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return keysEditRequestedMsg{} }
	case key.Matches(msg, k.QuitQ):
		return tea.Quit
	case key.Matches(msg, k.Open):
		if s.page != nil && s.url != "" && s.c.deps.Browser != nil && s.state == linkWaiting {
			return openBrowser(s.c.deps.Browser, s.url)
		}
	case key.Matches(msg, k.Sandbox):
		if s.sandboxAllowed() && (s.state == linkWaiting || s.state == linkExited || s.state == linkFailed) {
			s.beforeSandbox, s.state = s.state, linkSandboxing
			s.sandboxErr = nil
			return tea.Batch(sandboxPublicToken(s.c.ctx, s.c.flow), s.spinner.Tick)
		}
	case key.Matches(msg, k.Retry):
		if s.state == linkExited || s.state == linkFailed {
			return s.Restart()
		}
	case key.Matches(msg, k.Saved):
		// The page keeps running, as with the Sandbox shortcut: coming back finds it as it was.
		if s.savedAllowed() {
			return func() tea.Msg { return savedItemsRequestedMsg{} }
		}
	}
	return nil
}

// View implements tea.Model.
func (s *linkScreen) View() string {
	st := s.c.styles
	w := s.width
	top := []string{""}
	switch s.state {
	case linkStarting:
		top = append(top, st.Heading.Render("Starting Plaid Link"), s.spinner.View()+" Preparing the Link page…")
	case linkFailed:
		if s.err != nil {
			top = append(top, strings.Split(s.c.errorBlock("Could not start Plaid Link", s.err, w), "\n")...)
		}
	default:
		body := []string{st.URL.Render(s.url), st.Muted.Render(s.browserLine())}
		if s.url == "" {
			body = []string{s.spinner.View() + " Starting the Link page…"}
		}
		top = append(top, card(s.c.border(s.c.cfg.Env), st.CardTitle.Render("Link a bank account in your browser"), "", body, w, cardWidth(w))...)
	}
	if saved := s.savedLines(w); len(saved) > 0 {
		top = append(append(top, ""), saved...)
	}

	var bottom []string
	switch s.state {
	case linkWaiting:
		bottom = append(bottom, s.spinner.View()+" Waiting for you to finish in the browser…")
		if s.sandboxAllowed() {
			bottom = append(bottom,
				st.Muted.Render("Sandbox login: ")+"user_good"+st.Muted.Render(" / ")+"pass_good",
				st.Muted.Render("No browser handy? Press ")+st.Key.Render("s")+st.Muted.Render(" for the Sandbox shortcut."))
		}
	case linkSandboxing:
		bottom = append(bottom, s.spinner.View()+" Creating a Sandbox Item with First Platypus Bank (no browser)…")
	case linkSucceeded:
		bottom = append(bottom, st.OK.Render("✓ Link succeeded; exchanging the public token…"))
	case linkExited:
		bottom = append(bottom, strings.Split(s.c.errorBlock("Link closed without linking an account", s.exitErr, w), "\n")...)
		again := st.Muted.Render("Press ") + st.Key.Render("r") + st.Muted.Render(" to try again with a new Link session")
		if s.sandboxAllowed() {
			again += st.Muted.Render(", or ") + st.Key.Render("s") + st.Muted.Render(" for the Sandbox shortcut")
		}
		bottom = append(bottom, again+st.Muted.Render("."))
	case linkFailed:
		bottom = append(bottom, st.Muted.Render("Press ")+st.Key.Render("r")+st.Muted.Render(" to try again, or ")+st.Key.Render("esc")+st.Muted.Render(" to change the keys."))
	}
	if s.sandboxErr != nil {
		bottom = append(strings.Split(s.c.errorBlock("The Sandbox shortcut failed", s.sandboxErr, w), "\n"), bottom...)
	}

	var mid []string
	if s.state != linkStarting && (s.state != linkFailed || len(s.events) > 0) {
		room := s.height - len(top) - len(bottom) - 3
		mid = append(mid, "", st.Heading.Render("Link events")+st.Faint.Render("  as the page reports them"))
		mid = append(mid, s.eventLines(w, room)...)
		mid = append(mid, "")
	} else {
		mid = append(mid, "")
	}
	return strings.Join(append(append(top, mid...), bottom...), "\n")
}

// savedLines offer the Items saved by earlier runs: one line when it fits, two when not.
func (s *linkScreen) savedLines(w int) []string {
	st := s.c.styles
	if s.savedErr != nil && len(s.saved) == 0 {
		return []string{st.Warn.Render(truncate("! Could not list the saved Items: "+s.savedErr.Error(), w))}
	}
	if !s.savedAllowed() {
		return nil
	}
	where := savedWhere(s.c.cfg)
	press := func(verb, what string) string {
		return st.Muted.Render(verb+" ") + st.Key.Render("a") + st.Muted.Render(" "+what)
	}
	if n := len(s.saved); n > 1 {
		return []string{truncate(st.Muted.Render(fmt.Sprintf("%d saved Items in %s", n, where))+st.Faint.Render(" · ")+press("press", "to pick one"), w)}
	}
	it := s.saved[0]
	head := st.Muted.Render("Saved in "+where+": ") + st.Heading.Render(it.Name)
	tail := st.Faint.Render(" · ") + press("press", "for its numbers")
	if line := head + st.Muted.Render(" ("+savedDetail(s.c, it)+")") + tail; lipgloss.Width(line) <= w {
		return []string{line}
	}
	detail := truncate("  "+st.Faint.Render(savedDetail(s.c, it)), w)
	if lipgloss.Width(head+tail) > w {
		head = st.Muted.Render("Saved: ") + st.Heading.Render(it.Name) // the header names the environment
	}
	return []string{truncate(head+tail, w), detail}
}

func (s *linkScreen) browserLine() string {
	switch {
	case s.c.deps.Browser == nil:
		return "Open it in a browser on this machine."
	case !s.browserTried && s.c.deps.NoBrowser:
		return "Open it in a browser on this machine, or press o."
	case !s.browserTried:
		return "Opening your browser…"
	case errors.Is(s.browserErr, linkpage.ErrRemoteSession):
		return "Over SSH the browser is not opened here: open the URL on this machine's browser."
	case s.browserErr != nil:
		return "Could not open a browser (" + s.browserErr.Error() + "): open the URL yourself."
	}
	return "Opened in your browser. Press o to open it again."
}

// eventLines lists the newest events that fit in room lines.
func (s *linkScreen) eventLines(w, room int) []string {
	st := s.c.styles
	if room < 1 {
		room = 1
	}
	if len(s.events) == 0 {
		return []string{st.Faint.Render("  none yet: they appear here as you go through Link")}
	}
	rows := s.events
	var lines []string
	if len(rows) > room {
		hidden := len(rows) - room + 1
		rows = rows[hidden:]
		lines = append(lines, st.Faint.Render(fmt.Sprintf("  … %s earlier", plural(hidden, "event"))))
	}
	nameW := 20
	if w < 70 {
		nameW = 18 // the longest names Link sends (SELECT_INSTITUTION) still fit
	}
	for _, r := range rows {
		name := padRight(r.name, nameW)
		switch r.kind {
		case linkpage.KindSuccess:
			name = st.OK.Render(name)
		case linkpage.KindExit:
			name = st.Bad.Render(name)
		default:
			if r.name == "ERROR" {
				name = st.Bad.Render(name)
			} else {
				name = st.Accent.Render(name)
			}
		}
		at := "--:--:--"
		if !r.at.IsZero() {
			at = r.at.Format("15:04:05")
		}
		lines = append(lines, "  "+st.Faint.Render(at)+"  "+name+" "+r.detail)
	}
	return lines
}

// ShortHelp implements help.KeyMap.
func (s *linkScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	var bs []key.Binding
	if s.state == linkWaiting && s.c.deps.Browser != nil {
		bs = append(bs, k.Open)
	}
	if s.savedAllowed() {
		bs = append(bs, k.Saved)
	}
	if s.sandboxAllowed() && (s.state == linkWaiting || s.state == linkExited || s.state == linkFailed) {
		bs = append(bs, k.Sandbox)
	}
	if s.state == linkExited || s.state == linkFailed {
		bs = append(bs, withHelp(k.Retry, "r", "new Link session"))
	}
	return append(bs, k.Back, k.QuitQ)
}

// FullHelp implements help.KeyMap.
func (s *linkScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	var first []key.Binding
	if s.c.deps.Browser != nil {
		first = append(first, withHelp(k.Open, "o", "open the Link page in the browser"))
	}
	if s.sandboxAllowed() {
		first = append(first, withHelp(k.Sandbox, "s", "sandbox shortcut (no browser)"))
	}
	var saved []key.Binding
	if s.savedAllowed() {
		saved = append(saved, withHelp(k.Saved, "a", "numbers of a saved Item (no Link)"))
	}
	var second []key.Binding
	if s.state == linkExited || s.state == linkFailed {
		second = append(second, withHelp(k.Retry, "r", "new Link session"))
	}
	return [][]key.Binding{first, saved, append(second, k.Back, k.QuitQ)}
}
