package emulator

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

// hook is a webhook as a receiver got it.
type hook struct {
	header http.Header
	body   []byte
	fields map[string]any
}

// hookReceiver is a loopback HTTP server that records each webhook; statuses, when given, are
// its answers in turn (then 200).
type hookReceiver struct {
	*httptest.Server
	got chan hook
	mu  sync.Mutex
	// statuses are answered in turn, then 200.
	statuses []int
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	t.Helper()
	r := &hookReceiver{got: make(chan hook, 64), statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		h := hook{header: req.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &h.fields)
		r.got <- h
		r.mu.Lock()
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

// next waits for the next webhook, failing the test if none comes.
func (r *hookReceiver) next(t *testing.T, what string) hook {
	t.Helper()
	select {
	case h := <-r.got:
		return h
	case <-time.After(30 * time.Second):
		t.Fatalf("no webhook arrived in 30s; waited for %s", what)
		return hook{}
	}
}

// mustMicrodepositsItem links an Automated micro-deposits Item (user_good /
// microdeposits_good, https://plaid.com/docs/sandbox/test-credentials/) and returns its access
// token and its one account's id.
func mustMicrodepositsItem(t testing.TB, s *Server) (access, accountID string) {
	t.Helper()
	ctx := context.Background()
	c := newClient(s)
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109512", []plaid.Products{plaid.PRODUCTS_AUTH})
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetOverrideUsername("user_good")
	opts.SetOverridePassword("microdeposits_good")
	req.SetOptions(*opts)
	pub, _, err := c.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("sandbox public token with microdeposits_good: %v", err)
	}
	ex, _, err := c.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub.GetPublicToken())).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	acc, _, err := c.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatalf("accounts: %v", err)
	}
	if len(acc.Accounts) != 1 {
		t.Fatalf("an Automated micro-deposits Item has the one account the user picked; got %d", len(acc.Accounts))
	}
	return ex.GetAccessToken(), acc.Accounts[0].AccountId
}

func setWebhook(t testing.TB, s *Server, access, url string) {
	t.Helper()
	req := plaid.NewItemWebhookUpdateRequest(access)
	req.SetWebhook(url)
	if _, _, err := newClient(s).PlaidApi.ItemWebhookUpdate(context.Background()).ItemWebhookUpdateRequest(*req).Execute(); err != nil {
		t.Fatalf("/item/webhook/update: %v", err)
	}
}

// checkJWT verifies a webhook's Plaid-Verification header the way Plaid's guide tells a
// receiver to (https://plaid.com/docs/api/webhooks/webhook-verification/), with the key from
// /webhook_verification_key/get: an implementation of its own, independent of plaidflow's.
func checkJWT(t *testing.T, s *Server, h hook) {
	t.Helper()
	jwt := h.header.Get("Plaid-Verification")
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("Plaid-Verification %q is not a JWT", jwt)
	}
	dec := func(seg string, v any) {
		raw, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			t.Fatalf("JWT segment is not base64url: %v", err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("JWT segment is not JSON: %v", err)
		}
	}
	var head struct{ Alg, Kid string }
	dec(parts[0], &head)
	if head.Alg != "ES256" || head.Kid == "" {
		t.Fatalf("JWT header alg %q kid %q, want ES256 and a kid", head.Alg, head.Kid)
	}
	resp, _, err := newClient(s).PlaidApi.WebhookVerificationKeyGet(context.Background()).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(head.Kid)).Execute()
	if err != nil {
		t.Fatalf("/webhook_verification_key/get %s: %v", head.Kid, err)
	}
	key := resp.GetKey()
	if key.GetAlg() != "ES256" || key.GetKty() != "EC" || key.GetCrv() != "P-256" || key.GetUse() != "sig" || key.GetKid() != head.Kid {
		t.Errorf("JWK %+v, want an ES256 EC P-256 signing key with the JWT's kid", key)
	}
	if exp, _ := key.GetExpiredAtOk(); exp != nil {
		t.Errorf("expired_at %v, want null for the key in use", exp)
	}
	if key.GetCreatedAt() == 0 {
		t.Error("created_at is 0")
	}
	x, _ := base64.RawURLEncoding.DecodeString(key.GetX())
	y, _ := base64.RawURLEncoding.DecodeString(key.GetY())
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatalf("the JWK's x and y are not a P-256 point: %v", err)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the JWT's signature does not verify with the published key")
	}
	var claims struct {
		IAT        int64  `json:"iat"`
		BodySHA256 string `json:"request_body_sha256"`
	}
	dec(parts[1], &claims)
	if age := time.Since(time.Unix(claims.IAT, 0)); age > time.Minute || age < -time.Minute {
		t.Errorf("iat is %s away from now", age)
	}
	sum := sha256.Sum256(h.body)
	if claims.BodySHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("request_body_sha256 %s is not the body's SHA-256", claims.BodySHA256)
	}
}

// /item/webhook/update: Plaid confirms the new URL with ITEM WEBHOOK_UPDATE_ACKNOWLEDGED sent
// there (https://plaid.com/docs/api/items/#webhook_update_acknowledged), signed as every
// webhook is.
func TestWebhookUpdateAcknowledgedAndSigned(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	access := mustAccessToken(t, srv, "ins_109508")
	setWebhook(t, srv, access, rcv.URL+"/plaid")

	h := rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	checkJWT(t, srv, h)
	want := map[string]any{"webhook_type": "ITEM", "webhook_code": "WEBHOOK_UPDATE_ACKNOWLEDGED",
		"new_webhook_url": rcv.URL + "/plaid", "environment": "sandbox", "error": nil}
	for k, v := range want {
		if h.fields[k] != v {
			t.Errorf("%s = %v, want %v (body %s)", k, h.fields[k], v, h.body)
		}
	}
	if h.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", h.header.Get("Content-Type"))
	}
	item, _, err := newClient(srv).PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if item.Item.GetWebhook() != rcv.URL+"/plaid" {
		t.Errorf("/item/get webhook %q, want the new URL", item.Item.GetWebhook())
	}
}

// Automated micro-deposits as Sandbox runs them (https://plaid.com/docs/auth/coverage/automated/,
// https://plaid.com/docs/api/sandbox/#sandboxitemset_verification_status): pending until
// set_verification_status, /auth/get PRODUCT_NOT_READY meanwhile, then AUTH
// AUTOMATICALLY_VERIFIED to the webhook and the numbers.
func TestAutomatedMicrodepositsVerified(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	ctx := context.Background()
	c := newClient(srv)
	access, accountID := mustMicrodepositsItem(t, srv)

	acc, _, err := c.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if got := acc.Accounts[0].GetVerificationStatus(); got != "pending_automatic_verification" {
		t.Errorf("verification_status %q, want pending_automatic_verification", got)
	}
	if got := acc.Item.GetAuthMethod(); got != "AUTOMATED_MICRODEPOSITS" {
		t.Errorf("auth_method %q, want AUTOMATED_MICRODEPOSITS", got)
	}
	_, resp, err := c.PlaidApi.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, 400, "ITEM_ERROR", "PRODUCT_NOT_READY")

	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if _, _, err := c.PlaidApi.SandboxItemSetVerificationStatus(ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(access, accountID, "automatically_verified")).Execute(); err != nil {
		t.Fatalf("set_verification_status: %v", err)
	}
	h := rcv.next(t, "AUTH AUTOMATICALLY_VERIFIED")
	checkJWT(t, srv, h)
	if h.fields["webhook_type"] != "AUTH" || h.fields["webhook_code"] != "AUTOMATICALLY_VERIFIED" ||
		h.fields["account_id"] != accountID || h.fields["environment"] != "sandbox" || h.fields["item_id"] == "" {
		t.Errorf("webhook %s, want AUTH AUTOMATICALLY_VERIFIED for the account", h.body)
	}
	auth, _, err := c.PlaidApi.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/auth/get after verification: %v", err)
	}
	if auth.Accounts[0].GetVerificationStatus() != "automatically_verified" || len(auth.Numbers.Ach) != 1 {
		t.Errorf("after verification: status %q, %d ACH numbers", auth.Accounts[0].GetVerificationStatus(), len(auth.Numbers.Ach))
	}
}

func TestAutomatedMicrodepositsExpired(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	ctx := context.Background()
	c := newClient(srv)
	access, accountID := mustMicrodepositsItem(t, srv)
	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if _, _, err := c.PlaidApi.SandboxItemSetVerificationStatus(ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(access, accountID, "verification_expired")).Execute(); err != nil {
		t.Fatalf("set_verification_status: %v", err)
	}
	if h := rcv.next(t, "AUTH VERIFICATION_EXPIRED"); h.fields["webhook_code"] != "VERIFICATION_EXPIRED" {
		t.Errorf("webhook %s, want VERIFICATION_EXPIRED", h.body)
	}
	_, resp, err := c.PlaidApi.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, 400, "ITEM_ERROR", "PRODUCT_NOT_READY")
	// Only an account pending automatic verification can be moved; an Instant Auth one cannot.
	instant := mustAccessToken(t, srv, "ins_109508")
	acc, _, _ := c.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(instant)).Execute()
	_, resp, err = c.PlaidApi.SandboxItemSetVerificationStatus(ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(instant, acc.Accounts[0].AccountId, "automatically_verified")).Execute()
	wantPlaidError(t, err, resp, 400, "INVALID_REQUEST", "INVALID_FIELD")
	if got := acc.Accounts[0].GetVerificationStatus(); got != "" {
		t.Errorf("an Instant Auth account has verification_status %q, want none", got)
	}
}

// /sandbox/item/fire_webhook sends each code's body
// (https://plaid.com/docs/api/sandbox/#sandboxitemfire_webhook); an Item without a webhook is
// SANDBOX_WEBHOOK_INVALID.
func TestFireWebhook(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	ctx := context.Background()
	c := newClient(srv)
	access := mustAccessToken(t, srv, "ins_109508")

	_, resp, err := c.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(
		*plaid.NewSandboxItemFireWebhookRequest(access, "NEW_ACCOUNTS_AVAILABLE")).Execute()
	wantPlaidError(t, err, resp, 400, "INVALID_INPUT", "SANDBOX_WEBHOOK_INVALID")

	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	cases := []struct {
		code, typ, wantType string
		wantField           string
	}{
		{"NEW_ACCOUNTS_AVAILABLE", "", "ITEM", "error"},
		{"DEFAULT_UPDATE", "AUTH", "AUTH", "account_ids_with_new_auth"},
		{"DEFAULT_UPDATE", "TRANSACTIONS", "TRANSACTIONS", "new_transactions"},
		{"PENDING_DISCONNECT", "", "ITEM", "reason"},
		{"USER_PERMISSION_REVOKED", "", "ITEM", "error"},
		{"SYNC_UPDATES_AVAILABLE", "", "TRANSACTIONS", "historical_update_complete"},
	}
	for _, tc := range cases {
		req := plaid.NewSandboxItemFireWebhookRequest(access, tc.code)
		if tc.typ != "" {
			req.SetWebhookType(plaid.WebhookType(tc.typ))
		}
		r, _, err := c.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(*req).Execute()
		if err != nil || !r.GetWebhookFired() {
			t.Fatalf("fire %s: %v", tc.code, err)
		}
		h := rcv.next(t, tc.code)
		checkJWT(t, srv, h)
		if h.fields["webhook_code"] != tc.code || h.fields["webhook_type"] != tc.wantType {
			t.Errorf("fired %s: got %s", tc.code, h.body)
		}
		if _, ok := h.fields[tc.wantField]; !ok {
			t.Errorf("%s: no %s in %s", tc.code, tc.wantField, h.body)
		}
	}

	// reset_login: ITEM ERROR with ITEM_LOGIN_REQUIRED; LOGIN_REPAIRED mends the Item.
	if _, _, err := c.PlaidApi.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute(); err != nil {
		t.Fatal(err)
	}
	h := rcv.next(t, "ITEM ERROR after reset_login")
	if h.fields["webhook_code"] != "ERROR" || !strings.Contains(string(h.body), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("after reset_login: %s", h.body)
	}
	if _, _, err := c.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(
		*plaid.NewSandboxItemFireWebhookRequest(access, "LOGIN_REPAIRED")).Execute(); err != nil {
		t.Fatal(err)
	}
	rcv.next(t, "LOGIN_REPAIRED")
	if _, _, err := c.PlaidApi.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute(); err != nil {
		t.Errorf("after LOGIN_REPAIRED /auth/get still fails: %v", err)
	}
	_, resp, err = c.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(
		*plaid.NewSandboxItemFireWebhookRequest(access, "PRODUCT_READY")).Execute()
	wantPlaidError(t, err, resp, 400, "INVALID_INPUT", "SANDBOX_PRODUCT_NOT_ENABLED")
}

// The emulator stands in for Plaid on this machine only: a webhook for a URL elsewhere is
// never sent.
func TestWebhookNeverLeavesLoopback(t *testing.T) {
	srv, _ := newTestServer(t)
	access := mustAccessToken(t, srv, "ins_109508")
	setWebhook(t, srv, access, "https://example.com/plaid")
	srv.Close() // waits for every delivery
	d := srv.deliveries()
	if len(d) != 1 || d[0].Attempts != 0 || !strings.Contains(d[0].Skipped, "loopback") {
		t.Fatalf("deliveries %+v, want one skipped for not being loopback", d)
	}
}

// A receiver that fails is tried again, with the same body and a fresh signature.
func TestWebhookRetried(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t, http.StatusInternalServerError)
	access := mustAccessToken(t, srv, "ins_109508")
	setWebhook(t, srv, access, rcv.URL)
	first := rcv.next(t, "the first attempt")
	second := rcv.next(t, "the retry after a 500")
	if string(first.body) != string(second.body) {
		t.Errorf("retry body %s differs from %s", second.body, first.body)
	}
	checkJWT(t, srv, second)
	d := waitDeliveries(t, srv, 1)
	if len(d) != 1 || d[0].Attempts != 2 || d[0].Status != 200 {
		t.Errorf("deliveries %+v, want one delivered on the second attempt", d)
	}
}

// Close ends deliveries under way: nothing goes on sending after the emulator is gone.
func TestWebhookDeliveryStopsOnClose(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t, 503, 503, 503, 503, 503)
	access := mustAccessToken(t, srv, "ins_109508")
	setWebhook(t, srv, access, rcv.URL)
	rcv.next(t, "the first attempt")
	srv.Close() // returns once every delivery goroutine has ended
	d := srv.deliveries()
	if len(d) != 1 || d[0].Status == 200 || (d[0].Attempts == webhookAttempts) == (d[0].Skipped != "") {
		t.Fatalf("deliveries %+v, want the one delivery given up when the emulator closed", d)
	}
}

// The flows whose numbers are typed in Link end as the testing guide says
// (https://plaid.com/docs/auth/coverage/testing/).
func TestManualFlowOutcomes(t *testing.T) {
	cases := []struct {
		flow, routing, account string
		method, status         string
	}{
		{"instant-match", "021000021", "1111222233331111", "INSTANT_MATCH", ""},
		{"instant-match", "021000021", "9999222233331111", "SAME_DAY_MICRODEPOSITS", statusPendingManual},
		{"instant-microdeposits", "333333334", "1111222233330000", "INSTANT_MICRODEPOSITS", statusPendingManual},
		{"same-day-microdeposits", "011401533", "1111222233330000", "SAME_DAY_MICRODEPOSITS", statusPendingManual},
		{"database-match", "011401533", "1111222233330000", "DATABASE_MATCH", statusDatabaseMatched},
		{"database-insights", "011401533", "1111222233330000", "DATABASE_INSIGHTS", statusInsightsPass},
		{"database-insights", "123456789", "1111222233330000", "DATABASE_INSIGHTS", statusInsightsCaution},
	}
	for _, tc := range cases {
		out, e := manualFlowOutcome(tc.flow, tc.routing, tc.account)
		if e != nil || out.method != tc.method || out.status != tc.status {
			t.Errorf("%s %s/%s: %+v %v, want %s %q", tc.flow, tc.routing, tc.account, out, e, tc.method, tc.status)
		}
	}
	if _, e := manualFlowOutcome("same-day-microdeposits", "12", "1"); e == nil {
		t.Error("a 2-digit routing number was accepted")
	}

	// A Same Day Item: pending, then the code verifies it; three wrong codes fail it.
	srv, _ := newTestServer(t)
	srv.mu.Lock()
	it, e := srv.manualItem(findInstitution("ins_109508"), "same-day-microdeposits", "011401533", "1111222233330000")
	srv.mu.Unlock()
	if e != nil {
		t.Fatal(e)
	}
	a := it.accounts[0]
	if e := a.verifyCode("XYZ"); e == nil || a.verificationStatus != statusPendingManual {
		t.Errorf("a wrong code: %v, status %s", e, a.verificationStatus)
	}
	if e := a.verifyCode("abc"); e != nil || a.verificationStatus != statusManuallyVerified {
		t.Errorf("the right code: %v, status %s", e, a.verificationStatus)
	}
	if n := numbers(it.inst, it.accounts); n.ACH[0].Account != "1111222233330000" || n.ACH[0].Routing != "011401533" {
		t.Errorf("the typed numbers are not what /auth/get returns: %+v", n.ACH[0])
	}
}

// waitDeliveries waits until the emulator has finished with n webhooks.
func waitDeliveries(t *testing.T, s *Server, n int) []delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if d := s.deliveries(); len(d) >= n {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s the emulator had finished with %d webhooks, want %d", len(s.deliveries()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An Item made with /sandbox/public_token/create's options.webhook has that webhook from the
// start (https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate).
func TestSandboxPublicTokenWebhook(t *testing.T) {
	srv, _ := newTestServer(t)
	rcv := newHookReceiver(t)
	ctx := context.Background()
	c := newClient(srv)
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetWebhook(rcv.URL + "/from-create")
	req.SetOptions(*opts)
	pub, _, err := c.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := c.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(
		*plaid.NewSandboxItemFireWebhookRequest(ex.GetAccessToken(), "NEW_ACCOUNTS_AVAILABLE")).Execute(); err != nil {
		t.Fatalf("fire_webhook for an Item made with a webhook: %v", err)
	}
	if h := rcv.next(t, "NEW_ACCOUNTS_AVAILABLE"); h.fields["item_id"] != ex.GetItemId() {
		t.Errorf("webhook %s, want it for the new Item", h.body)
	}
}
