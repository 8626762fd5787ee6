package emulator

import (
	"context"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"
)

// /link/token/create checks the team's Dashboard as Plaid does: an android_package_name must be
// on Developers > API > Allowed Android package names, exactly (https://plaid.com/docs/link/android/,
// "Register your app ID"; the body users saw: react-native-plaid-link-sdk#169,
// plaid-link-android#135), and a product the team is not enabled for is INVALID_PRODUCT (the
// body users saw: plaid/pattern#246, plaid-node#540; https://plaid.com/docs/errors/invalid-input/#invalid_product).
func TestLinkTokenCreateDashboard(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		products []plaid.Products
		android  string
		typ      string
		code     string // "" for success
		message  string
	}{
		{"no package name registered", nil, []plaid.Products{plaid.PRODUCTS_AUTH}, "com.example.app",
			typeInvalidRequest, "INVALID_FIELD", msgAndroidPackageNameNotAllowed},
		{"package name registered", []Option{WithAndroidPackageNames("com.example.app")}, []plaid.Products{plaid.PRODUCTS_AUTH}, "com.example.app", "", "", ""},
		{"exact match: another package", []Option{WithAndroidPackageNames("com.example.app")}, []plaid.Products{plaid.PRODUCTS_AUTH}, "com.example.app.debug",
			typeInvalidRequest, "INVALID_FIELD", msgAndroidPackageNameNotAllowed},
		{"every product enabled by default", nil, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSFER}, "", "", "", ""},
		{"a product the team lacks", []Option{WithProductsEnabled("auth", "transactions")}, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSFER}, "",
			typeInvalidInput, "INVALID_PRODUCT", `client is not authorized to access the following products: ["transfer"]`},
		{"enabled products pass", []Option{WithProductsEnabled("auth", "transactions")}, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS}, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newTestServer(t, tt.opts...)
			req := linkTokenRequest(tt.products...)
			if tt.android != "" {
				req.SetAndroidPackageName(tt.android)
			}
			_, httpResp, err := newClient(srv).PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("link token: %v", err)
				}
				return
			}
			pe := wantPlaidError(t, err, httpResp, 400, tt.typ, tt.code)
			if pe.ErrorMessage != tt.message {
				t.Errorf("message %q, want %q", pe.ErrorMessage, tt.message)
			}
		})
	}
}
