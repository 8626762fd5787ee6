package emulator

import "encoding/json"

// paramErrors are the errors Sandbox answers for one field where they differ from the generic
// checks of request.go (a value of the wrong type, a value not allowed). Their messages are
// Sandbox's own, as plaid-ruby's recorded cassettes show them (fidelity_ruby_test.go).
type paramErrors struct {
	wrongType func(name string) *apiError
	badValue  func(name, value string) *apiError
}

// withErrors gives p Sandbox's errors for it.
func (p param) withErrors(e paramErrors) param { p.errs = &e; return p }

// wrongTypeError is p's error for a value of the wrong type, nil for the generic one.
func (p param) wrongTypeError(name string) *apiError {
	if p.errs == nil || p.errs.wrongType == nil {
		return nil
	}
	return p.errs.wrongType(name)
}

// badValueError is p's error for a value it does not allow, nil for the generic one.
func (p param) badValueError(name, value string) *apiError {
	if p.errs == nil || p.errs.badValue == nil {
		return nil
	}
	return p.errs.badValue(name, value)
}

// Sandbox's errors for the fields that have their own.
var (
	// options.account_ids of /auth/get, /accounts/get, /accounts/balance/get.
	accountIDsErrors = paramErrors{wrongType: func(name string) *apiError {
		return errorf("INVALID_FIELD", "%s must be a non-empty array of valid account ids", name)
	}}
	// initial_products of /sandbox/public_token/create.
	initialProductsErrors = paramErrors{
		wrongType: func(name string) *apiError {
			return errorf("INVALID_FIELD", "%s must be a list of strings containing at least one product", name)
		},
		badValue: func(_, value string) *apiError {
			quoted, _ := json.Marshal([]string{value})
			return errorf("PRODUCTS_NOT_SUPPORTED", "the following products are not supported by this institution: %s", quoted)
		},
	}
	// products of /institutions/search.
	searchProductsErrors = paramErrors{
		wrongType: func(name string) *apiError {
			return errorf("INVALID_PRODUCT", "%s must either be null or a list of strings containing at least one valid product", name)
		},
		badValue: func(name, value string) *apiError {
			return errorf("INVALID_PRODUCT", "invalid product in %s: %q", name, value)
		},
	}
)
