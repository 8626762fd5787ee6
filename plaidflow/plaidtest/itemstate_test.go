package plaidtest

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
	if first.WebhookKeyID() != DemoWebhookKeyID || second.WebhookKeyID() != DemoWebhookKeyID ||
		!demoWebhookKey().Equal(demoWebhookKey()) {
		t.Error("demo emulators do not share the signing key")
	}
}
