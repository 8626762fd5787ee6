package tui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// TestInterruptDuringTheExchangeSavesTheItem: ctrl+c, or a signal (SIGINT, SIGTERM: cmd cancels
// the context), while /item/public_token/exchange is at Plaid ends the UI at once, with the
// terminal restored, but not the exchange: its Item is saved and the session ends interrupted
// (exit 130), saying so in the scrollback.
func TestInterruptDuringTheExchangeSavesTheItem(t *testing.T) {
	const exchange = "/item/public_token/exchange"
	for _, tc := range []struct {
		name      string
		interrupt func(cancel context.CancelFunc, in io.Writer)
	}{
		{"ctrl+c", func(_ context.CancelFunc, in io.Writer) { in.Write([]byte{0x03}) }},
		{"a signal", func(cancel context.CancelFunc, _ io.Writer) { cancel() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakePlaid(t)
			// Given Plaid takes a while to answer the exchange,
			if err := srv.AddFault(emulator.FaultSpec{Path: exchange, Kind: emulator.FaultLatency, Latency: 500 * time.Millisecond, Count: 1}); err != nil {
				t.Fatal(err)
			}
			in, inW := io.Pipe()
			t.Cleanup(func() { inW.Close() })
			deps := demoDeps(t, srv)
			deps.In = in
			out := newWatchedBuffer()
			deps.Out = out
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- Run(ctx, deps) }()

			out.waitFor(t, "The emulator accepted the demo keys")
			inW.Write([]byte("\r"))
			out.waitFor(t, "Link a bank account in your browser")
			inW.Write([]byte("s\r")) // the Sandbox shortcut (default choice): an Item, then the exchange
			// when the user interrupts while the exchange is at Plaid,
			emulatortest.WaitForRequest(t, srv, exchange)
			tc.interrupt(cancel, inW)

			// then the session ends interrupted, with the terminal restored,
			if err := waitForRun(t, done, "Run to end after the interrupt"); !errors.Is(err, ErrInterrupted) {
				t.Errorf("Run = %v, want ErrInterrupted (exit 130)", err)
			}
			if !strings.Contains(out.String(), "\x1b[?1049l") {
				t.Error("the alternate screen was not left: the terminal is not restored")
			}
			// and the Item Plaid made is saved, which the scrollback says.
			items, err := deps.Vault.Items("demo")
			if err != nil || len(items) != 1 {
				t.Fatalf("saved Items = %+v (err %v), want the one Plaid made during the interrupt", items, err)
			}
			if _, err := deps.Vault.AccessToken("demo", items[0].ItemID); err != nil {
				t.Errorf("the saved Item has no access token: %v", err)
			}
			if s := out.String(); !strings.Contains(s, "Saved the Item "+items[0].ItemID+" after the interrupt") {
				t.Errorf("the scrollback does not say the Item was saved after the interrupt:\n%q", s[max(0, len(s)-400):])
			}
		})
	}
}
