package emulator

import "slices"

type processorTokenResponse struct {
	ProcessorToken string `json:"processor_token"`
	RequestID      string `json:"request_id"`
}

// processorAccount finds the account a processor endpoint names, on an Item whose login works.
func (s *Server) processorAccount(accessToken, accountID string) (*item, *apiError) {
	it, e := s.itemFor(accessToken)
	if e != nil {
		return nil, e
	}
	if it.loginRequired {
		return nil, newError("ITEM_LOGIN_REQUIRED")
	}
	if !slices.ContainsFunc(it.accounts, func(a *account) bool { return a.id == accountID }) {
		return nil, newError("INVALID_ACCOUNT_ID")
	}
	return it, nil
}

// newProcessorToken is a processor token as Plaid writes them: processor-sandbox-<uuid> (the
// spec's examples of /processor/token/create and /sandbox/processor_token/create). It expects
// s.mu to be held.
func (s *Server) newProcessorToken() string { return s.mint("processor-sandbox-") }

// checkProcessorAccount checks the Item's account a processor token call names. It expects
// s.mu to be held.
func (s *Server) checkProcessorAccount(c *call) *apiError {
	var req struct {
		AccessToken string `json:"access_token"`
		AccountID   string `json:"account_id"`
	}
	if e := c.decode(&req); e != nil {
		return e
	}
	_, e := s.processorAccount(req.AccessToken, req.AccountID)
	return e
}

// processorTokenCreate serves /processor/token/create. The processor must be one of the
// spec's enum; the request check refuses any other with INVALID_FIELD before this runs.
func (s *Server) processorTokenCreate(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkProcessorAccount(c); e != nil {
		return nil, e
	}
	return processorTokenResponse{ProcessorToken: s.newProcessorToken(), RequestID: c.requestID}, nil
}

type stripeTokenResponse struct {
	RequestID              string `json:"request_id"`
	StripeBankAccountToken string `json:"stripe_bank_account_token"`
}

// processorStripeBankAccountTokenCreate serves /processor/stripe/bank_account_token/create:
// a Stripe bank account token, btok_ and 20 alphanumerics like the spec's example
// (btok_5oEetfLzPklE1fwJZ7SG).
func (s *Server) processorStripeBankAccountTokenCreate(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkProcessorAccount(c); e != nil {
		return nil, e
	}
	return stripeTokenResponse{RequestID: c.requestID, StripeBankAccountToken: s.remember("btok_" + s.alphanumerics(20))}, nil
}

// sandboxProcessorTokenCreate serves /sandbox/processor_token/create: "a valid
// processor_token for an arbitrary institution ID and test credentials", which "corresponds
// to a new Sandbox Item" (the spec). The Item is made as /sandbox/public_token/create makes
// one, with the auth product, so test passwords fail the same way.
func (s *Server) sandboxProcessorTokenCreate(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.sandboxItem(c, []string{"auth"}); e != nil {
		return nil, e
	}
	return processorTokenResponse{ProcessorToken: s.newProcessorToken(), RequestID: c.requestID}, nil
}
