package emulator

import "slices"

type publicTokenCreateResponse struct {
	PublicToken string `json:"public_token"`
	RequestID   string `json:"request_id"`
}

// sandboxItemRequest is the body of the Sandbox calls that make an Item without Link
// (/sandbox/public_token/create, /sandbox/processor_token/create, which has no
// initial_products and no webhook).
type sandboxItemRequest struct {
	InstitutionID   string   `json:"institution_id"`
	InitialProducts []string `json:"initial_products"`
	Options         struct {
		Webhook          string  `json:"webhook"`
		OverrideUsername *string `json:"override_username"`
		OverridePassword *string `json:"override_password"`
	} `json:"options"`
}

// sandboxItem makes the Item a Sandbox call's body asks for, with products (nil: the body's
// initial_products), logging in with the body's credentials or else Sandbox's user_good. It
// expects s.mu to be held.
func (s *Server) sandboxItem(c *call, products []string) (*item, *apiError) {
	var req sandboxItemRequest
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if products == nil {
		products = req.InitialProducts
	}
	username, password := sandboxCredentials(req.Options.OverrideUsername, req.Options.OverridePassword)
	return s.linkItem(req.InstitutionID, products, username, password, nullable(req.Options.Webhook))
}

// sandboxPublicTokenCreate serves /sandbox/public_token/create: a Link session without Link,
// through the same code as the stand-in Link UI, so that test passwords fail the same way.
func (s *Server) sandboxPublicTokenCreate(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.sandboxItem(c, nil)
	if e != nil {
		return nil, e
	}
	return publicTokenCreateResponse{PublicToken: s.issuePublicToken(it), RequestID: c.requestID}, nil
}

type exchangeResponse struct {
	AccessToken string `json:"access_token"`
	ItemID      string `json:"item_id"`
	RequestID   string `json:"request_id"`
}

func (s *Server) itemPublicTokenExchange(c *call) (any, *apiError) {
	var req struct {
		PublicToken string `json:"public_token"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.exchangePublicToken(req.PublicToken)
	if e != nil {
		return nil, e
	}
	return exchangeResponse{AccessToken: it.accessToken, ItemID: it.id, RequestID: c.requestID}, nil
}

// accessTokenRequest is the body of the endpoints that take only an access token.
type accessTokenRequest struct {
	AccessToken string `json:"access_token"`
}

// withItem decodes an access-token request and runs fn on its Item with the lock held.
func (s *Server) withItem(c *call, fn func(it *item) (any, *apiError)) (any, *apiError) {
	var req accessTokenRequest
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.itemOf(c, &req)
	if e != nil {
		return nil, e
	}
	return fn(it)
}

type itemGetResponse struct {
	Item      itemJSON   `json:"item"`
	RequestID string     `json:"request_id"`
	Status    itemStatus `json:"status"` // item_status.go
}

// itemGet serves /item/get. Unlike the data endpoints it answers for an Item whose login
// must be repaired, and says so in item.error, as Plaid does.
func (s *Server) itemGet(c *call) (any, *apiError) {
	return s.withItem(c, func(it *item) (any, *apiError) {
		j := it.json()
		j.CreatedAt = rfc3339(it.created)
		// consented_products is sent by /item/get only; Plaid's example answer lists the
		// Item's products there.
		j.ConsentedProducts = slices.Clone(j.Products)
		if it.loginRequired {
			b := newError("ITEM_LOGIN_REQUIRED").body("")
			j.Error = &b
		}
		return itemGetResponse{Item: j, RequestID: c.requestID, Status: it.status()}, nil
	})
}

type requestIDResponse struct {
	RequestID string `json:"request_id"`
}

func (s *Server) itemRemove(c *call) (any, *apiError) {
	return s.withItem(c, func(it *item) (any, *apiError) {
		s.removeItem(it)
		return requestIDResponse{RequestID: c.requestID}, nil
	})
}

type invalidateResponse struct {
	NewAccessToken string `json:"new_access_token"`
	RequestID      string `json:"request_id"`
}

func (s *Server) itemAccessTokenInvalidate(c *call) (any, *apiError) {
	return s.withItem(c, func(it *item) (any, *apiError) {
		s.setAccessToken(it)
		return invalidateResponse{NewAccessToken: it.accessToken, RequestID: c.requestID}, nil
	})
}

type resetLoginResponse struct {
	RequestID  string `json:"request_id"`
	ResetLogin bool   `json:"reset_login"`
}

// sandboxItemResetLogin puts the Item in ITEM_LOGIN_REQUIRED until Link in update mode
// repairs it.
func (s *Server) sandboxItemResetLogin(c *call) (any, *apiError) {
	return s.withItem(c, func(it *item) (any, *apiError) {
		it.loginRequired = true
		s.itemErrorWebhook(it, "ITEM_LOGIN_REQUIRED")
		return resetLoginResponse{RequestID: c.requestID, ResetLogin: true}, nil
	})
}

// sandboxCredentials are the login a Sandbox Item is made with: user_good / pass_good unless
// the request overrides them (override_username, override_password), as Plaid's
// /sandbox/public_token/create and /sandbox/processor_token/create allow.
func sandboxCredentials(overrideUsername, overridePassword *string) (username, password string) {
	username, password = sandboxUsername, sandboxPassword
	if overrideUsername != nil {
		username = *overrideUsername
	}
	if overridePassword != nil {
		password = *overridePassword
	}
	return username, password
}
