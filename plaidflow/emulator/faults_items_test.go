package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// postFault queues a fault through the control API with the JSON body given, as a test in any
// language would, and returns the answer.
func postFault(t *testing.T, s *Server, body string) rawAnswer {
	t.Helper()
	return rawRequest(t, s, http.MethodPost, "/_emulator/faults", http.Header{"Content-Type": {"application/json"}}, []byte(body))
}

// itemIDOf is the item_id of an access token, through /item/get.
func itemIDOf(t *testing.T, api *plaid.PlaidApiService, access string) string {
	t.Helper()
	got, _, err := api.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/item/get: %v", err)
	}
	return got.Item.ItemId
}

// repairInUpdateMode takes the Item through Link in update mode, as a user would in the
// stand-in Link: a link token for its access token, the login, the finish.
func repairInUpdateMode(t *testing.T, s *Server, api *plaid.PlaidApiService, access string) {
	t.Helper()
	lreq := linkTokenRequest()
	lreq.SetAccessToken(access)
	lt, _, err := api.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*lreq).Execute()
	if err != nil {
		t.Fatalf("update-mode link token: %v", err)
	}
	if a := standInPost(t, s, "session", map[string]any{"token": lt.GetLinkToken()}); a.status != 200 {
		t.Fatalf("session: %d %s", a.status, a.body)
	}
	login := standInPost(t, s, "login", map[string]any{"token": lt.GetLinkToken(), "username": "user_good", "password": "pass_good"})
	data, _ := login.decode(t)["data"].(map[string]any)
	if login.status != 200 || data["update"] != true {
		t.Fatalf("update-mode login: %d %s", login.status, login.body)
	}
	if a := standInPost(t, s, "finish", map[string]any{"token": lt.GetLinkToken(), "login": data["login"]}); a.status != 200 {
		t.Fatalf("finish: %d %s", a.status, a.body)
	}
}

// itemLoginRequiredMessage is Plaid's error_message for ITEM_LOGIN_REQUIRED, and its
// display_message is null, as https://plaid.com/docs/errors/item/#item_login_required shows
// the body (HTTP 400, error_type ITEM_ERROR).
const itemLoginRequiredMessage = "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state"

// A test asks the emulator to answer the next /auth/get with ITEM_LOGIN_REQUIRED, naming only
// the path and the code. The answer is Plaid's documented body; the Item is then in that state
// as Plaid's would be: every data call answers ITEM_LOGIN_REQUIRED, /item/get shows it in
// item.error, the Item's webhook gets ITEM ERROR, until Link in update mode repairs it.
func TestFaultItemLoginRequiredStaysUntilUpdateMode(t *testing.T) {
	t.Parallel()
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")
	rcv := newHookReceiver(t)
	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")

	a := postFault(t, srv, `{"path": "/auth/get", "error_code": "ITEM_LOGIN_REQUIRED"}`)
	var echo controlAnswer
	if err := json.Unmarshal(a.body, &echo); a.status != 200 || err != nil || echo.Fault == nil ||
		echo.Fault.Kind != FaultError || echo.Fault.ErrorCode != "ITEM_LOGIN_REQUIRED" || echo.Fault.Count != 1 {
		t.Fatalf("POST /_emulator/faults without a kind: HTTP %d %s, want the fault said back as kind error, count 1", a.status, a.body)
	}

	_, resp, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	pe := wantPlaidError(t, err, resp, http.StatusBadRequest, typeItem, "ITEM_LOGIN_REQUIRED")
	if pe.ErrorMessage != itemLoginRequiredMessage || pe.DisplayMessage.IsSet() && pe.DisplayMessage.Get() != nil {
		t.Errorf("error_message %q, display_message %v: want Plaid's documented message and a null display_message", pe.ErrorMessage, pe.DisplayMessage.Get())
	}
	if got := resp.Header.Get("X-Request-Id"); got != pe.GetRequestId() {
		t.Errorf("X-Request-Id %q, body's request_id %q", got, pe.GetRequestId())
	}

	// The fault is used up, and the Item still needs its login.
	_, resp, err = api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, http.StatusBadRequest, typeItem, "ITEM_LOGIN_REQUIRED")
	_, resp, err = api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, http.StatusBadRequest, typeItem, "ITEM_LOGIN_REQUIRED")
	got, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/item/get answers an Item that needs its login: %v", err)
	}
	if e := got.Item.Error.Get(); e == nil || e.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Fatalf("/item/get item.error %+v, want ITEM_LOGIN_REQUIRED", e)
	}
	h := rcv.next(t, "ITEM ERROR after the ITEM_LOGIN_REQUIRED answer")
	if h.fields["webhook_type"] != "ITEM" || h.fields["webhook_code"] != "ERROR" || !strings.Contains(string(h.body), `"ITEM_LOGIN_REQUIRED"`) {
		t.Errorf("webhook %s, want ITEM ERROR with ITEM_LOGIN_REQUIRED", h.body)
	}
	if st := inspectOf(t, srv); len(st.Items) != 1 || st.Items[0].State != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("GET /_emulator/state items %+v, want the Item in ITEM_LOGIN_REQUIRED", st.Items)
	}

	repairInUpdateMode(t, srv, api, access)
	if _, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute(); err != nil {
		t.Fatalf("/auth/get after update mode: %v", err)
	}
}

// A fault for one Item answers only that Item's calls, count times; a transient error (here
// an institution not responding) leaves the Item healthy afterwards.
func TestFaultForOneItem(t *testing.T) {
	t.Parallel()
	srv, api, ctx := newTestAPI(t)
	first, second := mustAccessToken(t, srv, "ins_109508"), mustAccessToken(t, srv, "ins_109508")
	secondID := itemIDOf(t, api, second)

	a := postFault(t, srv, `{"path": "/auth/get", "error_code": "INSTITUTION_NOT_RESPONDING", "item_id": "`+secondID+`", "count": 2}`)
	if !strings.Contains(string(a.body), `"item_id":"`+secondID+`"`) || a.status != 200 {
		t.Fatalf("queue a fault for one Item: HTTP %d %s", a.status, a.body)
	}
	authGet := func(access string) (*http.Response, error) {
		_, resp, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
		return resp, err
	}
	for range 2 {
		if _, err := authGet(first); err != nil {
			t.Fatalf("the other Item's /auth/get: %v", err)
		}
		resp, err := authGet(second)
		wantPlaidError(t, err, resp, http.StatusBadRequest, typeInstitution, "INSTITUTION_NOT_RESPONDING")
	}
	if _, err := authGet(second); err != nil {
		t.Fatalf("/auth/get after the fault's two calls: %v", err)
	}
}

// What a fault for an Item cannot mean is refused, saying why.
func TestFaultForItemRefused(t *testing.T) {
	t.Parallel()
	srv, api, _ := newTestAPI(t)
	for _, c := range []struct{ body, want string }{
		{`{"path": "/auth/get", "error_code": "ITEM_LOGIN_REQUIRED", "item_id": "nope"}`, "holds no Item yet"},
		{`{"path": "/institutions/get_by_id", "error_code": "INTERNAL_SERVER_ERROR", "item_id": "nope"}`, "send no access_token"},
		{`{"path": "/auth/get", "error_code": "NOT_A_CODE"}`, "not one the emulator knows"},
		{`{"path": "/auth/get"}`, "kind is missing"},
	} {
		if a := postFault(t, srv, c.body); a.status != http.StatusBadRequest || !strings.Contains(string(a.body), c.want) {
			t.Errorf("POST /_emulator/faults %s: HTTP %d %s, want 400 saying %q", c.body, a.status, a.body, c.want)
		}
	}
	id := itemIDOf(t, api, mustAccessToken(t, srv, "ins_109508"))
	if a := postFault(t, srv, `{"path": "/auth/get", "error_code": "ITEM_LOGIN_REQUIRED", "item_id": "`+id+`x"}`); a.status != http.StatusBadRequest ||
		!strings.Contains(string(a.body), id) {
		t.Errorf("an unknown item_id: HTTP %d %s, want 400 listing the Items held", a.status, a.body)
	}
}
