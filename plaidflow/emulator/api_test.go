package emulator

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

var (
	uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	linkTokenRE = regexp.MustCompile(`^link-sandbox-` + uuidPattern + `$`)
	publicRE    = regexp.MustCompile(`^public-sandbox-` + uuidPattern + `$`)
	accessRE    = regexp.MustCompile(`^access-sandbox-` + uuidPattern + `$`)
	processorRE = regexp.MustCompile(`^processor-sandbox-` + uuidPattern + `$`)
	plaidIDRE   = regexp.MustCompile(`^[A-Za-z0-9]{37}$`)
	requestIDRE = regexp.MustCompile(`^[A-Za-z0-9]{15}$`)
)

func linkTokenRequest(products ...plaid.Products) *plaid.LinkTokenCreateRequest {
	req := plaid.NewLinkTokenCreateRequest("Plaid Onboard", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US})
	req.SetUser(*plaid.NewLinkTokenCreateRequestUser("user-1"))
	if len(products) > 0 {
		req.SetProducts(products)
	}
	return req
}

func TestLinkTokenCreate(t *testing.T) {
	srv, _ := newTestServer(t)
	ctx := context.Background()
	client := newClient(srv)
	access := mustAccessToken(t, srv, "ins_109508")

	tests := []struct {
		name     string
		req      *plaid.LinkTokenCreateRequest
		lifetime time.Duration
	}{
		{"new Link session lasts 4 hours", linkTokenRequest(plaid.PRODUCTS_AUTH), 4 * time.Hour},
		{"update mode lasts 30 minutes", func() *plaid.LinkTokenCreateRequest {
			r := linkTokenRequest()
			r.SetAccessToken(access)
			return r
		}(), 30 * time.Minute},
		{"with a redirect URI", func() *plaid.LinkTokenCreateRequest {
			r := linkTokenRequest(plaid.PRODUCTS_AUTH)
			r.SetRedirectUri("http://127.0.0.1:8734/oauth-return")
			return r
		}(), 4 * time.Hour},
		{"client_name over 30 characters is accepted (Link shows \"This Application\")", func() *plaid.LinkTokenCreateRequest {
			r := linkTokenRequest(plaid.PRODUCTS_AUTH)
			r.SetClientName(strings.Repeat("x", 31))
			return r
		}(), 4 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			resp, _, err := client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*tt.req).Execute()
			if err != nil {
				t.Fatalf("link token: %v", err)
			}
			if !linkTokenRE.MatchString(resp.GetLinkToken()) {
				t.Errorf("link token %q", resp.GetLinkToken())
			}
			if !requestIDRE.MatchString(resp.GetRequestId()) {
				t.Errorf("request_id %q", resp.GetRequestId())
			}
			// The fake's clock has whole seconds; the call took what it took on this machine.
			after := time.Now()
			earliest, latest := before.Truncate(time.Second).Add(tt.lifetime), after.Add(tt.lifetime)
			if exp := resp.GetExpiration(); exp.Before(earliest) || exp.After(latest) {
				t.Errorf("expires at %v, want %v after the call (between %v and %v)", exp, tt.lifetime, earliest, latest)
			}
		})
	}
}

func TestLinkTokenCreateErrors(t *testing.T) {
	srv, _ := newTestServer(t)
	base := func() map[string]any {
		return map[string]any{"client_name": "Demo", "language": "en", "country_codes": []string{"US"},
			"user": map[string]any{"client_user_id": "u1"}, "products": []string{"auth"}}
	}
	tests := []struct {
		name    string
		change  func(m map[string]any)
		code    string
		message string
	}{
		{"country code outside the enum", func(m map[string]any) { m["country_codes"] = []string{"US", "XX"} }, "INVALID_FIELD", "country_codes"},
		{"no country codes", func(m map[string]any) { m["country_codes"] = []string{} }, "INVALID_FIELD", "country_codes"},
		{"no products and no access token", func(m map[string]any) { delete(m, "products") }, "INVALID_FIELD", "products"},
		{"empty products", func(m map[string]any) { m["products"] = []string{} }, "INVALID_FIELD", "products"},
		{"unknown product", func(m map[string]any) { m["products"] = []string{"auth", "telepathy"} }, "INVALID_FIELD", "telepathy"},
		{"unsupported language", func(m map[string]any) { m["language"] = "xx" }, "INVALID_FIELD", "language"},
		{"empty client name", func(m map[string]any) { m["client_name"] = "" }, "INVALID_FIELD", "client_name"},
		{"client name not a string", func(m map[string]any) { m["client_name"] = 42 }, "INVALID_FIELD", "client_name"},
		{"no client_name or language", func(m map[string]any) { delete(m, "client_name"); delete(m, "language") },
			"MISSING_FIELDS", "the following required fields are missing: client_name, language"},
		{"no user", func(m map[string]any) { delete(m, "user") }, "MISSING_FIELDS", "missing: user"},
		{"user without client_user_id", func(m map[string]any) { m["user"] = map[string]any{} }, "MISSING_FIELDS", "missing: user.client_user_id"},
		{"unknown top-level field", func(m map[string]any) { m["colour"] = "red" }, "UNKNOWN_FIELDS",
			"the following fields are not recognized by this endpoint: colour"},
		{"unknown user field", func(m map[string]any) { m["user"].(map[string]any)["shoe_size"] = 9 }, "UNKNOWN_FIELDS", "user.shoe_size"},
		{"redirect URI with a query", func(m map[string]any) { m["redirect_uri"] = "https://example.com/cb?x=1" }, "INVALID_FIELD", "redirect_uri"},
		{"unknown access token (update mode)", func(m map[string]any) {
			delete(m, "products")
			m["access_token"] = "access-sandbox-5c1bd8a2-2ac3-4f1e-9d6c-000000000000"
		}, "INVALID_ACCESS_TOKEN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := base()
			tt.change(body)
			got := rawCall(t, srv, "/link/token/create", body)
			m := got.decode(t)
			if got.status != 400 || m["error_code"] != tt.code {
				t.Fatalf("status %d, %v; want 400 %s", got.status, m["error_code"], tt.code)
			}
			if !strings.Contains(m["error_message"].(string), tt.message) {
				t.Errorf("error_message %q does not mention %q", m["error_message"], tt.message)
			}
		})
	}
}

// The request checks of every endpoint, in Plaid's order: body, keys, fields.
func TestRequestChecks(t *testing.T) {
	srv, _ := newTestServer(t)
	noKeys := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name    string
		method  string
		path    string
		header  http.Header
		body    string
		status  int
		typ     string
		code    string
		message string
	}{
		{"body not JSON", "POST", "/item/get", jsonHeaders(), `{"access_token":`, 400, typeInvalidRequest, "INVALID_BODY", "body could not be parsed as JSON"},
		{"body a JSON array", "POST", "/item/get", jsonHeaders(), `["x"]`, 400, typeInvalidRequest, "INVALID_BODY", ""},
		{"two JSON values", "POST", "/item/get", jsonHeaders(), `{} {}`, 400, typeInvalidRequest, "INVALID_BODY", ""},
		{"form content type", "POST", "/item/get", http.Header{"Content-Type": {"application/x-www-form-urlencoded"},
			"Plaid-Client-Id": {DemoClientID}, "Plaid-Secret": {DemoSecret}}, `{}`, 400, typeInvalidRequest, "INVALID_BODY", ""},
		{"no keys", "POST", "/item/get", noKeys, `{"access_token":"access-sandbox-x"}`, 400, typeInvalidRequest, "INVALID_FIELD",
			"client_id must be a properly formatted, non-empty string"},
		{"no secret", "POST", "/item/get", http.Header{"Content-Type": {"application/json"}, "Plaid-Client-Id": {DemoClientID}},
			`{"access_token":"access-sandbox-x"}`, 400, typeInvalidRequest, "INVALID_FIELD", "secret must be a properly formatted, non-empty string"},
		{"wrong secret", "POST", "/item/get", http.Header{"Content-Type": {"application/json"}, "Plaid-Client-Id": {DemoClientID},
			"Plaid-Secret": {strings.Repeat("0", 30)}}, `{"access_token":"access-sandbox-x"}`, 400, typeInvalidInput, "INVALID_API_KEYS",
			"invalid client_id or secret provided"},
		{"wrong keys in the body override good headers", "POST", "/item/get", jsonHeaders(),
			`{"client_id":"nope","secret":"nope","access_token":"access-sandbox-x"}`, 400, typeInvalidInput, "INVALID_API_KEYS", ""},
		{"keys in the body", "POST", "/item/get", noKeys,
			`{"client_id":"` + DemoClientID + `","secret":"` + DemoSecret + `","access_token":"access-sandbox-x"}`,
			400, typeInvalidInput, "INVALID_ACCESS_TOKEN", "could not find matching access token"},
		{"missing field", "POST", "/item/public_token/exchange", jsonHeaders(), `{}`, 400, typeInvalidRequest, "MISSING_FIELDS",
			"the following required fields are missing: public_token"},
		{"null counts as missing", "POST", "/item/public_token/exchange", jsonHeaders(), `{"public_token":null}`, 400, typeInvalidRequest,
			"MISSING_FIELDS", "public_token"},
		{"unknown field", "POST", "/item/get", jsonHeaders(), `{"access_token":"access-sandbox-x","count":1}`, 400, typeInvalidRequest,
			"UNKNOWN_FIELDS", "the following fields are not recognized by this endpoint: count"},
		{"unknown option", "POST", "/auth/get", jsonHeaders(), `{"access_token":"access-sandbox-x","options":{"count":1}}`, 400,
			typeInvalidRequest, "UNKNOWN_FIELDS", "options.count"},
		{"wrong type", "POST", "/auth/get", jsonHeaders(), `{"access_token":"access-sandbox-x","options":{"account_ids":"a"}}`, 400,
			typeInvalidRequest, "INVALID_FIELD", "options.account_ids"},
		{"malformed access token", "POST", "/item/get", jsonHeaders(), `{"access_token":"token"}`, 400, typeInvalidInput,
			"INVALID_ACCESS_TOKEN", "expected format: access-<environment>-<identifier>"},
		{"malformed public token", "POST", "/item/public_token/exchange", jsonHeaders(), `{"public_token":"token"}`, 400, typeInvalidInput,
			"INVALID_PUBLIC_TOKEN", "expected format: public-<environment>-<identifier>"},
		{"unknown path", "POST", "/transactions/sync", jsonHeaders(), `{}`, 404, typeInvalidRequest, "NOT_FOUND", ""},
		{"GET of an endpoint", "GET", "/item/get", jsonHeaders(), ``, 404, typeInvalidRequest, "NOT_FOUND", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawRequest(t, srv, tt.method, tt.path, tt.header, []byte(tt.body))
			m := got.decode(t)
			if got.status != tt.status || m["error_type"] != tt.typ || m["error_code"] != tt.code {
				t.Fatalf("got %d %v/%v (%v), want %d %s/%s", got.status, m["error_type"], m["error_code"], m["error_message"],
					tt.status, tt.typ, tt.code)
			}
			if !strings.Contains(m["error_message"].(string), tt.message) {
				t.Errorf("error_message %q does not contain %q", m["error_message"], tt.message)
			}
			if !requestIDRE.MatchString(m["request_id"].(string)) {
				t.Errorf("request_id %v", m["request_id"])
			}
		})
	}
}

func TestWithKeys(t *testing.T) {
	srv, _ := newTestServer(t, WithKeys("my-client", "my-secret"))
	ctx := context.Background()
	_, resp, err := newClient(srv).PlaidApi.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute()
	wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_API_KEYS")
	_, resp, err = newClientWithKeys(srv, "my-client", "my-secret").PlaidApi.ItemGet(ctx).
		ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute()
	wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_ACCESS_TOKEN")
}

// The whole server-side flow through plaid-go: public token, exchange, numbers, Item.
func TestSandboxFlow(t *testing.T) {
	_, api, ctx := newTestAPI(t)

	create := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS})
	pt, _, err := api.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*create).Execute()
	if err != nil {
		t.Fatalf("sandbox public token: %v", err)
	}
	if !publicRE.MatchString(pt.GetPublicToken()) {
		t.Errorf("public token %q", pt.GetPublicToken())
	}
	ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if !accessRE.MatchString(ex.GetAccessToken()) || !plaidIDRE.MatchString(ex.GetItemId()) {
		t.Errorf("access token %q, item id %q", ex.GetAccessToken(), ex.GetItemId())
	}

	item, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatalf("item/get: %v", err)
	}
	it := item.GetItem()
	if it.GetItemId() != ex.GetItemId() || it.GetInstitutionId() != "ins_109508" || it.GetInstitutionName() != "First Platypus Bank" {
		t.Errorf("item %+v", it)
	}
	if !slices.Equal(it.GetBilledProducts(), []plaid.Products{"auth", "transactions"}) {
		t.Errorf("billed products %v", it.GetBilledProducts())
	}
	if slices.Contains(it.GetAvailableProducts(), "auth") || !slices.Contains(it.GetAvailableProducts(), "balance") {
		t.Errorf("available products %v", it.GetAvailableProducts())
	}
	// No webhook is "", not null, as in Sandbox's answers plaid-ruby recorded (fidelity_ruby_test.go).
	if it.GetUpdateType() != "background" || it.GetWebhook() != "" || !it.Webhook.IsSet() || it.Error.Get() != nil || it.ConsentExpirationTime.Get() != nil {
		t.Errorf("item fields %+v", it)
	}
	if time.Since(it.GetCreatedAt()) > time.Minute {
		t.Errorf("created_at %v", it.GetCreatedAt())
	}

	accounts, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatalf("accounts/get: %v", err)
	}
	var masks []string
	for _, a := range accounts.GetAccounts() {
		masks = append(masks, a.GetMask())
	}
	wantMasks := []string{"0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9001", "9002", "9999"}
	if !slices.Equal(masks, wantMasks) {
		t.Errorf("account masks %v, want %v", masks, wantMasks)
	}
	checking := accounts.GetAccounts()[0]
	b := checking.GetBalances()
	if checking.GetName() != "Plaid Checking" || checking.GetType() != "depository" || checking.GetSubtype() != "checking" ||
		b.GetAvailable() != 100 || b.GetCurrent() != 110 || b.Limit.Get() != nil || b.GetIsoCurrencyCode() != "USD" {
		t.Errorf("checking account %+v balances %+v", checking, b)
	}
	card := accounts.GetAccounts()[3]
	if card.GetType() != "credit" || card.Balances.GetLimit() != 2000 {
		t.Errorf("credit card %+v", card)
	}

	balances, _, err := api.AccountsBalanceGet(ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(ex.GetAccessToken())).Execute()
	if err != nil || len(balances.GetAccounts()) != 12 {
		t.Fatalf("accounts/balance/get: %v, %d accounts", err, len(balances.GetAccounts()))
	}
}

func TestAuthGetNumbers(t *testing.T) {
	srv, api, ctx := newTestAPI(t)

	tests := []struct {
		institution string
		currency    string
		check       func(t *testing.T, n plaid.AuthGetNumbers, ids map[string]string)
	}{
		{"ins_109508", "USD", func(t *testing.T, n plaid.AuthGetNumbers, ids map[string]string) {
			if len(n.Ach) != 3 || len(n.Eft)+len(n.International)+len(n.Bacs) != 0 {
				t.Fatalf("numbers %+v", n)
			}
			for _, a := range n.Ach {
				mask := ids[a.AccountId]
				if a.Account != "111122223333"+mask || a.Routing != "011401533" || a.GetWireRouting() != "021000021" {
					t.Errorf("ACH %+v for mask %s", a, mask)
				}
			}
		}},
		{"ins_127287", "USD", func(t *testing.T, n plaid.AuthGetNumbers, ids map[string]string) {
			if len(n.Ach) != 3 || n.Ach[0].Account != "1111222233330000" {
				t.Errorf("OAuth bank ACH %+v", n.Ach)
			}
		}},
		{"ins_43", "CAD", func(t *testing.T, n plaid.AuthGetNumbers, ids map[string]string) {
			if len(n.Eft) != 3 || len(n.Ach)+len(n.International)+len(n.Bacs) != 0 {
				t.Fatalf("numbers %+v", n)
			}
			for _, e := range n.Eft {
				if !regexp.MustCompile(`^\d{3}$`).MatchString(e.Institution) || !regexp.MustCompile(`^\d{5}$`).MatchString(e.Branch) ||
					e.Account != "11112222"+ids[e.AccountId] {
					t.Errorf("EFT %+v", e)
				}
			}
		}},
		{"ins_117650", "GBP", func(t *testing.T, n plaid.AuthGetNumbers, ids map[string]string) {
			if len(n.International) != 3 || len(n.Bacs) != 3 || len(n.Ach)+len(n.Eft) != 0 {
				t.Fatalf("numbers %+v", n)
			}
			for i, in := range n.International {
				if !validIBAN(in.Iban) || !strings.HasPrefix(in.Iban, "GB") || len(in.Iban) != 22 || len(in.Bic) != 8 {
					t.Errorf("international %+v", in)
				}
				bacs := n.Bacs[i]
				if len(bacs.Account) != 8 || len(bacs.SortCode) != 6 || !strings.HasSuffix(in.Iban, bacs.SortCode+bacs.Account) {
					t.Errorf("BACS %+v does not match IBAN %s", bacs, in.Iban)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.institution, func(t *testing.T) {
			access := mustAccessToken(t, srv, tt.institution)
			resp, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
			if err != nil {
				t.Fatalf("auth/get: %v", err)
			}
			ids := map[string]string{}
			var names []string
			for _, a := range resp.GetAccounts() {
				ids[a.GetAccountId()] = a.GetMask()
				names = append(names, a.GetName())
				if a.Balances.GetIsoCurrencyCode() != tt.currency {
					t.Errorf("%s currency %q, want %s", a.GetName(), a.Balances.GetIsoCurrencyCode(), tt.currency)
				}
			}
			if !slices.Equal(names, []string{"Plaid Checking", "Plaid Saving", "Plaid Cash Management"}) {
				t.Errorf("auth accounts %v: want the checking, savings and cash management ones", names)
			}
			it := resp.GetItem()
			if it.GetInstitutionId() != tt.institution || it.GetItemId() == "" || !slices.Contains(it.GetBilledProducts(), "auth") {
				t.Errorf("item %+v", it)
			}
			tt.check(t, resp.GetNumbers(), ids)
		})
	}
}

func TestAccountIDsFilter(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")
	all, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	saving, card := all.Accounts[1].AccountId, all.Accounts[3].AccountId

	req := plaid.NewAuthGetRequest(access)
	req.SetOptions(plaid.AuthGetRequestOptions{AccountIds: &[]string{saving}})
	resp, _, err := api.AuthGet(ctx).AuthGetRequest(*req).Execute()
	if err != nil || len(resp.Accounts) != 1 || resp.Accounts[0].AccountId != saving || len(resp.Numbers.Ach) != 1 {
		t.Fatalf("auth/get for the saving account: %v %+v", err, resp)
	}

	req.SetOptions(plaid.AuthGetRequestOptions{AccountIds: &[]string{card}})
	_, httpResp, err := api.AuthGet(ctx).AuthGetRequest(*req).Execute()
	wantPlaidError(t, err, httpResp, 400, typeItem, "NO_AUTH_ACCOUNTS")

	req.SetOptions(plaid.AuthGetRequestOptions{AccountIds: &[]string{"nope"}})
	_, httpResp, err = api.AuthGet(ctx).AuthGetRequest(*req).Execute()
	wantPlaidError(t, err, httpResp, 400, typeInvalidInput, "INVALID_ACCOUNT_ID")

	areq := plaid.NewAccountsGetRequest(access)
	areq.SetOptions(plaid.AccountsGetRequestOptions{AccountIds: &[]string{card, saving}})
	got, _, err := api.AccountsGet(ctx).AccountsGetRequest(*areq).Execute()
	if err != nil || len(got.Accounts) != 2 || got.Accounts[0].AccountId != card {
		t.Fatalf("accounts/get with a filter: %v %+v", err, got)
	}
}

// Sandbox's test passwords and institutions fail like Plaid's, through the API and the Go helper.
func TestSandboxPublicTokenErrors(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	tests := []struct {
		name        string
		institution string
		products    []plaid.Products
		username    string
		password    string
		typ, code   string
	}{
		{"wrong password", "ins_109508", nil, "", "wrong", typeItem, "INVALID_CREDENTIALS"},
		{"wrong username", "ins_109508", nil, "user_bad", "", typeItem, "INVALID_CREDENTIALS"},
		{"error_INVALID_CREDENTIALS", "ins_109508", nil, "", "error_INVALID_CREDENTIALS", typeItem, "INVALID_CREDENTIALS"},
		{"error_ITEM_LOCKED", "ins_109508", nil, "", "error_ITEM_LOCKED", typeItem, "ITEM_LOCKED"},
		{"error_INVALID_MFA", "ins_109509", nil, "", "error_INVALID_MFA", typeItem, "INVALID_MFA"},
		{"error_NO_AUTH_ACCOUNTS", "ins_109510", nil, "", "error_NO_AUTH_ACCOUNTS", typeItem, "NO_AUTH_ACCOUNTS"},
		{"error_USER_SETUP_REQUIRED", "ins_109511", nil, "", "error_USER_SETUP_REQUIRED", typeItem, "USER_SETUP_REQUIRED"},
		{"error_INSTITUTION_NOT_RESPONDING", "ins_109508", nil, "", "error_INSTITUTION_NOT_RESPONDING", typeInstitution, "INSTITUTION_NOT_RESPONDING"},
		{"error_INSTITUTION_DOWN", "ins_109508", nil, "", "error_INSTITUTION_DOWN", typeInstitution, "INSTITUTION_DOWN"},
		{"an API error code is not a login error", "ins_109508", nil, "", "error_INVALID_API_KEYS", typeItem, "INVALID_CREDENTIALS"},
		{"unknown institution", "ins_999999", nil, "", "", typeInvalidInput, "INVALID_INSTITUTION"},
		{"product the institution lacks", "ins_109508", []plaid.Products{plaid.PRODUCTS_PAYMENT_INITIATION}, "", "", typeInvalidInput, "INVALID_PRODUCT"},
		{"Canadian bank without liabilities", "ins_43", []plaid.Products{plaid.PRODUCTS_LIABILITIES}, "", "", typeInvalidInput, "INVALID_PRODUCT"},
		{"institution down", "ins_132361", nil, "", "", typeInstitution, "INSTITUTION_DOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			products := tt.products
			if products == nil {
				products = []plaid.Products{plaid.PRODUCTS_AUTH}
			}
			req := plaid.NewSandboxPublicTokenCreateRequest(tt.institution, products)
			opts := plaid.SandboxPublicTokenCreateRequestOptions{}
			if tt.username != "" {
				opts.SetOverrideUsername(tt.username)
			}
			if tt.password != "" {
				opts.SetOverridePassword(tt.password)
			}
			req.SetOptions(opts)
			_, resp, err := api.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
			pe := wantPlaidError(t, err, resp, 400, tt.typ, tt.code)
			if tt.typ == typeItem && tt.code != "NO_AUTH_ACCOUNTS" && tt.code != "INVALID_MFA" && tt.code != "INVALID_CREDENTIALS" {
				if pe.DisplayMessage.Get() == nil {
					t.Errorf("%s: a login error needs a display_message for the user", tt.code)
				}
			}

			username, password := tt.username, tt.password
			if username == "" {
				username = "user_good"
			}
			if password == "" {
				password = "pass_good"
			}
			var ps []string
			for _, p := range products {
				ps = append(ps, string(p))
			}
			if _, err := peek(srv).PublicToken(tt.institution, ps, username, password); err == nil || !strings.HasPrefix(err.Error(), tt.code) {
				t.Errorf("PublicTokenWith: %v, want %s", err, tt.code)
			}
		})
	}

	t.Run("degraded institution still links", func(t *testing.T) {
		if _, err := sandboxPublicToken(srv, "ins_132363"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("MFA test passwords link without MFA through the API", func(t *testing.T) {
		if _, err := peek(srv).PublicToken("ins_109508", []string{"auth"}, "user_good", "mfa_device"); err != nil {
			t.Fatal(err)
		}
	})
}

// Public tokens are good once, for 30 minutes.
func TestPublicTokenLifecycle(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	exchange := func(token string) (*http.Response, error) {
		_, resp, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(token)).Execute()
		return resp, err
	}

	t.Run("single use", func(t *testing.T) {
		tok := mustPublicToken(t, srv, "ins_109508")
		if _, err := exchange(tok); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		resp, err := exchange(tok)
		wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_PUBLIC_TOKEN")
	})
	t.Run("good until 30 minutes", func(t *testing.T) {
		tok := mustPublicToken(t, srv, "ins_109508")
		srv.advanceClock(29*time.Minute + 58*time.Second)
		if _, err := exchange(tok); err != nil {
			t.Fatalf("exchange before 30 minutes: %v", err)
		}
	})
	t.Run("expired after 30 minutes", func(t *testing.T) {
		tok := mustPublicToken(t, srv, "ins_109508")
		srv.advanceClock(30 * time.Minute)
		resp, err := exchange(tok)
		pe := wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_PUBLIC_TOKEN")
		if !strings.Contains(pe.ErrorMessage, "expired") {
			t.Errorf("message %q should say the token expired", pe.ErrorMessage)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		resp, err := exchange("public-sandbox-" + newUUID())
		wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_PUBLIC_TOKEN")
	})
}

// Access tokens rotate and end like Plaid's.
func TestAccessTokenLifecycle(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	itemGet := func(token string) (plaid.ItemGetResponse, *http.Response, error) {
		return api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(token)).Execute()
	}

	old := mustAccessToken(t, srv, "ins_109508")
	before, _, err := itemGet(old)
	if err != nil {
		t.Fatal(err)
	}
	rot, _, err := api.ItemAccessTokenInvalidate(ctx).ItemAccessTokenInvalidateRequest(*plaid.NewItemAccessTokenInvalidateRequest(old)).Execute()
	if err != nil {
		t.Fatalf("invalidate: %v", err)
	}
	fresh := rot.GetNewAccessToken()
	if !accessRE.MatchString(fresh) || fresh == old {
		t.Fatalf("new access token %q", fresh)
	}
	_, resp, err := itemGet(old)
	wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_ACCESS_TOKEN")
	after, _, err := itemGet(fresh)
	if err != nil || after.Item.ItemId != before.Item.ItemId {
		t.Fatalf("the new token should reach the same Item: %v", err)
	}

	if _, _, err := api.ItemRemove(ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(fresh)).Execute(); err != nil {
		t.Fatalf("remove: %v", err)
	}
	_, resp, err = itemGet(fresh)
	wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_ACCESS_TOKEN")
	_, resp, err = api.ItemRemove(ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(fresh)).Execute()
	wantPlaidError(t, err, resp, 400, typeInvalidInput, "INVALID_ACCESS_TOKEN")
}

func TestResetLogin(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")

	reset, _, err := api.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()
	if err != nil || !reset.GetResetLogin() {
		t.Fatalf("reset_login: %v %+v", err, reset)
	}
	_, resp, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, 400, typeItem, "ITEM_LOGIN_REQUIRED")
	_, resp, err = api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, 400, typeItem, "ITEM_LOGIN_REQUIRED")
	_, resp, err = api.AccountsBalanceGet(ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()
	wantPlaidError(t, err, resp, 400, typeItem, "ITEM_LOGIN_REQUIRED")

	item, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("item/get still answers: %v", err)
	}
	if e := item.Item.Error.Get(); e == nil || e.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Fatalf("item.error %+v, want ITEM_LOGIN_REQUIRED", e)
	}

	// Link in update mode repairs the Item.
	lreq := linkTokenRequest()
	lreq.SetAccessToken(access)
	lt, _, err := api.LinkTokenCreate(ctx).LinkTokenCreateRequest(*lreq).Execute()
	if err != nil {
		t.Fatalf("update-mode link token: %v", err)
	}
	session := standInPost(t, srv, "session", map[string]any{"token": lt.GetLinkToken()})
	if session.status != 200 {
		t.Fatalf("session: %d %s", session.status, session.body)
	}
	login := standInPost(t, srv, "login", map[string]any{"token": lt.GetLinkToken(), "username": "user_good", "password": "pass_good"})
	data := login.decode(t)["data"].(map[string]any)
	if login.status != 200 || data["update"] != true {
		t.Fatalf("update-mode login: %d %s", login.status, login.body)
	}
	finish := standInPost(t, srv, "finish", map[string]any{"token": lt.GetLinkToken(), "login": data["login"]})
	if finish.status != 200 {
		t.Fatalf("finish: %d %s", finish.status, finish.body)
	}
	if _, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute(); err != nil {
		t.Fatalf("auth/get after update mode: %v", err)
	}
	// The update-mode public token exchanges for the same access token.
	pt := finish.decode(t)["data"].(map[string]any)["public_token"].(string)
	ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt)).Execute()
	if err != nil || ex.GetAccessToken() != access {
		t.Fatalf("update-mode exchange: %v, token changed: %v", err, ex.GetAccessToken() != access)
	}
}

func TestInstitutionsGetByID(t *testing.T) {
	_, api, ctx := newTestAPI(t)
	get := func(id string, countries []plaid.CountryCode, opts *plaid.InstitutionsGetByIdRequestOptions) (plaid.InstitutionsGetByIdResponse, *http.Response, error) {
		req := plaid.NewInstitutionsGetByIdRequest(id, countries)
		if opts != nil {
			req.SetOptions(*opts)
		}
		return api.InstitutionsGetById(ctx).InstitutionsGetByIdRequest(*req).Execute()
	}

	resp, _, err := get("ins_109508", []plaid.CountryCode{"US"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := resp.GetInstitution()
	if in.Name != "First Platypus Bank" || in.Oauth || !slices.Equal(in.CountryCodes, []plaid.CountryCode{"US"}) ||
		!slices.Contains(in.Products, "auth") || !slices.Contains(in.RoutingNumbers, "011401533") {
		t.Errorf("institution %+v", in)
	}
	if in.Url.IsSet() || in.Status.IsSet() {
		t.Errorf("optional metadata and status sent without being asked for")
	}

	oauth, _, err := get("ins_127287", []plaid.CountryCode{"US", "CA"}, nil)
	if err != nil || !oauth.Institution.Oauth {
		t.Errorf("Platypus OAuth Bank: %v oauth=%v", err, oauth.Institution.Oauth)
	}

	all := &plaid.InstitutionsGetByIdRequestOptions{}
	all.SetIncludeOptionalMetadata(true)
	all.SetIncludeStatus(true)
	all.SetIncludeAuthMetadata(true)
	down, _, err := get("ins_132361", []plaid.CountryCode{"US"}, all)
	if err != nil {
		t.Fatal(err)
	}
	// "Note that institution status is not available in the Sandbox environment" (the spec's
	// InstitutionStatus; https://plaid.com/docs/api/institutions/#institutionsget_by_id): asked
	// for, it is null, even for the Sandbox's unhealthy banks.
	if !down.Institution.Status.IsSet() || down.Institution.Status.Get() != nil || down.Institution.GetUrl() == "" {
		t.Errorf("down institution %+v", down.Institution)
	}

	_, httpResp, err := get("ins_117650", []plaid.CountryCode{"US"}, nil)
	wantPlaidError(t, err, httpResp, 400, typeInvalidInput, "INVALID_INSTITUTION")
	_, httpResp, err = get("ins_0", []plaid.CountryCode{"US"}, nil)
	wantPlaidError(t, err, httpResp, 400, typeInvalidInput, "INVALID_INSTITUTION")
	gb, _, err := get("ins_117650", []plaid.CountryCode{"GB"}, nil)
	if err != nil || gb.Institution.Name != "Royal Bank of Plaid" {
		t.Errorf("Royal Bank of Plaid: %v", err)
	}
}

func TestProcessorTokenCreate(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")
	accounts, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := api.ProcessorTokenCreate(ctx).ProcessorTokenCreateRequest(
		*plaid.NewProcessorTokenCreateRequest(access, accounts.Accounts[0].AccountId, "dwolla")).Execute()
	if err != nil || !processorRE.MatchString(resp.GetProcessorToken()) {
		t.Fatalf("processor token: %v %+v", err, resp)
	}
	_, httpResp, err := api.ProcessorTokenCreate(ctx).ProcessorTokenCreateRequest(
		*plaid.NewProcessorTokenCreateRequest(access, "nope", "dwolla")).Execute()
	wantPlaidError(t, err, httpResp, 400, typeInvalidInput, "INVALID_ACCOUNT_ID")
}

func TestLatency(t *testing.T) {
	const d = 120 * time.Millisecond
	srv, _ := newTestServer(t, WithLatency(d))
	ctx := context.Background()
	api := newClient(srv).PlaidApi
	measure := func() time.Duration {
		start := time.Now()
		api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute()
		return time.Since(start)
	}
	if got := measure(); got < d {
		t.Errorf("WithLatency(%v): call took %v", d, got)
	}
	srv.SetLatency(2 * d)
	if got := measure(); got < 2*d {
		t.Errorf("SetLatency(%v): call took %v", 2*d, got)
	}

	// Whether a latency is gone is not told by how long a call takes, which on a busy machine
	// can be anything: the latency is an hour, and a call that comes back at all did not get it.
	const noLatency = 30 * time.Second
	srv.SetLatency(time.Hour)
	srv.SetLatency(0)
	ctx, cancel := context.WithTimeout(ctx, noLatency)
	defer cancel()
	if _, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute(); ctx.Err() != nil {
		t.Errorf("after SetLatency(0) a call still waits: no answer within %v (%v)", noLatency, err)
	}
	// The SDK is not an API endpoint: no latency.
	srv.SetLatency(time.Hour)
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+sdkPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the Link SDK with an API latency of an hour: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the Link SDK: %s", resp.Status)
	}
}

func TestFaults(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	access := mustAccessToken(t, srv, "ins_109508")
	authGet := func() (*http.Response, error) {
		_, resp, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
		return resp, err
	}

	tests := []struct {
		code   string
		status int
		typ    string
	}{
		{"RATE_LIMIT", 429, typeRateLimit},
		{"AUTH_LIMIT", 429, typeRateLimit},
		{"INTERNAL_SERVER_ERROR", 500, typeAPI},
		{"PLANNED_MAINTENANCE", 503, typeAPI},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if !srv.InjectError("/auth/get", 1, tt.code) {
				t.Fatal("InjectError refused a catalog code")
			}
			resp, err := authGet()
			wantPlaidError(t, err, resp, tt.status, tt.typ, tt.code)
			if _, err := authGet(); err != nil {
				t.Errorf("the fault should be used up after one call: %v", err)
			}
		})
	}

	t.Run("verbatim JSON from errorJSON", func(t *testing.T) {
		body, status, ok := errorJSON("PLANNED_MAINTENANCE")
		if !ok || status != 503 {
			t.Fatalf("errorJSON: %v %d", ok, status)
		}
		srv.InjectFault("/auth/get", 2, status, "application/json", body)
		for i := 0; i < 2; i++ {
			resp, err := authGet()
			wantPlaidError(t, err, resp, 503, typeAPI, "PLANNED_MAINTENANCE")
		}
		if _, err := authGet(); err != nil {
			t.Errorf("after 2 faults: %v", err)
		}
	})

	t.Run("HTML from a proxy", func(t *testing.T) {
		srv.InjectFault("/auth/get", 1, 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>")
		resp, err := authGet()
		if err == nil || resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("got %v, %v", err, resp)
		}
		if err.Error() != "undefined response type" {
			t.Errorf("plaid-go error %q: a non-JSON answer should not decode", err)
		}
	})

	t.Run("until cleared", func(t *testing.T) {
		srv.InjectFault("/auth/get", 0, 500, "text/plain", "boom")
		for i := 0; i < 3; i++ {
			if resp, err := authGet(); err == nil || resp.StatusCode != 500 {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		srv.ClearFaults()
		if _, err := authGet(); err != nil {
			t.Errorf("after ClearFaults: %v", err)
		}
	})

	t.Run("faults are per path", func(t *testing.T) {
		srv.InjectError("/accounts/get", 1, "INTERNAL_SERVER_ERROR")
		if _, err := authGet(); err != nil {
			t.Errorf("auth/get hit the accounts/get fault: %v", err)
		}
		srv.ClearFaults()
	})

	t.Run("unknown code", func(t *testing.T) {
		if srv.InjectError("/auth/get", 1, "NOT_A_CODE") {
			t.Error("InjectError accepted an unknown code")
		}
		if _, _, ok := errorJSON("NOT_A_CODE"); ok {
			t.Error("errorJSON accepted an unknown code")
		}
	})
}

func TestRequestsCount(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	srv.InjectError("/item/get", 1, "INTERNAL_SERVER_ERROR")
	for i := 0; i < 3; i++ {
		api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute()
	}
	if got := peek(srv).Requests("/item/get"); got != 3 {
		t.Errorf("Requests(/item/get) = %d, want 3 (faulted calls count)", got)
	}
	if got := peek(srv).Requests("/auth/get"); got != 0 {
		t.Errorf("Requests(/auth/get) = %d, want 0", got)
	}
}

// Many clients at once, each through the whole flow, under the race detector.
func TestConcurrentClients(t *testing.T) {
	srv, api, ctx := newTestAPI(t)
	const clients = 16
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		go func(i int) {
			errs <- func() error {
				inst := []string{"ins_109508", "ins_43", "ins_117650", "ins_127287"}[i%4]
				tok, err := sandboxPublicToken(srv, inst)
				if err != nil {
					return err
				}
				ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(tok)).Execute()
				if err != nil {
					return err
				}
				access := ex.GetAccessToken()
				if _, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute(); err != nil {
					return err
				}
				if i%2 == 0 {
					rot, _, err := api.ItemAccessTokenInvalidate(ctx).ItemAccessTokenInvalidateRequest(*plaid.NewItemAccessTokenInvalidateRequest(access)).Execute()
					if err != nil {
						return err
					}
					access = rot.GetNewAccessToken()
				}
				srv.SetLatency(0)
				peek(srv).Requests("/auth/get")
				_, _, err = api.ItemRemove(ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(access)).Execute()
				return err
			}()
		}(i)
	}
	for i := 0; i < clients; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := peek(srv).Requests("/auth/get"); got != clients {
		t.Errorf("Requests(/auth/get) = %d, want %d", got, clients)
	}
}

func TestServerListensOnLoopbackOnly(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", srv.URL)
	}
	if srv.LinkScriptURL() != srv.URL+"/link/v2/stable/link-initialize.js" {
		t.Errorf("LinkScriptURL %q", srv.LinkScriptURL())
	}
}
