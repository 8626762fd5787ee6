package plaidflow_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// listen starts a receiver whose webhooks arrive on the returned channel.
func listen(t *testing.T, fx fixture) (*webhook.Receiver, *webhook.Verifier, chan webhook.Webhook) {
	t.Helper()
	v := webhook.NewVerifier(fx.flow.Client)
	got := make(chan webhook.Webhook, 16)
	r, err := webhook.Listen(0, v, func(w webhook.Webhook) { got <- w })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	if !strings.HasPrefix(r.URL, "http://127.0.0.1:") {
		t.Fatalf("receiver at %s, want loopback", r.URL)
	}
	return r, v, got
}

func nextWebhook(t *testing.T, got chan webhook.Webhook, what string) webhook.Webhook {
	t.Helper()
	select {
	case w := <-got:
		return w
	case <-time.After(30 * time.Second):
		t.Fatalf("no webhook in 30s; waited for %s", what)
		return webhook.Webhook{}
	}
}

// Automated micro-deposits end to end at the flow level: the Item is made pending without
// Link, the receiver is set as its webhook, set_verification_status sends AUTH
// AUTOMATICALLY_VERIFIED, which verifies, and the numbers follow
// (https://plaid.com/docs/auth/coverage/automated/).
func TestAutomatedMicrodepositsWithVerifiedWebhooks(t *testing.T) {
	fx := newFixture(t, "US")
	ctx := context.Background()
	it, err := fx.flow.SandboxFlowItem(ctx, "automated-microdeposits")
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Accounts) != 1 || it.Accounts[0].VerificationStatus != "pending_automatic_verification" || it.AuthMethod != "AUTOMATED_MICRODEPOSITS" {
		t.Fatalf("new Item %+v, want one account pending automatic verification", it)
	}
	if !strings.Contains(it.Next, "set-verification-status") {
		t.Errorf("next step %q does not say how to move it on", it.Next)
	}
	if _, err := fx.flow.SavedJourney(it.ItemID).RunAll(ctx, nil); !plaidapi.HasCode(err, "PRODUCT_NOT_READY") {
		t.Errorf("numbers while pending: %v, want PRODUCT_NOT_READY", err)
	}

	r, _, got := listen(t, fx)
	sets, err := fx.flow.SetWebhooks(ctx, r.URL, nil)
	if err != nil || len(sets) != 1 || sets[0].Err != nil {
		t.Fatalf("set webhooks: %+v %v", sets, err)
	}
	ack := nextWebhook(t, got, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if !ack.Verified || ack.Code != "WEBHOOK_UPDATE_ACKNOWLEDGED" || ack.ItemID != it.ItemID {
		t.Errorf("ack %+v", ack)
	}

	ch, err := fx.flow.SetVerificationStatus(ctx, it.ItemName, "", "automatically_verified")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Account.VerificationStatus != "automatically_verified" {
		t.Errorf("account after the change: %+v", ch.Account)
	}
	w := nextWebhook(t, got, "AUTH AUTOMATICALLY_VERIFIED")
	if !w.Verified || w.Type != "AUTH" || w.Code != "AUTOMATICALLY_VERIFIED" || w.Payload["account_id"] != ch.Account.ID {
		t.Errorf("webhook %+v (reason %q)", w, w.Reason)
	}
	res, err := fx.flow.SavedJourney(it.ItemID).RunAll(ctx, nil)
	if err != nil || len(res.Numbers.ACH) != 1 {
		t.Fatalf("numbers after verification: %v", err)
	}
	v, err := fx.flow.Verification(ctx, it.ItemID)
	if err != nil || v.Accounts[0].VerificationStatus != "automatically_verified" {
		t.Errorf("verification %+v %v", v, err)
	}

	// A second change is refused: the account is no longer pending.
	if _, err := fx.flow.SetVerificationStatus(ctx, it.ItemID, ch.Account.ID, "verification_expired"); !plaidapi.HasCode(err, "INVALID_FIELD") {
		t.Errorf("second change: %v", err)
	}
}

// A webhook not signed by Plaid, changed on the way, or replayed is refused, with the reason
// (https://plaid.com/docs/api/webhooks/webhook-verification/).
func TestWebhookVerifierRefusesForgeries(t *testing.T) {
	fx := newFixture(t, "US")
	ctx := context.Background()
	linkedItem(t, fx)
	r, v, got := listen(t, fx)
	if _, err := fx.flow.SetWebhooks(ctx, r.URL, nil); err != nil {
		t.Fatal(err)
	}
	real := nextWebhook(t, got, "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if !real.Verified {
		t.Fatalf("the emulator's own webhook did not verify: %s", real.Reason)
	}
	header := real.Header.Get("Plaid-Verification")
	kid := emulatortest.WebhookKeyID(fx.srv)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()

	cases := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		reason string
	}{
		{"tampered body", header, []byte(strings.Replace(string(real.Body), "ITEM", "AUTH", 1)), now, "SHA-256 does not match"},
		{"forged signature", emulator.SignWebhookJWT(other, kid, real.Body, now), real.Body, now, "signature does not match"},
		{"unknown kid", emulator.SignWebhookJWT(other, "not-a-plaid-key", real.Body, now), real.Body, now, "does not know the signing key"},
		{"expired iat", header, real.Body, now.Add(6 * time.Minute), "older than 5 minutes"},
		{"no header", "", real.Body, now, "no Plaid-Verification header"},
		{"alg none", "eyJhbGciOiJub25lIiwia2lkIjoiayJ9.e30.", real.Body, now, `not ES256`},
	}
	for _, tc := range cases {
		v.Now = func() time.Time { return tc.at }
		err := v.Verify(ctx, tc.header, tc.body)
		var rej *webhook.Rejected
		if !errors.As(err, &rej) || !strings.Contains(rej.Reason, tc.reason) {
			t.Errorf("%s: %v, want refused because %q", tc.name, err, tc.reason)
		}
	}
	v.Now = time.Now
	if err := v.Verify(ctx, header, real.Body); err != nil {
		t.Errorf("the real webhook no longer verifies: %v", err)
	}

	// Posted to the receiver, a forgery is reported unverified with its reason and answered 400.
	req, _ := http.NewRequest(http.MethodPost, r.URL, strings.NewReader(string(real.Body)))
	req.Header.Set("Plaid-Verification", emulator.SignWebhookJWT(other, kid, real.Body, now))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	forged := nextWebhook(t, got, "the forged webhook")
	if forged.Verified || !strings.Contains(forged.Reason, "signature") || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged webhook: verified %v, reason %q, status %d", forged.Verified, forged.Reason, resp.StatusCode)
	}
}

// A key Plaid reports as expired verifies nothing, and keys are fetched once per kid.
func TestWebhookVerifierExpiredKeyAndCache(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	expired := time.Now().Add(-time.Hour).Unix()
	var calls atomic.Int32
	plaid := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			KeyID string `json:"key_id"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &req)
		x, y := make([]byte, 32), make([]byte, 32)
		key.X.FillBytes(x)
		key.Y.FillBytes(y)
		jwk := map[string]any{"alg": "ES256", "crv": "P-256", "kty": "EC", "use": "sig", "kid": req.KeyID,
			"x": b64(x), "y": b64(y), "created_at": expired - 3600, "expired_at": nil}
		if req.KeyID == "old" {
			jwk["expired_at"] = expired
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"key": jwk, "request_id": "abcdefghijklmno"})
	}))
	defer plaid.Close()
	cfg, err := config.LoadConfig(config.Overrides{ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret, APIURL: plaid.URL},
		func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := webhook.NewVerifier(client)
	body := []byte(`{"webhook_type":"ITEM"}`)
	err = v.Verify(context.Background(), emulator.SignWebhookJWT(key, "old", body, time.Now()), body)
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("a webhook signed with an expired key: %v", err)
	}
	for range 3 {
		if err := v.Verify(context.Background(), emulator.SignWebhookJWT(key, "current", body, time.Now()), body); err != nil {
			t.Fatalf("current key: %v", err)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls to /webhook_verification_key/get for 2 kids, want 2 (keys are cached)", calls.Load())
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
