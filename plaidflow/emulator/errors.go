package emulator

import "fmt"

// apiError is one Plaid error before it is sent: what Plaid puts in the body, and the HTTP
// status it travels with.
type apiError struct {
	status  int
	typ     string
	code    string
	message string
	display *string
}

// errorBody is the JSON Plaid sends for an error. Plaid's API answers carry exactly these
// seven keys (a real body: plaid/plaid-java#276; Plaid's PlaidError schema says `status` is
// only sent in webhooks, and `causes` only for asset and check reports). Fields are in the
// alphabetical order Plaid writes them.
type errorBody struct {
	DisplayMessage   *string `json:"display_message"`
	DocumentationURL string  `json:"documentation_url"`
	ErrorCode        string  `json:"error_code"`
	ErrorMessage     string  `json:"error_message"`
	ErrorType        string  `json:"error_type"`
	RequestID        string  `json:"request_id,omitempty"`
	SuggestedAction  *string `json:"suggested_action"`
}

func (e *apiError) body(requestID string) errorBody {
	return errorBody{
		DisplayMessage:   e.display,
		DocumentationURL: documentationURL(e.typ),
		ErrorCode:        e.code,
		ErrorMessage:     e.message,
		ErrorType:        e.typ,
		RequestID:        requestID,
	}
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// documentationURL is where Plaid's error bodies point for each error type.
func documentationURL(typ string) string {
	anchor := map[string]string{
		typeInvalidRequest: "invalid-request-errors",
		typeInvalidInput:   "invalid-input-errors",
		typeItem:           "item-errors",
		typeInstitution:    "institution-errors",
		typeRateLimit:      "rate-limit-exceeded-errors",
		typeAPI:            "api-errors",
	}[typ]
	return "https://plaid.com/docs/?ref=error#" + anchor
}

// errorInfo is what the catalog knows of an error code.
type errorInfo struct {
	typ     string
	status  int
	message string
	display string // "" means null
}

// Error types as Plaid spells them.
const (
	typeInvalidRequest = "INVALID_REQUEST"
	typeInvalidInput   = "INVALID_INPUT"
	typeItem           = "ITEM_ERROR"
	typeInstitution    = "INSTITUTION_ERROR"
	typeRateLimit      = "RATE_LIMIT_EXCEEDED"
	typeAPI            = "API_ERROR"
)

const (
	msgInstitutionUnavailable = "this institution is not currently responding to this request. please try again soon"
	displayInstitutionDown    = "This financial institution is not currently responding to requests. We apologize for the inconvenience."
	msgRateLimit              = "rate limit exceeded for attempts to access this item. please try again later"
	displayRateLimit          = "Too many attempts. Please try again later."
)

// catalog holds the errors the fake can send, with Plaid's messages. The Sandbox test
// password error_<CODE> may name any ITEM_ERROR or INSTITUTION_ERROR code listed here.
var catalog = map[string]errorInfo{
	// INVALID_REQUEST
	"INVALID_BODY":   {typeInvalidRequest, 400, "body could not be parsed as JSON", ""},
	"INVALID_FIELD":  {typeInvalidRequest, 400, "one or more fields are invalid", ""},
	"MISSING_FIELDS": {typeInvalidRequest, 400, "the following required fields are missing: ", ""},
	"UNKNOWN_FIELDS": {typeInvalidRequest, 400, "the following fields are not recognized by this endpoint: ", ""},
	"INVALID_HEADERS": {typeInvalidRequest, 400,
		"the following required headers are missing or invalid", ""},
	"NOT_FOUND": {typeInvalidRequest, 404, "not found", ""},

	// INVALID_INPUT
	"INVALID_API_KEYS":     {typeInvalidInput, 400, "invalid client_id or secret provided", ""},
	"INVALID_ACCESS_TOKEN": {typeInvalidInput, 400, "could not find matching access token", ""},
	"INVALID_PUBLIC_TOKEN": {typeInvalidInput, 400, "could not find matching public token", ""},
	"INVALID_LINK_TOKEN":   {typeInvalidInput, 400, "could not find matching link token", ""},
	"INVALID_ACCOUNT_ID":   {typeInvalidInput, 400, "one or more of the account IDs is invalid", ""},
	"INVALID_INSTITUTION":  {typeInvalidInput, 400, "invalid institution_id provided", ""},
	"INVALID_WEBHOOK_VERIFICATION_KEY_ID": {typeInvalidInput, 400,
		"invalid key_id provided", ""},
	"INVALID_PRODUCT": {typeInvalidInput, 400,
		"the requested products are not supported by this institution", ""},

	// ITEM_ERROR
	"INVALID_CREDENTIALS": {typeItem, 400, "the provided credentials were not correct",
		"The credentials you provided were incorrect. Check that your credentials are the same that you use for this institution"},
	"INVALID_MFA": {typeItem, 400, "the provided MFA response(s) were not correct",
		"The provided MFA responses were not correct. Please try again"},
	"INVALID_SEND_METHOD": {typeItem, 400, "the provided MFA send_method was invalid", ""},
	"INSUFFICIENT_CREDENTIALS": {typeItem, 400,
		"insufficient authorization was provided to complete the request", ""},
	"ITEM_LOCKED": {typeItem, 400,
		"the account is locked. prompt the user to visit the institution's site and unlock their account",
		"The given credentials are correct, but your account is locked. Visit your institution's website to unlock it, then try again."},
	"ITEM_LOGIN_REQUIRED": {typeItem, 400,
		"the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state", ""},
	"ITEM_NOT_SUPPORTED": {typeItem, 400, "this account is currently not supported",
		"Your account is not currently supported. Please log in using a different account"},
	"ITEM_NOT_FOUND": {typeItem, 400,
		"the Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user", ""},
	"MFA_NOT_SUPPORTED": {typeItem, 400,
		"this account requires a MFA type that we do not currently support. we have been notified and are working to add support for it",
		"Your account has settings that are not currently supported. Please log in using a different account"},
	"NO_ACCOUNTS": {typeItem, 400, "no valid accounts were found for this item",
		"No valid accounts were found at the financial institution. Please visit your financial institution's website to confirm accounts are available."},
	"NO_AUTH_ACCOUNTS": {typeItem, 400,
		"there are no valid checking or savings account(s) associated with this Item",
		"No valid accounts were found at the financial institution. Please visit your financial institution's website to confirm accounts are available."},
	"PASSWORD_RESET_REQUIRED": {typeItem, 400,
		"the account requires a password reset. prompt the user to visit the institution's site and reset their password",
		"The given credentials are correct, but a password reset is required. Visit your institution's website to reset it, then try again."},
	"PRODUCT_NOT_READY": {typeItem, 400,
		"the requested product is not yet ready. please provide a webhook or try the request again later", ""},
	"PRODUCTS_NOT_SUPPORTED": {typeItem, 400,
		"this item cannot access the requested product", ""},
	// USER_INPUT_TIMEOUT and PLAID_ERROR are among user_custom's force_error values
	// (the spec's UserCustomPassword); their wording here is the fake's own.
	"USER_INPUT_TIMEOUT": {typeItem, 400, "the user did not complete a step in the Link flow, and it timed out",
		"Your session timed out. Please try again."},
	"USER_SETUP_REQUIRED": {typeItem, 400,
		"the account has not been fully set up. prompt the user to visit the issuing institution's site and finish the setup process",
		"The given credentials are correct, but additional setup is required. Visit your institution's website to finish it, then try again."},

	// INSTITUTION_ERROR
	"INSTITUTION_DOWN":           {typeInstitution, 400, msgInstitutionUnavailable, displayInstitutionDown},
	"INSTITUTION_NOT_RESPONDING": {typeInstitution, 400, msgInstitutionUnavailable, displayInstitutionDown},
	"INSTITUTION_NOT_AVAILABLE":  {typeInstitution, 400, msgInstitutionUnavailable, displayInstitutionDown},
	"PLAID_ERROR": {typeInstitution, 400, "an unexpected error occurred at Plaid while connecting to this institution",
		"Something went wrong. Please try again later."},
	"INSTITUTION_NO_LONGER_SUPPORTED": {typeInstitution, 400, "this institution is no longer supported",
		"This financial institution is no longer supported. We apologize for the inconvenience."},

	// RATE_LIMIT_EXCEEDED
	"RATE_LIMIT":     {typeRateLimit, 429, msgRateLimit, displayRateLimit},
	"ACCOUNTS_LIMIT": {typeRateLimit, 429, msgRateLimit, displayRateLimit},
	"AUTH_LIMIT":     {typeRateLimit, 429, msgRateLimit, displayRateLimit},
	"ITEM_GET_LIMIT": {typeRateLimit, 429, msgRateLimit, displayRateLimit},
	"BALANCE_LIMIT":  {typeRateLimit, 429, msgRateLimit, displayRateLimit},
	// https://plaid.com/docs/errors/rate-limit-exceeded/: the client-wide limit of
	// /accounts/balance/get.
	"ACCOUNTS_BALANCE_GET_LIMIT": {typeRateLimit, 429, msgRateLimit, displayRateLimit},

	// API_ERROR
	"INTERNAL_SERVER_ERROR": {typeAPI, 500, "an unexpected error occurred",
		"Something went wrong. Please try again later."},
	"PLANNED_MAINTENANCE": {typeAPI, 503,
		"the Plaid API is temporarily unavailable due to planned maintenance. visit https://status.plaid.com/ for more information",
		"Plaid is temporarily unavailable due to planned maintenance. Please try again later."},
}

// newError builds the catalog's error for code. An unknown code is a bug in the fake, so it
// panics rather than sending something Plaid never would.
func newError(code string) *apiError {
	info, ok := catalog[code]
	if !ok {
		panic("emulator: no error code " + code + " in the catalog")
	}
	e := &apiError{status: info.status, typ: info.typ, code: code, message: info.message}
	if info.display != "" {
		d := info.display
		e.display = &d
	}
	return e
}

// errorf is newError with a message of its own.
func errorf(code, format string, args ...any) *apiError {
	e := newError(code)
	e.message = fmt.Sprintf(format, args...)
	return e
}

// credentialError is the error a Sandbox test password error_<CODE> asks for, as Link and
// /sandbox/public_token/create report it. Only errors an institution login can produce
// qualify; any other code is treated as wrong credentials.
func credentialError(code string) *apiError {
	if info, ok := catalog[code]; ok && (info.typ == typeItem || info.typ == typeInstitution) {
		return newError(code)
	}
	return newError("INVALID_CREDENTIALS")
}

// errorJSON returns the body Plaid would send for the error code (for example "AUTH_LIMIT",
// "INTERNAL_SERVER_ERROR", "PLANNED_MAINTENANCE") and the HTTP status it comes with, for use
// with InjectFault. It reports false for a code the fake does not know.
func errorJSON(code string) (body string, status int, ok bool) {
	if _, known := catalog[code]; !known {
		return "", 0, false
	}
	e := newError(code)
	return string(mustJSON(e.body(newRequestID()))), e.status, true
}
