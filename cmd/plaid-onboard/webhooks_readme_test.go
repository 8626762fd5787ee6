package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// The README's webhook-verification snippets are the code these tests run: the Go function
// below, between its markers, and verifyWebhook of testdata/node/verify_webhook.js. A test here
// may import plaid-go (the layout rule is for the program's own code): a user's does.

// README: go verify begin
// verifyPlaidWebhook checks a webhook as Plaid's guide says: an ES256 JWT signed by the key
// /webhook_verification_key/get returns for its kid, issued within 5 minutes, carrying the
// SHA-256 of the raw body.
func verifyPlaidWebhook(ctx context.Context, client *plaid.APIClient, body []byte, jwt string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	segment := func(i int, v any) error {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return err
		}
		return json.Unmarshal(b, v)
	}
	var header struct{ Alg, Kid string }
	if err := segment(0, &header); err != nil || header.Alg != "ES256" {
		return errors.New("not an ES256 JWT")
	}
	var claims struct {
		IAT        int64  `json:"iat"`
		BodySHA256 string `json:"request_body_sha256"`
	}
	if err := segment(1, &claims); err != nil {
		return err
	}
	resp, _, err := client.PlaidApi.WebhookVerificationKeyGet(ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(header.Kid)).Execute()
	if err != nil {
		return err
	}
	key := resp.GetKey()
	x, _ := base64.RawURLEncoding.DecodeString(key.GetX())
	y, _ := base64.RawURLEncoding.DecodeString(key.GetY())
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return err
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("the signature does not verify")
	}
	if age := time.Since(time.Unix(claims.IAT, 0)); age > 5*time.Minute || age < -5*time.Minute {
		return errors.New("not issued within 5 minutes")
	}
	sum := sha256.Sum256(body)
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(claims.BodySHA256)) != 1 {
		return errors.New("the body is not the one signed")
	}
	return nil
}

// README: go verify end

// snippet is the text of path between the lines holding begin and end.
func snippet(t *testing.T, path, begin, end string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), begin)
	text, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("%s has no text between %q and %q", path, begin, end)
	}
	_, text, _ = strings.Cut(text, "\n") // from the line after begin
	if i := strings.LastIndex(text, "\n"); i >= 0 {
		text = text[:i+1] // to the line before end
	}
	return strings.TrimSpace(text)
}

// A body signed by `webhooks sign` verifies with the README's Go snippet and the key from the
// emulator's /webhook_verification_key/get through plaid-go, and a changed body does not; the
// README shows both snippets as the tests run them.
func TestReadmeWebhookSnippets(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	body := []byte("{\n  \"webhook_code\": \"DEFAULT_UPDATE\",\n  \"webhook_type\": \"AUTH\"\n}")
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t)
	jwt := strings.TrimSpace(te.mustRun(t, exitOK, "webhooks", "sign", "--body", file, "--emulator", srv.URL))

	cfg := plaid.NewConfiguration()
	cfg.UseEnvironment(plaid.Environment(srv.URL))
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", emulator.DemoClientID)
	cfg.AddDefaultHeader("PLAID-SECRET", emulator.DemoSecret)
	client := plaid.NewAPIClient(cfg)
	if err := verifyPlaidWebhook(context.Background(), client, body, jwt); err != nil {
		t.Errorf("the README's Go snippet refused a signed body: %v", err)
	}
	if err := verifyPlaidWebhook(context.Background(), client, append(body, ' '), jwt); err == nil {
		t.Error("the README's Go snippet accepted a changed body")
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	goCode := snippet(t, "webhooks_readme_test.go", "// README: go verify begin", "// README: go verify end")
	nodeCode := snippet(t, filepath.Join(nodeDir, "verify_webhook.js"), "// README: node verify begin", "// README: node verify end")
	for what, code := range map[string]string{"Go": goCode, "Node": nodeCode} {
		if !strings.Contains(string(readme), code) {
			t.Errorf("README.md does not show the %s snippet the tests run:\n%s", what, code)
		}
	}
}
