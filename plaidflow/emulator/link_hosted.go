package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Hosted Link, as Plaid documents it (https://plaid.com/docs/link/hosted-link/): a
// /link/token/create with a hosted_link object answers a hosted_link_url too, a page that runs
// Link by itself; /link/token/get then reports the token's link_sessions, each with its
// results.item_add_results[].public_token once the user finished, or its exit; and a token
// made with a webhook gets the LINK webhooks ITEM_ADD_RESULT and SESSION_FINISHED
// (https://plaid.com/docs/api/link/#linktokenget,
// https://plaid.com/docs/api/link/#session_finished). The hosted page is the emulator's own
// web page, on its own origin: it runs the stand-in Link, and its calls are the stand-in's, from
// that origin, so the API's Host and Origin rules (callers.go) stay as they are.

// hostedPath is where the hosted pages live: hostedPath + "/" + the page's id.
const hostedPath = "/hl"

// WithoutHostedLink makes the emulator answer /link/token/create as Plaid does for a team it
// has not enabled Hosted Link for: a Link token and no hosted_link_url, and no error
// (plaid/plaid-python#524).
func WithoutHostedLink() Option {
	return func(s *Server) { s.noHostedLink = true }
}

// hostedOptions is the hosted_link object of /link/token/create.
type hostedOptions struct {
	CompletionRedirectURI string `json:"completion_redirect_uri"`
	URLLifetimeSeconds    int    `json:"url_lifetime_seconds"`
	IsMobileApp           bool   `json:"is_mobile_app"`
}

// linkSession is one Link session of a hosted link token: opened on the hosted page, finished
// with an Item (publicToken) or an exit.
type linkSession struct {
	id          string
	started     time.Time
	finished    time.Time
	publicToken string
	itemID      string
	exitStatus  string
	exitError   *linkExitError
}

type linkExitError struct {
	ErrorType      string `json:"error_type"`
	ErrorCode      string `json:"error_code"`
	ErrorMessage   string `json:"error_message"`
	DisplayMessage string `json:"display_message"`
}

// makeHosted gives lt its hosted page, unless the emulator plays a team without Hosted Link;
// it returns the hosted_link_url ("" for none). It expects s.mu to be held.
func (s *Server) makeHosted(lt *linkToken, opts hostedOptions, base string) string {
	if s.noHostedLink {
		return ""
	}
	lt.hostedID = strings.TrimPrefix(s.mint("hl-sandbox-"), "hl-sandbox-")
	if opts.URLLifetimeSeconds > 0 {
		lt.expires = lt.created.Add(time.Duration(opts.URLLifetimeSeconds) * time.Second)
	}
	return base + hostedPath + "/" + lt.hostedID
}

// hostedToken finds the link token of a hosted page. It expects s.mu to be held.
func (s *Server) hostedToken(id string) *linkToken {
	if id == "" {
		return nil
	}
	for _, lt := range s.linkTokens {
		if lt.hostedID == id {
			return lt
		}
	}
	return nil
}

// serveHosted serves a hosted page: the document of any known page id; it finds its link token
// itself with the hosted/open call.
func (s *Server) serveHosted(w http.ResponseWriter, r *http.Request) {
	if !pageMethod(w, r) {
		return
	}
	id := strings.TrimPrefix(r.URL.Path, hostedPath+"/")
	s.mu.Lock()
	lt := s.hostedToken(id)
	s.mu.Unlock()
	if lt == nil || strings.Contains(id, "/") {
		http.Error(w, "This Hosted Link URL is not known here (the emulator forgets its links when it restarts).", http.StatusNotFound)
		return
	}
	// Its own script and the stand-in SDK, both from this origin; it frames the stand-in's page.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"connect-src 'self'; frame-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveAsset(w, "assets/hosted.html", "text/html; charset=utf-8")
}

// standInHostedOpen starts a Link session on a hosted page (req.Token is the page's id): the
// page gets the link token to open the stand-in Link with.
func (s *Server) standInHostedOpen(req standInRequest) (any, *apiError) {
	lt := s.hostedToken(req.Token)
	if lt == nil {
		return nil, errorf("INVALID_LINK_TOKEN", "this Hosted Link URL is not known")
	}
	if _, e := s.linkTokenFor(lt.token); e != nil {
		return nil, e // expired: the page says so
	}
	ls := &linkSession{id: s.uuid(), started: s.now()}
	lt.sessions = append(lt.sessions, ls)
	return map[string]any{"link_token": lt.token, "link_session_id": ls.id}, nil
}

// openSession is the hosted session of lt still open, nil when none (or lt is not hosted).
func (lt *linkToken) openSession() *linkSession {
	for i := len(lt.sessions) - 1; i >= 0; i-- {
		if lt.sessions[i].finished.IsZero() {
			return lt.sessions[i]
		}
	}
	return nil
}

// hostedSucceeded records the Item a hosted session added, and sends its webhooks. It expects
// s.mu to be held.
func (s *Server) hostedSucceeded(lt *linkToken, it *item, publicToken string) {
	ls := lt.openSession()
	if ls == nil {
		return
	}
	ls.finished, ls.publicToken, ls.itemID = s.now(), publicToken, it.id
	if lt.webhook == "" {
		return
	}
	s.sendWebhookTo(lt.webhook, map[string]any{"webhook_type": "LINK", "webhook_code": "ITEM_ADD_RESULT",
		"link_session_id": ls.id, "link_token": lt.token, "public_token": publicToken})
	s.sendWebhookTo(lt.webhook, map[string]any{"webhook_type": "LINK", "webhook_code": "SESSION_FINISHED",
		"status": "SUCCESS", "link_session_id": ls.id, "link_token": lt.token,
		"public_token": publicToken, "public_tokens": []string{publicToken}})
}

// standInHostedExit records that the user closed Link on the hosted page (with Link's error,
// when it showed one), and sends SESSION_FINISHED with status EXITED.
func (s *Server) standInHostedExit(req standInRequest) (any, *apiError) {
	lt := s.hostedToken(req.Token)
	if lt == nil {
		return nil, errorf("INVALID_LINK_TOKEN", "this Hosted Link URL is not known")
	}
	ls := lt.openSession()
	if ls == nil {
		return map[string]any{}, nil // finished already
	}
	ls.finished, ls.exitStatus = s.now(), req.Status
	if req.ErrorCode != "" {
		ls.exitError = &linkExitError{ErrorType: req.ErrorType, ErrorCode: req.ErrorCode, ErrorMessage: req.ErrorMessage, DisplayMessage: req.DisplayMessage}
	}
	if lt.webhook != "" {
		s.sendWebhookTo(lt.webhook, map[string]any{"webhook_type": "LINK", "webhook_code": "SESSION_FINISHED",
			"status": "EXITED", "link_session_id": ls.id, "link_token": lt.token, "public_tokens": []string{}})
	}
	return map[string]any{}, nil
}

// hostedSessions is /link/token/get's link_sessions for lt (nil when it is not hosted): each
// with its results and, once it ended without an Item, its exit.
func (s *Server) hostedSessions(lt *linkToken) []map[string]any {
	var out []map[string]any
	for _, ls := range lt.sessions {
		m := map[string]any{"link_session_id": ls.id, "started_at": rfc3339(ls.started), "finished_at": nil}
		if !ls.finished.IsZero() {
			m["finished_at"] = rfc3339(ls.finished)
		}
		adds := []map[string]any{}
		if ls.publicToken != "" {
			add := map[string]any{"public_token": ls.publicToken, "accounts": []any{}, "institution": nil}
			if it, ok := s.items[ls.itemID]; ok {
				add["institution"] = map[string]any{"name": it.inst.name, "institution_id": it.inst.id}
				var accts []any
				for _, a := range it.accounts {
					accts = append(accts, map[string]any{"id": a.id, "name": a.name, "mask": a.mask, "type": a.typ, "subtype": a.subtype})
				}
				add["accounts"] = accts
			}
			adds = append(adds, add)
		}
		if !ls.finished.IsZero() {
			m["results"] = map[string]any{"item_add_results": adds, "cra_item_add_results": []any{}, "cra_update_results": []any{},
				"bank_income_results": []any{}, "payroll_income_results": []any{}, "document_income_results": nil}
		}
		if !ls.finished.IsZero() && ls.publicToken == "" {
			var e any
			if ls.exitError != nil {
				e = ls.exitError
			}
			m["exit"] = map[string]any{"error": e, "metadata": map[string]any{
				"status": nullable(ls.exitStatus), "link_session_id": ls.id, "institution": nil, "request_id": s.requestID()}}
		}
		out = append(out, m)
	}
	return out
}
