package emulator

import (
	"fmt"
	"slices"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// Items rebuilt from what a support transcript saw (`plaid-onboard emulator --from-transcript`):
// the Item's id, institution and accounts, and the errors Plaid answered it, each at the call
// where it came, so that support walks the customer's path offline and meets the same errors at
// the same points. What a transcript cannot hold (account numbers, balances) is made up as for
// any Sandbox Item: numbers from the mask and the institution, user_good's or user_custom's
// balances.

// ReplayItem is an Item to rebuild.
type ReplayItem struct {
	// ItemID is kept when given, so that the ids in the transcript name the rebuilt Item.
	ItemID        string
	InstitutionID string
	Products      []string
	// UserCustom is the user_custom configuration the Item was made with (a scenario's), or "":
	// its accounts are the Item's, in order, before Accounts are applied.
	UserCustom string
	// Accounts are the accounts as the transcript saw them, in order; nil keeps the
	// institution's Sandbox accounts (or UserCustom's).
	Accounts []ReplayAccount
	// AccountIDs, when Accounts is nil, are ids to give the Item's accounts in order.
	AccountIDs []string
	Webhook    string
	// Errors are answered at the calls where the transcript saw them.
	Errors []ReplayError
}

// ReplayAccount is an account as Link's metadata described it; empty fields keep what the
// emulator would make.
type ReplayAccount struct {
	ID                 string `json:"account_id"`
	Name               string `json:"name"`
	Mask               string `json:"mask"`
	Type               string `json:"type"`
	Subtype            string `json:"subtype"`
	VerificationStatus string `json:"verification_status,omitempty"`
}

// ReplayError answers the call to Path numbered After+1 (for the Item, or for any caller when
// the error names no Item) with the Plaid error Code. ITEM_LOGIN_REQUIRED also puts the Item in
// that state from then on, as at Plaid.
type ReplayError struct {
	Path  string
	After int
	Code  string
}

// replayScript is the errors still to answer, by Item id ("" for calls that name none) and
// path, with the calls counted so far. It is guarded by s.mu.
type replayScript struct {
	errors map[string]map[string][]ReplayError
	calls  map[string]map[string]int
}

// KnowsError reports whether the emulator can answer the Plaid error code: a transcript's
// error it does not know is left out of a replay, and said so.
func KnowsError(code string) bool {
	_, ok := catalog[code]
	return ok
}

// ReplayedItem is the Item as rebuilt: what to tell the person walking the path.
type ReplayedItem struct {
	ItemID          string          `json:"item_id"`
	AccessToken     string          `json:"access_token"`
	InstitutionID   string          `json:"institution_id"`
	InstitutionName string          `json:"institution_name"`
	Accounts        []ReplayAccount `json:"accounts"`
	// Kept is true when the emulator held the Item already (restored from --state, where an
	// earlier run of the same transcript left it): the Item is left as it is, with what was
	// done to it since, and only its errors are scripted again.
	Kept bool `json:"kept,omitempty"`
}

// AddReplayItem makes the Item and says what it made. An Item the emulator holds already
// (its state file was written by an earlier run) wins over the transcript's: it is kept.
func (s *Server) AddReplayItem(r ReplayItem) (made ReplayedItem, err error) {
	inst := findInstitution(r.InstitutionID)
	if inst == nil {
		return made, fmt.Errorf("institution %q is not one the emulator serves", r.InstitutionID)
	}
	products := r.Products
	if len(products) == 0 {
		products = []string{"auth"}
	}
	var custom *usercustom.Config
	if r.UserCustom != "" {
		if custom, err = usercustom.Parse([]byte(r.UserCustom), usercustom.Options{Source: "the transcript's scenario"}); err != nil {
			return made, err
		}
	}
	for _, e := range r.Errors {
		if !KnowsError(e.Code) {
			return made, fmt.Errorf("the emulator has no error %s", e.Code)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.ItemID
	if id == "" {
		id = s.plaidID()
	}
	if have, taken := s.items[id]; taken {
		s.replayScript().add(id, r.Errors)
		made = replayed(have)
		made.Kept = true
		return made, nil
	}
	var webhook *string
	if r.Webhook != "" {
		webhook = ptr(r.Webhook)
	}
	it := s.newItem(id, inst, products, webhook)
	if custom != nil {
		it.offered = s.customAccounts(inst, custom)
	}
	switch {
	case r.Accounts != nil:
		it.offered = s.replayAccounts(it.offered, r.Accounts)
	case len(r.AccountIDs) > 0:
		// The ids come from the longest list an answer gave: /accounts/get lists every account,
		// /auth/get only those with numbers, both in the Item's order.
		targets := it.offered
		if eligible := slices.DeleteFunc(slices.Clone(it.offered), func(a *account) bool { return !a.authEligible() }); len(r.AccountIDs) == len(eligible) {
			targets = eligible
		}
		for i, a := range targets {
			if i < len(r.AccountIDs) {
				a.id = r.AccountIDs[i]
			}
		}
	}
	it.accounts = slices.Clone(it.offered)
	for _, a := range it.accounts {
		if a.verificationStatus == statusPendingAutomatic {
			it.authMethod = "AUTOMATED_MICRODEPOSITS"
		}
	}
	s.items[it.id] = it
	s.setAccessToken(it)
	s.replayScript().add(it.id, r.Errors)
	return replayed(it), nil
}

// replayed describes the Item it for the person walking the path. It expects s.mu to be held.
func replayed(it *item) ReplayedItem {
	made := ReplayedItem{ItemID: it.id, AccessToken: it.accessToken, InstitutionID: it.inst.id, InstitutionName: it.inst.name}
	for _, a := range it.accounts {
		made.Accounts = append(made.Accounts, ReplayAccount{ID: a.id, Name: a.name, Mask: a.mask, Type: a.typ,
			Subtype: a.subtype, VerificationStatus: a.verificationStatus})
	}
	return made
}

// AddReplayErrors scripts errors for calls that name no Item (making one).
func (s *Server) AddReplayErrors(errs []ReplayError) error {
	for _, e := range errs {
		if !KnowsError(e.Code) {
			return fmt.Errorf("the emulator has no error %s", e.Code)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replayScript().add("", errs)
	return nil
}

// replayScript is the server's script, made on first use. It expects s.mu to be held.
func (s *Server) replayScript() *replayScript {
	if r := s.replay.Load(); r != nil {
		return r
	}
	r := &replayScript{errors: map[string]map[string][]ReplayError{}, calls: map[string]map[string]int{}}
	s.replay.Store(r)
	return r
}

func (r *replayScript) add(itemID string, errs []ReplayError) {
	if r.errors[itemID] == nil {
		r.errors[itemID], r.calls[itemID] = map[string][]ReplayError{}, map[string]int{}
	}
	for _, e := range errs {
		r.errors[itemID][e.Path] = append(r.errors[itemID][e.Path], e)
	}
}

// replayAccounts gives the accounts what the transcript saw of them: the first accounts of
// the same type and subtype take each one's id, name, mask and verification status; one the
// Item had none like gets the first left over.
func (s *Server) replayAccounts(pool []*account, seen []ReplayAccount) []*account {
	left := slices.Clone(pool)
	out := make([]*account, 0, len(seen))
	for _, sa := range seen {
		i := slices.IndexFunc(left, func(a *account) bool { return a.typ == sa.Type && a.subtype == sa.Subtype })
		if i < 0 && len(left) > 0 {
			i = 0
		}
		var a *account
		if i >= 0 {
			a = left[i]
			left = slices.Delete(left, i, i+1)
		} else {
			a = &account{id: s.plaidID()}
		}
		if sa.ID != "" {
			a.id = sa.ID
		}
		for _, f := range []struct {
			dst *string
			src string
		}{{&a.name, sa.Name}, {&a.mask, sa.Mask}, {&a.typ, sa.Type}, {&a.subtype, sa.Subtype}} {
			if f.src != "" {
				*f.dst = f.src
			}
		}
		if sa.VerificationStatus != "" {
			a.verificationStatus, a.verificationName = sa.VerificationStatus, sandboxVerificationName
		}
		out = append(out, a)
	}
	return out
}

// replayedError is the scripted error for this call, if one is due: counted per Item (by the
// access token in the body) and path. It runs after Plaid's checks of the request.
func (s *Server) replayedError(path string, b body) *apiError {
	r := s.replay.Load()
	if r == nil {
		return nil // no replay: no lock taken on the way of every call
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := ""
	var it *item
	if tok, ok := jsonString(b["access_token"]); ok && tok != "" {
		if it = s.accessTokens[tok]; it == nil {
			return nil // Plaid's own INVALID_ACCESS_TOKEN comes first
		}
		key = it.id
	}
	errs := r.errors[key][path]
	if len(errs) == 0 {
		return nil
	}
	n := r.calls[key][path]
	r.calls[key][path] = n + 1
	i := slices.IndexFunc(errs, func(e ReplayError) bool { return e.After == n })
	if i < 0 {
		return nil
	}
	e := errs[i]
	if e.Code == "ITEM_LOGIN_REQUIRED" && it != nil {
		it.loginRequired = true
	}
	return newError(e.Code)
}

// KnowsInstitution reports whether the emulator serves the institution: a transcript from
// Plaid may name a bank it does not have.
func KnowsInstitution(id string) bool { return findInstitution(id) != nil }
