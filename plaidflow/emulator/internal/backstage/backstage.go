// Package backstage is the one door from the emulator's test helpers (package emulatortest)
// to what the emulator keeps of the calls it served. Those records are not part of what the
// emulator serves, so they are not methods of emulator.Server; being internal, the door is
// closed to every package outside plaidflow/emulator. Package emulator sets Of when it loads.
package backstage

import (
	"crypto/ecdsa"
	"time"
)

// Server is an emulator seen from backstage.
type Server interface {
	// Requests is how many requests reached path, whatever their answer.
	Requests(path string) int
	// RequestIDs are the request_id of the calls to path among the last 1,000 calls, in the
	// order they were answered.
	RequestIDs(path string) []string
	// ItemIDs are the Items held now whose public token was exchanged, sorted.
	ItemIDs() []string
	// IssuedTokens are every token the emulator made since it started or was reset, sorted.
	IssuedTokens() []string
	// Held is how many calls a hold fault is holding now.
	Held() int
	// PublicToken makes a public token as a Link session with these products and credentials
	// would.
	PublicToken(institutionID string, products []string, username, password string) (string, error)
	// WebhookKey is the key webhooks are signed with, and its kid.
	WebhookKey() (*ecdsa.PrivateKey, string)
	// Keys are the client_id and secret the emulator accepts.
	Keys() (clientID, secret string)
	// RecordCalls starts keeping the API calls that arrive with latency on;
	// StopRecordingCalls stops and returns them.
	RecordCalls()
	StopRecordingCalls() []Span
}

// Span is when one API call arrived and when its answer was written.
type Span struct{ Start, End time.Time }

// Of opens the door on an *emulator.Server.
var Of func(srv any) Server
