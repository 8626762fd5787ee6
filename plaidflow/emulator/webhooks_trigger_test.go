package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// A real Sandbox webhook and its request_body_sha256, quoted in plaid/plaid-node#399
// (2021-02-01): the emulator writes the same payload as the same bytes, so a receiver that
// hashes the raw body, as Plaid's guide says, gets the hash Plaid's JWT carries.
func TestWebhookBodyIsPlaidsBytes(t *testing.T) {
	t.Parallel()
	payload := map[string]any{"error": nil, "item_id": "xVDbz8kaZRf69Nd18x81I3y83kZaxEF688545",
		"new_transactions": 0, "webhook_code": "DEFAULT_UPDATE", "webhook_type": "TRANSACTIONS"}
	sum := sha256.Sum256(webhookBody(payload))
	if got, want := hex.EncodeToString(sum[:]), "c43741964e9b173d7bc1e840a21ce1ad26cfa27c1a379bba8cb5f5715aade40a"; got != want {
		t.Errorf("sha256 of the emulator's body = %s, want Plaid's %s; body:\n%s", got, want, webhookBody(payload))
	}
	// The URL of WEBHOOK_UPDATE_ACKNOWLEDGED goes as it is, not as \u0026.
	if b := webhookBody(map[string]any{"new_webhook_url": "http://127.0.0.1/h?a=1&b=2"}); !strings.Contains(string(b), "a=1&b=2") {
		t.Errorf("a URL in a webhook is escaped: %s", b)
	}
}

// trigger posts to /_emulator/webhooks/trigger.
func trigger(t *testing.T, s *Server, req map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(req)
	a := rawRequest(t, s, http.MethodPost, "/_emulator/webhooks/trigger", http.Header{"Content-Type": {"application/json"}}, b)
	return a.status, a.decode(t)
}

func authGetCode(t *testing.T, s *Server, access string) string {
	t.Helper()
	_, _, err := newClient(s).PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if err == nil {
		return ""
	}
	return plaidError(t, err).ErrorCode
}

// ITEM ERROR with ITEM_LOGIN_REQUIRED reaches the Item's webhook signed, byte for byte as the
// trigger reported it, and the Item then answers /auth/get with ITEM_LOGIN_REQUIRED, as Plaid's
// does (https://plaid.com/docs/api/items/#error); LOGIN_REPAIRED repairs it.
func TestTriggerItemErrorChangesTheItem(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	access := mustAccessToken(t, srv, "ins_109508")
	setWebhook(t, srv, access, rcv.URL+"/plaid")
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")

	status, ans := trigger(t, srv, map[string]any{"type": "ITEM", "code": "ERROR", "access_token": access})
	if status != http.StatusOK || ans["status"] != float64(200) || ans["effect"] == nil {
		t.Fatalf("trigger answered %d %v", status, ans)
	}
	h := rcv.next(t, "ITEM ERROR")
	checkJWT(t, srv, h)
	if string(h.body) != ans["body"] {
		t.Errorf("the receiver got\n%s\nthe trigger reported\n%s", h.body, ans["body"])
	}
	e, _ := h.fields["error"].(map[string]any)
	if h.fields["webhook_code"] != "ERROR" || e["error_code"] != "ITEM_LOGIN_REQUIRED" || e["error_type"] != "ITEM_ERROR" || e["status"] != float64(400) {
		t.Errorf("ITEM ERROR body %s", h.body)
	}
	if code := authGetCode(t, srv, access); code != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("/auth/get after ITEM ERROR answered %q, want ITEM_LOGIN_REQUIRED", code)
	}
	if status, ans := trigger(t, srv, map[string]any{"type": "ITEM", "code": "LOGIN_REPAIRED", "item_id": ans["item_id"]}); status != http.StatusOK {
		t.Fatalf("LOGIN_REPAIRED: %d %v", status, ans)
	}
	rcv.next(t, "LOGIN_REPAIRED")
	if code := authGetCode(t, srv, access); code != "" {
		t.Errorf("/auth/get after LOGIN_REPAIRED answered %q, want the numbers", code)
	}
}

// AUTH AUTOMATICALLY_VERIFIED verifies the account pending automated micro-deposits: /auth/get
// goes from PRODUCT_NOT_READY to the numbers
// (https://plaid.com/docs/api/products/auth/#automatically_verified).
func TestTriggerAutomaticallyVerifiedVerifies(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	access, accountID := mustMicrodepositsItem(t, srv)
	if code := authGetCode(t, srv, access); code != "PRODUCT_NOT_READY" {
		t.Fatalf("/auth/get of a pending Item answered %q", code)
	}
	status, ans := trigger(t, srv, map[string]any{"type": "AUTH", "code": "AUTOMATICALLY_VERIFIED", "access_token": access, "url": rcv.URL})
	if status != http.StatusOK {
		t.Fatalf("trigger answered %d %v", status, ans)
	}
	h := rcv.next(t, "AUTOMATICALLY_VERIFIED")
	want := "{\n  \"account_id\": \"" + accountID + "\",\n  \"environment\": \"sandbox\",\n  \"item_id\": \"" + h.fields["item_id"].(string) +
		"\",\n  \"webhook_code\": \"AUTOMATICALLY_VERIFIED\",\n  \"webhook_type\": \"AUTH\"\n}"
	if string(h.body) != want {
		t.Errorf("body\n%s\nwant\n%s", h.body, want)
	}
	if code := authGetCode(t, srv, access); code != "" {
		t.Errorf("/auth/get after AUTOMATICALLY_VERIFIED answered %q, want the numbers", code)
	}
	// The Item is verified now: a second one has no pending account to be about.
	if status, ans := trigger(t, srv, map[string]any{"type": "AUTH", "code": "VERIFICATION_EXPIRED", "access_token": access, "url": rcv.URL}); status != http.StatusBadRequest || !strings.Contains(ans["error"].(string), "pending_automatic_verification") {
		t.Errorf("VERIFICATION_EXPIRED of a verified Item: %d %v", status, ans)
	}
}

// set changes the body with typed values at dotted paths; an error code set picks that
// error's type and messages; unknown types and codes are answered with the list.
func TestTriggerSetAndUnknown(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	access := mustAccessToken(t, srv, "ins_109508")
	status, ans := trigger(t, srv, map[string]any{"type": "ITEM", "code": "ERROR", "access_token": access, "url": rcv.URL,
		"set": []map[string]any{{"path": "error.error_code", "value": "ITEM_LOCKED"}, {"path": "error.status", "value": 409},
			{"path": "extra.nested", "value": true}}})
	if status != http.StatusOK {
		t.Fatalf("trigger answered %d %v", status, ans)
	}
	h := rcv.next(t, "ITEM ERROR ITEM_LOCKED")
	e, _ := h.fields["error"].(map[string]any)
	extra, _ := h.fields["extra"].(map[string]any)
	if e["error_code"] != "ITEM_LOCKED" || e["error_type"] != "ITEM_ERROR" || e["status"] != float64(409) || extra["nested"] != true {
		t.Errorf("body %s", h.body)
	}
	if code := authGetCode(t, srv, access); code != "" {
		t.Errorf("ITEM_LOCKED changed the Item: /auth/get %q", code)
	}
	for _, tc := range []struct{ typ, code, want string }{
		{"ITEMS", "ERROR", "AUTH: AUTOMATICALLY_VERIFIED"},
		{"ITEM", "EROR", "LOGIN_REPAIRED"},
	} {
		status, ans := trigger(t, srv, map[string]any{"type": tc.typ, "code": tc.code, "access_token": access})
		if msg, _ := ans["error"].(string); status != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
			t.Errorf("%s %s: %d %v, want the list", tc.typ, tc.code, status, ans)
		}
	}
	if status, ans := trigger(t, srv, map[string]any{"type": "ITEM", "code": "ERROR", "access_token": access}); status != http.StatusBadRequest || !strings.Contains(ans["error"].(string), "no webhook") {
		t.Errorf("an Item without a webhook and no url: %d %v", status, ans)
	}
	if code := authGetCode(t, srv, access); code != "" {
		t.Errorf("a refused trigger changed the Item: /auth/get %q", code)
	}
}

// sign answers a JWT for any body that verifies with /webhook_verification_key/get, and no key.
func TestSignControl(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	body := []byte("{\n  \"webhook_type\": \"ITEM\"\n}")
	a := rawRequest(t, srv, http.MethodPost, "/_emulator/webhooks/sign", http.Header{}, body)
	ans := a.decode(t)
	if a.status != http.StatusOK || strings.Contains(string(a.body), "\"d\"") {
		t.Fatalf("sign answered %d %s", a.status, a.body)
	}
	checkJWT(t, srv, hook{header: http.Header{"Plaid-Verification": {ans["plaid_verification"].(string)}}, body: body})
}

// LINK for a hosted link token, as if its user finished Link on the hosted page: SESSION_FINISHED
// carries a public token that exchanges, /link/token/get (through plaid-go and the OpenAPI
// check) shows the session finished with it, and a second trigger speaks of the same session
// (https://plaid.com/docs/api/link/#session_finished).
func TestTriggerLinkSessionFinished(t *testing.T) {
	t.Parallel()
	srv, api, ctx := newTestAPI(t)
	rcv := newHookReceiver(t)
	created := newHostedToken(t, api)
	status, ans := trigger(t, srv, map[string]any{"type": "LINK", "code": "SESSION_FINISHED", "link_token": created.GetLinkToken(), "url": rcv.URL})
	if status != http.StatusOK {
		t.Fatalf("trigger answered %d %v", status, ans)
	}
	h := rcv.next(t, "SESSION_FINISHED")
	checkJWT(t, srv, h)
	pts, _ := h.fields["public_tokens"].([]any)
	if h.fields["status"] != "SUCCESS" || len(pts) != 1 || h.fields["public_token"] != pts[0] || h.fields["link_token"] != created.GetLinkToken() {
		t.Fatalf("SESSION_FINISHED body %s", h.body)
	}
	got, _, err := api.LinkTokenGet(ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(created.GetLinkToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	sessions := got.GetLinkSessions()
	if len(sessions) != 1 || sessions[0].GetLinkSessionId() != h.fields["link_session_id"] || sessions[0].FinishedAt.Get() == nil {
		t.Fatalf("/link/token/get sessions %+v", sessions)
	}
	if _, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pts[0].(string))).Execute(); err != nil {
		t.Errorf("the public token does not exchange: %v", err)
	}
	_, again := trigger(t, srv, map[string]any{"type": "LINK", "code": "ITEM_ADD_RESULT", "link_token": created.GetLinkToken(), "url": rcv.URL})
	h2 := rcv.next(t, "ITEM_ADD_RESULT")
	if h2.fields["public_token"] != pts[0] || h2.fields["link_session_id"] != h.fields["link_session_id"] || again["effect"] != nil {
		t.Errorf("ITEM_ADD_RESULT after the session: %s, answer %v; want the same session and token, no new Item", h2.body, again)
	}
	if status, ans := trigger(t, srv, map[string]any{"type": "LINK", "code": "EVENTS", "link_token": created.GetLinkToken()}); status != http.StatusBadRequest || !strings.Contains(ans["error"].(string), "ITEM_ADD_RESULT, SESSION_FINISHED") {
		t.Errorf("an unknown LINK code: %d %v", status, ans)
	}
}
