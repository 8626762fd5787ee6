package plaidflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// holdRemove holds the next /item/remove at the emulator and starts RemoveItem of ref, returning
// once the call is held; the channel gives RemoveItem's outcome after ReleaseHeld.
func holdRemove(t *testing.T, fx fixture, ref string) chan error {
	t.Helper()
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/item/remove", Kind: emulator.FaultHold, Count: 1}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		r, err := fx.flow.RemoveItem(context.Background(), ref)
		if err == nil && r.Outcome != plaidflow.RemovedAtPlaid {
			err = errors.New("outcome " + string(r.Outcome) + ": " + r.Message())
		}
		done <- err
	}()
	e2etest.Eventually(t, "the removal to be held at /item/remove", func() (bool, string) {
		return emulatortest.Held(fx.srv) == 1, "nothing held"
	})
	return done
}

// Given a removal whose token was rotated by a program that takes no lock (an older
// plaid-onboard) after the removal read it, when Plaid answers INVALID_ACCESS_TOKEN, then the
// removal compares before it deletes: the keyring holds another token, so it removes the Item
// with that one instead of taking the Item for gone and dropping its working token.
func TestRemoveRetriesWithATokenRotatedMeanwhile(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	done := holdRemove(t, fx, res.ItemID)
	old, err := fx.vault.AccessToken("sandbox", res.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := fx.flow.Client.InvalidateAccessToken(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.vault.SetAccessToken("sandbox", res.ItemID, rotated.NewAccessToken); err != nil {
		t.Fatal(err)
	}
	fx.srv.ReleaseHeld()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ids := emulatortest.ItemIDs(fx.srv); len(ids) != 0 {
		t.Errorf("the Item is still alive at Plaid: %v", ids)
	}
	if keys := fx.store.Keys(); len(keys) != 0 {
		t.Errorf("the keyring still holds %v", keys)
	}
}

// Given a removal held at Plaid, when the same process rotates and checks the Item meanwhile
// (the terminal UI can), then the rotation waits for the removal and finds the Item gone; a
// second removal says it was already removed; nothing is left alive at Plaid.
func TestRotateWaitsForARemovalOfTheSameItem(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	told := make(chan string, 8)
	fx.vault.OnLockWait = func(h string) { told <- h }
	done := holdRemove(t, fx, res.ItemID)
	rotated := make(chan error, 1)
	go func() {
		_, err := fx.flow.RotateItem(context.Background(), res.ItemID)
		rotated <- err
	}()
	var holder string
	e2etest.Eventually(t, "the rotation to wait for the removal", func() (bool, string) {
		select {
		case holder = <-told:
			return true, ""
		default:
			return false, "not waiting"
		}
	})
	if !strings.Contains(holder, "removing "+res.ItemName) {
		t.Errorf("the wait does not say who holds the Item: %q", holder)
	}
	fx.srv.ReleaseHeld()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-rotated; err == nil || !strings.Contains(err.Error(), "removed by another plaid-onboard run") {
		t.Errorf("rotate after the removal: %v", err)
	}
	if ids := emulatortest.ItemIDs(fx.srv); len(ids) != 0 {
		t.Errorf("Items alive at Plaid: %v", ids)
	}
	if _, err := fx.vault.FindItem("sandbox", res.ItemID); !errors.Is(err, vault.ErrNoItems) {
		t.Errorf("the index after the removal: %v", err)
	}
}
