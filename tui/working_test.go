package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// working is a demo session with the Link page open, waiting.
func working(t *testing.T, deps Deps) (*Model, *driver) {
	t.Helper()
	deps.NoBrowser = true
	m, d := started(t, deps, 80, 30)
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	return m, d
}

func stateOf(m *Model, id plaidflow.StepID) stepState {
	for _, st := range m.working.steps {
		if st.id == id {
			return st.state
		}
	}
	return -1
}

func TestWorkingTicksEachStepAsItCompletes(t *testing.T) {
	srv := fakePlaid(t)
	m, d := working(t, testDeps(t, demoConfig(srv)))

	d.send(press("s")) // the Sandbox shortcut opens its choice, on the default
	d.send(press("enter"))
	if m.screen != screenWorking {
		d.until("the working screen", func() bool { return m.screen == screenWorking })
	}
	v := view(m)
	if !strings.Contains(v, "Making a Sandbox Item") || !strings.Contains(v, "○ Exchange the public token") || !strings.Contains(v, "○ Fetch the account") {
		t.Fatalf("before any answer only the first step should be under way:\n%s", v)
	}
	d.until("the exchange", func() bool { return stateOf(m, plaidflow.StepExchange) == stepDone })
	v = view(m)
	for _, want := range []string{"✓ Made a Sandbox Item", "✓ Exchanged the public token", "item_id ", "Saving the Item", "○ Fetch the account"} {
		if !strings.Contains(v, want) {
			t.Errorf("after the exchange the checklist lacks %q:\n%s", want, v)
		}
	}
	d.until("the numbers", func() bool { return stateOf(m, plaidflow.StepNumbers) == stepDone })
	v = view(m)
	for _, want := range []string{"✓ Exchanged the public token", "✓ Saved the Item", "✓ Fetched the account and routing numbers", "3 accounts"} {
		if !strings.Contains(v, want) {
			t.Errorf("finished checklist lacks %q:\n%s", want, v)
		}
	}
	d.until("the results", func() bool { return m.screen == screenResults })
}

func TestWorkingSaysPlainlyWhenTheItemWasNotSaved(t *testing.T) {
	srv := fakePlaid(t)
	deps := testDeps(t, demoConfig(srv))
	deps.Vault = vault.NewVault(unreachableKeyring{}, t.TempDir())
	m, d := working(t, deps)

	d.send(press("s")) // the Sandbox shortcut opens its choice, on the default
	d.send(press("enter"))
	d.until("the numbers", func() bool { return stateOf(m, plaidflow.StepNumbers) == stepDone })
	v := view(m)
	if !strings.Contains(v, "! The Item was not saved") || !strings.Contains(v, "no OS keyring is reachable") {
		t.Errorf("an unsaved Item is not called out:\n%s", v)
	}
	d.until("the results", func() bool { return m.screen == screenResults })
	if v := view(m); !strings.Contains(v, "! Not saved: no OS keyring is reachable") || !strings.Contains(v, "plain file") {
		t.Errorf("the results do not say the Item was not saved:\n%s", v)
	}
}

func TestWorkingShowsPlaidsErrorAndRetriesTheStep(t *testing.T) {
	srv := fakePlaid(t)
	m, d := working(t, testDeps(t, demoConfig(srv)))
	srv.InjectError("/auth/get", 1, "PRODUCT_NOT_READY")

	d.send(press("s")) // the Sandbox shortcut opens its choice, on the default
	d.send(press("enter"))
	d.until("the failure", func() bool { return stateOf(m, plaidflow.StepNumbers) == stepFailed })
	v := bodyText(m)
	// The sentence about what is safe comes from the journey, with the Item's real name.
	for _, want := range []string{"✓ Exchanged the public token", "✓ Saved the Item", "✗ Could not fetch the numbers",
		"PRODUCT_NOT_READY (ITEM_ERROR)", "request_id", "was linked and saved as", "first-platypus-bank",
		"Press r to try this step again"} {
		if !strings.Contains(v, want) {
			t.Errorf("the failed step lacks %q:\n%s", want, v)
		}
	}
	if !plaidapi.HasCode(m.Err(), "PRODUCT_NOT_READY") {
		t.Errorf("quitting now should exit 1 with the Plaid error; Err() = %v", m.Err())
	}

	d.send(press("r"))
	d.until("the results after the retry", func() bool { return m.screen == screenResults })
	if n := emulatortest.Requests(srv, "/item/public_token/exchange"); n != 1 {
		t.Errorf("the retry exchanged the public token again (%d calls); it should refetch only", n)
	}
	if m.Err() != nil {
		t.Errorf("after a successful retry quitting should exit 0; Err() = %v", m.Err())
	}
}

// unreachableKeyring is a keyring that never answers, like a machine without Secret Service.
type unreachableKeyring struct{}

func (unreachableKeyring) Get(k string) (string, error) { return "", noBus("read " + k) }
func (unreachableKeyring) Set(k, _ string) error        { return noBus("write " + k) }
func (unreachableKeyring) Delete(k string) error        { return noBus("delete " + k) }
func (unreachableKeyring) Describe() string             { return "the OS keyring (unreachable)" }

func noBus(op string) error {
	return &vault.KeyringError{Op: op, Cause: errors.New("dbus: no session bus")}
}
