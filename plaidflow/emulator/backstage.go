package emulator

import (
	"crypto/ecdsa"
	"slices"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// backstageView is the server as the test helpers of emulatortest see it: its records of the
// calls it served, and shortcuts past Link. None of it is served.
type backstageView Server

func init() {
	backstage.Of = func(srv any) backstage.Server { return (*backstageView)(srv.(*Server)) }
}

func (v *backstageView) Requests(path string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.requests[path]
}

// RequestIDs includes the calls answered by a fault and those whose answer was lost: a test
// compares them with the request_id a program shows for a failed call. They come from the
// request log, which keeps the last requestLogSize calls (requestlog.go).
func (v *backstageView) RequestIDs(path string) []string {
	return v.reqLog.requestIDsOf(path)
}

// ItemIDs counts an Item once an access token was made for it, whether or not its answer
// arrived: what a test compares with the Items a program saved, to prove none was lost. An
// Item whose public token was never exchanged has no token anywhere to lose.
func (v *backstageView) ItemIDs() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for id, it := range v.items {
		if it.accessToken != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// IssuedTokens are the Link, public, access (rotated ones included), processor and Stripe
// bank account tokens, including any whose answer a fault lost: tests search what a program
// wrote for them. The emulator keeps no other record of a rotated access token or a processor
// token.
func (v *backstageView) IssuedTokens() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]string, 0, len(v.issued))
	for tok := range v.issued {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

func (v *backstageView) Held() int { return int(v.held.Load()) }

// PublicToken takes the same code path as /sandbox/public_token/create and the stand-in Link
// UI. Its error is a Plaid error; its text starts with the code.
func (v *backstageView) PublicToken(institutionID string, products []string, username, password string) (string, error) {
	s := (*Server)(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.linkItem(institutionID, products, username, password, nil)
	if e != nil {
		return "", e
	}
	return s.issuePublicToken(it), nil
}

func (v *backstageView) WebhookKey() (*ecdsa.PrivateKey, string) {
	w := (*Server)(v).webhooks()
	return w.key, w.kid
}

func (v *backstageView) Keys() (clientID, secret string) { return v.clientID, v.secret }

func (v *backstageView) RecordCalls() { (*Server)(v).recordCalls() }

func (v *backstageView) StopRecordingCalls() []backstage.Span {
	return (*Server)(v).stopRecordingCalls()
}
