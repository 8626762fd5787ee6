package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// "How should the account be verified?": the Auth verification flow the Link token asks for.
// It sits on the Link screen, right after the keys, as one line that names the flow in use
// (Instant Auth unless --flow said otherwise) and f, which opens the list of flows with one line
// each on what the flow is and when a product would use it. Instant Auth users press nothing
// extra: the Link page is already up with it. Picking another flow makes a new Link token with
// that flow's `auth` options (plaidflow.LinkJourneyFor) and says what to type in Link.

// instantAuthWhat is Instant Auth's line, from Plaid's Auth docs
// (https://plaid.com/docs/auth/coverage/instant/, https://plaid.com/docs/auth/coverage/): the
// default, for the ~95% of accounts at banks Plaid connects to with a login.
const instantAuthWhat = "the user logs in to the bank and the numbers come at once; the default, for the ~95% of accounts at banks Plaid connects to"

// flowChoice is one row of the list; the zero value is Instant Auth.
type flowChoice struct {
	flow *plaidflow.AuthFlow
}

// name is the flow's name as --flow takes it.
func (c flowChoice) name() string {
	if c.flow == nil {
		return "instant-auth"
	}
	return c.flow.Name
}

func (c flowChoice) title() string {
	if c.flow == nil {
		return "Instant Auth"
	}
	return c.flow.Title
}

func (c flowChoice) what(v present.Voice) string {
	if c.flow == nil {
		return instantAuthWhat
	}
	return c.flow.WhatBy(v)
}

// flowName is what plaidflow.LinkJourneyFor takes: "" for Instant Auth.
func (c flowChoice) flowName() string {
	if c.flow == nil {
		return ""
	}
	return c.flow.Name
}

// flowPicker is the list of flows, open after f.
type flowPicker struct {
	choiceList
	chosen  int // the flow in use: the row the list opens on
	choices []flowChoice
}

func newFlowPicker() flowPicker {
	p := flowPicker{choiceList: newChoiceList("use this flow", "keep the flow"), choices: []flowChoice{{}}}
	for i := range plaidflow.AuthFlows {
		p.choices = append(p.choices, flowChoice{flow: &plaidflow.AuthFlows[i]})
	}
	return p
}

// current is the flow in use.
func (p *flowPicker) current() flowChoice { return p.choices[p.chosen] }

// choose makes the flow called name the one in use ("" or instant-auth: Instant Auth); false
// when there is no such flow.
func (p *flowPicker) choose(name string) bool {
	if name == "" {
		name = "instant-auth"
	}
	for i, c := range p.choices {
		if c.name() == name {
			p.chosen, p.cursor = i, i
			return true
		}
	}
	return false
}

// openList opens the list on the flow in use.
func (p *flowPicker) openList() {
	p.open, p.cursor = true, p.chosen
}

// handleKey moves in the list; it returns the choice once the user made one, and whether the
// key was the picker's.
func (p *flowPicker) handleKey(msg tea.KeyMsg) (chosen *flowChoice, handled bool) {
	i, handled := p.move(msg, len(p.choices))
	if i < 0 {
		return nil, handled
	}
	p.chosen = i
	c := p.choices[i]
	return &c, true
}

// lines renders the open list for a width: each flow's title, then what it is on the next line
// (wrapped under the title, in the run's voice: the emulator acts in the demo), the selected one
// highlighted.
func (p *flowPicker) lines(st Styles, w int, v present.Voice) []string {
	out := []string{st.Heading.Render("How should the account be verified?")}
	titleW := 0
	for _, c := range p.choices {
		titleW = max(titleW, len(c.title()))
	}
	for i, c := range p.choices {
		row := fmt.Sprintf("%d %s", i+1, padRight(c.title(), titleW))
		if i == 0 {
			row += "  (default)"
		}
		if i == p.cursor {
			out = append(out, truncate(st.Accent.Render("› "+row), w))
			for _, l := range wrap(c.what(v), max(w-4, 10)) {
				out = append(out, "    "+st.Muted.Render(l))
			}
			continue
		}
		out = append(out, truncate("  "+st.Muted.Render(row), w))
	}
	out = append(out, wrap(st.Muted.Render("↑/↓ choose · ")+st.Key.Render("enter")+st.Muted.Render(" use it (a new Link session) · ")+
		st.Key.Render("esc")+st.Muted.Render(" keep "+p.current().title()+" · the same as `"+v.Command("link --flow NAME")+"`"), w)...)
	return out
}

// verifyCancelledMsg: esc while Link waited for the micro-deposit code: back to the results.
type verifyCancelledMsg struct{}

// flowAllowed: f works while Link waits for a new Item (not a repair or a code).
func (s *linkScreen) flowAllowed() bool {
	// Hosted Link (H) links with Instant Auth only: switch back with H to choose a flow.
	return s.c.flow != nil && s.repairing == "" && s.state != linkSucceeded && !s.picker.open && !s.hosted.on
}

// flowSandbox: the Sandbox shortcut can make an Item of the flow in use.
func (s *linkScreen) flowSandbox() bool {
	fl := s.flows.current().flow
	return fl == nil || fl.WithoutLink
}

// useFlow makes c the flow in use and starts a new Link session whose token asks for it.
func (s *linkScreen) useFlow(c flowChoice) tea.Cmd {
	s.c.deps.Timeline.Note("Verification flow: " + c.title() + " (" + c.name() + ")")
	return s.Start(nil)
}

// makeFlowSandboxItem makes an Item of the flow without the browser, where Sandbox can.
func (s *linkScreen) makeFlowSandboxItem(c flowChoice) tea.Cmd {
	j, err := s.c.flow.SandboxJourneyFor(c.name())
	if err != nil {
		s.state, s.err = linkFailed, err
		return nil
	}
	return func() tea.Msg {
		return accountLinkedMsg{journey: j, kind: journeySandbox, title: "Sandbox Item: " + c.title()}
	}
}

// Verify opens Link again for the saved Item itemID (called name) with its access token, where
// the user enters the micro-deposit code of accountID (plaidflow.VerifyJourney). On success the
// working screen reads the Item again and the results show it verified.
func (s *linkScreen) Verify(itemID, name, accountID string) tea.Cmd {
	stop := s.Stop()
	s.runID = s.c.nextID()
	s.c.beginJourney("")
	s.repairing, s.repairID, s.verifying, s.verifyAcct = name, itemID, true, accountID
	j, err := s.c.flow.VerifyJourney(s.opener(s.runID), itemID, accountID)
	if err != nil {
		s.state, s.err = linkFailed, err
		return stop
	}
	s.journey, s.state = j, linkStarting
	return tea.Batch(stop, s.next())
}

// sameDayCode is the code Sandbox's Same Day micro-deposits take.
func sameDayCode() string {
	if fl, err := plaidflow.FindAuthFlow("same-day-microdeposits"); err == nil && fl.Code != "" {
		return fl.Code
	}
	return "the code"
}

// flowLines say, under the Link page, which flow the Link token asks for and what to type in
// Link for it in Sandbox.
func (s *linkScreen) flowLines(w int) []string {
	st := s.c.styles
	if s.repairing != "" || s.c.flow == nil {
		return nil
	}
	cur := s.flows.current()
	out := []string{truncate(st.Muted.Render("Verified by ")+st.Heading.Render(cur.title())+st.Faint.Render(" · ")+
		st.Key.Render("f")+st.Muted.Render(" to choose how"), w)}
	fl := cur.flow
	if fl == nil || s.c.cfg.SandboxOnly() != nil {
		return out
	}
	out = append(out, wrap(st.Muted.Render("In Link (Sandbox): ")+fl.LinkInputs(), w)...)
	if fl.WithoutLink {
		out = append(out, wrap(st.Muted.Render("No browser handy? Press ")+st.Key.Render("s")+st.Muted.Render(" to make this Item with /sandbox/public_token/create."), w)...)
	} else {
		out = append(out, wrap(st.Faint.Render("Sandbox makes this flow only when the numbers are typed in Link: no shortcut."), w)...)
	}
	return out
}
