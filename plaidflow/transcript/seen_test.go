package transcript

import (
	"encoding/json"
	"testing"
	"time"
)

// SeenIn attributes each error to its Item (an error body names none: the Item the transcript
// named last), counts the calls before it per endpoint, and takes the accounts from Link's
// metadata; the errors of calls that make an Item stay apart.
func TestSeenInTheOrderPlaidAnswered(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	meta, _ := json.Marshal(map[string]any{"institution": map[string]any{"name": "Houndstooth Bank", "institution_id": "ins_109512"},
		"accounts": []map[string]any{{"id": "acc1", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking",
			"verification_status": "pending_automatic_verification"}}})
	entries := []Entry{
		{Time: at, Kind: KindSession, Demo: true, Settings: &Settings{Institution: "ins_109508"}},
		{Time: at, Kind: KindAPICall, Endpoint: "/link/token/create", HTTPStatus: 200},
		{Time: at, Kind: KindAPICall, Endpoint: "/item/public_token/exchange", HTTPStatus: 400, ErrorCode: "INVALID_PUBLIC_TOKEN"},
		{Time: at, Kind: KindLinkSuccess, Metadata: meta},
		{Time: at, Kind: KindAPICall, Endpoint: "/item/public_token/exchange", HTTPStatus: 200, ItemID: "item1"},
		{Time: at, Kind: KindAPICall, Endpoint: "/auth/get", HTTPStatus: 400, ErrorCode: "PRODUCT_NOT_READY"},
		{Time: at, Kind: KindAPICall, Endpoint: "/auth/get", NetworkError: "reset"}, // never answered: not counted
		{Time: at, Kind: KindAPICall, Endpoint: "/auth/get", HTTPStatus: 200, ItemID: "item1", AccountIDs: []string{"acc1"}},
		{Time: at, Kind: KindAPICall, Endpoint: "/item/get", HTTPStatus: 200, ItemID: "item1"},
		{Time: at, Kind: KindAPICall, Endpoint: "/auth/get", HTTPStatus: 400, ErrorCode: "ITEM_LOGIN_REQUIRED", RequestID: "req9"},
	}
	seen := SeenIn(entries)
	if !seen.Demo || len(seen.Items) != 1 || len(seen.Unscoped) != 1 || seen.Unscoped[0].ErrorCode != "INVALID_PUBLIC_TOKEN" {
		t.Fatalf("seen = %+v", seen)
	}
	it := seen.Items[0]
	if it.ItemID != "item1" || it.InstitutionID != "ins_109512" || len(it.Accounts) != 1 || it.Accounts[0].VerificationStatus != "pending_automatic_verification" {
		t.Errorf("item = %+v", it)
	}
	if len(it.Errors) != 2 || it.Errors[0].Before != 0 || it.Errors[0].ErrorCode != "PRODUCT_NOT_READY" ||
		it.Errors[1].Before != 2 || it.Errors[1].ErrorCode != "ITEM_LOGIN_REQUIRED" || it.Errors[1].RequestID != "req9" {
		t.Errorf("errors = %+v, want PRODUCT_NOT_READY at the 1st /auth/get and ITEM_LOGIN_REQUIRED at the 3rd", it.Errors)
	}
}
