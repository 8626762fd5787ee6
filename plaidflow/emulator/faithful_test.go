package emulator

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// The institutions Plaid's Sandbox guide lists, and the Production banks whose ids Plaid's
// own documents give, answer /institutions/get_by_id with their documented name, country and
// OAuth flag.
// https://plaid.com/docs/sandbox/institutions/
func TestDocumentedInstitutions(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	tests := []struct {
		id, name string
		country  plaid.CountryCode
		oauth    bool
	}{
		{"ins_109508", "First Platypus Bank", "US", false},
		{"ins_130016", "First Platypus Balance Bank", "US", false},
		{"ins_109509", "First Gingham Credit Union", "US", false},
		{"ins_109510", "Tattersall Federal Credit Union", "US", false},
		{"ins_109511", "Tartan Bank", "US", false},
		{"ins_109512", "Houndstooth Bank", "US", false},
		{"ins_43", "Tartan-Dominion Bank of Canada", "CA", false},
		{"ins_116834", "Flexible Platypus Open Banking", "GB", true},
		{"ins_117650", "Royal Bank of Plaid", "GB", false},
		{"ins_127287", "Platypus OAuth Bank", "US", true},
		{"ins_132241", "First Platypus OAuth App2App Bank", "US", true},
		{"ins_117181", "Flexible Platypus Open Banking", "GB", true},
		{"ins_135858", "Windowpane Bank", "US", false},
		{"ins_132363", "Unhealthy Platypus Bank - Degraded", "US", false},
		{"ins_132361", "Unhealthy Platypus Bank - Down", "US", false},
		{"ins_133402", "Unsupported Platypus Bank - Institution Not Supported", "US", false},
		{"ins_133502", "Platypus Bank RUX Auth", "US", false},
		{"ins_133503", "Platypus Bank RUX Match", "US", false},
		// "OAuth with Chase Bank (ins_56)": the spec's NumbersACH.account.
		{"ins_56", "Chase", "US", true},
		// The spec's /link/token/get example; https://plaid.com/docs/api/partner/
		{"ins_127989", "Bank of America", "US", true},
		// "ins_128026 (Capital One)": the spec's AccountsBalanceGetRequestOptions.
		{"ins_128026", "Capital One", "US", true},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			resp, _, err := api.InstitutionsGetById(context.Background()).InstitutionsGetByIdRequest(
				*plaid.NewInstitutionsGetByIdRequest(tt.id, []plaid.CountryCode{tt.country})).Execute()
			if err != nil {
				t.Fatalf("get_by_id: %v", err)
			}
			in := resp.Institution
			if in.Name != tt.name || in.Oauth != tt.oauth || !slices.Equal(in.CountryCodes, []plaid.CountryCode{tt.country}) {
				t.Errorf("got %s %v oauth=%v, want %s %s oauth=%v", in.Name, in.CountryCodes, in.Oauth, tt.name, tt.country, tt.oauth)
			}
			// A product an institution lists must not be refused when an Item is made there.
			// https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate
			if _, err := peek(srv).PublicToken(tt.id, slices.DeleteFunc(slices.Clone(stringsOf(in.Products)),
				func(p string) bool { return p == "balance" }), sandboxUsername, sandboxPassword); err != nil &&
				!strings.HasPrefix(err.Error(), "INSTITUTION_DOWN") {
				t.Errorf("an Item with the institution's own products: %v", err)
			}
		})
	}
}

func stringsOf(ps []plaid.Products) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

// /institutions/get pages through the institutions of the countries asked for and filters
// them by the options; total counts every match.
// https://plaid.com/docs/api/institutions/#institutionsget
func TestInstitutionsGet(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	oauth := func(b bool) *plaid.InstitutionsGetRequestOptions {
		o := plaid.NewInstitutionsGetRequestOptions()
		o.SetOauth(b)
		return o
	}
	products := func(p ...plaid.Products) *plaid.InstitutionsGetRequestOptions {
		o := plaid.NewInstitutionsGetRequestOptions()
		o.SetProducts(p)
		return o
	}
	tests := []struct {
		name          string
		count, offset int32
		countries     []plaid.CountryCode
		opts          *plaid.InstitutionsGetRequestOptions
		wantFirst     string
		wantLen       int
		wantTotal     int32
	}{
		{"first page of US", 3, 0, []plaid.CountryCode{"US"}, nil, "ins_109508", 3, 17},
		{"offset skips", 2, 1, []plaid.CountryCode{"US"}, nil, "ins_130016", 2, 17},
		{"offset past the end", 5, 100, []plaid.CountryCode{"US"}, nil, "", 0, 17},
		{"Canada", 10, 0, []plaid.CountryCode{"CA"}, nil, "ins_43", 1, 1},
		{"OAuth only, GB", 10, 0, []plaid.CountryCode{"GB"}, oauth(true), "ins_116834", 2, 2},
		{"payment initiation", 10, 0, []plaid.CountryCode{"US", "GB"}, products(plaid.PRODUCTS_PAYMENT_INITIATION), "ins_117650", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := plaid.NewInstitutionsGetRequest(tt.count, tt.offset, tt.countries)
			if tt.opts != nil {
				req.SetOptions(*tt.opts)
			}
			resp, _, err := api.InstitutionsGet(context.Background()).InstitutionsGetRequest(*req).Execute()
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Institutions) != tt.wantLen || resp.Total != tt.wantTotal {
				t.Fatalf("%d institutions of %d, want %d of %d", len(resp.Institutions), resp.Total, tt.wantLen, tt.wantTotal)
			}
			if tt.wantLen > 0 && resp.Institutions[0].InstitutionId != tt.wantFirst {
				t.Errorf("first %s, want %s", resp.Institutions[0].InstitutionId, tt.wantFirst)
			}
		})
	}

	// count is between 1 and 500, offset at least 0 (InstitutionsGetRequest in the spec).
	for _, bad := range []struct {
		count, offset int32
	}{{0, 0}, {501, 0}, {10, -1}} {
		_, httpResp, err := api.InstitutionsGet(context.Background()).InstitutionsGetRequest(
			*plaid.NewInstitutionsGetRequest(bad.count, bad.offset, []plaid.CountryCode{"US"})).Execute()
		wantPlaidError(t, err, httpResp, 400, typeInvalidRequest, "INVALID_FIELD")
	}
}

// /institutions/search finds institutions by part of their name, in the countries and with
// the products asked for, ten at most.
// https://plaid.com/docs/api/institutions/#institutionssearch
func TestInstitutionsSearch(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	tests := []struct {
		name      string
		query     string
		products  []plaid.Products
		countries []plaid.CountryCode
		want      []string
	}{
		{"any case", "tartan", nil, []plaid.CountryCode{"US", "CA"}, []string{"ins_109511", "ins_43"}},
		{"by country", "tartan", nil, []plaid.CountryCode{"CA"}, []string{"ins_43"}},
		{"real bank", "Chase", []plaid.Products{plaid.PRODUCTS_AUTH}, []plaid.CountryCode{"US"}, []string{"ins_56"}},
		{"no match", "no such bank", nil, []plaid.CountryCode{"US"}, nil},
		{"at most ten", "platypus", nil, []plaid.CountryCode{"US"}, []string{"ins_109508", "ins_130016", "ins_127287",
			"ins_132241", "ins_132363", "ins_132361", "ins_133402", "ins_133502", "ins_133503"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := plaid.NewInstitutionsSearchRequest(tt.query, tt.countries)
			if tt.products != nil {
				req.SetProducts(tt.products)
			}
			resp, _, err := api.InstitutionsSearch(context.Background()).InstitutionsSearchRequest(*req).Execute()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range resp.Institutions {
				got = append(got, in.InstitutionId)
			}
			if !slices.Equal(got, tt.want) || len(got) > 10 {
				t.Errorf("found %v, want %v", got, tt.want)
			}
		})
	}
}

// /link/token/create takes in products only what Link initializes ("balance is *not* a valid
// value"), refuses a redirect_uri that is empty or not on the Dashboard's list as Plaid does,
// and accepts loopback URIs by default.
// https://plaid.com/docs/api/link/#linktokencreate
// https://plaid.com/docs/errors/invalid-request/#invalid_field (body seen in plaid/tiny-quickstart#65)
func TestLinkTokenCreateProductsAndRedirects(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		products []plaid.Products
		redirect *string
		code     string // "" for success
		message  string
	}{
		{"auth", nil, []plaid.Products{plaid.PRODUCTS_AUTH}, nil, "", ""},
		{"balance is not a Link product", nil, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_BALANCE}, nil,
			"INVALID_FIELD", "not supported as an initial product: balance"},
		{"localhost redirect by default", nil, []plaid.Products{plaid.PRODUCTS_AUTH}, ptr("http://localhost:3000/oauth"), "", ""},
		{"empty redirect", nil, []plaid.Products{plaid.PRODUCTS_AUTH}, ptr(""), "INVALID_FIELD", msgRedirectURINotAllowed},
		{"redirect not on the list", nil, []plaid.Products{plaid.PRODUCTS_AUTH}, ptr("https://example.com/oauth"),
			"INVALID_FIELD", msgRedirectURINotAllowed},
		{"redirect on the list", []Option{WithRedirectURIs("https://example.com/oauth")}, []plaid.Products{plaid.PRODUCTS_AUTH},
			ptr("https://example.com/oauth"), "", ""},
		{"exact match: trailing slash differs", []Option{WithRedirectURIs("https://example.com/oauth")},
			[]plaid.Products{plaid.PRODUCTS_AUTH}, ptr("https://example.com/oauth/"), "INVALID_FIELD", msgRedirectURINotAllowed},
		{"a list replaces the loopback default", []Option{WithRedirectURIs("https://example.com/oauth")},
			[]plaid.Products{plaid.PRODUCTS_AUTH}, ptr("http://127.0.0.1:8734/oauth-return"), "INVALID_FIELD", msgRedirectURINotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newTestServer(t, tt.opts...)
			req := linkTokenRequest(tt.products...)
			if tt.redirect != nil {
				req.SetRedirectUri(*tt.redirect)
			}
			_, httpResp, err := newClient(srv).PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("link token: %v", err)
				}
				return
			}
			pe := wantPlaidError(t, err, httpResp, 400, typeInvalidRequest, tt.code)
			if !strings.Contains(pe.ErrorMessage, tt.message) {
				t.Errorf("message %q, want %q", pe.ErrorMessage, tt.message)
			}
		})
	}
}

// /link/token/get returns what the token was made with.
// https://plaid.com/docs/api/link/#linktokenget
func TestLinkTokenGet(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	ctx := context.Background()
	req := linkTokenRequest(plaid.PRODUCTS_AUTH, plaid.PRODUCTS_IDENTITY)
	req.SetRedirectUri("http://127.0.0.1:8734/oauth-return")
	created, _, err := api.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token, code string
	}{
		{"known token", created.GetLinkToken(), ""},
		{"unknown token", "link-sandbox-00000000-0000-4000-8000-000000000000", "INVALID_LINK_TOKEN"},
		{"not a link token", "public-sandbox-00000000-0000-4000-8000-000000000000", "INVALID_LINK_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, httpResp, err := api.LinkTokenGet(ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(tt.token)).Execute()
			if tt.code != "" {
				wantPlaidError(t, err, httpResp, 400, typeInvalidInput, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			md := resp.Metadata
			if resp.GetLinkToken() != tt.token || !resp.GetExpiration().Equal(created.GetExpiration()) ||
				!slices.Equal(md.InitialProducts, []plaid.Products{"auth", "identity"}) ||
				md.GetRedirectUri() != "http://127.0.0.1:8734/oauth-return" || md.GetClientName() != "Plaid Onboard" {
				t.Errorf("link token %+v", resp)
			}
		})
	}
}

// /identity/get names user_good's account holder as Plaid's example does, the name Database
// Match compares.
// https://plaid.com/docs/api/products/identity/#identityget
func TestIdentityGet(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	tests := []struct {
		institution string
	}{{"ins_109508"}, {"ins_43"}, {"ins_117650"}}
	for _, tt := range tests {
		t.Run(tt.institution, func(t *testing.T) {
			access := mustAccessToken(t, srv, tt.institution)
			resp, _, err := api.IdentityGet(context.Background()).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Accounts) != len(userGoodAccounts) {
				t.Fatalf("%d accounts", len(resp.Accounts))
			}
			for _, a := range resp.Accounts {
				if len(a.Owners) != 1 || !slices.Equal(a.Owners[0].Names, []string{"Alberta Bobbeth Charleson"}) {
					t.Errorf("%s owners %+v", a.Name, a.Owners)
				}
			}
			if !slices.Contains(resp.Item.BilledProducts, "identity") {
				t.Errorf("identity not billed: %v", resp.Item.BilledProducts)
			}
		})
	}
}

// Processor tokens look like Plaid's, a processor outside the spec's list is refused, and
// Stripe's endpoint gives a btok_ token.
// https://plaid.com/docs/api/processors/#processortokencreate
// https://plaid.com/docs/api/processors/#processorstripebank_account_tokencreate
// https://plaid.com/docs/api/sandbox/#sandboxprocessor_tokencreate
func TestProcessors(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	ctx := context.Background()
	access := mustAccessToken(t, srv, "ins_109508")
	accounts, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	account := accounts.Accounts[0].AccountId
	btokRE := regexp.MustCompile(`^btok_[A-Za-z0-9]{20}$`)

	processors := []struct {
		processor string
		code      string
	}{{"dwolla", ""}, {"apex_clearing", ""}, {"modern_treasury", ""}, {"apex", "INVALID_FIELD"}, {"stripe", "INVALID_FIELD"}}
	for _, tt := range processors {
		t.Run(tt.processor, func(t *testing.T) {
			resp, httpResp, err := api.ProcessorTokenCreate(ctx).ProcessorTokenCreateRequest(
				*plaid.NewProcessorTokenCreateRequest(access, account, tt.processor)).Execute()
			if tt.code != "" {
				wantPlaidError(t, err, httpResp, 400, typeInvalidRequest, tt.code)
				return
			}
			if err != nil || !processorRE.MatchString(resp.GetProcessorToken()) {
				t.Errorf("processor token %v %q", err, resp.GetProcessorToken())
			}
		})
	}

	stripe := []struct {
		name, access, account, code string
	}{
		{"stripe token", access, account, ""},
		{"unknown account", access, "nope", "INVALID_ACCOUNT_ID"},
		{"unknown access token", "access-sandbox-00000000-0000-4000-8000-000000000000", account, "INVALID_ACCESS_TOKEN"},
	}
	for _, tt := range stripe {
		t.Run(tt.name, func(t *testing.T) {
			resp, httpResp, err := api.ProcessorStripeBankAccountTokenCreate(ctx).ProcessorStripeBankAccountTokenCreateRequest(
				*plaid.NewProcessorStripeBankAccountTokenCreateRequest(tt.access, tt.account)).Execute()
			if tt.code != "" {
				wantPlaidError(t, err, httpResp, 400, typeInvalidInput, tt.code)
				return
			}
			if err != nil || !btokRE.MatchString(resp.GetStripeBankAccountToken()) {
				t.Errorf("stripe token %v %q", err, resp.GetStripeBankAccountToken())
			}
		})
	}

	sandbox := []struct {
		name, institution, password, typ, code string
	}{
		{"First Platypus", "ins_109508", "", "", ""},
		{"unknown institution", "ins_0", "", typeInvalidInput, "INVALID_INSTITUTION"},
		{"test password", "ins_109508", "error_ITEM_LOCKED", typeItem, "ITEM_LOCKED"},
	}
	for _, tt := range sandbox {
		t.Run(tt.name, func(t *testing.T) {
			req := plaid.NewSandboxProcessorTokenCreateRequest(tt.institution)
			if tt.password != "" {
				o := plaid.NewSandboxProcessorTokenCreateRequestOptions()
				o.SetOverridePassword(tt.password)
				req.SetOptions(*o)
			}
			resp, httpResp, err := api.SandboxProcessorTokenCreate(ctx).SandboxProcessorTokenCreateRequest(*req).Execute()
			if tt.code != "" {
				wantPlaidError(t, err, httpResp, 400, tt.typ, tt.code)
				return
			}
			if err != nil || !processorRE.MatchString(resp.GetProcessorToken()) {
				t.Errorf("sandbox processor token %v %q", err, resp.GetProcessorToken())
			}
		})
	}
}

// Every answer carries its request_id in the X-Request-Id header too (plaid/plaid-ruby#145,
// plaid/plaid-python#66), errors included.
func TestRequestIDHeader(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		name string
		path string
		body map[string]any
	}{
		{"success", "/institutions/search", map[string]any{"query": "Chase", "country_codes": []string{"US"}}},
		{"error", "/identity/get", map[string]any{"access_token": "access-sandbox-nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawCall(t, srv, tt.path, tt.body)
			if id := got.decode(t)["request_id"]; id == nil || got.header.Get("X-Request-Id") != id {
				t.Errorf("X-Request-Id %q, body request_id %v", got.header.Get("X-Request-Id"), id)
			}
		})
	}
}

// /item/get reports the Item's products, billed and consented, as Plaid's example shows them.
// https://plaid.com/docs/api/items/#itemget
func TestItemGetProducts(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	ctx := context.Background()
	pt, err := peek(srv).PublicToken("ins_109508", []string{"auth", "transactions"}, sandboxUsername, sandboxPassword)
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	it := resp.Item
	want := []plaid.Products{"auth", "transactions"}
	if !slices.Equal(it.GetProducts(), want) || !slices.Equal(it.BilledProducts, want) || !slices.Equal(it.GetConsentedProducts(), want) ||
		slices.Contains(it.AvailableProducts, "auth") || !slices.Contains(it.AvailableProducts, "identity") ||
		it.GetWebhook() != "" || it.Error.Get() != nil || it.UpdateType != "background" {
		t.Errorf("item %+v", it)
	}
}
