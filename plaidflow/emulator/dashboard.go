package emulator

import (
	"encoding/json"
	"slices"
)

// dashboard is what Plaid keeps for a team besides its redirect URIs, and checks in
// /link/token/create: the allowed Android package names (Developers > API) and the products the
// team is enabled for.
type dashboard struct {
	androidPackageNames []string // nil: none registered, as for a new team
	productsEnabled     []string // nil: every product, as in Sandbox
}

// WithAndroidPackageNames sets the Dashboard's allowed Android package names: a
// /link/token/create whose android_package_name is not one of them, exactly, fails as Plaid's
// does. Without it none is registered, as for a new team, and any android_package_name fails.
func WithAndroidPackageNames(names ...string) Option {
	return func(s *Server) { s.dashboard.androidPackageNames = slices.Clone(names) }
}

// WithProductsEnabled limits the products the team is enabled for: a /link/token/create asking
// for another one fails with INVALID_PRODUCT, as Plaid answers a team without access (Transfer,
// Investments, ... need a request in the Dashboard). Without it every product is enabled.
func WithProductsEnabled(products ...string) Option {
	return func(s *Server) { s.dashboard.productsEnabled = slices.Clone(products) }
}

// msgAndroidPackageNameNotAllowed is Plaid's answer to an android_package_name the Dashboard
// does not list (react-native-plaid-link-sdk#169, plaid-link-android#135: INVALID_REQUEST,
// INVALID_FIELD).
const msgAndroidPackageNameNotAllowed = "Android package name must be configured in the developer dashboard. See https://plaid.com/docs/link/android/#register-app-id"

// check refuses the settings of a /link/token/create the team's Dashboard does not allow.
func (d dashboard) check(c *call, products []string) *apiError {
	if c.body.has("android_package_name") && !slices.Contains(d.androidPackageNames, c.str("android_package_name")) {
		return errorf("INVALID_FIELD", msgAndroidPackageNameNotAllowed)
	}
	if d.productsEnabled == nil {
		return nil
	}
	var off []string
	for _, p := range products {
		if !slices.Contains(d.productsEnabled, p) {
			off = append(off, p)
		}
	}
	if len(off) == 0 {
		return nil
	}
	// Plaid lists them as a JSON array: `... products: ["transfer"]` (plaid/pattern#246).
	list, _ := json.Marshal(off)
	return errorf("INVALID_PRODUCT", "client is not authorized to access the following products: %s", list)
}
