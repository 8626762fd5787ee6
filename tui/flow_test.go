package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestWholeFlowThroughTheSandboxShortcut runs the real program loop against the Plaid fake, as
// a user would with --demo: keys → enter → s → results, reveal, quit.
func TestWholeFlowThroughTheSandboxShortcut(t *testing.T) {
	srv := fakePlaid(t)
	deps := testDeps(t, demoConfig(srv))
	deps.NoBrowser = true
	m := New(deps)
	t.Cleanup(m.shutdownPage)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))

	waitFor := func(what string, all ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range all {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}

	waitFor("the demo keys to be accepted", "OFFLINE DEMO · not Plaid", "demo key", "The emulator accepted the demo keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("the Link page", "Link a bank account in your browser", "http://127.0.0.1:")
	tm.Type("s")
	waitFor("the results", "First Platypus Bank", "Plaid Checking", "011401533", "••••0000")
	tm.Type("v")
	waitFor("the revealed number", "1111222233330000")
	tm.Type("q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if err := final.Err(); err != nil {
		t.Errorf("q after the results should exit 0; Err() = %v", err)
	}
	if final.screen != screenResults || final.result == nil || final.result.Institution.Name != "First Platypus Bank" {
		t.Errorf("the session did not end on First Platypus Bank's results")
	}
	items, err := deps.Vault.Items("demo")
	if err != nil || len(items) != 1 || items[0].InstitutionName != "First Platypus Bank" {
		t.Errorf("the Item was not kept in the (in-memory) vault: %+v %v", items, err)
	}
	if n := srv.Requests("/link/token/create"); n != 1 {
		t.Errorf("/link/token/create called %d times; the keys check's token should open Link", n)
	}
}
