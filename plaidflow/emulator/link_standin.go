package emulator

import (
	"embed"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The stand-in Link web SDK (see the package documentation for what it shows and the hooks
// for tests). The iframe talks only to its own origin, under standInPath: session (what the
// link token allows), login (credentials, through the same code as
// /sandbox/public_token/create) and finish (the public token for onSuccess). These calls need
// no API keys, as Link needs none: the link token is the credential.

const (
	sdkPath     = "/link/v2/stable/link-initialize.js"
	standInPath = "/link/stand-in"
)

//go:embed assets
var assets embed.FS

// LinkScriptURL is the URL of the stand-in link-initialize.js.
func (s *Server) LinkScriptURL() string { return s.URL + sdkPath }

// pageMethod answers anything but GET or HEAD for one of the emulator's pages (the SDK, the
// stand-in and hosted Link documents, the OAuth bank's page) with 405, and reports whether the
// request may go on.
func pageMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func (s *Server) serveSDK(w http.ResponseWriter, r *http.Request) {
	if !pageMethod(w, r) {
		return
	}
	// The embedding page lives on another origin; let it load the script even under a
	// Cross-Origin-Embedder-Policy.
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	serveAsset(w, "assets/link-initialize.js", "text/javascript; charset=utf-8")
}

func serveAsset(w http.ResponseWriter, name, contentType string) {
	b, err := assets.ReadFile(name)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

func (s *Server) serveStandIn(w http.ResponseWriter, r *http.Request) {
	sub := strings.TrimPrefix(r.URL.Path, standInPath)
	if call, ok := standInCalls[sub]; ok {
		s.standInCall(w, r, func(req standInRequest) (any, *apiError) { return call(s, req) })
		return
	}
	if a, ok := standInAssets[sub]; ok {
		serveAsset(w, a.file, a.contentType)
		return
	}
	switch sub {
	case "":
		s.serveStandInPage(w, r)
	case "/oauth/bank":
		s.serveOAuthBankPage(w, r)
	default:
		http.NotFound(w, r)
	}
}

// standInCalls are the iframe's calls, by path under standInPath. Each runs with s.mu held.
var standInCalls = map[string]func(*Server, standInRequest) (any, *apiError){
	"/session":         (*Server).standInSession,
	"/login":           (*Server).standInLogin,
	"/mfa":             (*Server).standInMFA,
	"/numbers":         (*Server).standInNumbers,
	"/manual":          (*Server).standInManual,
	"/code":            (*Server).standInCode,
	"/finish":          (*Server).standInFinish,
	"/hosted/open":     (*Server).standInHostedOpen, // link_hosted.go
	"/hosted/exit":     (*Server).standInHostedExit,
	"/oauth/start":     (*Server).standInOAuthStart,
	"/oauth/resume":    (*Server).standInOAuthResume,
	"/oauth/authorize": (*Server).standInOAuthAuthorize,
}

// standInAssets are the stand-in's scripts and style sheet, by path under standInPath.
var standInAssets = map[string]struct{ file, contentType string }{
	"/app.js":        {"assets/standin.js", "text/javascript; charset=utf-8"},
	"/app.css":       {"assets/standin.css", "text/css; charset=utf-8"},
	"/oauth/bank.js": {"assets/oauthbank.js", "text/javascript; charset=utf-8"},
	"/hosted.js":     {"assets/hosted.js", "text/javascript; charset=utf-8"},
}

// serveStandInPage serves the iframe document. Only the embedding page's origin, passed by the
// SDK, may frame it; the page runs only its own script and style.
func (s *Server) serveStandInPage(w http.ResponseWriter, r *http.Request) {
	if !pageMethod(w, r) {
		return
	}
	parent, ok := webOrigin(r.URL.Query().Get("origin"))
	if !ok {
		http.Error(w, "the origin parameter must be the embedding page's origin", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors "+parent)
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveAsset(w, "assets/standin.html", "text/html; charset=utf-8")
}

// webOrigin reports whether s is a bare http(s) origin, and returns it normalized.
func webOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		strings.ContainsAny(u.Host, " ;'\"") {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

// standInCall runs one of the iframe's calls, with s.mu held. They come from the iframe's own
// origin as JSON; anything else (a form posted from another site, say) is refused before the
// handler runs.
func (s *Server) standInCall(w http.ResponseWriter, r *http.Request, fn func(req standInRequest) (any, *apiError)) {
	requestID := s.requestID()
	if r.Method != http.MethodPost {
		writeError(w, newError("NOT_FOUND"), requestID)
		return
	}
	// Its own origin by any name it answers to: a browser in another container loads the
	// stand-in from the name given with --host, not from 127.0.0.1.
	if origin := r.Header.Get("Origin"); !s.isOwnOrigin(origin) || !isJSON(r.Header.Get("Content-Type")) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var req standInRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, newError("INVALID_BODY"), requestID)
		return
	}
	resp, e := func() (any, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.stateGen++ // Link changes Items: answers kept before are stale (answers.go)
		return fn(req)
	}()
	s.stateChanged() // state.go: kept before the page hears the answer
	if e != nil {
		writeError(w, e, requestID)
		return
	}
	writeAnswer(w, http.StatusOK, map[string]any{"request_id": requestID, "data": resp}, requestID)
}

// pendingLogin finds the link token that a call of the iframe names and the Item of the login
// under way in its session. It expects s.mu to be held.
func (s *Server) pendingLogin(req standInRequest) (*linkToken, *item, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, nil, e
	}
	pl, ok := s.logins[req.Login]
	if !ok || pl.linkToken != req.Token {
		return nil, nil, errorf("INVALID_FIELD", "login is not a pending login of this link token")
	}
	it, ok := s.items[pl.itemID]
	if !ok {
		return nil, nil, newError("ITEM_NOT_FOUND")
	}
	return lt, it, nil
}

type standInRequest struct {
	Token         string   `json:"token"`
	InstitutionID string   `json:"institution_id"`
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	Login         string   `json:"login"`
	AccountIDs    []string `json:"account_ids"`
	// Answers are the answers to an MFA round, in the order of its questions.
	Answers []string `json:"answers"`
	// OAuth institutions (link_oauth.go).
	LinkSessionID       string `json:"link_session_id"`
	OAuthStateID        string `json:"oauth_state_id"`
	ReceivedRedirectURI string `json:"received_redirect_uri"`
	// Numbers typed in the Auth flow panes (link_standin_flows.go).
	Routing     string `json:"routing"`
	Account     string `json:"account"`
	Name        string `json:"name"`
	AccountType string `json:"account_type"`
	Code        string `json:"code"`
	// A hosted page's exit (link_hosted.go): Link's exit status and error.
	Status         string `json:"status"`
	ErrorType      string `json:"error_type"`
	ErrorCode      string `json:"error_code"`
	ErrorMessage   string `json:"error_message"`
	DisplayMessage string `json:"display_message"`
}

type standInInstitution struct {
	ID     string `json:"institution_id"`
	Name   string `json:"name"`
	Color  string `json:"color"`
	OAuth  bool   `json:"oauth"`
	Health string `json:"health"`
	// Country is shown beside the name when Link offers several countries.
	Country string `json:"country"`
}

func (in *institution) standIn() standInInstitution {
	return standInInstitution{ID: in.id, Name: in.name, Color: in.color, OAuth: in.oauth, Health: in.health, Country: in.country}
}

type standInAccount struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Mask      string   `json:"mask"`
	Type      string   `json:"type"`
	Subtype   string   `json:"subtype"`
	Available *float64 `json:"available"`
	Currency  string   `json:"currency"`
	// Selected is whether the picker starts with the account ticked: in update mode with
	// Account Select, the accounts the Item has now.
	Selected bool `json:"selected"`
}

// displayClientName is what Link shows for client_name: names over 30 characters are
// replaced, as the spec says Link does.
func displayClientName(name string) string {
	if len([]rune(name)) > 30 {
		return "This Application"
	}
	return name
}

// standInSession tells the iframe what the link token allows: the institutions of its
// countries that offer its products, or, in update mode, the Item's institution.
func (s *Server) standInSession(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	resp := map[string]any{
		"client_name": displayClientName(lt.clientName),
		"update":      nil,
		// OAuth banks leave for the redirect URI when there is one, else use a pop-up.
		"oauth_redirect": lt.redirectURI != "",
		// The first Link session's id comes from the emulator, so that a seed pins it too
		// (seed.go); a page that opens Link again makes its own.
		"link_session_id": s.uuid(),
	}
	if lt.itemID != "" {
		it, ok := s.items[lt.itemID]
		if !ok {
			return nil, newError("INVALID_ACCESS_TOKEN")
		}
		resp["update"] = it.inst.standIn()
		resp["institutions"] = []standInInstitution{it.inst.standIn()}
		s.flowSession(lt, resp)
		return resp, nil
	}
	list := []standInInstitution{}
	for _, in := range institutions {
		if !slices.Contains(lt.countryCodes, in.country) {
			continue
		}
		if !slices.ContainsFunc(lt.products, func(p string) bool { return !in.supports(p) }) {
			list = append(list, in.standIn())
		}
	}
	resp["institutions"] = list
	s.flowSession(lt, resp)
	return resp, nil
}

// pendingLogin is a login that succeeded in the iframe and waits for the account selection.
type pendingLogin struct {
	linkToken string
	itemID    string
}

// standInLogin checks the credentials. A new Link session creates the Item, through the same
// code as /sandbox/public_token/create; update mode checks them against the Item's
// institution. A user with an MFA step gets its first round instead (see standInMFA).
func (s *Server) standInLogin(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	var inst *institution
	if lt.itemID != "" {
		it, ok := s.items[lt.itemID]
		if !ok {
			return nil, newError("INVALID_ACCESS_TOKEN")
		}
		if it.inst.health == down {
			return nil, newError("INSTITUTION_DOWN")
		}
		inst = it.inst
	} else {
		// Link offers only the institutions of the link token's countries.
		if in := findInstitution(req.InstitutionID); in == nil || !slices.Contains(lt.countryCodes, in.country) {
			return nil, newError("INVALID_INSTITUTION")
		}
		if inst, e = checkInstitution(req.InstitutionID, lt.products); e != nil {
			return nil, e
		}
		if e := s.checkOAuthLogin(lt, req); e != nil {
			return nil, e
		}
	}
	login, e := parseLogin(req.Username, req.Password)
	if e != nil {
		return nil, e
	}
	if login.mfa != nil {
		return s.startMFA(lt, inst, login), nil
	}
	return s.loggedIn(lt, inst, login)
}

// loggedIn ends a login whose credentials (and MFA) passed: a new session makes the Item, update
// mode finds it; then the accounts to choose from go back to the iframe.
func (s *Server) loggedIn(lt *linkToken, inst *institution, login *sandboxLogin) (any, *apiError) {
	var it *item
	if lt.itemID != "" {
		var ok bool
		if it, ok = s.items[lt.itemID]; !ok {
			return nil, newError("INVALID_ACCESS_TOKEN")
		}
	} else {
		var e *apiError
		if it, e = s.createItem(inst, lt.products, login, nullable(lt.webhook)); e != nil {
			return nil, e
		}
	}
	id := s.alphanumerics(24)
	s.logins[id] = &pendingLogin{linkToken: lt.token, itemID: it.id}
	accounts := []standInAccount{}
	offer := it.accounts
	if lt.accountSelection {
		offer = it.offered // Account Select in update mode offers every account of the login
	}
	for _, a := range offer {
		if slices.Contains(lt.products, "auth") && !a.authEligible() {
			continue
		}
		accounts = append(accounts, standInAccount{ID: a.id, Name: a.name, Mask: a.mask, Type: a.typ,
			Subtype: a.subtype, Available: a.available, Currency: a.json(it.inst.currency()).currencyCode(),
			Selected: slices.Contains(it.accounts, a)})
	}
	resp := map[string]any{"login": id, "institution": it.inst.standIn(), "accounts": accounts,
		"update": lt.itemID != "", "account_select": lt.accountSelection}
	s.flowLogin(lt, it, resp)
	return resp, nil
}

// standInFinish ends a successful Link session: the Item keeps the accounts the user chose
// (as with Plaid's Account Select), an Item repaired in update mode works again, and a public
// token comes back for onSuccess.
func (s *Server) standInFinish(req standInRequest) (any, *apiError) {
	lt, it, e := s.pendingLogin(req)
	if e != nil {
		return nil, e
	}
	if it.accessToken == "" || lt.accountSelection { // a new Item, or Account Select: keep the chosen accounts
		var kept []*account
		for _, a := range it.offered {
			if slices.Contains(req.AccountIDs, a.id) {
				kept = append(kept, a)
			}
		}
		if len(kept) == 0 {
			return nil, errorf("INVALID_ACCOUNT_ID", "select at least one account")
		}
		it.accounts = kept
	}
	it.loginRequired = false
	delete(s.logins, req.Login)
	pub := s.issuePublicToken(it)
	s.hostedSucceeded(lt, it, pub) // link_hosted.go: a hosted page's session has its Item
	return map[string]any{"public_token": pub}, nil
}
