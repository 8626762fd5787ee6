package emulator

import (
	"html/template"
	"net/http"
	"net/url"
	"time"
)

// OAuth institutions in the stand-in Link, as Plaid's OAuth guide describes them for the web
// (https://plaid.com/docs/link/oauth/): with a link token made with a redirect_uri, choosing an
// OAuth bank (Sandbox's Platypus OAuth Bank, ins_127287) sends the browser away, and back to
// the redirect_uri with ?oauth_state_id=…; the page there re-creates Link with the same link
// token and receivedRedirectUri, and only that resumed Link finishes. Without a redirect_uri,
// desktop Link completes the bank in a pop-up window instead, never leaving the page. Here the
// bank's own pages are left out: the user logs in to the bank in the resumed Link (or in the
// pop-up), with the Sandbox credentials.

// oauthStateLifetime bounds an OAuth state: a user who leaves for the bank comes back within
// minutes, and a link token lives 4 hours anyway.
const oauthStateLifetime = 30 * time.Minute

// oauthState is one trip to an OAuth bank, keyed by its oauth_state_id.
type oauthState struct {
	linkToken     string
	institutionID string
	linkSessionID string // the session resumes under the same id, as Link's does
	created       time.Time
	popup         bool // the pop-up way (no redirect_uri); authorized when the user allowed it there
	authorized    bool
}

// standInOAuthStart is the user choosing an OAuth bank: it records the trip and says where the
// browser goes: the redirect URI with the oauth_state_id, or, for a link token without one,
// the bank's pop-up.
func (s *Server) standInOAuthStart(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	inst := findInstitution(req.InstitutionID)
	if inst == nil || !inst.oauth {
		return nil, errorf("INVALID_INSTITUTION", "%s is not an OAuth institution", req.InstitutionID)
	}
	if s.oauthStates == nil {
		s.oauthStates = map[string]*oauthState{}
	}
	id := s.uuid()
	st := &oauthState{linkToken: lt.token, institutionID: inst.id, linkSessionID: req.LinkSessionID, created: s.now(), popup: lt.redirectURI == ""}
	s.oauthStates[id] = st
	if st.popup {
		return map[string]any{"oauth_state_id": id, "popup_url": s.URL + standInPath + "/oauth/bank?oauth_state_id=" + id}, nil
	}
	return map[string]any{"oauth_state_id": id, "redirect_url": lt.redirectURI + "?oauth_state_id=" + url.QueryEscape(id)}, nil
}

// standInOAuthResume is Link re-created with receivedRedirectUri: it must be the link token's
// redirect URI carrying an oauth_state_id this link token started. It answers the bank and the
// session to resume.
func (s *Server) standInOAuthResume(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	if lt.redirectURI == "" {
		return nil, errorf("INVALID_FIELD", "receivedRedirectUri was given, but the link token was created without a redirect_uri")
	}
	u, err := url.Parse(req.ReceivedRedirectURI)
	if err != nil {
		return nil, errorf("INVALID_FIELD", "receivedRedirectUri is not a URL")
	}
	id := u.Query().Get("oauth_state_id")
	base := *u
	base.RawQuery, base.Fragment = "", ""
	if base.String() != lt.redirectURI {
		return nil, errorf("INVALID_FIELD", "receivedRedirectUri %s does not match the link token's redirect_uri %s", base.String(), lt.redirectURI)
	}
	st, e := s.oauthStateFor(lt.token, id)
	if e != nil {
		return nil, e
	}
	st.authorized = true
	return map[string]any{"institution": findInstitution(st.institutionID).standIn(), "link_session_id": st.linkSessionID, "oauth_state_id": id}, nil
}

// standInOAuthAuthorize is the user allowing access in the bank's pop-up. The bank knows the
// trip by its oauth_state_id alone (an unguessable UUID), as a bank never sees the link token.
func (s *Server) standInOAuthAuthorize(req standInRequest) (any, *apiError) {
	var token string
	if st, ok := s.oauthStates[req.OAuthStateID]; ok {
		token = st.linkToken
	}
	st, e := s.oauthStateFor(token, req.OAuthStateID)
	if e != nil {
		return nil, e
	}
	if !st.popup {
		return nil, errorf("INVALID_FIELD", "this OAuth session returns through the redirect URI, not a pop-up")
	}
	st.authorized = true
	return map[string]any{"oauth_state_id": req.OAuthStateID}, nil
}

// oauthStateFor finds an unexpired OAuth state of the link token. Called with s.mu held.
func (s *Server) oauthStateFor(linkToken, id string) (*oauthState, *apiError) {
	st, ok := s.oauthStates[id]
	if id == "" || !ok || st.linkToken != linkToken {
		return nil, errorf("INVALID_FIELD", "oauth_state_id %q is not an OAuth session of this link token", id)
	}
	if s.now().Sub(st.created) > oauthStateLifetime {
		return nil, errorf("INVALID_FIELD", "oauth_state_id %q has expired: start Link again", id)
	}
	return st, nil
}

// checkOAuthLogin refuses a login at an OAuth institution that did not come back from the bank:
// only the resumed Link (or the pop-up the user allowed) has an authorized state for it. Called
// with s.mu held.
func (s *Server) checkOAuthLogin(lt *linkToken, req standInRequest) *apiError {
	inst := findInstitution(req.InstitutionID)
	if inst == nil || !inst.oauth {
		return nil
	}
	st, e := s.oauthStateFor(lt.token, req.OAuthStateID)
	if e != nil {
		return errorf("INVALID_FIELD", "%s uses OAuth: the user logs in at the bank, and Link resumes with receivedRedirectUri (or after the pop-up); %s", inst.name, e.message)
	}
	if st.institutionID != inst.id || !st.authorized {
		return errorf("INVALID_FIELD", "oauth_state_id %q has not come back from %s", req.OAuthStateID, inst.name)
	}
	return nil
}

// serveOAuthBankPage is the bank's page in the pop-up: the user allows access, and the pop-up
// tells the Link that opened it (same origin) and closes.
func (s *Server) serveOAuthBankPage(w http.ResponseWriter, r *http.Request) {
	if !pageMethod(w, r) {
		return
	}
	s.mu.Lock()
	st, ok := s.oauthStates[r.URL.Query().Get("oauth_state_id")]
	name := ""
	if ok {
		name = findInstitution(st.institutionID).name
	}
	s.mu.Unlock()
	if !ok || !st.popup {
		http.Error(w, "unknown oauth_state_id", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = oauthBankPage.Execute(w, map[string]string{"Name": name})
}

var oauthBankPage = template.Must(template.New("bank").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}} — offline demo (not a bank)</title>
<link rel="stylesheet" href="/link/stand-in/app.css">
<script src="/link/stand-in/oauth/bank.js" defer></script>
</head>
<body>
<div class="backdrop">
  <div class="card" role="dialog" aria-labelledby="pane-title">
    <header class="top"><span class="badge">Offline demo — not a bank</span></header>
    <main class="pane" id="pane" data-pane="OAUTH_BANK">
      <h1 id="pane-title">{{.Name}}</h1>
      <p>Allow Plaid to share your account information with the app that opened this window?</p>
      <div class="spacer"></div>
      <button type="button" class="button" id="allow">Allow</button>
      <button type="button" class="button secondary" id="deny">Cancel</button>
    </main>
  </div>
</div>
</body>
</html>
`))
