package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// waitForExit waits for a run started in the background, failing loudly when it hangs.
func waitForExit(t *testing.T, done <-chan int, what string) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not end within 30s", what)
		return -1
	}
}

// TestInterruptDuringExchangeKeepsTheItem: ctrl+c (or SIGTERM) while
// /item/public_token/exchange is in flight does not lose the Item Plaid is creating: the
// exchange finishes, the Item is saved in the keyring, and the program exits 130.
func TestInterruptDuringExchangeKeepsTheItem(t *testing.T) {
	t.Parallel()
	const exchange = "/item/public_token/exchange"
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	// Given Plaid takes a while to answer the exchange,
	if err := srv.AddFault(emulator.FaultSpec{Path: exchange, Kind: emulator.FaultLatency, Latency: 500 * time.Millisecond, Count: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	done := make(chan int, 1)
	go func() { done <- te.runContext(ctx, "sandbox", "link") }()

	// when the user interrupts while the exchange is at Plaid,
	e2etest.WaitForRequest(t, srv, exchange)
	interrupt()
	code := waitForExit(t, done, "sandbox link, interrupted during the exchange")

	// then the program says it was interrupted, with exit status 130,
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (interrupted)\n%s", code, exitInterrupted, te.stderr)
	}
	// and the Item Plaid made is in the vault, with its access token.
	dir, _ := te.d.ConfigDir()
	vault := plaidflow.NewVault(te.store, dir)
	items, err := vault.Items(string(plaidflow.Sandbox))
	if err != nil || len(items) != 1 {
		t.Fatalf("saved Items = %v (err %v), want the one Plaid created during the interrupt\n%s", items, err, te.stderr)
	}
	if tok, err := vault.AccessToken(string(plaidflow.Sandbox), items[0].ItemID); err != nil || !strings.HasPrefix(tok, "access-") {
		t.Errorf("the saved Item's access token = %q (err %v), want it in the keyring", tok, err)
	}
	if !strings.Contains(te.stderr.String(), "Saved the Item") {
		t.Errorf("stderr does not say the Item was saved:\n%s", te.stderr)
	}
}
