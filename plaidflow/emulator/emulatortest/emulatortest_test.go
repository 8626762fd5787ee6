package emulatortest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// call posts body to path with the demo keys and decodes the answer.
func call(t *testing.T, srv *emulator.Server, path string, body map[string]any) map[string]any {
	t.Helper()
	body["client_id"], body["secret"] = emulator.DemoClientID, emulator.DemoSecret
	b, _ := json.Marshal(body)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %v %v", path, resp.StatusCode, out, err)
	}
	return out
}

// Every kind of token the emulator answers with is one IssuedTokens lists, so that a search of
// a program's output for them (the leak tests) misses none, and the calls are counted.
func TestIssuedTokensListsEveryTokenAnswered(t *testing.T) {
	srv := emulator.NewServer()
	defer srv.Close()
	pub, err := PublicToken(srv, "ins_109508")
	if err != nil {
		t.Fatal(err)
	}
	link := call(t, srv, "/link/token/create", map[string]any{"client_name": "t", "language": "en",
		"country_codes": []string{"US"}, "user": map[string]any{"client_user_id": "u"}, "products": []string{"auth"}})["link_token"]
	access := call(t, srv, "/item/public_token/exchange", map[string]any{"public_token": pub})["access_token"]
	accounts := call(t, srv, "/accounts/get", map[string]any{"access_token": access})["accounts"].([]any)
	accountID := accounts[0].(map[string]any)["account_id"]
	processor := call(t, srv, "/processor/token/create", map[string]any{"access_token": access, "account_id": accountID, "processor": "dwolla"})["processor_token"]
	stripe := call(t, srv, "/processor/stripe/bank_account_token/create", map[string]any{"access_token": access, "account_id": accountID})["stripe_bank_account_token"]
	rotated := call(t, srv, "/item/access_token/invalidate", map[string]any{"access_token": access})["new_access_token"]
	sandboxProcessor := call(t, srv, "/sandbox/processor_token/create", map[string]any{"institution_id": "ins_109508"})["processor_token"]

	issued := IssuedTokens(srv)
	for what, tok := range map[string]any{"link": link, "public": pub, "access": access, "processor": processor,
		"stripe": stripe, "rotated access": rotated, "sandbox processor": sandboxProcessor} {
		if s, _ := tok.(string); s == "" || !slices.Contains(issued, s) {
			t.Errorf("the %s token %v is not among IssuedTokens %v", what, tok, issued)
		}
	}
	if n := Requests(srv, "/accounts/get"); n != 1 {
		t.Errorf("Requests(/accounts/get) = %d, want 1", n)
	}
	if ids := RequestIDs(srv, "/item/public_token/exchange"); len(ids) != 1 || len(ids[0]) != 15 {
		t.Errorf("RequestIDs(/item/public_token/exchange) = %v, want one request_id", ids)
	}
	if ids := ItemIDs(srv); len(ids) != 1 {
		t.Errorf("ItemIDs = %v, want the one Item exchanged (the sandbox processor token's Item has no access token)", ids)
	}
}
