package emulator

import (
	"encoding/json"
	"slices"

	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// The fake's state: link tokens, public tokens and Items with their access tokens. Every
// method here expects s.mu to be held; the handlers take it once per request so that a request
// sees and changes the state atomically, as concurrent clients of Plaid would expect.

// Token lifetimes (CONTRACT.md "Lifetimes").
const (
	linkTokenLifetime       = 4 * time.Hour
	updateLinkTokenLifetime = 30 * time.Minute
	publicTokenLifetime     = 30 * time.Minute
)

// Sandbox credentials.
const (
	sandboxUsername = "user_good"
	sandboxPassword = "pass_good"
)

type linkToken struct {
	token        string
	created      time.Time
	expires      time.Time
	clientName   string
	language     string
	countryCodes []string
	products     []string
	// itemID is set in update mode: the Item whose login Link repairs.
	itemID string
	// accountSelection is update.account_selection_enabled: update mode shows the account
	// picker, and the Item keeps the accounts the user picks.
	accountSelection bool
	redirectURI      string
	webhook          string
	// auth is the `auth` object: the Auth flows the session offers (link_standin_flows.go).
	auth linkAuthOptions
	// accountFilters is /link/token/create's account_filters, said back by /link/token/get.
	accountFilters map[string]any
	// hostedID names the token's hosted page (link_hosted.go), "" when it has none; sessions
	// are the Link sessions opened there.
	hostedID string
	sessions []*linkSession
}

type publicToken struct {
	itemID  string
	created time.Time
	used    bool
}

type account struct {
	id string
	accountTemplate
	verification // authflows.go: the Auth flow's verification_status; zero for Instant Auth
	// currency is user_custom's currency; "" is the institution's.
	currency string
	// custom are user_custom's numbers; nil derives them from the mask and the institution.
	custom *usercustom.Numbers
	// owner is what /identity/get reports; nil is Sandbox's default owner.
	owner map[string]any
}

type item struct {
	id       string
	inst     *institution
	accounts []*account
	// offered are every account of the login, the ones Account Select in update mode offers.
	offered       []*account
	billed        []string
	webhook       *string
	accessToken   string // the current one; rotated tokens are forgotten
	loginRequired bool
	created       time.Time
	authMethod    string // authflows.go: the Auth flow that made the Item; "" for Instant Auth
	// authAnswer is its last /auth/get answer (answers.go).
	authAnswer keptAnswer
	// fixture is the fixture file that declared it (fixtures.go), "" for an Item made by calls.
	fixture string
}

// availableProducts are the institution's products the Item is not billed for yet.
func (it *item) availableProducts() []string {
	out := []string{}
	for _, p := range it.inst.products {
		if !slices.Contains(it.billed, p) {
			out = append(out, p)
		}
	}
	return out
}

// bill adds a product to the Item the first time it is used, as Plaid does when an endpoint
// of a product the Item was not created with is called.
func (it *item) bill(product string) {
	if !slices.Contains(it.billed, product) {
		it.billed = append(it.billed, product)
	}
}

// linkItem logs in at an institution and creates the Item, as the end of a Link session or
// /sandbox/public_token/create do. The order of the checks is Plaid's: the institution, the
// products it supports, its health, then the credentials.
func (s *Server) linkItem(institutionID string, products []string, username, password string, webhook *string) (*item, *apiError) {
	inst, e := checkInstitution(institutionID, products)
	if e != nil {
		return nil, e
	}
	login, e := parseLogin(username, password)
	if e != nil {
		return nil, e
	}
	return s.createItem(inst, products, login, webhook)
}

// checkInstitution is the first half of a login: the institution exists, offers the products
// and is up.
func checkInstitution(institutionID string, products []string) (*institution, *apiError) {
	inst := findInstitution(institutionID)
	if inst == nil {
		return nil, newError("INVALID_INSTITUTION")
	}
	var unsupported []string
	for _, p := range products {
		if !inst.supports(p) {
			unsupported = append(unsupported, p)
		}
	}
	if len(unsupported) > 0 {
		return nil, errorf("INVALID_PRODUCT", "the following products are not supported by this institution: %s",
			strings.Join(unsupported, ", "))
	}
	if inst.health == down {
		return nil, newError("INSTITUTION_DOWN")
	}
	return inst, nil
}

// createItem makes the Item of a login whose credentials (and MFA) passed: user_custom's
// force_error fails it ("An error code to force on Item creation"), and its accounts are the
// configuration's.
func (s *Server) createItem(inst *institution, products []string, login *sandboxLogin, webhook *string) (*item, *apiError) {
	if e := login.forcedError(); e != nil {
		return nil, e
	}
	it := s.newItem(s.plaidID(), inst, products, webhook)
	if login.custom != nil {
		it.offered = s.customAccounts(inst, login.custom)
		it.accounts = slices.Clone(it.offered)
	}
	s.applyAuthFlow(it, login.authFlow)
	s.items[it.id] = it
	return it, nil
}

// newItem is an Item at inst with user_good's accounts, billed for products.
func (s *Server) newItem(id string, inst *institution, products []string, webhook *string) *item {
	it := &item{id: id, inst: inst, billed: slices.Clone(products), webhook: webhook, created: s.now()}
	for _, t := range userGoodAccounts {
		it.offered = append(it.offered, &account{id: s.plaidID(), accountTemplate: t})
	}
	it.accounts = slices.Clone(it.offered)
	return it
}

// issuePublicToken hands out a single-use public token for the Item.
func (s *Server) issuePublicToken(it *item) string {
	token := s.mint("public-sandbox-")
	s.publicTokens[token] = &publicToken{itemID: it.id, created: s.now()}
	return token
}

// exchangePublicToken spends a public token. A token is good once, for 30 minutes; the first
// exchange for an Item gives it its access token, and later ones (update mode) return the
// same one.
func (s *Server) exchangePublicToken(token string) (*item, *apiError) {
	if e := tokenFormat(token, "public", "INVALID_PUBLIC_TOKEN"); e != nil {
		return nil, e
	}
	pt, ok := s.publicTokens[token]
	if !ok || pt.used {
		return nil, newError("INVALID_PUBLIC_TOKEN")
	}
	if !s.now().Before(pt.created.Add(publicTokenLifetime)) {
		return nil, errorf("INVALID_PUBLIC_TOKEN",
			"provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged")
	}
	it, ok := s.items[pt.itemID]
	if !ok {
		return nil, newError("INVALID_PUBLIC_TOKEN")
	}
	pt.used = true
	if it.accessToken == "" {
		s.setAccessToken(it)
	}
	return it, nil
}

// setAccessToken gives the Item a fresh access token; the old one stops working at once.
func (s *Server) setAccessToken(it *item) {
	if it.accessToken != "" {
		delete(s.accessTokens, it.accessToken)
	}
	it.accessToken = s.mint("access-sandbox-")
	s.accessTokens[it.accessToken] = it
}

// itemOf decodes the call's body into req and finds the Item its access_token names. It
// expects s.mu to be held.
func (s *Server) itemOf(c *call, req any) (*item, *apiError) {
	if e := c.decode(req); e != nil {
		return nil, e
	}
	var token string
	_ = json.Unmarshal(c.body["access_token"], &token) // checked already; absent is ""
	return s.itemFor(token)
}

// tokenFormat refuses a token that is not of kind (access, link, public) by its prefix, as
// Plaid does, with code.
func tokenFormat(token, kind, code string) *apiError {
	if strings.HasPrefix(token, kind+"-") {
		return nil
	}
	return errorf(code, "provided %s token is in an invalid format. expected format: %s-<environment>-<identifier>", kind, kind)
}

// itemFor finds the Item of an access token.
func (s *Server) itemFor(token string) (*item, *apiError) {
	if e := tokenFormat(token, "access", "INVALID_ACCESS_TOKEN"); e != nil {
		return nil, e
	}
	it, ok := s.accessTokens[token]
	if !ok {
		return nil, newError("INVALID_ACCESS_TOKEN")
	}
	return it, nil
}

// removeItem ends an Item and its access token.
func (s *Server) removeItem(it *item) {
	delete(s.accessTokens, it.accessToken)
	delete(s.items, it.id)
	for tok, pt := range s.publicTokens {
		if pt.itemID == it.id {
			delete(s.publicTokens, tok)
		}
	}
}

// linkTokenFor finds a link token that has not expired.
func (s *Server) linkTokenFor(token string) (*linkToken, *apiError) {
	if e := tokenFormat(token, "link", "INVALID_LINK_TOKEN"); e != nil {
		return nil, e
	}
	lt, ok := s.linkTokens[token]
	if !ok {
		return nil, newError("INVALID_LINK_TOKEN")
	}
	if !s.now().Before(lt.expires) {
		return nil, errorf("INVALID_LINK_TOKEN", "link token has expired")
	}
	return lt, nil
}
