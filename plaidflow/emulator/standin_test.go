package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// standInPost calls the stand-in Link's server side as its iframe does: same origin, JSON.
func standInPost(t testing.TB, s *Server, call string, body any) rawAnswer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Origin": {s.URL}}
	return rawRequest(t, s, http.MethodPost, standInPath+"/"+call, h, b)
}

func newLinkToken(t testing.TB, s *Server, countries ...plaid.CountryCode) string {
	t.Helper()
	req := linkTokenRequest(plaid.PRODUCTS_AUTH)
	if len(countries) > 0 {
		req.SetCountryCodes(countries)
	}
	resp, _, err := newClient(s).PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("link token: %v", err)
	}
	return resp.GetLinkToken()
}

func TestStandInAssets(t *testing.T) {
	srv, _ := newTestServer(t)
	sdk := rawRequest(t, srv, "GET", sdkPath, http.Header{}, nil)
	if sdk.status != 200 || !strings.HasPrefix(sdk.header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(string(sdk.body), "window.Plaid.create = create") {
		t.Fatalf("SDK: %d %s", sdk.status, sdk.header.Get("Content-Type"))
	}
	if strings.Contains(string(sdk.body), "eval(") || strings.Contains(string(sdk.body), "new Function") {
		t.Error("the SDK must run under a CSP without unsafe-eval")
	}

	page := rawRequest(t, srv, "GET", standInPath+"?token=link-sandbox-x&origin="+"http%3A%2F%2F127.0.0.1%3A9999", http.Header{}, nil)
	csp := page.header.Get("Content-Security-Policy")
	if page.status != 200 || !strings.Contains(csp, "frame-ancestors http://127.0.0.1:9999") ||
		!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("stand-in page: %d, CSP %q", page.status, csp)
	}
	if !strings.Contains(string(page.body), "Offline demo — not Plaid") {
		t.Error("the stand-in page must say it is not Plaid")
	}
	for _, origin := range []string{"", "javascript:alert(1)", "http://127.0.0.1:9999/path", "http://a.example; script-src *"} {
		got := rawRequest(t, srv, "GET", standInPath+"?token=x&origin="+strings.ReplaceAll(origin, " ", "%20"), http.Header{}, nil)
		if got.status != 400 {
			t.Errorf("origin %q: status %d, want 400", origin, got.status)
		}
	}
	for _, asset := range []string{"/app.js", "/app.css"} {
		if got := rawRequest(t, srv, "GET", standInPath+asset, http.Header{}, nil); got.status != 200 {
			t.Errorf("%s: %d", asset, got.status)
		}
	}
}

func TestStandInCallsRefuseOtherOrigins(t *testing.T) {
	srv, _ := newTestServer(t)
	token := newLinkToken(t, srv)
	body := []byte(`{"token":"` + token + `"}`)
	for name, h := range map[string]http.Header{
		"other origin":    {"Content-Type": {"application/json"}, "Origin": {"http://127.0.0.1:1"}},
		"no origin":       {"Content-Type": {"application/json"}},
		"form post":       {"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {srv.URL}},
		"text/plain CORS": {"Content-Type": {"text/plain"}, "Origin": {srv.URL}},
	} {
		if got := rawRequest(t, srv, "POST", standInPath+"/session", h, body); got.status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, got.status)
		}
	}
}

func TestStandInSession(t *testing.T) {
	srv, _ := newTestServer(t)
	ids := func(a rawAnswer) []string {
		var out []string
		for _, in := range a.decode(t)["data"].(map[string]any)["institutions"].([]any) {
			out = append(out, in.(map[string]any)["institution_id"].(string))
		}
		return out
	}
	us := standInPost(t, srv, "session", map[string]any{"token": newLinkToken(t, srv)})
	if got := ids(us); len(got) != 17 || got[0] != "ins_109508" {
		t.Errorf("US institutions %v", got)
	}
	gbca := standInPost(t, srv, "session", map[string]any{"token": newLinkToken(t, srv, "GB", "CA")})
	if got := strings.Join(ids(gbca), ","); got != "ins_43,ins_117650,ins_116834,ins_117181" {
		t.Errorf("GB+CA institutions %v", got)
	}

	bad := standInPost(t, srv, "session", map[string]any{"token": "link-sandbox-" + newUUID()})
	if m := bad.decode(t); bad.status != 400 || m["error_code"] != "INVALID_LINK_TOKEN" {
		t.Errorf("unknown link token: %d %s", bad.status, bad.body)
	}
	token := newLinkToken(t, srv)
	srv.advanceClock(4 * 60 * 60e9)
	expired := standInPost(t, srv, "session", map[string]any{"token": token})
	if m := expired.decode(t); expired.status != 400 || m["error_code"] != "INVALID_LINK_TOKEN" {
		t.Errorf("expired link token: %d %s", expired.status, expired.body)
	}
}

// The stand-in's login and finish give a public token that the API accepts, for the accounts
// chosen; test passwords fail as in /sandbox/public_token/create.
func TestStandInLoginAndFinish(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	token := newLinkToken(t, srv)

	failed := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508",
		"username": "user_good", "password": "error_INVALID_CREDENTIALS"})
	if m := failed.decode(t); failed.status != 400 || m["error_code"] != "INVALID_CREDENTIALS" || m["error_type"] != "ITEM_ERROR" {
		t.Errorf("error password: %d %s", failed.status, failed.body)
	}
	down := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_132361",
		"username": "user_good", "password": "pass_good"})
	if m := down.decode(t); m["error_code"] != "INSTITUTION_DOWN" {
		t.Errorf("down institution: %s", down.body)
	}

	foreign := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_117650",
		"username": "user_good", "password": "pass_good"})
	if m := foreign.decode(t); m["error_code"] != "INVALID_INSTITUTION" {
		t.Errorf("a GB bank with a US link token: %s", foreign.body)
	}

	login := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508",
		"username": "user_good", "password": "pass_good"})
	data := login.decode(t)["data"].(map[string]any)
	accounts := data["accounts"].([]any)
	if len(accounts) != 3 {
		t.Fatalf("auth Link offers %d accounts, want the 3 auth-eligible ones", len(accounts))
	}
	saving := accounts[1].(map[string]any)["id"].(string)

	if got := standInPost(t, srv, "finish", map[string]any{"token": token, "login": data["login"], "account_ids": []string{}}); got.status != 400 {
		t.Errorf("finish without accounts: %d", got.status)
	}
	finish := standInPost(t, srv, "finish", map[string]any{"token": token, "login": data["login"], "account_ids": []string{saving}})
	pt := finish.decode(t)["data"].(map[string]any)["public_token"].(string)
	if !publicRE.MatchString(pt) {
		t.Fatalf("public token %q", pt)
	}
	if again := standInPost(t, srv, "finish", map[string]any{"token": token, "login": data["login"], "account_ids": []string{saving}}); again.status != 400 {
		t.Errorf("a login finishes once: %d", again.status)
	}

	ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	auth, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(ex.GetAccessToken())).Execute()
	if err != nil || len(auth.Accounts) != 1 || auth.Accounts[0].AccountId != saving {
		t.Fatalf("the Item should hold the chosen account only: %v %+v", err, auth)
	}
}
