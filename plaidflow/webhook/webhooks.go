// Package webhook verifies, receives and forwards the webhooks Plaid sends about Items.
package webhook

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
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// Webhook verification as Plaid's guide describes it
// (https://plaid.com/docs/api/webhooks/webhook-verification/): the Plaid-Verification header is
// a JWT signed with ES256; its header names the key (kid), which /webhook_verification_key/get
// returns as a JWK; its payload holds iat, which must be within 5 minutes, and
// request_body_sha256, the hex SHA-256 of the body, compared in constant time. Keys are cached
// by kid; a key whose expired_at has passed verifies nothing.
//
// Anyone who can reach the receiver can post a JWT naming any kid, and each key look-up is a
// call to Plaid with the client secret. So a kid Plaid does not know is remembered as unknown
// for unknownKidTTL; a JWT whose other claims already fail (too old, another body) costs no
// look-up; and look-ups are rate-limited (keyFetchBurst, then one per keyFetchEvery). A
// webhook refused by the limit is answered 503, so Plaid, if it was Plaid's, sends it again
// later (https://plaid.com/docs/api/webhooks/#webhook-retries: retried for up to 24 hours).

// maxAge is how old a webhook's iat may be (Plaid: 5 minutes).
const maxAge = 5 * time.Minute

const (
	// unknownKidTTL is how long Plaid's "no such key" for a kid is believed. Plaid names a new
	// key in a webhook only once it can hand it out, so a kid it did not know is a forgery.
	unknownKidTTL = 10 * time.Minute
	// maxUnknownKids bounds that memory.
	maxUnknownKids = 1024
	// keyFetchBurst look-ups may be made at once; after that one per keyFetchEvery. Plaid
	// signs with one key at a time and rotates it rarely: a real receiver fetches one or two.
	keyFetchBurst = 5
	keyFetchEvery = 12 * time.Second
	// keyFetchTimeout bounds one look-up, well inside the 10 seconds Plaid waits for an answer.
	keyFetchTimeout = 5 * time.Second
)

// ErrKeyLookupsLimited is why a webhook naming a kid not yet known was not checked: too many
// look-ups were made lately.
var ErrKeyLookupsLimited = errors.New("too many unknown signing keys were named lately (forged webhooks?), so this one was not looked up; Plaid sends a webhook it had no 200 for again later")

// Rejected is a webhook that failed verification; Reason says why in a sentence a
// person can act on.
type Rejected struct{ Reason string }

// Error implements error.
func (e *Rejected) Error() string { return "webhook not verified: " + e.Reason }

func rejected(format string, a ...any) error {
	return &Rejected{Reason: fmt.Sprintf(format, a...)}
}

// Verifier checks webhooks against the keys of the client's Plaid environment. It is
// safe for concurrent use.
type Verifier struct {
	fetch func(ctx context.Context, kid string) (plaidapi.JWK, error)
	// Now is the clock iat, key expiry and the look-up limit go by; tests pin it.
	Now func() time.Time

	mu      sync.Mutex
	keys    map[string]webhookKey
	unknown map[string]time.Time // kid → when Plaid said it does not know it
	// tokens is how many look-ups may be made now (up to keyFetchBurst), as of tokensAt.
	tokens   float64
	tokensAt time.Time
}

type webhookKey struct {
	pub       *ecdsa.PublicKey
	expiredAt *time.Time
}

// NewVerifier returns a verifier that fetches keys through client.
func NewVerifier(client *plaidapi.Client) *Verifier {
	return &Verifier{fetch: client.WebhookVerificationKey, Now: time.Now, keys: map[string]webhookKey{},
		unknown: map[string]time.Time{}, tokens: keyFetchBurst}
}

// Verify checks a webhook's Plaid-Verification header against its raw body. It returns nil
// for a webhook Plaid sent, a *Rejected saying why for one it did not, and another
// error when the key could not be fetched for a reason other than Plaid refusing the kid.
func (v *Verifier) Verify(ctx context.Context, header string, body []byte) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return rejected("no Plaid-Verification header")
	}
	parts := strings.Split(header, ".")
	if len(parts) != 3 {
		return rejected("the Plaid-Verification header is not a JWT (want 3 dot-separated parts, got %d)", len(parts))
	}
	var jwtHeader struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &jwtHeader); err != nil {
		return rejected("the JWT header cannot be read: %v", err)
	}
	if jwtHeader.Alg != "ES256" {
		return rejected("the JWT is signed with %q, not ES256", jwtHeader.Alg)
	}
	if jwtHeader.Kid == "" {
		return rejected("the JWT header has no kid (key id)")
	}
	now := v.now()
	claimsErr := checkClaims(parts[1], body, now)
	key, err := v.key(ctx, jwtHeader.Kid, claimsErr)
	if err != nil {
		return err
	}
	if key.expiredAt != nil && !now.Before(*key.expiredAt) {
		return rejected("the signing key %s expired at %s", jwtHeader.Kid, key.expiredAt.UTC().Format(time.RFC3339))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return rejected("the JWT signature is not a 64-byte ES256 signature")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(key.pub, digest[:], r, s) {
		return rejected("the JWT signature does not match key %s: not signed by Plaid", jwtHeader.Kid)
	}
	return claimsErr
}

// checkClaims checks the JWT payload: iat within 5 minutes of now, and the body's SHA-256.
func checkClaims(payload string, body []byte, now time.Time) error {
	var claims struct {
		IAT        *json.Number `json:"iat"`
		BodySHA256 string       `json:"request_body_sha256"`
	}
	if err := decodeSegment(payload, &claims); err != nil {
		return rejected("the JWT payload cannot be read: %v", err)
	}
	if claims.IAT == nil {
		return rejected("the JWT payload has no iat")
	}
	iatSec, err := claims.IAT.Int64()
	if err != nil {
		return rejected("the JWT's iat %s is not a whole number of seconds", claims.IAT.String())
	}
	iat := time.Unix(iatSec, 0)
	if age := now.Sub(iat); age > maxAge {
		return rejected("issued %s ago (iat %s): older than 5 minutes, perhaps replayed", age.Round(time.Second), iat.UTC().Format(time.RFC3339))
	} else if -age > maxAge {
		return rejected("issued %s in the future (iat %s): check this machine's clock", (-age).Round(time.Second), iat.UTC().Format(time.RFC3339))
	}
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(claims.BodySHA256))) != 1 {
		return rejected("the body's SHA-256 does not match the JWT's request_body_sha256: the body was changed")
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

func decodeSegment(seg string, into any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(into)
}

// key returns the key kid names, from the cache or from /webhook_verification_key/get. A kid
// not cached is looked up only when the rest of the JWT holds (claimsErr nil), Plaid has not
// lately said it does not know it, and the look-up limit allows.
func (v *Verifier) key(ctx context.Context, kid string, claimsErr error) (webhookKey, error) {
	now := v.now()
	v.mu.Lock()
	k, ok := v.keys[kid]
	refusedAt, unknown := v.unknown[kid]
	unknown = unknown && now.Sub(refusedAt) < unknownKidTTL
	v.mu.Unlock()
	switch {
	case ok:
		return k, nil
	case unknown:
		return webhookKey{}, rejected("Plaid does not know the signing key %q (it said so at %s)", kid, refusedAt.Format(time.TimeOnly))
	case claimsErr != nil:
		return webhookKey{}, claimsErr
	case !v.takeLookup(now):
		return webhookKey{}, ErrKeyLookupsLimited
	}
	ctx, cancel := context.WithTimeout(ctx, keyFetchTimeout)
	defer cancel()
	jwk, err := v.fetch(ctx, kid)
	if err != nil {
		if pe, ok := plaidapi.AsError(err); ok && (pe.Type == "INVALID_INPUT" || pe.Type == "INVALID_REQUEST") {
			v.rememberUnknown(kid, now)
			return webhookKey{}, rejected("Plaid does not know the signing key %q (%s)", kid, pe.Code)
		}
		return webhookKey{}, err
	}
	k, err = publicKey(jwk)
	if err != nil {
		return webhookKey{}, rejected("the key %s from Plaid cannot be used: %v", kid, err)
	}
	v.mu.Lock()
	v.keys[kid] = k
	v.mu.Unlock()
	return k, nil
}

// takeLookup spends one look-up if the limit allows: keyFetchBurst at once, refilled at one
// per keyFetchEvery.
func (v *Verifier) takeLookup(now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.tokensAt.IsZero() && now.After(v.tokensAt) {
		v.tokens = min(keyFetchBurst, v.tokens+float64(now.Sub(v.tokensAt))/float64(keyFetchEvery))
	}
	v.tokensAt = now
	if v.tokens < 1 {
		return false
	}
	v.tokens--
	return true
}

// rememberUnknown notes that Plaid does not know kid. Notes older than unknownKidTTL go when
// there are many; the look-up limit keeps them far fewer than maxUnknownKids, which is a
// bound all the same.
func (v *Verifier) rememberUnknown(kid string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.unknown) >= maxUnknownKids {
		for k, at := range v.unknown {
			if now.Sub(at) >= unknownKidTTL {
				delete(v.unknown, k)
			}
		}
		if len(v.unknown) >= maxUnknownKids {
			clear(v.unknown)
		}
	}
	v.unknown[kid] = now
}

// publicKey turns Plaid's JWK into a P-256 public key, refusing points off the curve.
func publicKey(jwk plaidapi.JWK) (webhookKey, error) {
	if jwk.Kty != "EC" || jwk.Crv != "P-256" {
		return webhookKey{}, fmt.Errorf("kty %q crv %q, want EC P-256", jwk.Kty, jwk.Crv)
	}
	x, errX := base64.RawURLEncoding.DecodeString(jwk.X)
	y, errY := base64.RawURLEncoding.DecodeString(jwk.Y)
	if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
		return webhookKey{}, errors.New("x and y must be 32-byte base64url coordinates")
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return webhookKey{}, errors.New("the point is not on the P-256 curve")
	}
	return webhookKey{pub: pub, expiredAt: jwk.ExpiredAt}, nil
}
