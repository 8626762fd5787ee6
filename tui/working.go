package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The working screen: exchange → save → numbers, run as three commands through plaidflow.Flow
// and ticked off one by one as each really completes. The Item is saved before the numbers are
// fetched, so it survives a failure there.

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
	state   stepState
	detail  string
	err     error
	started time.Time
	took    time.Duration
}

type workingScreen struct {
	c             *common
	width, height int

	runID   int
	linked  plaidflow.Linked
	sandbox bool
	steps   [3]stepInfo // exchange, save, numbers
	ex      plaidflow.Exchanged
	saved   plaidflow.Saved

	spinner spinner.Model
}

const (
	iExchange = iota
	iSave
	iNumbers
)

func newWorkingScreen(c *common) *workingScreen {
	return &workingScreen{
		c:       c,
		spinner: newSpinner(c.styles),
	}
}

// Init implements tea.Model.
func (s *workingScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *workingScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *workingScreen) owns(id int) bool { return id != 0 && s.runID == id }

// Start runs the steps for a public token from Link or the Sandbox shortcut.
func (s *workingScreen) Start(linked plaidflow.Linked, sandbox bool) tea.Cmd {
	s.runID = s.c.nextID()
	s.linked, s.sandbox = linked, sandbox
	s.steps = [3]stepInfo{}
	s.ex, s.saved = plaidflow.Exchanged{}, plaidflow.Saved{}
	return tea.Batch(s.run(iExchange), s.spinner.Tick)
}

func (s *workingScreen) run(i int) tea.Cmd {
	s.steps[i] = stepInfo{state: stepRunning, started: s.c.now()}
	switch i {
	case iExchange:
		return exchangePublicToken(s.c.ctx, s.runID, s.c.flow, s.linked.PublicToken)
	case iSave:
		return saveItem(s.runID, s.c.flow, s.ex, s.linked.Institution)
	default:
		return fetchNumbers(s.c.ctx, s.runID, s.c.flow, s.ex.AccessToken, s.linked.Institution, s.saved)
	}
}

func (s *workingScreen) end(i int, state stepState, detail string) {
	s.steps[i].state, s.steps[i].detail = state, detail
	s.steps[i].took = s.c.now().Sub(s.steps[i].started)
}

func (s *workingScreen) failed() int {
	for i, st := range s.steps {
		if st.state == stepFailed {
			return i
		}
	}
	return -1
}

func (s *workingScreen) busy() bool {
	for _, st := range s.steps {
		if st.state == stepRunning {
			return true
		}
	}
	return false
}

// Update implements tea.Model.
func (s *workingScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.busy() {
			return s, nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return s, cmd

	case publicTokenExchangedMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		s.ex = msg.ex
		s.end(iExchange, stepDone, "item_id "+msg.ex.ItemID)
		return s, s.run(iSave)

	case itemSavedMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		s.saved = msg.saved
		switch st := msg.saved.Storage; {
		case st.Saved:
			s.end(iSave, stepDone, "in "+st.Where)
		case st.Problem == "":
			s.end(iSave, stepSkipped, capitalize(st.Where)) // the user chose --no-save
		default:
			s.end(iSave, stepWarned, st.Problem)
		}
		return s, s.run(iNumbers)

	case numbersFetchedMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		res := msg.res
		detail := plural(len(res.Accounts), "account")
		if res.RequestID != "" {
			detail += " · request_id " + res.RequestID
		}
		s.end(iNumbers, stepDone, detail)
		return s, settleSteps(s.runID, res)

	case errMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		switch msg.op {
		case opExchange:
			s.end(iExchange, stepFailed, "")
			s.steps[iExchange].err = msg.err
		case opNumbers:
			s.end(iNumbers, stepFailed, "")
			s.steps[iNumbers].err = msg.err
		}
		return s, nil

	case tea.KeyMsg:
		k := s.c.keys
		i := s.failed()
		switch {
		case i < 0:
			return s, nil
		case key.Matches(msg, k.Retry):
			return s, tea.Batch(s.run(i), s.spinner.Tick)
		case key.Matches(msg, k.LinkAnother):
			return s, func() tea.Msg { return anotherLinkRequestedMsg{} }
		case key.Matches(msg, k.QuitQ):
			return s, tea.Quit
		}
	}
	return s, nil
}

var stepWords = [3]struct{ todo, doing, done, failed string }{
	{"Exchange the public token", "Exchanging the public token for an access token…", plaidflow.StepExchange.String(), "Could not exchange the public token"},
	{"Save the Item in the keyring", "Saving the Item in the OS keyring…", plaidflow.StepSave.String(), "The Item was not saved"},
	{"Fetch the account and routing numbers", "Fetching the account and routing numbers…", plaidflow.StepNumbers.String(), "Could not fetch the numbers"},
}

// View implements tea.Model.
func (s *workingScreen) View() string {
	st := s.c.styles
	w := s.width
	inst := "your bank"
	if s.linked.Institution != nil && s.linked.Institution.Name != "" {
		inst = s.linked.Institution.Name
	}
	intro := "Link is done. The rest happens here, one step at a time:"
	if s.sandbox {
		intro = "Sandbox shortcut: an Item made without the browser (user_good)."
	}
	iw := w - 4 // inside the card
	body := []string{st.Muted.Render(intro), ""}
	for i, step := range s.steps {
		words := stepWords[i]
		var head string
		switch step.state {
		case stepPending:
			head = st.Faint.Render("○ " + words.todo)
		case stepRunning:
			head = s.spinner.View() + " " + words.doing
		case stepDone:
			head = st.OK.Render("✓ ") + words.done + s.took(step)
		case stepWarned:
			head = st.Warn.Render("! " + words.failed)
		case stepSkipped:
			head = st.Muted.Render("– " + step.detail)
		case stepFailed:
			head = st.Bad.Render("✗ " + words.failed)
		}
		body = append(body, head)
		switch {
		case step.state == stepFailed && step.err != nil:
			block := s.c.errorBlock("Plaid said", step.err, iw-2)
			// The step's own line is the title already; keep the details.
			if parts := strings.SplitN(block, "\n", 2); len(parts) == 2 {
				body = append(body, indent(strings.Split(parts[1], "\n"), "  ")...)
			}
		case step.state == stepWarned:
			for _, l := range wrap(step.detail, iw-2) {
				body = append(body, "  "+st.Warn.Render(l))
			}
		case step.detail != "" && step.state != stepSkipped:
			body = append(body, "  "+st.Muted.Render(truncate(step.detail, iw-2)))
		}
	}
	border := s.c.border(s.c.cfg.Env)
	if s.failed() >= 0 {
		border = st.CardBad
	}
	lines := []string{""}
	lines = append(lines, card(border, st.CardTitle.Render("Connecting "+inst), "", body, w, cardWidth(w))...)

	if i := s.failed(); i >= 0 {
		lines = append(lines, "")
		again := "Press " + st.Key.Render("r") + " to try this step again, " + st.Key.Render("l") + " to link an account again, or " + st.Key.Render("q") + " to quit."
		if i == iNumbers && s.saved.Storage.Saved {
			lines = append(lines, st.Muted.Render("The Item is saved: `plaid-onboard auth` can fetch its numbers later."))
		}
		lines = append(lines, again)
	}
	return strings.Join(lines, "\n")
}

// took shows how long a step took when it was long enough to notice.
func (s *workingScreen) took(step stepInfo) string {
	if step.took < 100*time.Millisecond {
		return ""
	}
	return s.c.styles.Faint.Render(fmt.Sprintf("  %.1fs", step.took.Seconds()))
}

// ShortHelp implements help.KeyMap.
func (s *workingScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	if s.failed() < 0 {
		return nil
	}
	return []key.Binding{withHelp(k.Retry, "r", "retry step"), withHelp(k.LinkAnother, "l", "link again"), k.QuitQ}
}

// FullHelp implements help.KeyMap.
func (s *workingScreen) FullHelp() [][]key.Binding {
	if b := s.ShortHelp(); len(b) > 0 {
		return [][]key.Binding{b}
	}
	return nil
}
