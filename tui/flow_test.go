package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// TestWholeFlowThroughTheSandboxShortcut runs the real program loop against the Plaid fake, as
// a user would with --demo: keys → enter → s → results, reveal, quit.
func TestWholeFlowThroughTheSandboxShortcut(t *testing.T) {
	srv, deps := demoOnEmulator(t)
	tm := runProgram(t, deps, 100, 30)

	waitForOutput(t, tm, 10*time.Second, "OFFLINE DEMO · not Plaid", "demo key", "The emulator accepted the demo keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "Link a bank account in your browser", "http://127.0.0.1:")
	tm.Type("s") // the Sandbox shortcut: its choice opens on the default
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "First Platypus Bank", "Plaid Checking", "011401533", "••••0000")
	tm.Type("v")
	waitForOutput(t, tm, 10*time.Second, "1111222233330000")
	tm.Type("q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if err := final.Err(); err != nil {
		t.Errorf("q after the results should exit 0; Err() = %v", err)
	}
	if final.screen != screenResults || final.results.res == nil || final.results.res.Institution.Name != "First Platypus Bank" {
		t.Errorf("the session did not end on First Platypus Bank's results")
	}
	items, err := deps.Vault.Items("demo")
	if err != nil || len(items) != 1 || items[0].InstitutionName != "First Platypus Bank" {
		t.Errorf("the Item was not kept in the (in-memory) vault: %+v %v", items, err)
	}
	if n := emulatortest.Requests(srv, "/link/token/create"); n != 1 {
		t.Errorf("/link/token/create called %d times; the keys check's token should open Link", n)
	}
}

// TestNextRunFetchesTheSavedItemWithoutLink is the promise of the keyring: a first run links
// First Platypus Bank through the Sandbox shortcut; the next run (a new model and a new
// emulator, the same vault) offers the saved Item on the Link screen and i reaches its numbers
// without Link or an exchange.
func TestNextRunFetchesTheSavedItemWithoutLink(t *testing.T) {
	_, deps := demoOnEmulator(t)

	// First run: link through the Sandbox shortcut, then quit.
	tm := runProgram(t, deps, 100, 30)
	waitForOutput(t, tm, 10*time.Second, "The emulator accepted the demo keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "Link a bank account in your browser", "http://127.0.0.1:")
	tm.Type("s") // the Sandbox shortcut: its choice opens on the default
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "First Platypus Bank", "011401533")
	tm.Type("q")
	tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))

	// Next run: a new process would start a new emulator, which knows the Item only through
	// the vault (as cmd wires it for --demo).
	next := emulator.NewServer(emulator.WithItemResolver(func(tok string) (string, string, bool) {
		items, _ := deps.Vault.Items("demo")
		for _, it := range items {
			if saved, err := deps.Vault.AccessToken("demo", it.ItemID); err == nil && saved == tok {
				return it.ItemID, it.InstitutionID, true
			}
		}
		return "", "", false
	}))
	t.Cleanup(next.Close)
	deps2 := demoDeps(t, next)
	deps2.Vault = deps.Vault
	tm = runProgram(t, deps2, 100, 30)
	waitForOutput(t, tm, 10*time.Second, "The emulator accepted the demo keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "Saved in the offline demo: first-platypus-bank · press i for Items", "First Platypus Bank, linked")
	tm.Type("i")
	waitForOutput(t, tm, 10*time.Second, "Saved Items", "› first-platypus-bank")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "Item first-platypus-bank", "First Platypus Bank", "Plaid Checking", "011401533", "••••0000")
	tm.Type("q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if err := final.Err(); err != nil {
		t.Errorf("q after the results should exit 0; Err() = %v", err)
	}
	if final.screen != screenResults || final.results.res == nil || final.results.res.ItemName != "first-platypus-bank" || !final.results.res.Storage.Saved {
		t.Errorf("the next run did not end on the saved Item's results: %+v", final.results.res)
	}
	if n := emulatortest.Requests(next, "/auth/get"); n != 1 {
		t.Errorf("/auth/get called %d times in the next run, want 1", n)
	}
	for _, path := range []string{"/item/public_token/exchange", "/sandbox/public_token/create"} {
		if n := emulatortest.Requests(next, path); n != 0 {
			t.Errorf("%s called %d times in the next run: the saved Item should need no new link", path, n)
		}
	}
	if items, _ := deps.Vault.Items("demo"); len(items) != 1 {
		t.Errorf("the next run saved %d Items, want still 1", len(items))
	}
}

// TestAnUnsavedItemCanBeRemovedBeforeQuitting: with saving off, the Item still exists at Plaid
// and its access token lives only in this process. The results say so and d removes it at
// Plaid, once the user says yes; afterwards the emulator has no Item left to answer for.
func TestAnUnsavedItemCanBeRemovedBeforeQuitting(t *testing.T) {
	srv, deps := demoOnEmulator(t)
	deps.Vault = nil // --no-save
	tm := runProgram(t, deps, 120, 40)

	waitForOutput(t, tm, 10*time.Second, "The emulator accepted the demo keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "Link a bank account in your browser")
	tm.Type("s") // the Sandbox shortcut: its choice opens on the default
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 10*time.Second, "still exists in the emulator", "removes it in the emulator (asks first)")
	tm.Type("d")
	waitForOutput(t, tm, 10*time.Second, "in the emulator? Its access token stops working")
	tm.Type("y")
	waitForOutput(t, tm, 10*time.Second, "its access token no longer works")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if final.results.unsaved != nil {
		t.Error("the results still offer to remove an Item that is gone")
	}
	if n := emulatortest.Requests(srv, "/item/remove"); n != 1 {
		t.Errorf("/item/remove called %d times, want 1", n)
	}
}

// TestARetryIsShownWhileItWaits: a 503 on /auth/get is retried by the client, and the footer
// says so while the step waits; the numbers arrive and the line goes away.
func TestARetryIsShownWhileItWaits(t *testing.T) {
	srv, deps := demoOnEmulator(t)
	tm := runProgram(t, deps, 120, 40)

	waitForOutput(t, tm, 15*time.Second, "The emulator accepted the demo keys")
	srv.InjectError("/auth/get", 1, "PLANNED_MAINTENANCE")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 15*time.Second, "Link a bank account in your browser")
	tm.Type("s") // the Sandbox shortcut: its choice opens on the default
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, 15*time.Second, "↻ retrying /auth/get in", "attempt 2 of 4")
	waitForOutput(t, tm, 15*time.Second, "Plaid Checking", "011401533")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if final.footer.retry != "" {
		t.Errorf("the retry line stayed after the numbers came: %q", final.footer.retry)
	}
	if n := emulatortest.Requests(srv, "/auth/get"); n != 2 {
		t.Errorf("/auth/get called %d times, want 2 (one 503, one retry)", n)
	}
}

// waitForOutput waits until the program has written every one of all, failing after within.
func waitForOutput(t *testing.T, tm *teatest.TestModel, within time.Duration, all ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range all {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(within), teatest.WithCheckInterval(20*time.Millisecond))
}
