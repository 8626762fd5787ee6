package emulator

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// Hosted Link as Plaid documents it (https://plaid.com/docs/link/hosted-link/,
// https://plaid.com/docs/api/link/#linktokenget): a hosted_link object gets a hosted_link_url;
// /link/token/get lists the session opened there, with results.item_add_results[].public_token
// once it finished; the answers pass through plaid-go and the OpenAPI check of newTestServer.
func TestHostedLinkSessionFinishesWithAPublicToken(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	created := newHostedToken(t, api)
	url := created.GetHostedLinkUrl()
	if !strings.HasPrefix(url, srv.URL+hostedPath+"/") {
		t.Fatalf("hosted_link_url = %q, want a page of the emulator", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), sdkPath) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("the hosted page: %s, CSP %q\n%s", resp.Status, resp.Header.Get("Content-Security-Policy"), page)
	}

	sessions := func() []plaid.LinkTokenGetSessionsResponse {
		t.Helper()
		got, _, err := api.LinkTokenGet(ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(created.GetLinkToken())).Execute()
		if err != nil {
			t.Fatal(err)
		}
		return got.GetLinkSessions()
	}
	if s := sessions(); len(s) != 0 {
		t.Fatalf("before the page opened Link: %d sessions", len(s))
	}
	id := strings.TrimPrefix(url, srv.URL+hostedPath+"/")
	open := standInPost(t, srv, "hosted/open", map[string]any{"token": id}).decode(t)["data"].(map[string]any)
	if open["link_token"] != created.GetLinkToken() {
		t.Fatalf("the hosted page opens Link with %v, want its token", open["link_token"])
	}
	if s := sessions(); len(s) != 1 || s[0].FinishedAt.Get() != nil || s[0].Results.Get() != nil {
		t.Fatalf("while Link is open: %+v, want one session, unfinished, without results", s)
	}

	token := created.GetLinkToken()
	login := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508",
		"username": "user_good", "password": "pass_good"}).decode(t)["data"].(map[string]any)
	acct := login["accounts"].([]any)[0].(map[string]any)["id"]
	pt := standInPost(t, srv, "finish", map[string]any{"token": token, "login": login["login"], "account_ids": []any{acct}}).decode(t)["data"].(map[string]any)["public_token"]

	s := sessions()
	if len(s) != 1 || s[0].FinishedAt.Get() == nil || s[0].GetLinkSessionId() != open["link_session_id"] {
		t.Fatalf("after Link: %+v, want the session finished", s)
	}
	adds := s[0].Results.Get().GetItemAddResults()
	if len(adds) != 1 || adds[0].GetPublicToken() != pt || adds[0].Institution.Get().GetInstitutionId() != "ins_109508" {
		t.Errorf("item_add_results = %+v, want public token %v of First Platypus Bank", adds, pt)
	}
	if _, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.(string))).Execute(); err != nil {
		t.Errorf("the session's public token does not exchange: %v", err)
	}
}

// A session closed on the hosted page is reported with its exit (Link's status, no Item).
func TestHostedLinkSessionExit(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	created := newHostedToken(t, api)
	id := created.GetHostedLinkUrl()[len(srv.URL+hostedPath+"/"):]
	standInPost(t, srv, "hosted/open", map[string]any{"token": id})
	standInPost(t, srv, "hosted/exit", map[string]any{"token": id, "status": "institution_not_found"})
	got, _, err := api.LinkTokenGet(ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(created.GetLinkToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	s := got.GetLinkSessions()
	if len(s) != 1 || s[0].Exit.Get() == nil || s[0].Exit.Get().Metadata.Get().GetStatus() != "institution_not_found" || len(s[0].Results.Get().GetItemAddResults()) != 0 {
		t.Fatalf("after an exit: %+v", s)
	}
}

// newHostedToken is a Link token made with an empty hosted_link object, Plaid's defaults.
func newHostedToken(t *testing.T, api *plaid.PlaidApiService) plaid.LinkTokenCreateResponse {
	t.Helper()
	req := linkTokenRequest(plaid.PRODUCTS_AUTH)
	req.SetHostedLink(*plaid.NewLinkTokenCreateHostedLink())
	created, _, err := api.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// A team without Hosted Link gets its Link token and no hosted_link_url, and no error
// (plaid/plaid-python#524).
func TestWithoutHostedLinkNoURL(t *testing.T) {
	srv := NewServer(WithoutHostedLink())
	t.Cleanup(srv.Close)
	created := newHostedToken(t, newClient(srv).PlaidApi)
	if created.GetLinkToken() == "" || created.HasHostedLinkUrl() {
		t.Fatalf("link token %q, hosted_link_url %q; want a token and no URL", created.GetLinkToken(), created.GetHostedLinkUrl())
	}
}
