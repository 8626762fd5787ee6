package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// fakeKeys is /webhook_verification_key/get for one kid, counting the look-ups: any other kid
// gets Plaid's INVALID_INPUT answer.
func fakeKeys(t *testing.T, kid string) (*ecdsa.PrivateKey, *atomic.Int32, func(context.Context, string) (plaidapi.JWK, error)) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	x, y := make([]byte, 32), make([]byte, 32)
	key.X.FillBytes(x)
	key.Y.FillBytes(y)
	return key, &calls, func(_ context.Context, asked string) (plaidapi.JWK, error) {
		calls.Add(1)
		if asked != kid {
			return plaidapi.JWK{}, &plaidapi.Error{Type: "INVALID_INPUT", Code: "INVALID_FIELD", Message: "key_id not found"}
		}
		return plaidapi.JWK{Kty: "EC", Crv: "P-256", X: base64.RawURLEncoding.EncodeToString(x), Y: base64.RawURLEncoding.EncodeToString(y)}, nil
	}
}

// A kid Plaid does not know is asked about once; distinct unknown kids are asked about a few
// times at most, then not until the limit refills; a JWT that fails on its own is not looked
// up at all; and a key already known verifies throughout.
func TestVerifierLimitsKeyLookups(t *testing.T) {
	key, calls, fetch := fakeKeys(t, "plaid-key")
	clock := time.Unix(1_800_000_000, 0)
	v := &Verifier{fetch: fetch, Now: func() time.Time { return clock }, keys: map[string]webhookKey{},
		unknown: map[string]time.Time{}, tokens: keyFetchBurst}
	ctx := context.Background()
	body := []byte(`{"webhook_type":"AUTH"}`)
	real := emulator.SignWebhookJWT(key, "plaid-key", body, clock)
	if err := v.Verify(ctx, real, body); err != nil {
		t.Fatalf("Plaid's webhook: %v", err)
	}

	for range 10 {
		var rej *Rejected
		if err := v.Verify(ctx, emulator.SignWebhookJWT(key, "same-forged-kid", body, clock), body); !errors.As(err, &rej) || !strings.Contains(rej.Reason, "does not know") {
			t.Fatalf("a forged kid: %v, want refused as unknown to Plaid", err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d look-ups for one real and one forged kid sent 10 times, want 2", n)
	}

	// Stale or tampered: refused on their own, no look-up.
	before := calls.Load()
	if err := v.Verify(ctx, emulator.SignWebhookJWT(key, "stale-kid", body, clock.Add(-time.Hour)), body); err == nil || !strings.Contains(err.Error(), "older than 5 minutes") {
		t.Errorf("a stale JWT with an unknown kid: %v", err)
	}
	if err := v.Verify(ctx, emulator.SignWebhookJWT(key, "tampered-kid", body, clock), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "body was changed") {
		t.Errorf("a JWT for another body with an unknown kid: %v", err)
	}
	if calls.Load() != before {
		t.Errorf("JWTs that fail on their own were looked up (%d look-ups)", calls.Load()-before)
	}

	// 20 distinct forged kids: the rest of the burst is spent, then they wait.
	limited := 0
	for i := range 20 {
		err := v.Verify(ctx, emulator.SignWebhookJWT(key, fmt.Sprintf("forged-%d", i), body, clock), body)
		if errors.Is(err, ErrKeyLookupsLimited) {
			limited++
		} else if err == nil {
			t.Fatalf("forged kid %d verified", i)
		}
	}
	if n := calls.Load(); n != keyFetchBurst || limited != 20-(keyFetchBurst-2) {
		t.Errorf("%d look-ups in all and %d refused by the limit, want %d and %d", n, limited, keyFetchBurst, 20-(keyFetchBurst-2))
	}
	if err := v.Verify(ctx, real, body); err != nil {
		t.Errorf("Plaid's webhook while the limit is spent: %v", err)
	}
	clock = clock.Add(keyFetchEvery)
	if err := v.Verify(ctx, emulator.SignWebhookJWT(key, "forged-later", body, clock), body); errors.Is(err, ErrKeyLookupsLimited) {
		t.Errorf("after %s the limit has not refilled: %v", keyFetchEvery, err)
	}
	if n := calls.Load(); n != keyFetchBurst+1 {
		t.Errorf("%d look-ups, want %d", n, keyFetchBurst+1)
	}

	// Plaid's word that it does not know a kid is believed for a while, not for ever.
	clock = clock.Add(unknownKidTTL)
	_ = v.Verify(ctx, emulator.SignWebhookJWT(key, "same-forged-kid", body, clock), body)
	if n := calls.Load(); n != keyFetchBurst+2 {
		t.Errorf("after %s the forged kid was not asked about again (%d look-ups)", unknownKidTTL, n)
	}
}

// The memory of unknown kids stays bounded whatever is thrown at it.
func TestVerifierUnknownKidsBounded(t *testing.T) {
	v := &Verifier{unknown: map[string]time.Time{}}
	now := time.Now()
	for i := range 3 * maxUnknownKids {
		v.rememberUnknown(fmt.Sprint(i), now)
	}
	if len(v.unknown) > maxUnknownKids {
		t.Errorf("%d unknown kids remembered, want at most %d", len(v.unknown), maxUnknownKids)
	}
}
