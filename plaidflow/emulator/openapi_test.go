package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/plaid/plaid-go/v42/plaid"
)

// Conformance with Plaid's OpenAPI document. Every test server made with newTestServer checks
// every answer it sends against the subset in testdata (and, for calls it accepted, the
// request too), so each behaviour test is also a schema test.

const specSubsetPath = "testdata/plaid-openapi-subset.yml"

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

// plaidSpec loads the OpenAPI subset once for the whole test binary.
func plaidSpec(t testing.TB) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromFile(specSubsetPath)
		if specErr == nil {
			specErr = specDoc.Validate(context.Background())
		}
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", specSubsetPath, specErr)
	}
	return specDoc
}

// validateExchange checks one answer of the fake (and, when the fake accepted the call, its
// request) against Plaid's document. An answer to a path Plaid does not have must still be a
// Plaid error.
func validateExchange(doc *openapi3.T, ex exchange) error {
	ctx := context.Background()
	pathItem := doc.Paths.Find(ex.path)
	if pathItem == nil || pathItem.Post == nil || ex.method != http.MethodPost {
		if ex.status != http.StatusNotFound {
			return fmt.Errorf("%s %s: status %d for a path Plaid does not serve, want 404", ex.method, ex.path, ex.status)
		}
		return validateSchema(doc, "PlaidError", ex.header, ex.body)
	}
	req, err := http.NewRequest(ex.method, "https://sandbox.plaid.com"+ex.path, bytes.NewReader(ex.reqBody))
	if err != nil {
		return err
	}
	req.Header = ex.reqHeader.Clone()
	route := &routers.Route{Spec: doc, Server: doc.Servers[1], Path: ex.path, PathItem: pathItem,
		Method: http.MethodPost, Operation: pathItem.Post}
	reqInput := &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	respInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 ex.status,
		Header:                 ex.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	respInput.SetBodyBytes(ex.body)
	if err := openapi3filter.ValidateResponse(ctx, respInput); err != nil {
		return fmt.Errorf("response to %s (status %d) does not match the spec: %w\nbody: %s", ex.path, ex.status, err, ex.body)
	}
	if ex.status == http.StatusOK {
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			return fmt.Errorf("the fake accepted a request to %s that the spec rejects: %w\nbody: %s", ex.path, err, ex.reqBody)
		}
	}
	return nil
}

// validateSchema checks a JSON body against a component schema.
func validateSchema(doc *openapi3.T, schema string, header http.Header, body []byte) error {
	if !isJSON(header.Get("Content-Type")) {
		return fmt.Errorf("content type %q, want application/json", header.Get("Content-Type"))
	}
	ref, ok := doc.Components.Schemas[schema]
	if !ok {
		return fmt.Errorf("no schema %s in the spec", schema)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("body does not match %s: %w\nbody: %s", schema, err, body)
	}
	return nil
}

// conformance counts what the observer validated, so that a test can prove it ran.
type conformance struct {
	mu        sync.Mutex
	validated map[string]int // "path status"
}

func (c *conformance) add(ex exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.validated[fmt.Sprintf("%s %d", ex.path, ex.status)]++
}

func (c *conformance) seen(path string, status int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.validated[fmt.Sprintf("%s %d", path, status)]
}

// newTestServer starts a fake whose every answer is checked against the spec; the server is
// closed when the test ends. Faults injected with a verbatim body are not Plaid's answers and
// are not checked.
func newTestServer(t testing.TB, opts ...Option) (*Server, *conformance) {
	t.Helper()
	doc := plaidSpec(t)
	conf := &conformance{validated: map[string]int{}}
	observer := withObserver(func(ex exchange) {
		if ex.rawFault {
			return
		}
		if err := validateExchange(doc, ex); err != nil {
			t.Errorf("OpenAPI: %v", err)
			return
		}
		conf.add(ex)
	})
	s := NewServer(append([]Option{observer}, opts...)...)
	t.Cleanup(s.Close)
	return s, conf
}

// A validator that cannot fail proves nothing: broken answers must be caught.
func TestValidatorRejectsBrokenAnswers(t *testing.T) {
	doc := plaidSpec(t)
	srv, _ := newTestServer(t)
	access := mustAccessToken(t, srv, "ins_109508")
	good := rawCall(t, srv, "/auth/get", map[string]any{"access_token": access})
	if good.status != 200 {
		t.Fatalf("auth/get: status %d: %s", good.status, good.body)
	}
	ex := exchange{method: "POST", path: "/auth/get", reqHeader: jsonHeaders(), status: 200,
		header: http.Header{"Content-Type": {"application/json"}}, reqBody: []byte(`{"access_token":"` + access + `"}`)}
	if err := validateExchange(doc, withBody(ex, good.body)); err != nil {
		t.Fatalf("the fake's own answer fails validation: %v", err)
	}

	// Each breakage must be caught, and caught where it is.
	breakages := []struct {
		name, where string
		apply       func(m map[string]any)
	}{
		{"numbers.bacs missing", "/numbers/bacs", func(m map[string]any) { delete(m["numbers"].(map[string]any), "bacs") }},
		{"request_id missing", "/request_id", func(m map[string]any) { delete(m, "request_id") }},
		{"item.webhook missing (nullable but required)", "/item/webhook", func(m map[string]any) {
			delete(m["item"].(map[string]any), "webhook")
		}},
		{"balance as a string", "/accounts/0/balances/available", func(m map[string]any) {
			m["accounts"].([]any)[0].(map[string]any)["balances"].(map[string]any)["available"] = "100"
		}},
		{"account type outside the enum", "/accounts/0/type", func(m map[string]any) {
			m["accounts"].([]any)[0].(map[string]any)["type"] = "chequing"
		}},
		{"timestamp not RFC 3339", "/item/consent_expiration_time", func(m map[string]any) {
			m["item"].(map[string]any)["consent_expiration_time"] = "2024-03-16 15:53:00"
		}},
		{"wire_routing absent", "/numbers/ach/0/wire_routing", func(m map[string]any) {
			delete(m["numbers"].(map[string]any)["ach"].([]any)[0].(map[string]any), "wire_routing")
		}},
	}
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good.body, &m); err != nil {
				t.Fatal(err)
			}
			b.apply(m)
			broken, _ := json.Marshal(m)
			err := validateExchange(doc, withBody(ex, broken))
			if err == nil {
				t.Fatalf("validator accepted a broken answer: %s", broken)
			}
			if !strings.Contains(err.Error(), `"`+b.where+`"`) {
				t.Errorf("validator caught something else than %s: %v", b.where, err)
			}
		})
	}

	t.Run("error without error_code", func(t *testing.T) {
		bad := withBody(ex, []byte(`{"error_type":"INVALID_INPUT","error_message":"x","display_message":null,"request_id":"abc"}`))
		bad.status = 400
		if err := validateExchange(doc, bad); err == nil {
			t.Error("validator accepted an error without error_code")
		}
	})
	t.Run("error type outside the enum", func(t *testing.T) {
		bad := withBody(ex, []byte(`{"error_type":"OOPS","error_code":"X","error_message":"x","display_message":null}`))
		bad.status = 400
		if err := validateExchange(doc, bad); err == nil {
			t.Error("validator accepted an unknown error_type")
		}
	})
	t.Run("HTML body", func(t *testing.T) {
		bad := withBody(ex, []byte(`<html>bad gateway</html>`))
		bad.status = 502
		bad.header = http.Header{"Content-Type": {"text/html"}}
		if err := validateExchange(doc, bad); err == nil {
			t.Error("validator accepted an HTML answer")
		}
	})
	t.Run("request the spec rejects, accepted", func(t *testing.T) {
		bad := withBody(ex, good.body)
		bad.reqBody = []byte(`{"access_token": 12}`)
		if err := validateExchange(doc, bad); err == nil {
			t.Error("validator accepted a 200 to a request with a numeric access_token")
		}
	})
}

func withBody(ex exchange, body []byte) exchange {
	ex.body = body
	return ex
}

// Every endpoint's success and error answers go through the validator at least once.
func TestOpenAPIConformanceEveryEndpoint(t *testing.T) {
	srv, conf := newTestServer(t)
	ctx := context.Background()
	client := newClient(srv)

	access := mustAccessToken(t, srv, "ins_109508")
	gbAccess := mustAccessToken(t, srv, "ins_117650")
	caAccess := mustAccessToken(t, srv, "ins_43")
	accounts, _, err := client.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	accountID := accounts.Accounts[0].AccountId
	caAccounts, _, err := client.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(caAccess)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	caAccountID := caAccounts.Accounts[0].AccountId
	lt, _, err := client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*linkTokenRequest(plaid.PRODUCTS_AUTH)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	linkToken := lt.GetLinkToken()
	amdAccess, amdAccount := mustMicrodepositsItem(t, srv)

	calls := []struct {
		path string
		body map[string]any
		want int
	}{
		{"/link/token/create", map[string]any{"client_name": "Demo", "language": "en", "country_codes": []string{"US"},
			"user": map[string]any{"client_user_id": "u1"}, "products": []string{"auth"}}, 200},
		{"/link/token/create", map[string]any{"client_name": "Demo", "language": "en", "country_codes": []string{"XX"},
			"user": map[string]any{"client_user_id": "u1"}, "products": []string{"auth"}}, 400},
		{"/link/token/create", map[string]any{"client_name": "Demo", "language": "en", "country_codes": []string{"US"},
			"user": map[string]any{"client_user_id": "u1"}, "access_token": access}, 200},
		{"/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"}}, 200},
		{"/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"},
			"options": map[string]any{"override_password": "error_ITEM_LOCKED"}}, 400},
		{"/item/public_token/exchange", map[string]any{"public_token": mustPublicToken(t, srv, "ins_109508")}, 200},
		{"/item/public_token/exchange", map[string]any{"public_token": "public-sandbox-nope"}, 400},
		{"/auth/get", map[string]any{"access_token": access}, 200},
		{"/auth/get", map[string]any{"access_token": gbAccess}, 200},
		{"/auth/get", map[string]any{"access_token": caAccess}, 200},
		{"/auth/get", map[string]any{"access_token": "access-sandbox-nope"}, 400},
		{"/accounts/get", map[string]any{"access_token": access}, 200},
		{"/accounts/get", map[string]any{}, 400},
		{"/accounts/balance/get", map[string]any{"access_token": access, "options": map[string]any{"account_ids": []string{accountID}}}, 200},
		{"/accounts/balance/get", map[string]any{"access_token": access, "options": map[string]any{"account_ids": []string{"nope"}}}, 400},
		{"/item/get", map[string]any{"access_token": access}, 200},
		{"/item/get", map[string]any{"access_token": 7}, 400},
		{"/institutions/get_by_id", map[string]any{"institution_id": "ins_132361", "country_codes": []string{"US"},
			"options": map[string]any{"include_optional_metadata": true, "include_status": true,
				"include_auth_metadata": true, "include_payment_initiation_metadata": true}}, 200},
		{"/institutions/get_by_id", map[string]any{"institution_id": "ins_117650", "country_codes": []string{"GB"},
			"options": map[string]any{"include_optional_metadata": true, "include_status": true,
				"include_auth_metadata": true, "include_payment_initiation_metadata": true}}, 200},
		{"/institutions/get_by_id", map[string]any{"institution_id": "ins_117650", "country_codes": []string{"US"}}, 400},
		{"/processor/token/create", map[string]any{"access_token": access, "account_id": accountID, "processor": "dwolla"}, 200},
		{"/processor/token/create", map[string]any{"access_token": access, "account_id": accountID, "processor": "nobody"}, 400},
		{"/sandbox/item/reset_login", map[string]any{"access_token": access}, 200},
		{"/item/get", map[string]any{"access_token": access}, 200}, // item.error is set now
		{"/auth/get", map[string]any{"access_token": access}, 400},
		{"/sandbox/item/reset_login", map[string]any{"access_token": "access-sandbox-nope"}, 400},
		{"/item/access_token/invalidate", map[string]any{"access_token": access}, 200},
		{"/item/access_token/invalidate", map[string]any{"access_token": access}, 400}, // rotated away
		{"/item/remove", map[string]any{"access_token": gbAccess}, 200},
		{"/item/remove", map[string]any{"access_token": gbAccess}, 400},
		{"/institutions/get", map[string]any{"count": 500, "offset": 0, "country_codes": []string{"US", "GB", "CA"},
			"options": map[string]any{"include_optional_metadata": true, "include_auth_metadata": true,
				"include_payment_initiation_metadata": true}}, 200},
		{"/institutions/get", map[string]any{"count": 501, "offset": 0, "country_codes": []string{"US"}}, 400},
		{"/institutions/search", map[string]any{"query": "platypus", "country_codes": []string{"US", "GB"},
			"products": []string{"auth"}, "options": map[string]any{"include_optional_metadata": true,
				"include_auth_metadata": true, "include_payment_initiation_metadata": true, "oauth": nil}}, 200},
		{"/institutions/search", map[string]any{"query": "", "country_codes": []string{"US"}}, 400},
		{"/link/token/get", map[string]any{"link_token": linkToken}, 200},
		{"/link/token/get", map[string]any{"link_token": "link-sandbox-00000000-0000-4000-8000-000000000000"}, 400},
		{"/identity/get", map[string]any{"access_token": caAccess}, 200},
		{"/identity/get", map[string]any{"access_token": "access-sandbox-nope"}, 400},
		{"/processor/stripe/bank_account_token/create", map[string]any{"access_token": caAccess, "account_id": caAccountID}, 200},
		{"/processor/stripe/bank_account_token/create", map[string]any{"access_token": caAccess, "account_id": "nope"}, 400},
		{"/sandbox/processor_token/create", map[string]any{"institution_id": "ins_109508"}, 200},
		{"/sandbox/processor_token/create", map[string]any{"institution_id": "ins_0"}, 400},
		// webhooks.go and authflows.go
		{"/webhook_verification_key/get", map[string]any{"key_id": srv.webhooks().kid}, 200},
		{"/webhook_verification_key/get", map[string]any{"key_id": "nope"}, 400},
		{"/item/webhook/update", map[string]any{"access_token": caAccess, "webhook": "http://127.0.0.1:9/hook"}, 200},
		{"/item/webhook/update", map[string]any{"access_token": caAccess, "webhook": "not a url"}, 400},
		{"/sandbox/item/fire_webhook", map[string]any{"access_token": caAccess, "webhook_code": "NEW_ACCOUNTS_AVAILABLE"}, 200},
		{"/sandbox/item/fire_webhook", map[string]any{"access_token": caAccess, "webhook_code": "NOPE"}, 400},
		{"/accounts/get", map[string]any{"access_token": amdAccess}, 200}, // verification_status
		{"/auth/get", map[string]any{"access_token": amdAccess}, 400},     // PRODUCT_NOT_READY
		{"/sandbox/item/set_verification_status", map[string]any{"access_token": amdAccess, "account_id": amdAccount,
			"verification_status": "automatically_verified"}, 200},
		{"/sandbox/item/set_verification_status", map[string]any{"access_token": amdAccess, "account_id": amdAccount,
			"verification_status": "automatically_verified"}, 400}, // not pending any more
		{"/no/such/endpoint", map[string]any{}, 404},
	}
	for _, c := range calls {
		before := conf.seen(c.path, c.want)
		got := rawCall(t, srv, c.path, c.body)
		if got.status != c.want {
			t.Errorf("%s %v: status %d, want %d: %s", c.path, c.body, got.status, c.want, got.body)
			continue
		}
		if conf.seen(c.path, c.want) != before+1 {
			t.Errorf("%s: the %d answer was not validated", c.path, c.want)
		}
	}
	for path := range endpoints {
		for _, status := range []int{200, 400} {
			if conf.seen(path, status) == 0 {
				t.Errorf("%s: no %d answer was validated", path, status)
			}
		}
	}

	// Injected Plaid errors are Plaid answers too.
	for _, code := range []string{"RATE_LIMIT", "INTERNAL_SERVER_ERROR", "PLANNED_MAINTENANCE"} {
		srv.InjectError("/auth/get", 1, code)
		got := rawCall(t, srv, "/auth/get", map[string]any{"access_token": caAccess})
		if conf.seen("/auth/get", got.status) == 0 || got.status < 429 {
			t.Errorf("%s: status %d not validated", code, got.status)
		}
	}
}

// The request fields the fake knows are exactly the spec's, and so are its enums: a newer spec
// that adds a field makes this fail instead of the fake answering UNKNOWN_FIELDS to a valid
// request.
func TestRequestParamsMatchSpec(t *testing.T) {
	doc := plaidSpec(t)
	for path, ep := range endpoints {
		item := doc.Paths.Find(path)
		if item == nil || item.Post == nil {
			t.Errorf("%s: not in the spec", path)
			continue
		}
		schema := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		compareParams(t, path, ep.params, schema)
	}
	enums := []struct {
		name string
		got  []string
		want *openapi3.Schema
	}{
		{"Products", productEnum, doc.Components.Schemas["Products"].Value},
		{"CountryCode", countryCodeEnum, doc.Components.Schemas["CountryCode"].Value},
		{"processor", processorEnum, doc.Paths.Find("/processor/token/create").Post.RequestBody.Value.
			Content.Get("application/json").Schema.Value.Properties["processor"].Value},
	}
	for _, e := range enums {
		var want []string
		for _, v := range e.want.Enum {
			want = append(want, fmt.Sprint(v))
		}
		if !slices.Equal(e.got, want) {
			t.Errorf("%s enum: the fake has %v, the spec %v", e.name, e.got, want)
		}
	}
}

func compareParams(t *testing.T, where string, params []param, schema *openapi3.Schema) {
	t.Helper()
	props := schemaProperties(schema)
	var want, got []string
	for name := range props {
		want = append(want, name)
	}
	for _, p := range params {
		got = append(got, p.name)
		prop, ok := props[p.name]
		if !ok {
			continue
		}
		if p.kind == kindObject && p.fields != nil && prop.Value != nil {
			compareParams(t, where+"."+p.name, p.fields, prop.Value)
		}
		if p.required != slices.Contains(schema.Required, p.name) {
			t.Errorf("%s.%s: required is %v in the fake, not in the spec", where, p.name, p.required)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: the fake knows fields %v, the spec %v", where, got, want)
	}
}

// schemaProperties gathers the properties of a schema, through allOf.
func schemaProperties(s *openapi3.Schema) openapi3.Schemas {
	out := openapi3.Schemas{}
	for k, v := range s.Properties {
		out[k] = v
	}
	for _, sub := range s.AllOf {
		for k, v := range schemaProperties(sub.Value) {
			out[k] = v
		}
	}
	return out
}

// The fake's error answers carry exactly the keys Plaid's do.
func TestErrorBodyShape(t *testing.T) {
	srv, _ := newTestServer(t)
	got := rawCall(t, srv, "/auth/get", map[string]any{"access_token": "access-sandbox-00000000-0000-4000-8000-000000000000"})
	var m map[string]any
	if err := json.Unmarshal(got.body, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"display_message", "documentation_url", "error_code", "error_message", "error_type", "request_id", "suggested_action"}
	if !slices.Equal(keys, want) {
		t.Errorf("error keys %v, want %v", keys, want)
	}
	if m["display_message"] != nil || m["suggested_action"] != nil {
		t.Errorf("display_message and suggested_action should be null: %s", got.body)
	}
	if !strings.HasPrefix(m["documentation_url"].(string), "https://plaid.com/docs/?ref=error#invalid-input-errors") {
		t.Errorf("documentation_url %v", m["documentation_url"])
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}
