package plaidflow_test

import (
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// TestProcessorTokenTrustsTheIndexOnlyAfterPlaidConfirms: the index's accounts let the token
// call start before /accounts/get answers, but the token returned is always for the account
// Plaid lists now under the name the user typed. When the index is out of date (here: it says
// mask 0000 is an account Plaid no longer has), the token is made again for the right account
// and the index is brought up to date.
func TestProcessorTokenTrustsTheIndexOnlyAfterPlaidConfirms(t *testing.T) {
	srv, f := latencyFixture(t)
	mustSandboxLink(t, f)
	item, err := f.Vault.FindItem("sandbox", "first-platypus-bank")
	if err != nil {
		t.Fatal(err)
	}
	var checking vault.KnownAccount
	for _, a := range item.Accounts {
		if a.Mask != nil && *a.Mask == "0000" {
			checking = a
		}
	}
	if checking.ID == "" || len(item.Accounts) < 2 {
		t.Fatalf("the first numbers should have recorded the Item's accounts in the index; it has %+v", item.Accounts)
	}

	// In date: one token call, for the account the index named, confirmed by /accounts/get.
	pt, err := f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
	if err != nil {
		t.Fatal(err)
	}
	if pt.Account.ID != checking.ID || pt.Token == "" {
		t.Errorf("token for %+v, want one for %s", pt.Account, checking.ID)
	}
	if n, m := emulatortest.Requests(srv, "/accounts/get"), emulatortest.Requests(srv, "/processor/token/create"); n != 1 || m != 1 {
		t.Errorf("/accounts/get called %d times and /processor/token/create %d times, want 1 and 1", n, m)
	}

	// Out of date: mask 0000 now names an account Plaid does not have.
	stale := []vault.KnownAccount{{ID: "account-closed-since", Name: "Plaid Checking", Mask: checking.Mask}}
	if err := f.Vault.SetAccounts("sandbox", item.ItemID, stale); err != nil {
		t.Fatal(err)
	}
	pt, err = f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
	if err != nil {
		t.Fatalf("an out-of-date index must not fail the token: %v", err)
	}
	if pt.Account.ID != checking.ID || pt.Token == "" {
		t.Errorf("with an out-of-date index the token is for %+v, want one for %s", pt.Account, checking.ID)
	}
	if n := emulatortest.Requests(srv, "/processor/token/create"); n != 3 {
		t.Errorf("/processor/token/create called %d times in all, want 3 (one refused for the closed account, one made again)", n)
	}
	item, _ = f.Vault.FindItem("sandbox", "first-platypus-bank")
	if len(item.Accounts) < 2 || item.Accounts[0].ID == "account-closed-since" {
		t.Errorf("the index still holds the out-of-date accounts: %+v", item.Accounts)
	}
}
