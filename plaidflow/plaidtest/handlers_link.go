package plaidtest

import (
	"net/url"
	"slices"
)

type linkTokenCreateResponse struct {
	Expiration string `json:"expiration"`
	LinkToken  string `json:"link_token"`
	RequestID  string `json:"request_id"`
}

// linkTokenCreate serves /link/token/create. The token remembers its request, which the
// stand-in Link reads to know which institutions to offer and whether it runs in update mode.
func (s *Server) linkTokenCreate(c *call) (any, *apiError) {
	var req struct {
		ClientName   string   `json:"client_name"`
		Language     string   `json:"language"`
		CountryCodes []string `json:"country_codes"`
		Products     []string `json:"products"`
		Webhook      string   `json:"webhook"`
		AccessToken  string   `json:"access_token"`
		RedirectURI  string   `json:"redirect_uri"`
	}
	if e := c.body.decode(&req); e != nil {
		return nil, e
	}
	// A Link user is identified by user.client_user_id, or by a user created with the user APIs.
	if !c.body.has("user") && !c.body.has("user_id") && !c.body.has("user_token") {
		return nil, errorf("MISSING_FIELDS", "the following required fields are missing: user")
	}
	if req.AccessToken == "" && len(req.Products) == 0 {
		return nil, errorf("INVALID_FIELD", "products must contain at least one product unless access_token is provided")
	}
	if req.RedirectURI != "" {
		u, err := url.Parse(req.RedirectURI)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, errorf("INVALID_FIELD", "redirect_uri must be an absolute http(s) URI without query parameters or fragment")
		}
	}
	if req.Webhook != "" {
		if u, err := url.Parse(req.Webhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errorf("INVALID_FIELD", "webhook must be a valid URL")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	lt := &linkToken{
		token:        "link-sandbox-" + newUUID(),
		clientName:   req.ClientName,
		language:     req.Language,
		countryCodes: slices.Clone(req.CountryCodes),
		products:     slices.Clone(req.Products),
		redirectURI:  req.RedirectURI,
		webhook:      req.Webhook,
	}
	lifetime := linkTokenLifetime
	if req.AccessToken != "" {
		it, e := s.itemFor(req.AccessToken)
		if e != nil {
			return nil, e
		}
		lt.itemID = it.id
		lifetime = updateLinkTokenLifetime
	}
	lt.expires = s.now().Add(lifetime)
	s.linkTokens[lt.token] = lt
	return linkTokenCreateResponse{Expiration: rfc3339(lt.expires), LinkToken: lt.token, RequestID: c.requestID}, nil
}
