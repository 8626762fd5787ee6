package plaidapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// TestEveryCallSpeaksOfTheKeysAndEnvironmentItUsed: each endpoint's failure goes through the one
// decoder that records the client's circumstances, so the hint names this run's environment and
// where its keys came from. Five calls once used a bare decoder: in Production,
// UNAUTHORIZED_ENVIRONMENT said "not enabled for sandbox", and bad keys from the keyring were said
// to have been "typed in".
func TestEveryCallSpeaksOfTheKeysAndEnvironmentItUsed(t *testing.T) {
	code := "UNAUTHORIZED_ENVIRONMENT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error_type":"INVALID_INPUT","error_code":"`+code+`","error_message":"no","display_message":null,"request_id":"req-1"}`)
	}))
	defer srv.Close()
	cfg := config.Config{ClientID: "0123456789abcdef01234567", Secret: "0123456789abcdef0123456789abcd",
		Env: config.Production, APIURL: srv.URL, ClientIDSource: config.SourceKeyring, SecretSource: config.SourceKeyring,
		Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "test"}
	c, err := NewClient(cfg, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	c.Retries = RetryPolicy{Attempts: 1}
	ctx := context.Background()
	calls := map[string]func() error{
		"/link/token/create":          func() error { _, err := c.CreateLinkToken(ctx, LinkTokenOptions{}); return err },
		"/item/public_token/exchange": func() error { _, err := c.Exchange(ctx, "public-x"); return err },
		"/auth/get":                   func() error { _, err := c.Auth(ctx, "access-x", "acc-1"); return err },
		"/institutions/get_by_id":     func() error { _, err := c.Institution(ctx, "ins_1"); return err },
		"/accounts/get":               func() error { _, err := c.Accounts(ctx, "access-x"); return err },
		"/item/get":                   func() error { _, err := c.Item(ctx, "access-x"); return err },
		"/item/remove":                func() error { _, err := c.RemoveItem(ctx, "access-x"); return err },
		"/item/access_token/invalidate": func() error {
			_, err := c.InvalidateAccessToken(ctx, "access-x")
			return err
		},
		"/accounts/balance/get":   func() error { _, _, err := c.Balances(ctx, "access-x"); return err },
		"/processor/token/create": func() error { _, err := c.ProcessorToken(ctx, "access-x", "acc-1", "dwolla"); return err },
		"/processor/stripe/bank_account_token/create": func() error {
			_, err := c.ProcessorToken(ctx, "access-x", "acc-1", Stripe)
			return err
		},
		"/sandbox/item/reset_login": func() error { return c.ResetLogin(ctx, "access-x") },
		"/sandbox/item/set_verification_status": func() error {
			_, err := c.SetVerificationStatus(ctx, "access-x", "acc-1", "automatically_verified")
			return err
		},
		"/sandbox/item/fire_webhook": func() error { _, _, err := c.FireWebhook(ctx, "access-x", "DEFAULT_UPDATE", "AUTH"); return err },
		"/item/webhook/update":       func() error { return c.UpdateWebhook(ctx, "access-x", "https://example.com/hook") },
		"/webhook_verification_key/get": func() error {
			_, err := c.WebhookVerificationKey(ctx, "kid")
			return err
		},
	}
	for _, which := range []string{"UNAUTHORIZED_ENVIRONMENT", "INVALID_API_KEYS"} {
		code = which
		for path, call := range calls {
			err := call()
			pe, ok := AsError(err)
			if !ok {
				t.Errorf("%s %s: not a Plaid error: %v", which, path, err)
				continue
			}
			next := pe.NextStep()
			switch which {
			case "UNAUTHORIZED_ENVIRONMENT":
				if !strings.Contains(next, "production") || strings.Contains(next, "sandbox:") {
					t.Errorf("%s: in Production the hint says %q", path, next)
				}
			case "INVALID_API_KEYS":
				if !strings.Contains(next, "keyring") || strings.Contains(next, "typed in") {
					t.Errorf("%s: keys from the keyring, yet the hint says %q", path, next)
				}
			}
		}
	}
}
