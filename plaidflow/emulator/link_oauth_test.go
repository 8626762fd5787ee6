package emulator

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// newRedirectLinkToken makes a link token with a redirect_uri, as /link/token/create takes it.
func newRedirectLinkToken(t *testing.T, s *Server, redirect string) string {
	t.Helper()
	req := linkTokenRequest(plaid.PRODUCTS_AUTH)
	req.SetRedirectUri(redirect)
	resp, _, err := newClient(s).PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("link token with redirect_uri %s: %v", redirect, err)
	}
	return resp.GetLinkToken()
}

// The redirect way, as Plaid's OAuth guide describes it for the web
// (https://plaid.com/docs/link/oauth/): choosing the OAuth bank sends the browser to the
// redirect_uri with an oauth_state_id; only a Link re-created with receivedRedirectUri carrying
// it (the same link token, the same redirect URI) can log in there, and the session resumes
// under the link_session_id it left with.
func TestStandInOAuthRedirect(t *testing.T) {
	srv, _ := newTestServer(t)
	const redirect = "http://localhost:8765/oauth/callback"
	token := newRedirectLinkToken(t, srv, redirect)

	if s := standInPost(t, srv, "session", map[string]any{"token": token}).decode(t); s["data"].(map[string]any)["oauth_redirect"] != true {
		t.Errorf("session does not say OAuth banks leave for the redirect URI: %v", s)
	}
	login := map[string]any{"token": token, "institution_id": "ins_127287", "username": "user_good", "password": "pass_good"}
	if got := standInPost(t, srv, "login", login); got.status != http.StatusBadRequest || !strings.Contains(string(got.body), "uses OAuth") {
		t.Errorf("login at the OAuth bank without going there: %d %s", got.status, got.body)
	}

	start := standInPost(t, srv, "oauth/start", map[string]any{"token": token, "institution_id": "ins_127287", "link_session_id": "sess-1"})
	data, _ := start.decode(t)["data"].(map[string]any)
	to, _ := data["redirect_url"].(string)
	state, _ := data["oauth_state_id"].(string)
	u, err := url.Parse(to)
	if start.status != 200 || err != nil || u.Query().Get("oauth_state_id") != state || len(state) != 36 ||
		strings.TrimSuffix(to, "?oauth_state_id="+state) != redirect {
		t.Fatalf("oauth/start = %d %s: want the redirect URI with a UUID oauth_state_id", start.status, start.body)
	}

	// Not come back yet: the login still waits for the resumed Link.
	login["oauth_state_id"] = state
	if got := standInPost(t, srv, "login", login); got.status != http.StatusBadRequest {
		t.Errorf("login before the resume: %d %s", got.status, got.body)
	}
	for name, received := range map[string]string{
		"another path":  "http://localhost:8765/oauth/other?oauth_state_id=" + state,
		"another port":  "http://localhost:8766/oauth/callback?oauth_state_id=" + state,
		"unknown state": redirect + "?oauth_state_id=00000000-0000-4000-8000-000000000000",
		"no state":      redirect,
	} {
		if got := standInPost(t, srv, "oauth/resume", map[string]any{"token": token, "received_redirect_uri": received}); got.status != http.StatusBadRequest {
			t.Errorf("resume with %s: %d %s", name, got.status, got.body)
		}
	}
	other := newRedirectLinkToken(t, srv, redirect)
	if got := standInPost(t, srv, "oauth/resume", map[string]any{"token": other, "received_redirect_uri": to}); got.status != http.StatusBadRequest {
		t.Errorf("resume with another link token: %d %s", got.status, got.body)
	}

	resume := standInPost(t, srv, "oauth/resume", map[string]any{"token": token, "received_redirect_uri": to})
	rd, _ := resume.decode(t)["data"].(map[string]any)
	inst, _ := rd["institution"].(map[string]any)
	if resume.status != 200 || rd["link_session_id"] != "sess-1" || inst["institution_id"] != "ins_127287" {
		t.Fatalf("resume = %d %s", resume.status, resume.body)
	}
	if got := standInPost(t, srv, "login", login); got.status != 200 {
		t.Fatalf("login after the resume: %d %s", got.status, got.body)
	}

	// A link token made without a redirect_uri cannot resume the redirect way.
	plain := newLinkToken(t, srv)
	if got := standInPost(t, srv, "oauth/resume", map[string]any{"token": plain, "received_redirect_uri": to}); got.status != http.StatusBadRequest ||
		!strings.Contains(string(got.body), "without a redirect_uri") {
		t.Errorf("resume with a link token without redirect_uri: %d %s", got.status, got.body)
	}
}

// Without a redirect_uri, desktop Link completes an OAuth bank in a pop-up window
// (https://plaid.com/docs/link/oauth/): the trip opens the bank's pop-up instead of leaving the
// page, and the login waits for the user to allow access there.
func TestStandInOAuthPopup(t *testing.T) {
	srv, _ := newTestServer(t)
	token := newLinkToken(t, srv)
	start := standInPost(t, srv, "oauth/start", map[string]any{"token": token, "institution_id": "ins_127287", "link_session_id": "sess-2"})
	data, _ := start.decode(t)["data"].(map[string]any)
	popup, _ := data["popup_url"].(string)
	state, _ := data["oauth_state_id"].(string)
	if start.status != 200 || data["redirect_url"] != nil || !strings.HasPrefix(popup, srv.URL+standInPath+"/oauth/bank?oauth_state_id=") {
		t.Fatalf("oauth/start without a redirect_uri = %d %s: want the bank's pop-up", start.status, start.body)
	}
	page := rawRequest(t, srv, "GET", strings.TrimPrefix(popup, srv.URL), http.Header{}, nil)
	if page.status != 200 || !strings.Contains(string(page.body), "Platypus OAuth Bank") || !strings.Contains(string(page.body), "not a bank") {
		t.Errorf("the bank's pop-up: %d", page.status)
	}
	login := map[string]any{"token": token, "institution_id": "ins_127287", "username": "user_good", "password": "pass_good", "oauth_state_id": state}
	if got := standInPost(t, srv, "login", login); got.status != http.StatusBadRequest {
		t.Errorf("login before the user allowed access: %d %s", got.status, got.body)
	}
	if got := standInPost(t, srv, "oauth/authorize", map[string]any{"oauth_state_id": state}); got.status != 200 {
		t.Fatalf("authorize: %d %s", got.status, got.body)
	}
	if got := standInPost(t, srv, "login", login); got.status != 200 {
		t.Errorf("login after the pop-up: %d %s", got.status, got.body)
	}
	if got := standInPost(t, srv, "oauth/start", map[string]any{"token": token, "institution_id": "ins_109508"}); got.status != http.StatusBadRequest {
		t.Errorf("oauth/start for a bank without OAuth: %d", got.status)
	}
	if got := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508", "username": "user_good", "password": "pass_good"}); got.status != 200 {
		t.Errorf("a bank without OAuth logs in as before: %d %s", got.status, got.body)
	}
}
