package emulator

import (
	"context"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

type memStates map[string]ItemState

func (m memStates) Load(id string) (ItemState, bool) { st, ok := m[id]; return st, ok }
func (m memStates) Save(id string, st ItemState)     { m[id] = st }

// A demo Item restored in a later process keeps its Auth flow and its webhook, and the demo
// emulators sign with one key, so a webhook from one verifies against another's key.
func TestItemStateAcrossEmulators(t *testing.T) {
	states := memStates{}
	first := NewServer(WithItemState(states), WithDemoWebhookKey())
	access, _ := mustMicrodepositsItem(t, first)
	setWebhook(t, first, access, "http://127.0.0.1:9/hook")
	first.Close()
	var itemID string
	for id := range states {
		itemID = id
	}
	second := NewServer(WithItemState(states), WithDemoWebhookKey(),
		WithItemResolver(func(tok string) (string, string, bool) { return itemID, "ins_109512", tok == access }))
	defer second.Close()
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
func TestItemStateKeepsTypedNumbers(t *testing.T) {
	states := memStates{}
	first := NewServer(WithItemState(states))
	first.mu.Lock()
	it, e := first.manualItem(findInstitution("ins_109508"), "database-match", "021000021", "9900112233")
	if e != nil {
		first.mu.Unlock()
		t.Fatal(e)
	}
	first.persist(it)
	pub := first.issuePublicToken(it)
	first.mu.Unlock()
	ex, _, err := newClient(first).PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	second := NewServer(WithItemState(states),
		WithItemResolver(func(tok string) (string, string, bool) { return it.id, "ins_109508", tok == ex.AccessToken }))
	defer second.Close()
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
