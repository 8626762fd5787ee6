// Package emulatortest is what tests need of the Plaid emulator beyond what it serves: the
// records of the calls it answered (how many reached a path, their request_ids, the Items and
// tokens it made), public tokens without a Link session, webhooks signed with its key, and
// the count of round trips an operation waits for. Programs that serve the emulator, such as
// `plaid-onboard emulator`, have no use for it.
package emulatortest

import (
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// Plaid's Sandbox credentials for a login that succeeds.
const (
	sandboxUsername = "user_good"
	sandboxPassword = "pass_good"
)

// Requests reports how many requests reached path on srv, whatever their answer.
func Requests(srv *emulator.Server, path string) int { return backstage.Of(srv).Requests(path) }

// WaitForRequest waits until a call to path has reached srv, failing loudly when none does
// within e2etest.Timeout.
func WaitForRequest(t testing.TB, srv *emulator.Server, path string) {
	t.Helper()
	e2etest.Eventually(t, "a call to "+path+" to reach the emulator", func() (bool, string) {
		return Requests(srv, path) > 0, "no call yet"
	})
}

// RequestIDs lists the request_id of the calls to path, in the order they were answered,
// whether the answer was Plaid's, a fault's or lost: what a test compares with the request_id
// a program shows for a failed call. The emulator keeps the last 1,000 calls (its request log,
// also served at GET /_emulator/state), so a test looks at the calls it just made.
func RequestIDs(srv *emulator.Server, path string) []string {
	return backstage.Of(srv).RequestIDs(path)
}

// ItemIDs lists the Items srv holds now whose public token was exchanged (an access token was
// made, whether or not its answer arrived) and that were not removed, sorted: what a test
// compares with the Items a program saved, to prove none was lost.
func ItemIDs(srv *emulator.Server) []string { return backstage.Of(srv).ItemIDs() }

// IssuedTokens lists every token srv has made since it started (or since Reset), sorted: Link,
// public, access (rotated ones included), processor and Stripe bank account tokens. Tests
// search what a program wrote for the secrets among them.
func IssuedTokens(srv *emulator.Server) []string { return backstage.Of(srv).IssuedTokens() }

// Held reports how many calls a hold fault is holding now (ReleaseHeld lets them go).
func Held(srv *emulator.Server) int { return backstage.Of(srv).Held() }

// PublicToken creates a public token as if Link had succeeded at the institution with the
// Sandbox credentials user_good / pass_good and the auth product: the same code path as
// /sandbox/public_token/create and the stand-in Link UI.
func PublicToken(srv *emulator.Server, institutionID string) (string, error) {
	return PublicTokenWith(srv, institutionID, []string{"auth"}, sandboxUsername, sandboxPassword)
}

// PublicTokenWith is PublicToken with the products and credentials given, for example the
// password "error_ITEM_LOCKED". The error is a Plaid error; its text starts with the code.
func PublicTokenWith(srv *emulator.Server, institutionID string, products []string, username, password string) (string, error) {
	return backstage.Of(srv).PublicToken(institutionID, products, username, password)
}

// WebhookKeyID is the kid of the key srv signs webhooks with.
func WebhookKeyID(srv *emulator.Server) string {
	_, kid := backstage.Of(srv).WebhookKey()
	return kid
}

// SignWebhook signs body with srv's own key, as a webhook issued at iat: a test of a receiver
// can make a webhook that is Plaid's in every way but its age (a replay).
func SignWebhook(srv *emulator.Server, body []byte, iat time.Time) string {
	key, kid := backstage.Of(srv).WebhookKey()
	return emulator.SignWebhookJWT(key, kid, body, iat)
}
