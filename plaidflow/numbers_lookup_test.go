package plaidflow_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// When /auth/get fails while the institution lookup made beside it is waiting to retry a 503,
// when the numbers step returns its error, then the lookup has ended: it must not go on
// retrying (and printing its retries) after the caller has reported the failure.
func TestFailedNumbersLeaveNoInstitutionLookupBehind(t *testing.T) {
	fx := newFixture(t, "US")
	// Given a saved Item (its numbers fetched again, as `auth` does, look the institution up
	// beside /auth/get),
	first, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var waiting, late atomic.Int32
	var returned atomic.Bool
	p := fastRetries
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		if returned.Load() {
			late.Add(1)
		}
		waiting.Add(1)
		defer waiting.Add(-1)
		<-ctx.Done() // the retry waits until the lookup is given up
		return ctx.Err()
	}
	fx.flow.Client.Retries = p
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/institutions/get_by_id", Kind: emulator.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	// The latency only makes it likely that the lookup is waiting when /auth/get fails; the
	// check below holds whatever the order.
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultError, ErrorCode: "PRODUCT_NOT_READY", Latency: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	_, err = fx.flow.SavedJourney("").RunAll(context.Background(), nil)
	returned.Store(true)
	if !plaidapi.HasCode(err, "PRODUCT_NOT_READY") {
		t.Fatalf("RunAll = %v, want PRODUCT_NOT_READY", err)
	}
	if n := waiting.Load(); n != 0 {
		t.Errorf("%d institution lookups still waiting to retry after the numbers failed", n)
	}
	if n := late.Load(); n != 0 {
		t.Errorf("%d retries started after the numbers failed", n)
	}
}
