package main

import (
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// Given two demo processes that loaded the same Item, when each saves its own change (one the
// webhook and an account's status, the other another account's status), then the file keeps
// both: each writes back only what it changed.
func TestDemoItemStatesKeepAnotherProcessChange(t *testing.T) {
	dir := t.TempDir()
	a, b := newDemoItemStates(dir), newDemoItemStates(dir)
	a.Save("item", emulator.ItemState{AuthMethod: "AUTOMATED_MICRODEPOSITS", Status: map[string]string{"0000": "pending_automatic_verification", "1111": "pending_automatic_verification"}})
	a.Load("item")
	b.Load("item")
	a.Save("item", emulator.ItemState{Webhook: "http://127.0.0.1:1/hook", AuthMethod: "AUTOMATED_MICRODEPOSITS", Status: map[string]string{"0000": "automatically_verified", "1111": "pending_automatic_verification"}})
	b.Save("item", emulator.ItemState{AuthMethod: "AUTOMATED_MICRODEPOSITS", Status: map[string]string{"0000": "pending_automatic_verification", "1111": "verification_expired"}})
	got, _ := newDemoItemStates(dir).Load("item")
	if got.Webhook != "http://127.0.0.1:1/hook" || got.Status["0000"] != "automatically_verified" || got.Status["1111"] != "verification_expired" {
		t.Errorf("after two processes saved their changes: %+v", got)
	}
}
