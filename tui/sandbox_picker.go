package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// The Sandbox shortcut's choice: `s` on the Link screen opens this list, where the user picks
// the default Item (user_good at First Platypus Bank) or one of the shipped scenarios
// (plaidflow.Scenarios), the same ones `sandbox link --scenario` makes, before the Item is made.

// sandboxChoice is one row of the list; a nil scenario is the default.
type sandboxChoice struct {
	scenario *plaidflow.Scenario
}

func (c sandboxChoice) name() string {
	if c.scenario == nil {
		return "default"
	}
	return c.scenario.Name
}

func (c sandboxChoice) describe() string {
	if c.scenario == nil {
		return "user_good at First Platypus Bank"
	}
	return c.scenario.Title
}

// title is the working screen's heading for the Item the choice makes.
func (c sandboxChoice) title() string {
	if c.scenario == nil {
		return "Sandbox Item at First Platypus Bank"
	}
	return "Sandbox scenario: " + c.scenario.Title
}

type sandboxPicker struct {
	choiceList
	choices []sandboxChoice
	err     error // the shipped scenarios could not be read: only the default is offered
}

func newSandboxPicker() sandboxPicker {
	p := sandboxPicker{choiceList: newChoiceList("make the Item", "cancel"), choices: []sandboxChoice{{}}}
	all, err := plaidflow.Scenarios() // embedded: no I/O
	p.err = err
	for i := range all {
		p.choices = append(p.choices, sandboxChoice{scenario: &all[i]})
	}
	return p
}

// handleKey moves in the list; it returns the choice once the user made one, and whether the
// key was the picker's.
func (p *sandboxPicker) handleKey(msg tea.KeyMsg) (chosen *sandboxChoice, handled bool) {
	i, handled := p.move(msg, len(p.choices))
	if i < 0 {
		return nil, handled
	}
	c := p.choices[i]
	return &c, true
}

// lines renders the list for a width; the command it names is the run's (--demo, --env,
// --profile), so that it works when pasted.
func (p *sandboxPicker) lines(st Styles, w int, v present.Voice) []string {
	out := []string{st.Heading.Render("Sandbox shortcut: make an Item without the browser")}
	nameW := 0
	for _, c := range p.choices {
		nameW = max(nameW, len(c.name()))
	}
	for i, c := range p.choices {
		row := fmt.Sprintf("%d %s  %s", i+1, padRight(c.name(), nameW), c.describe())
		if c.scenario != nil && c.scenario.ForceError != "" {
			row += " (fails on purpose)"
		}
		if i == p.cursor {
			out = append(out, truncate(st.Accent.Render("› "+row), w))
		} else {
			out = append(out, truncate("  "+st.Muted.Render(row), w))
		}
	}
	if p.err != nil {
		out = append(out, truncate(st.Warn.Render("! The shipped scenarios could not be read: "+p.err.Error()), w))
	}
	out = append(out, wrap(st.Muted.Render("↑/↓ choose · ")+st.Key.Render("enter")+st.Muted.Render(" make the Item · ")+
		st.Key.Render("esc")+st.Muted.Render(" cancel · the same as `"+v.Command("sandbox link --scenario NAME")+"`"), w)...)
	return out
}
