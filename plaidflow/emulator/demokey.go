package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"time"
)

// The offline demo runs one emulator per process, and its webhooks are received by another
// (`webhooks listen` in one terminal, `sandbox set-verification-status` in a second): they sign
// with one key, so that a webhook sent by one verifies against another's
// /webhook_verification_key/get.

// demoKeySeed is the seed of the demo's webhook signing key. It is public, like the demo API
// keys: the demo is not Plaid, and its webhooks prove only that a demo emulator sent them.
const demoKeySeed = "plaid-onboard demo webhook key"

// demoWebhookKeyID is the kid of the demo's signing key.
const demoWebhookKeyID = "plaid-onboard-demo-2026"

// WithDemoWebhookKey makes the emulator sign webhooks with the demo's fixed key instead of one
// made at start, so that a webhook sent by one demo process verifies against another's
// /webhook_verification_key/get.
func WithDemoWebhookKey() Option {
	return func(s *Server) {
		s.whOnce.Do(func() {
			s.wh = newWebhookState()
			s.wh.key, s.wh.kid = demoWebhookKey(), demoWebhookKeyID
			s.wh.created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		})
	}
}

// demoWebhookKey derives the demo's P-256 key from demoKeySeed: the seed is the private
// scalar.
func demoWebhookKey() *ecdsa.PrivateKey {
	seed := sha256.Sum256([]byte(demoKeySeed))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed[:])
	if err != nil {
		panic("emulator: demo webhook key: " + err.Error())
	}
	return key
}
