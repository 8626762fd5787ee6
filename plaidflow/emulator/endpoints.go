package emulator

import "encoding/json"

// The API endpoints the fake serves, with the request fields each one knows. The field lists
// are Plaid's (spec 2020-09-14_1.697.4); TestRequestParamsMatchSpec keeps them in step with
// the OpenAPI subset in testdata. Fields the fake has no use for are accepted as "any".

// call is one checked API request.
type call struct {
	body      body
	raw       []byte // the body as it came, which passed the checks
	requestID string
	// host is the Host the caller named the emulator by, one it answers to (callers.go): the
	// base of the URLs an answer hands on to a browser (listen.go, baseURL).
	host string
}

// decode fills v from the checked body. Only checked fields are decoded into typed Go
// fields, so a failure here means a body the checks let through by mistake: it is reported as
// an invalid field rather than crashing the handler.
func (c *call) decode(v any) *apiError {
	if err := json.Unmarshal(c.raw, v); err != nil {
		return errorf("INVALID_FIELD", "request body has an invalid value: %v", err)
	}
	return nil
}

// str returns a string field of the checked body, "" if it is absent or null.
func (c *call) str(name string) string {
	raw, ok := c.body[name]
	if !ok {
		return ""
	}
	s, _ := jsonString(raw)
	return s
}

// endpoint is a path's request fields and handler.
type endpoint struct {
	params []param
	handle func(s *Server, c *call) (any, *apiError)
}

// keepsAnswers are the endpoints whose handlers change nothing a kept answer holds
// (answers.go), so that their calls leave kept answers good. /auth/get bills the Item for
// auth before it keeps the answer it makes.
var keepsAnswers = map[string]bool{"/auth/get": true, "/accounts/get": true, "/accounts/balance/get": true}

// Enums of the spec that requests are checked against.
var (
	productEnum = []string{"assets", "auth", "balance", "balance_plus", "beacon", "identity",
		"identity_match", "investments", "investments_auth", "liabilities", "payment_initiation",
		"identity_verification", "transactions", "credit_details", "income", "income_verification",
		"standing_orders", "transfer", "employment", "recurring_transactions", "transactions_refresh",
		"signal", "statements", "processor_payments", "processor_identity", "profile",
		"cra_base_report", "cra_income_insights", "cra_partner_insights", "cra_network_insights",
		"cra_cashflow_insights", "cra_monitoring", "cra_lend_score", "cra_plaid_credit_score", "layer",
		"pay_by_bank", "protect_linked_bank", "protect_transactions"}
	countryCodeEnum = []string{"US", "GB", "ES", "NL", "FR", "IE", "CA", "DE", "IT", "PL", "DK",
		"NO", "SE", "EE", "LT", "LV", "PT", "BE", "AT", "FI"}
	// languageEnum lists the languages the spec's description of `language` names.
	// linkProductEnum lists the products /link/token/create takes in products: the
	// x-override-enum-values-shown of LinkTokenCreateRequest.products in the spec, which says
	// "balance is *not* a valid value" there.
	linkProductEnum = []string{"assets", "auth", "beacon", "employment", "identity", "income_verification",
		"identity_verification", "investments", "investments_auth", "liabilities", "payment_initiation",
		"protect_transactions", "standing_orders", "signal", "statements", "transactions", "transfer",
		"cra_base_report", "cra_income_insights", "cra_cashflow_insights", "cra_lend_score",
		"cra_partner_insights", "cra_network_insights", "cra_monitoring", "layer", "protect_linked_bank"}
	languageEnum = []string{"da", "nl", "en", "et", "fr", "de", "hi", "it", "lv", "lt", "no", "pl",
		"pt", "ro", "es", "sv", "vi"}
	processorEnum = []string{"dwolla", "galileo", "modern_treasury", "ocrolus", "vesta",
		"drivewealth", "vopay", "achq", "check", "checkbook", "circle", "sila_money", "rize",
		"svb_api", "unit", "wyre", "lithic", "alpaca", "astra", "moov", "treasury_prime", "marqeta",
		"checkout", "solid", "highnote", "gemini", "apex_clearing", "gusto", "adyen", "atomic",
		"i2c", "wepay", "riskified", "utb", "adp_roll", "fortress_trust", "bond", "bakkt", "teal",
		"zero_hash", "taba_pay", "knot", "sardine", "alloy", "finix", "nuvei", "layer", "boom",
		"paynote", "stake", "wedbush", "esusu", "ansa", "scribeup", "straddle", "loanpro",
		"bloom_credit", "sfox", "brale", "parafin", "cardless", "open_ledger", "valon", "gainbridge",
		"cardlytics", "pinwheel", "thread_bank", "array", "fiant", "oatfi", "curinos", "frame",
		"interchecks", "interchange", "atomicfi"}
)

func withKeys(params ...param) []param { return append(append([]param{}, keyParams...), params...) }

func accessTokenParam() param { return stringParam("access_token").require() }

func accountIDsOptions(extra ...param) param {
	return objectParam("options", append([]param{arrayParam("account_ids").withErrors(accountIDsErrors)}, extra...)...)
}

// endpoints maps each path to its endpoint.
var endpoints = map[string]endpoint{
	"/link/token/create": {withKeys(
		stringParam("client_name").require(),
		stringParam("language").require().oneOf(languageEnum),
		arrayParam("country_codes").require().oneOf(countryCodeEnum),
		objectParam("user",
			stringParam("client_user_id").require(), stringParam("legal_name"), anyParam("name"),
			stringParam("phone_number"), anyParam("phone_number_verified_time"),
			stringParam("email_address"), anyParam("email_address_verified_time"), stringParam("ssn"),
			anyParam("date_of_birth"), anyParam("address"), anyParam("id_number")),
		stringParam("user_id"),
		arrayParam("products").oneOf(productEnum),
		arrayParam("required_if_supported_products").oneOf(productEnum),
		arrayParam("optional_products").oneOf(productEnum),
		arrayParam("additional_consented_products").oneOf(productEnum),
		stringParam("webhook"),
		stringParam("access_token"),
		anyParam("access_tokens"), anyParam("link_customization_name"), anyParam("appearance_mode"),
		stringParam("redirect_uri"),
		stringParam("android_package_name"), anyObject("institution_data"), anyObject("card_switch"),
		anyObject("account_filters"), anyObject("eu_config"), anyParam("institution_id"),
		anyObject("payment_configuration"), anyObject("payment_initiation"), anyObject("employment"),
		anyObject("income_verification"), anyObject("base_report"), anyObject("credit_partner_insights"),
		anyObject("cra_options"), anyParam("consumer_report_permissible_purpose"), anyObject("auth"),
		anyObject("transfer"), anyObject("update"), anyObject("identity_verification"),
		anyObject("statements"), anyParam("third_party_user_token"), anyObject("investments"),
		anyObject("investments_auth"), anyObject("hosted_link"), anyObject("transactions"),
		anyObject("cashflow_report"), anyParam("cra_enabled"), anyObject("identity"),
		anyParam("financekit_supported"), anyParam("enable_multi_item_link"), anyParam("user_token"),
	), (*Server).linkTokenCreate},

	"/sandbox/public_token/create": {withKeys(
		stringParam("institution_id").require(),
		arrayParam("initial_products").require().oneOf(productEnum).withErrors(initialProductsErrors),
		objectParam("options",
			stringParam("webhook"), stringParam("override_username"), stringParam("override_password"),
			anyObject("transactions"), anyObject("statements"), anyObject("income_verification")),
		anyParam("user_token"), anyParam("user_id"),
	), (*Server).sandboxPublicTokenCreate},

	"/item/public_token/exchange": {withKeys(stringParam("public_token").require()),
		(*Server).itemPublicTokenExchange},

	"/auth/get": {withKeys(accessTokenParam(), accountIDsOptions()), (*Server).authGet},

	"/accounts/get": {withKeys(accessTokenParam(), accountIDsOptions()), (*Server).accountsGet},

	"/accounts/balance/get": {withKeys(accessTokenParam(),
		accountIDsOptions(anyParam("min_last_updated_datetime"))), (*Server).accountsBalanceGet},

	"/item/get": {withKeys(accessTokenParam()), (*Server).itemGet},

	"/item/remove": {withKeys(accessTokenParam(), anyParam("reason_code"), anyParam("reason_note")),
		(*Server).itemRemove},

	"/item/access_token/invalidate": {withKeys(accessTokenParam()), (*Server).itemAccessTokenInvalidate},

	"/sandbox/item/reset_login": {withKeys(accessTokenParam()), (*Server).sandboxItemResetLogin},

	"/institutions/get_by_id": {withKeys(
		stringParam("institution_id").require(),
		arrayParam("country_codes").require().oneOf(countryCodeEnum),
		objectParam("options", boolParam("include_optional_metadata"), boolParam("include_status"),
			boolParam("include_auth_metadata"), boolParam("include_payment_initiation_metadata")),
	), (*Server).institutionsGetByID},

	"/processor/token/create": {withKeys(
		accessTokenParam(),
		stringParam("account_id").require(),
		stringParam("processor").require().oneOf(processorEnum),
	), (*Server).processorTokenCreate},

	"/institutions/get": {withKeys(
		intParam("count", 1, 500).require(),
		intParam("offset", 0, maxInt).require(),
		arrayParam("country_codes").require().oneOf(countryCodeEnum),
		objectParam("options", arrayParam("products").oneOf(productEnum), arrayParam("routing_numbers"),
			anyParam("oauth"), boolParam("include_optional_metadata"), boolParam("include_auth_metadata"),
			boolParam("include_payment_initiation_metadata")),
	), (*Server).institutionsGet},

	"/institutions/search": {withKeys(
		stringParam("query").require(),
		arrayParam("products").oneOf(productEnum).withErrors(searchProductsErrors),
		arrayParam("country_codes").require().oneOf(countryCodeEnum),
		objectParam("options", anyParam("oauth"), boolParam("include_optional_metadata"),
			anyParam("include_auth_metadata"), anyParam("include_payment_initiation_metadata"),
			anyObject("payment_initiation")),
	), (*Server).institutionsSearch},

	"/link/token/get": {withKeys(stringParam("link_token").require()), (*Server).linkTokenGet},

	"/identity/get": {withKeys(accessTokenParam(), accountIDsOptions()), (*Server).identityGet},

	"/processor/stripe/bank_account_token/create": {withKeys(
		accessTokenParam(),
		stringParam("account_id").require(),
	), (*Server).processorStripeBankAccountTokenCreate},

	"/sandbox/processor_token/create": {withKeys(
		stringParam("institution_id").require(),
		objectParam("options", stringParam("override_username"), stringParam("override_password")),
	), (*Server).sandboxProcessorTokenCreate},
}

// maxInt bounds an integer field the spec leaves open above.
const maxInt = int(^uint(0) >> 1)
