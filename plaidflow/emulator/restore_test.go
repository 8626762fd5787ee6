package emulator

import (
	"context"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// An Item linked in one run of the offline demo answers in the next run, when the program
// vouches for its access token; otherwise an unknown token is refused, as at Plaid.
func TestItemResolverBringsBackEarlierItems(t *testing.T) {
	first := NewServer()
	token := mustAccessToken(t, first, "ins_117650")
	item, _, err := newClient(first).PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(token)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	itemID := item.Item.GetItemId()
	first.Close()

	plain := NewServer()
	defer plain.Close()
	_, resp, err := newClient(plain).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(token)).Execute()
	wantPlaidError(t, err, resp, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN")

	var asked []string
	later := NewServer(WithItemResolver(func(tok string) (string, string, bool) {
		asked = append(asked, tok)
		return itemID, "ins_117650", tok == token
	}))
	defer later.Close()
	auth, _, err := newClient(later).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(token)).Execute()
	if err != nil {
		t.Fatalf("restored Item: %v", err)
	}
	if auth.Item.GetItemId() != itemID || len(auth.Numbers.GetBacs()) == 0 || len(auth.Numbers.GetInternational()) == 0 {
		t.Errorf("restored Item %s answered with %d BACS and %d international numbers", auth.Item.GetItemId(), len(auth.Numbers.GetBacs()), len(auth.Numbers.GetInternational()))
	}
	if _, _, err := newClient(later).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(token)).Execute(); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 {
		t.Errorf("resolver asked %d times, want once (the Item is remembered)", len(asked))
	}
	_, resp, err = newClient(later).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest("access-sandbox-00000000-0000-4000-8000-000000000000")).Execute()
	wantPlaidError(t, err, resp, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN")
}
