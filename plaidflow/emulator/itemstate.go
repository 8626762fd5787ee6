package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"slices"
	"time"
)

// The offline demo runs one emulator per process, and its Items outlive each of them (their
// access tokens are in the keyring; see WithItemResolver). For the Auth flow lab to work across
// commands (`sandbox link --flow` in one, `webhooks listen` in another, `sandbox
// set-verification-status` in a third), the emulators share two more things: what each Item
// became (its webhook and its Auth flow), through an ItemStateStore, and the key webhooks are
// signed with, through WithDemoWebhookKey.

// ItemState is what the emulator keeps of an Item for the next process.
type ItemState struct {
	Webhook    string `json:"webhook,omitempty"`
	AuthMethod string `json:"auth_method,omitempty"`
	// Status is each account's verification_status, by mask (account ids are made afresh in
	// each process).
	Status map[string]string `json:"verification_status,omitempty"`
	// Manual are the routing and account numbers typed in Link for an account, by mask, which
	// /auth/get returns instead of the institution's once it is verified.
	Manual map[string][2]string `json:"manual_numbers,omitempty"`
}

// ItemStateStore keeps ItemStates between processes.
type ItemStateStore interface {
	Load(itemID string) (ItemState, bool)
	Save(itemID string, st ItemState)
}

// WithItemState makes the emulator save each Item's webhook and Auth flow to st when they
// change, and bring them back with an Item restored by the ItemResolver.
func WithItemState(st ItemStateStore) Option {
	return func(s *Server) { s.itemState = st }
}

// persist saves the Item's state. It expects s.mu to be held.
func (s *Server) persist(it *item) {
	if s.itemState == nil {
		return
	}
	st := ItemState{AuthMethod: it.authMethod, Status: map[string]string{}}
	if it.webhook != nil {
		st.Webhook = *it.webhook
	}
	for _, a := range it.accounts {
		if a.verificationStatus != "" {
			st.Status[a.mask] = a.verificationStatus
		}
		if a.manualAccount != "" {
			if st.Manual == nil {
				st.Manual = map[string][2]string{}
			}
			st.Manual[a.mask] = [2]string{a.manualRouting, a.manualAccount}
		}
	}
	s.itemState.Save(it.id, st)
}

// applyState gives a restored Item the state an earlier process saved. It expects s.mu to be
// held.
func (s *Server) applyState(it *item) {
	if s.itemState == nil {
		return
	}
	st, ok := s.itemState.Load(it.id)
	if !ok {
		return
	}
	if st.Webhook != "" {
		it.webhook = ptr(st.Webhook)
	}
	it.authMethod = st.AuthMethod
	if len(st.Status) == 0 && len(st.Manual) == 0 {
		return
	}
	var kept []*account
	for _, a := range it.accounts {
		status, hasStatus := st.Status[a.mask]
		n, hasNumbers := st.Manual[a.mask]
		if hasStatus {
			a.verificationStatus, a.verificationName = status, sandboxVerificationName
		}
		if hasNumbers {
			a.manualRouting, a.manualAccount = n[0], n[1]
		}
		if hasStatus || hasNumbers {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		// Numbers typed in Link give the account their own mask, which the institution's
		// accounts do not have: the Item was made from its checking account (manualItem).
		for mask, n := range st.Manual {
			i := slices.IndexFunc(it.accounts, func(a *account) bool { return a.subtype == "checking" })
			if i < 0 {
				break
			}
			a := it.accounts[i]
			a.mask, a.manualRouting, a.manualAccount = mask, n[0], n[1]
			if status, ok := st.Status[mask]; ok {
				a.verificationStatus, a.verificationName = status, sandboxVerificationName
			}
			kept = append(kept, a)
			break
		}
	}
	// A flow's Item has only the account the user verified.
	it.accounts, it.offered = kept, kept
}

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
