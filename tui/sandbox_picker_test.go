package tui

import (
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The Sandbox shortcut asks which Item to make: the default (user_good) or one of the shipped
// scenarios, the same as `sandbox link --scenario`.
func TestSandboxShortcutOffersTheScenarios(t *testing.T) {
	m := linkOpen(t, 100, 30)
	m.Update(press("s"))
	v := view(m)
	for _, want := range []string{"Sandbox shortcut: make an Item without the browser", "› 1 default", "user_good at First Platypus Bank",
		"us-checking-savings", "ca-eft", "uk-bacs-iban", "business", "item-login-required", "(fails on purpose)", "enter"} {
		if !strings.Contains(v, want) {
			t.Errorf("the choice lacks %q:\n%s", want, v)
		}
	}
	if hasHelp(m, "sandbox shortcut") {
		t.Errorf("the help still offers s while its choice is open:\n%s", v)
	}
	// esc closes the choice, not the Link screen.
	m.Update(press("esc"))
	if m.screen != screenLink || strings.Contains(view(m), "make an Item without the browser") {
		t.Fatalf("esc did not just close the choice: screen %v\n%s", m.screen, view(m))
	}
}

func TestSandboxShortcutMakesTheChosenScenario(t *testing.T) {
	m, d, _ := demoOnLink(t, 100, 30, nil)
	d.send(press("s"))
	// Down to uk-bacs-iban (default, us, ca, uk), with a wrap-around up and down first.
	for _, k := range []string{"up", "down", "down", "down", "down"} {
		d.send(press(k))
	}
	if v := view(m); !strings.Contains(v, "› 4 uk-bacs-iban") {
		t.Fatalf("the cursor is not on uk-bacs-iban:\n%s", v)
	}
	d.send(press("enter"))
	d.until("the results", func() bool { return m.screen == screenResults })
	v := view(m)
	for _, want := range []string{"Royal Bank of Plaid", "Current Account", "1,840.12 GBP", "NWBKGB2L", "60-16-13", "••••6819"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	items, err := m.c.deps.Vault.Items("demo")
	if err != nil || len(items) != 1 || items[0].InstitutionID != "ins_117650" {
		t.Errorf("the scenario's Item was not saved: %+v %v", items, err)
	}
}

func TestSandboxShortcutFailingScenarioShowsItsError(t *testing.T) {
	m, d, _ := demoOnLink(t, 100, 30, nil)
	d.send(press("s"))
	d.send(press("6")) // a digit jumps to its row
	d.send(press("enter"))
	d.until("the failed Sandbox step", func() bool { return stateOf(m, plaidflow.StepSandboxToken) == stepFailed })
	v := bodyText(m)
	for _, want := range []string{"ITEM_LOGIN_REQUIRED", "Sandbox scenario: Item fails: ITEM_LOGIN_REQUIRED", "item-login-required)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the working screen lacks %q:\n%s", want, v)
		}
	}
}
