package emulator

import (
	"slices"
	"strings"
)

// accountsRequest is the body of /auth/get, /accounts/get and /accounts/balance/get.
type accountsRequest struct {
	AccessToken string `json:"access_token"`
	Options     struct {
		AccountIDs []string `json:"account_ids"`
	} `json:"options"`
}

// accountsOf decodes an accounts request and returns its Item and the accounts it asks for,
// with the lock held until the caller's deferred unlock. The data endpoints refuse an Item whose
// login must be repaired; a filter naming an account the Item does not have is
// INVALID_ACCOUNT_ID.
func (s *Server) accountsOf(c *call) (*item, []*account, *apiError) {
	var req accountsRequest
	if !c.body.has("options") {
		req.AccessToken = c.str("access_token") // what a load test sends: no decoding needed
	} else if e := c.decode(&req); e != nil {
		return nil, nil, e
	}
	it, e := s.itemFor(req.AccessToken)
	if e != nil {
		return nil, nil, e
	}
	if it.loginRequired {
		return nil, nil, newError("ITEM_LOGIN_REQUIRED")
	}
	if !c.body.has("options") || req.Options.AccountIDs == nil {
		return it, it.accounts, nil
	}
	var picked []*account
	var unknown []string
	for _, id := range req.Options.AccountIDs {
		i := slices.IndexFunc(it.accounts, func(a *account) bool { return a.id == id })
		if i < 0 {
			unknown = append(unknown, id)
			continue
		}
		picked = append(picked, it.accounts[i])
	}
	if len(unknown) > 0 {
		return nil, nil, errorf("INVALID_ACCOUNT_ID", "the following account_ids are not valid for this item: %s",
			strings.Join(unknown, ", "))
	}
	return it, picked, nil
}

type authGetResponse struct {
	Accounts  []accountJSON `json:"accounts"`
	Item      itemJSON      `json:"item"`
	Numbers   numbersJSON   `json:"numbers"`
	RequestID string        `json:"request_id"`
}

// authGet serves /auth/get: the Item's checking, savings and cash management accounts with
// their numbers. Calling it bills the Item for auth if it was created without it.
func (s *Server) authGet(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, accounts, e := s.accountsOf(c)
	if e != nil {
		return nil, e
	}
	whole := !c.body.has("options") // the answer for the whole Item is the one kept
	if whole {
		if a, ok := s.keptFor(&it.authAnswer, c.requestID); ok {
			return a, nil
		}
	}
	if !it.inst.supports("auth") {
		return nil, newError("PRODUCTS_NOT_SUPPORTED")
	}
	var eligible []*account
	for _, a := range accounts {
		if a.authEligible() {
			eligible = append(eligible, a)
		}
	}
	if len(eligible) == 0 {
		return nil, newError("NO_AUTH_ACCOUNTS")
	}
	if e := authNotReady(eligible); e != nil {
		return nil, e
	}
	it.bill("auth")
	answer := authGetResponse{
		Accounts: accountsJSON(it.inst, eligible),
		Item:     it.json(),
		Numbers:  numbers(it.inst, eligible),
	}
	if whole {
		s.keep(&it.authAnswer, answer)
	}
	answer.RequestID = c.requestID
	return answer, nil
}

type accountsGetResponse struct {
	Accounts  []accountJSON `json:"accounts"`
	Item      itemJSON      `json:"item"`
	RequestID string        `json:"request_id"`
}

// accountsGet serves /accounts/get: every account of the Item, with cached balances.
func (s *Server) accountsGet(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, accounts, e := s.accountsOf(c)
	if e != nil {
		return nil, e
	}
	return accountsGetResponse{Accounts: accountsJSON(it.inst, accounts), Item: it.json(), RequestID: c.requestID}, nil
}

// accountsBalanceGet serves /accounts/balance/get. Sandbox balances do not move, so it
// answers like /accounts/get; balance is billed per call, so the Item's products do not change.
func (s *Server) accountsBalanceGet(c *call) (any, *apiError) {
	return s.accountsGet(c)
}
