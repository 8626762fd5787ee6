package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The working screen runs the rest of a journey, one step per command, and ticks each step off
// as it really completes: exchange → save → numbers after Link, the Sandbox Item before those
// for the shortcut, only the numbers for a saved Item. Which steps there are, in which order,
// and what each says is the journey's; a failed step is retried by running it again.

type stepState int

const (
	stepPending stepState = iota
	stepRunning
	stepDone
	stepWarned // finished, but not as hoped (the Item was not saved)
	stepSkipped
	stepFailed
)

type stepInfo struct {
	id    plaidflow.StepID
	state stepState
	rep   plaidflow.StepReport
	err   error
}

type workingScreen struct {
	c             *common
	keys          workingKeys
	width, height int

	journey *plaidflow.Journey
	login   string // whom a Sandbox shortcut logs in as (plaidflow.Journey.SandboxLogin)
	kind    journeyKind
	title   string
	runID   int
	steps   []stepInfo
}

func newWorkingScreen(c *common) *workingScreen {
	s := &workingScreen{c: c, keys: newWorkingKeys()}
	s.updateKeys()
	return s
}

// Init implements tea.Model.
func (s *workingScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *workingScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *workingScreen) owns(id int) bool { return id != 0 && s.runID == id }

// Start takes over a journey and runs its remaining steps.
func (s *workingScreen) Start(j *plaidflow.Journey, kind journeyKind, title string) tea.Cmd {
	stop := s.Stop()
	s.journey, s.kind, s.title = j, kind, title
	s.login = j.SandboxLogin()
	s.runID = s.c.nextID()
	switch kind { // the Link journeys began on the Link screen, their session with them
	case journeySandbox:
		s.c.beginJourney("no Link session (Sandbox shortcut)")
	case journeySaved:
		s.c.beginJourney("no Link session (a saved Item)")
	}
	s.steps = nil
	next, _ := j.Next()
	for _, id := range j.Steps() {
		if id >= next || (kind != journeyLink && kind != journeyUpdate) {
			s.steps = append(s.steps, stepInfo{id: id})
		}
	}
	return tea.Batch(stop, s.run())
}

// Stop leaves the journey (to link again): a Link page it still holds is closed.
func (s *workingScreen) Stop() tea.Cmd {
	j := s.journey
	s.journey, s.runID = nil, 0
	s.updateKeys()
	return closeJourney(s.c, j)
}

// shutdown closes the journey's page when the program ends.
func (s *workingScreen) shutdown() {
	if s.journey != nil {
		_ = s.journey.Close()
	}
}

// run starts the journey's next step.
func (s *workingScreen) run() tea.Cmd {
	step, ok := s.journey.Next()
	if !ok {
		return nil
	}
	i := s.index(step)
	s.steps[i] = stepInfo{id: step, state: stepRunning}
	s.updateKeys()
	return runStep(s.c.ctx, &s.c.underway, s.runID, s.journey, step)
}

func (s *workingScreen) index(step plaidflow.StepID) int {
	for i, st := range s.steps {
		if st.id == step {
			return i
		}
	}
	s.steps = append(s.steps, stepInfo{id: step})
	return len(s.steps) - 1
}

func (s *workingScreen) failed() int {
	for i, st := range s.steps {
		if st.state == stepFailed {
			return i
		}
	}
	return -1
}

// busy implements component.
func (s *workingScreen) busy() bool {
	for _, st := range s.steps {
		if st.state == stepRunning {
			return true
		}
	}
	return false
}

// failure implements component.
func (s *workingScreen) failure() error {
	if i := s.failed(); i >= 0 {
		return s.steps[i].err
	}
	return nil
}

// updateKeys switches the screen's bindings on and off for its state.
func (s *workingScreen) updateKeys() {
	k := &s.keys
	stuck := s.journey != nil && s.failed() >= 0
	k.Retry.SetEnabled(stuck)
	k.LinkAgain.SetEnabled(stuck)
	k.Quit.SetEnabled(stuck)
	// The Sandbox shortcut left the Link page waiting: esc goes back to it. A saved Item was
	// opened from the Items screen: esc goes back there.
	k.Back.SetEnabled(stuck && s.kind != journeyLink)
	// A saved Item that needs the user to log in again: update mode repairs it.
	k.Repair.SetEnabled(stuck && (s.kind == journeySaved || s.kind == journeyUpdate) &&
		plaidflow.NeedsRepair(plaidflow.Explain(s.failure()).ErrorCode))
	if s.kind == journeySaved || s.kind == journeyUpdate {
		k.Back.SetHelp("esc", "back to Items")
	} else {
		k.Back.SetHelp("esc", "back to Link")
	}
}

// Update implements tea.Model.
func (s *workingScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return s, keyed(s, s.update(msg)) }

func (s *workingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	// The moves the root routes here (route.go).
	case accountLinkedMsg:
		return s.Start(msg.journey, msg.kind, msg.title)
	case savedItemPickedMsg:
		return s.Start(s.c.flow.SavedJourney(msg.item.ItemID), journeySaved, "Saved Item "+msg.item.Name)
	case repairRequestedMsg, anotherLinkRequestedMsg, verifyRequestedMsg:
		return s.Stop() // the user leaves for Link
	case stepRanMsg:
		if !s.owns(msg.id) {
			return nil
		}
		i := s.index(msg.rep.Step)
		st := &s.steps[i]
		st.rep, st.err = msg.rep, msg.err
		switch {
		case msg.err != nil:
			st.state = stepFailed
			return nil
		case msg.rep.Warning != "":
			st.state = stepWarned
		case msg.rep.Skipped:
			st.state = stepSkipped
		default:
			st.state = stepDone
		}
		if s.journey.Done() {
			return showNumbers(s.runID, s.journey, s.kind)
		}
		return s.run()

	case tea.KeyMsg:
		k := s.keys
		switch {
		case key.Matches(msg, k.Retry):
			return s.run()
		case key.Matches(msg, k.LinkAgain):
			return func() tea.Msg { return anotherLinkRequestedMsg{} }
		case key.Matches(msg, k.Back):
			s.journey, s.runID = nil, 0
			if s.kind == journeySaved || s.kind == journeyUpdate {
				return func() tea.Msg { return itemsRequestedMsg{} }
			}
			return func() tea.Msg { return linkReturnRequestedMsg{} }
		case key.Matches(msg, k.Repair):
			id := s.journey.ItemID()
			return func() tea.Msg { return repairRequestedMsg{itemID: id} }
		case key.Matches(msg, k.Quit):
			return tea.Quit
		}
	}
	return nil
}

// View implements tea.Model.
func (s *workingScreen) View() string {
	st := s.c.styles
	w := s.width
	intro := "Link is done. The rest happens here, one step at a time:"
	switch s.kind {
	case journeySandbox:
		intro = "Sandbox shortcut: an Item made without the browser (" + s.login + ")."
	case journeySaved:
		intro = "Using the access token an earlier run saved in the keyring: no Link."
	case journeyUpdate:
		intro = "Link in update mode is done: nothing to exchange, the same access token works again."
	}
	iw := max(min(w, cardWidth(w)+4)-4, 10) // inside the card
	body := wrap(st.Muted.Render(intro), iw)
	body = append(body, "")
	for _, step := range s.steps {
		switch step.state {
		case stepPending:
			body = append(body, st.Faint.Render("○ "+step.id.Todo()))
		case stepRunning:
			body = append(body, s.c.spinner()+" "+step.id.Doing())
		case stepDone:
			body = append(body, st.OK.Render("✓ ")+step.rep.Words()+s.took(step.rep.Took))
		case stepWarned:
			body = append(body, st.Warn.Render("! "+step.id.Failed()))
			for _, l := range wrap(step.rep.Warning, iw-2) {
				body = append(body, "  "+st.Warn.Render(l))
			}
		case stepSkipped:
			body = append(body, st.Muted.Render("– "+step.rep.Detail))
		case stepFailed:
			body = append(body, st.Bad.Render("✗ "+step.id.Failed()))
			// The step's own line is the title already: keep the details.
			body = append(body, indent(s.c.errorBlock("", step.err, iw-2)[1:], "  ")...)
		}
		if step.state == stepDone && step.rep.Detail != "" {
			for _, l := range wrap(step.rep.Detail, iw-2) {
				body = append(body, "  "+st.Muted.Render(l))
			}
		}
	}
	border := s.c.border(s.c.cfg.Env)
	if s.failed() >= 0 {
		border = st.CardBad
	}
	lines := []string{""}
	lines = append(lines, card(border, st.CardTitle.Render(s.title), "", body, w, cardWidth(w))...)
	if s.failed() >= 0 && s.journey != nil {
		again := st.Muted.Render("Press ") + st.Key.Render("r") + st.Muted.Render(" to try this step again, ") +
			st.Key.Render("l") + st.Muted.Render(" to link an account again, or ") + st.Key.Render("q") + st.Muted.Render(" to quit.")
		lines = append(lines, "")
		lines = append(lines, wrap(again, w)...)
		if s.keys.Repair.Enabled() {
			// The error block above says what the state means; this says how to get past it here.
			repair := st.Muted.Render("Press ") + st.Key.Render("u") + st.Muted.Render(" to repair it with Link (update mode) now.")
			lines = append(lines, "")
			lines = append(lines, wrap(repair, w)...)
		}
	}
	return strings.Join(lines, "\n")
}

// took shows how long a step took when it was long enough to notice.
func (s *workingScreen) took(d time.Duration) string {
	if d < 100*time.Millisecond {
		return ""
	}
	return s.c.styles.Faint.Render(fmt.Sprintf("  %.1fs", d.Seconds()))
}

// ShortHelp implements help.KeyMap.
func (s *workingScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Repair, k.Retry, k.LinkAgain, k.Back, k.Quit}
}

// FullHelp implements help.KeyMap.
func (s *workingScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp()}
}
