package emulator

import (
	"context"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// restartedFrom is a later demo process: an emulator started from first's state as the demo
// keeps it (no tokens), whose keyring knows token as itemID's.
func restartedFrom(t *testing.T, first *Server, token, institutionID string, opts ...Option) *Server {
	t.Helper()
	snap := first.Snapshot().WithoutSecrets()
	var itemID string
	for _, it := range snap.Items {
		if it.AccessToken != "" {
			t.Fatal("WithoutSecrets kept an access token")
		}
		itemID = it.ID
	}
	first.Close()
	s := NewServer(append([]Option{WithSnapshot(snap), WithDemoWebhookKey(),
		WithItemResolver(func(tok string) (string, string, bool) { return itemID, institutionID, tok == token })}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// A demo Item restored in a later process keeps its Auth flow and its webhook, and the demo
// emulators sign with one key, so a webhook from one verifies against another's key.
func TestDemoItemAcrossEmulators(t *testing.T) {
	first := NewServer(WithDemoWebhookKey())
	access, _ := mustMicrodepositsItem(t, first)
	setWebhook(t, first, access, "http://127.0.0.1:9/hook")
	second := restartedFrom(t, first, access, "ins_109512")
	acc, _, err := newClient(second).PlaidApi.AccountsGet(context.Background()).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Accounts) != 1 || acc.Accounts[0].GetVerificationStatus() != "pending_automatic_verification" ||
		acc.Item.GetWebhook() != "http://127.0.0.1:9/hook" || acc.Item.GetAuthMethod() != "AUTOMATED_MICRODEPOSITS" {
		t.Errorf("restored Item: %d accounts, status %q, webhook %q, auth_method %q", len(acc.Accounts),
			acc.Accounts[0].GetVerificationStatus(), acc.Item.GetWebhook(), acc.Item.GetAuthMethod())
	}
	if first.webhooks().kid != demoWebhookKeyID || second.webhooks().kid != demoWebhookKeyID ||
		!demoWebhookKey().Equal(demoWebhookKey()) {
		t.Error("demo emulators do not share the signing key")
	}
}

// An Item made from numbers typed in Link keeps them in a later process: its account (with the
// typed number's mask), its status, and the numbers /auth/get returns.
func TestDemoItemKeepsTypedNumbers(t *testing.T) {
	first := NewServer()
	first.mu.Lock()
	it, e := first.manualItem(findInstitution("ins_109508"), "database-match", "021000021", "9900112233")
	if e != nil {
		first.mu.Unlock()
		t.Fatal(e)
	}
	pub := first.issuePublicToken(it)
	first.mu.Unlock()
	ex, _, err := newClient(first).PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	second := restartedFrom(t, first, ex.AccessToken, "ins_109508")
	auth, _, err := newClient(second).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(ex.AccessToken)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ach := auth.Numbers.GetAch()
	if len(auth.Accounts) != 1 || auth.Accounts[0].GetMask() != "2233" || auth.Accounts[0].GetVerificationStatus() != "database_matched" ||
		len(ach) != 1 || ach[0].Routing != "021000021" || ach[0].Account != "9900112233" {
		t.Errorf("restored Item: accounts %+v, ACH %+v", auth.Accounts, ach)
	}
}

// An Item another demo process made after this one started is found with WithItemLookup, with
// its own accounts, not user_good's.
func TestDemoItemMadeByAnotherProcess(t *testing.T) {
	other := NewServer()
	defer other.Close()
	pub := okCall(t, other, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_117650", "initial_products": []string{"auth"},
		"options": map[string]any{"override_username": "user_custom",
			"override_password": `{"override_accounts":[{"type":"depository","subtype":"checking","meta":{"mask":"6819"}}]}`}})
	tok := okCall(t, other, "/item/public_token/exchange", map[string]any{"public_token": pub["public_token"]})["access_token"].(string)
	kept := other.Snapshot().WithoutSecrets().Items[0]
	this := NewServer(WithItemResolver(func(string) (string, string, bool) { return kept.ID, "ins_117650", true }),
		WithItemLookup(func(id string) (ItemSnapshot, bool) { return kept, id == kept.ID }))
	defer this.Close()
	accts := okCall(t, this, "/accounts/get", map[string]any{"access_token": tok})["accounts"].([]any)
	if len(accts) != 1 || accts[0].(map[string]any)["mask"] != "6819" || accts[0].(map[string]any)["account_id"] != kept.Accounts[0].ID {
		t.Errorf("accounts %v, want the other process's one account %s (6819)", accts, kept.Accounts[0].ID)
	}
}

// The demo's public key is published as the same JWK by every version of the emulator: a
// receiver that cached it (Plaid's clients cache keys by kid) must go on verifying the demo's
// webhooks. The x and y below are what the emulator served when the key was introduced.
func TestDemoWebhookKeyJWKIsFixed(t *testing.T) {
	s := NewServer(WithDemoWebhookKey())
	defer s.Close()
	resp, _, err := newClient(s).PlaidApi.WebhookVerificationKeyGet(context.Background()).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(demoWebhookKeyID)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	const x, y = "RiPNv84eCv90Xa_OLt6jioq0RFp_u7v7PseR7YCjAo8", "QDlQua_a8pE7RRqIyyDVaWdv1y5HPGBsfs7JdgA5MEU"
	if key := resp.GetKey(); key.GetX() != x || key.GetY() != y || key.GetCreatedAt() != 1767225600 {
		t.Errorf("demo JWK x %s y %s created_at %d, want x %s y %s created_at 1767225600", key.GetX(), key.GetY(), key.GetCreatedAt(), x, y)
	}
}
