package plaidflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// TestHints: each common Plaid error gets one specific next step. The wording follows Plaid's
// errors reference:
//   - https://plaid.com/docs/errors/invalid-input/ (INVALID_API_KEYS, INVALID_PUBLIC_TOKEN: single
//     use, 30 minutes; INVALID_PRODUCT)
//   - https://plaid.com/docs/errors/invalid-request/ (INVALID_FIELD; INVALID_CONFIGURATION:
//     /link/token/create called with invalid configuration settings)
//   - https://plaid.com/docs/errors/item/ (ITEM_LOGIN_REQUIRED → update mode; PRODUCT_NOT_READY;
//     PRODUCTS_NOT_SUPPORTED)
//   - https://plaid.com/docs/errors/institution/ (INSTITUTION_DOWN, INSTITUTION_NOT_RESPONDING)
//   - https://plaid.com/docs/errors/rate-limit-exceeded/ (AUTH_LIMIT and the other limits)
//   - https://plaid.com/docs/link/data-transparency-messaging-migration-guide (a use case is
//     required to use Link in Production)
//   - https://plaid.com/docs/link/handle-invalid-link-token (INVALID_LINK_TOKEN)
func TestHints(t *testing.T) {
	env := plaidapi.Circumstances{Env: config.Sandbox, ClientIDSource: config.SourceEnviron, SecretSource: config.SourceEnviron, Products: []string{"auth"}}
	mixed := env
	mixed.ClientIDSource, mixed.SecretSource, mixed.Env = config.SourceDotEnv, config.SourceKeyring, config.Production
	redirect := env
	redirect.RedirectURI = "http://localhost:8765/oauth-return"
	android := env
	android.AndroidPackageName = "com.example.app"
	cases := []struct {
		name, code, typ, message string
		in                       plaidapi.Circumstances
		want                     []string
		docs                     string
	}{
		{"keys from the environment", "INVALID_API_KEYS", "INVALID_INPUT", "invalid client_id or secret provided", env,
			[]string{"sandbox", "both from the environment (PLAID_CLIENT_ID and PLAID_SECRET)", "Developers > Keys", "own secret"},
			"https://plaid.com/docs/errors/invalid-input/#invalid_api_keys"},
		{"keys from .env and the keyring", "INVALID_API_KEYS", "INVALID_INPUT", "", mixed,
			[]string{"production", "the client_id from PLAID_CLIENT_ID in the .env file", "the secret from the OS keyring"}, ""},
		{"redirect URI not registered", "INVALID_FIELD", "INVALID_REQUEST", "OAuth redirect URI must be configured in the developer dashboard. See https://dashboard.plaid.com/team/api", redirect,
			[]string{"register http://localhost:8765/oauth-return", "Allowed redirect URIs", "exactly", "port and path"},
			"https://plaid.com/docs/errors/invalid-request/#invalid_field"},
		// The body users saw from /link/token/create (react-native-plaid-link-sdk#169,
		// plaid-link-android#135); the fix is the Android SDK guide's "Register your app ID"
		// (https://plaid.com/docs/link/android/).
		{"android package name not registered", "INVALID_FIELD", "INVALID_REQUEST", "Android package name must be configured in the developer dashboard. See https://plaid.com/docs/link/android/#register-app-id", android,
			[]string{"register com.example.app", "Developers > API > Allowed Android package names", "applicationId"}, ""},
		// The body users saw for a product the team is not enabled for (plaid/pattern#246,
		// plaid-node#540).
		{"product not enabled for the team", "INVALID_PRODUCT", "INVALID_INPUT", `client is not authorized to access the following products: ["transfer"]`, env,
			[]string{"not enabled for transfer in sandbox", "request-product-access", "drop transfer from PLAID_PRODUCTS"}, "https://plaid.com/docs/errors/invalid-input/#invalid_product"},
		{"another field", "INVALID_FIELD", "INVALID_REQUEST", "client_name must be at most 30 characters", env,
			[]string{"PLAID_CLIENT_NAME"}, ""},
		{"login required", "ITEM_LOGIN_REQUIRED", "ITEM_ERROR", "", env,
			[]string{"update mode", "plaid-onboard link --update"}, "https://plaid.com/docs/errors/item/#item_login_required"},
		{"product not ready", "PRODUCT_NOT_READY", "ITEM_ERROR", "", env,
			[]string{"wait a minute", "plaid-onboard auth"}, ""},
		{"auth rate limit", "AUTH_LIMIT", "RATE_LIMIT_EXCEEDED", "", env,
			[]string{"AUTH_LIMIT", "/auth/get calls for this Item", "wait a minute"}, "https://plaid.com/docs/errors/rate-limit-exceeded/#auth_limit"},
		{"client rate limit", "RATE_LIMIT", "RATE_LIMIT_EXCEEDED", "", env,
			[]string{"calls from your client_id"}, ""},
		{"institution down", "INSTITUTION_DOWN", "INSTITUTION_ERROR", "", env,
			[]string{"down", "try again later", "another bank"}, "https://plaid.com/docs/errors/institution/#institution_down"},
		{"institution not responding", "INSTITUTION_NOT_RESPONDING", "INSTITUTION_ERROR", "", env,
			[]string{"did not answer", "try again shortly"}, ""},
		{"public token used or expired", "INVALID_PUBLIC_TOKEN", "INVALID_INPUT", "", env,
			[]string{"single-use", "30 minutes", "already exchanged"}, ""},
		{"invalid product", "INVALID_PRODUCT", "INVALID_INPUT", "", env,
			[]string{"PLAID_PRODUCTS (auth)"}, ""},
		{"products not supported", "PRODUCTS_NOT_SUPPORTED", "ITEM_ERROR", "", env,
			[]string{"PLAID_PRODUCTS", "another bank"}, ""},
		{"Production Link without a use case", "INVALID_CONFIGURATION", "INVALID_REQUEST", "", mixed,
			[]string{"use case", "Link customization", "Data Transparency Messaging"}, "https://plaid.com/docs/errors/invalid-request/#invalid_configuration"},
		{"expired Link token", "INVALID_LINK_TOKEN", "INVALID_INPUT", "", env,
			[]string{"4 hours", "fresh"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := plaidapi.Hint(c.code, c.typ, c.message, c.in)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("hint for %s = %q\nwant it to say %q", c.code, got, w)
				}
			}
			if c.docs != "" {
				if d := plaidapi.DocsURL(c.code, c.typ); d != c.docs {
					t.Errorf("docs for %s = %q, want %q", c.code, d, c.docs)
				}
			}
		})
	}
}

// TestBadKeysSayWhereTheyCameFrom: through the real client and the emulator, a rejected key
// is explained with where it was set, and Plaid's error reference for it.
func TestBadKeysSayWhereTheyCameFrom(t *testing.T) {
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	dotenv := map[string]string{"PLAID_CLIENT_ID": strings.Repeat("a", 24), "PLAID_SECRET": strings.Repeat("b", 30)}
	cfg, err := config.LoadConfig(config.Overrides{APIURL: srv.URL}, func(string) string { return "" }, dotenv)
	if err != nil {
		t.Fatal(err)
	}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	p := plaidflow.Explain(err)
	if p.ErrorCode != "INVALID_API_KEYS" || p.RequestID == "" {
		t.Fatalf("problem = %+v", p)
	}
	if !strings.Contains(p.Next, "both from PLAID_CLIENT_ID and PLAID_SECRET in the .env file") {
		t.Errorf("next = %q, want it to say the keys came from .env", p.Next)
	}
	if !strings.HasPrefix(p.DocumentationURL, "https://plaid.com/docs/") {
		t.Errorf("documentation link = %q", p.DocumentationURL)
	}
	var b strings.Builder
	plaidflow.WriteProblem(&b, err)
	for _, w := range []string{"error_code:", "error_type:", "error_message:", "request_id:", "docs:", "next:", ".env"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("stderr text lacks %q:\n%s", w, b.String())
		}
	}
}
