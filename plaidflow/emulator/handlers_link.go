package emulator

import (
	"net/url"
	"slices"
	"strings"
)

// WithRedirectURIs sets the allowed redirect URIs, which Plaid keeps in the Dashboard: a
// /link/token/create whose redirect_uri is not one of them, exactly, fails. Without it the
// fake allows any http URI on localhost, 127.0.0.1 or [::1], whatever the port and path, so
// that a loopback OAuth return page works out of the box.
func WithRedirectURIs(uris ...string) Option {
	return func(s *Server) { s.redirectURIs = slices.Clone(uris) }
}

// redirectURIAllowed reports whether the Dashboard of the fake lists the URI.
func (s *Server) redirectURIAllowed(uri string) bool {
	if s.redirectURIs != nil {
		return slices.Contains(s.redirectURIs, uri)
	}
	u, err := url.Parse(uri)
	return err == nil && u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1")
}

// msgRedirectURINotAllowed is Plaid's answer to a redirect_uri that is empty or not on the
// Dashboard's list (plaid/tiny-quickstart#65, plaid/plaid-postman#51).
const msgRedirectURINotAllowed = "OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris"

type linkTokenCreateResponse struct {
	Expiration    string `json:"expiration"`
	LinkToken     string `json:"link_token"`
	RequestID     string `json:"request_id"`
	HostedLinkURL string `json:"hosted_link_url,omitempty"`
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
		Update       struct {
			AccountSelectionEnabled bool `json:"account_selection_enabled"`
		} `json:"update"`
		Auth       linkAuthOptions `json:"auth"`
		HostedLink *hostedOptions  `json:"hosted_link"`
		// AccountFilters is said back by /link/token/get as it came (plaid-node
		// test/linkTokens.spec.ts, plaid-python tests/integration/test_link_token.py).
		AccountFilters map[string]any `json:"account_filters"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	// A Link user is identified by user.client_user_id, or by a user created with the user APIs.
	if !c.body.has("user") && !c.body.has("user_id") && !c.body.has("user_token") {
		return nil, errorf("MISSING_FIELDS", "the following required fields are missing: user")
	}
	if req.AccessToken == "" && len(req.Products) == 0 {
		return nil, errorf("INVALID_FIELD", "products must contain at least one product unless access_token is provided")
	}
	var notLink []string
	for _, p := range req.Products {
		if !slices.Contains(linkProductEnum, p) {
			notLink = append(notLink, p)
		}
	}
	if len(notLink) > 0 {
		return nil, errorf("INVALID_FIELD", "provided product is not supported as an initial product: %s", strings.Join(notLink, ", "))
	}
	if c.body.has("redirect_uri") {
		u, err := url.Parse(req.RedirectURI)
		if req.RedirectURI != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "") {
			return nil, errorf("INVALID_FIELD", "redirect_uri must be an absolute http(s) URI without query parameters or fragment")
		}
		if !s.redirectURIAllowed(req.RedirectURI) {
			return nil, errorf("INVALID_FIELD", msgRedirectURINotAllowed)
		}
	}
	if e := s.dashboard.check(c, req.Products); e != nil {
		return nil, e
	}
	if req.Webhook != "" {
		if u, err := url.Parse(req.Webhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errorf("INVALID_FIELD", "webhook must be a non-empty string URL")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	lt := &linkToken{
		token:          s.mint("link-sandbox-"),
		created:        s.now(),
		clientName:     req.ClientName,
		language:       req.Language,
		countryCodes:   slices.Clone(req.CountryCodes),
		products:       slices.Clone(req.Products),
		redirectURI:    req.RedirectURI,
		webhook:        req.Webhook,
		auth:           req.Auth,
		accountFilters: req.AccountFilters,
	}
	lifetime := linkTokenLifetime
	if req.AccessToken != "" {
		it, e := s.itemFor(req.AccessToken)
		if e != nil {
			return nil, e
		}
		lt.itemID = it.id
		lt.accountSelection = req.Update.AccountSelectionEnabled
		lifetime = updateLinkTokenLifetime
	}
	lt.expires = lt.created.Add(lifetime)
	var hostedURL string
	if req.HostedLink != nil {
		hostedURL = s.makeHosted(lt, *req.HostedLink, s.baseURL(c)) // link_hosted.go
	}
	s.linkTokens[lt.token] = lt
	return linkTokenCreateResponse{Expiration: rfc3339(lt.expires), LinkToken: lt.token, RequestID: c.requestID, HostedLinkURL: hostedURL}, nil
}

type linkTokenGetMetadata struct {
	ClientName      *string  `json:"client_name"`
	CountryCodes    []string `json:"country_codes"`
	InitialProducts []string `json:"initial_products"`
	Language        *string  `json:"language"`
	RedirectURI     *string  `json:"redirect_uri"`
	Webhook         *string  `json:"webhook"`
	// AccountFilters are /link/token/create's, when it had some.
	AccountFilters map[string]any `json:"account_filters,omitempty"`
}

type linkTokenGetResponse struct {
	CreatedAt  string               `json:"created_at"`
	Expiration string               `json:"expiration"`
	LinkToken  string               `json:"link_token"`
	Metadata   linkTokenGetMetadata `json:"metadata"`
	RequestID  string               `json:"request_id"`
	// LinkSessions are a hosted token's sessions (link_hosted.go); absent for others.
	LinkSessions []map[string]any `json:"link_sessions,omitempty"`
}

// linkTokenGet serves /link/token/get: the link token's request as /link/token/create took
// it. An expired token is still known to /link/token/get, which exists to inspect tokens
// after the fact; only an unknown one is INVALID_LINK_TOKEN. Link sessions are reported for a
// Hosted Link token (link_hosted.go), whose sessions the fake records; for others it leaves out
// link_sessions, which the spec marks optional.
func (s *Server) linkTokenGet(c *call) (any, *apiError) {
	var req struct {
		LinkToken string `json:"link_token"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(req.LinkToken, "link-") {
		return nil, errorf("INVALID_LINK_TOKEN",
			"provided link token is in an invalid format. expected format: link-<environment>-<identifier>")
	}
	lt, ok := s.linkTokens[req.LinkToken]
	if !ok {
		return nil, newError("INVALID_LINK_TOKEN")
	}
	products := slices.Clone(lt.products)
	if products == nil {
		products = []string{}
	}
	return linkTokenGetResponse{
		CreatedAt:  rfc3339(lt.created),
		Expiration: rfc3339(lt.expires),
		LinkToken:  lt.token,
		Metadata: linkTokenGetMetadata{
			ClientName:      nullable(lt.clientName),
			CountryCodes:    slices.Clone(lt.countryCodes),
			InitialProducts: products,
			Language:        nullable(lt.language),
			RedirectURI:     nullable(lt.redirectURI),
			Webhook:         nullable(lt.webhook),
			AccountFilters:  lt.accountFilters,
		},
		RequestID:    c.requestID,
		LinkSessions: s.hostedSessions(lt),
	}, nil
}
