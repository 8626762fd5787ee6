package plaidapi

import (
	"fmt"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// This file is the one place that says what to do about a Plaid error: the next step for each
// common error_code (falling back on its error_type), and the page of Plaid's errors reference
// that documents it. Both front ends show what it says through Explain.

// Circumstances are what a hint needs to know about the run besides the error: where the keys
// came from (a wrong key is fixed where it was set), the environment, the settings sent to Plaid.
// The Client that made the call records them on the error, so the hint speaks of the keys and
// settings that call really used.
type Circumstances struct {
	Env            config.Env
	ClientIDSource config.Source
	SecretSource   config.Source
	Products       []string
	RedirectURI    string
	// AndroidPackageName is the android_package_name the call sent, if any.
	AndroidPackageName string
	// ForcedError is the error code the call answered because the Sandbox login's force_error
	// asked for it (/sandbox/public_token/create): no Item was made.
	ForcedError string
	// APIURL is PLAID_API_URL when it is set.
	APIURL string
	Demo   bool
	// Profile is the profile a suggested command names ("" when profiles are not in use).
	Profile string
	// Store is the --store a suggested command repeats (config.Config.Store).
	Store string
}

// circumstancesOf are the parts of the configuration hints speak of.
func circumstancesOf(c config.Config) Circumstances {
	return Circumstances{
		Env: c.Env, ClientIDSource: c.ClientIDSource, SecretSource: c.SecretSource,
		Products: c.Products, RedirectURI: c.RedirectURI, APIURL: c.APIURL, Demo: c.Demo,
		Profile: profileOf(c), Store: c.Store,
	}
}

// profileOf is the profile a command suggested to this run must name: "" when profiles are not
// in use (present.VoiceOf decides it the same way).
func profileOf(c config.Config) string {
	if c.ProfileLabel() == "" {
		return ""
	}
	return c.Profile
}

// dashboardKeysURL is where the Plaid Dashboard shows each environment's keys.
const dashboardKeysURL = "https://dashboard.plaid.com/developers/keys"

// dashboardAPIURL is the Dashboard page with the allowed redirect URIs.
const dashboardAPIURL = "https://dashboard.plaid.com/developers/api"

// dashboardLinkCustomizationURL is where Link's customizations (and their use cases) are set.
const dashboardLinkCustomizationURL = "https://dashboard.plaid.com/link"

// Hint is the next step for a Plaid error: what the user can do about error_code (or, for a
// code without a hint of its own, its error_type). message is Plaid's error_message, which
// says which field an INVALID_FIELD is about. "" when nothing useful can be said.
func Hint(code, typ, message string, in Circumstances) string {
	lower := strings.ToLower(message)
	if in.ForcedError != "" && code == in.ForcedError {
		return forcedHint(code)
	}
	switch code {
	case "INVALID_API_KEYS":
		return invalidKeysHint(in)
	case "UNAUTHORIZED_ENVIRONMENT":
		return fmt.Sprintf("your Plaid account is not enabled for %s: request access in the Dashboard, or use PLAID_ENV=sandbox", envName(in.Env))
	case "INVALID_PUBLIC_TOKEN":
		return "a public token is single-use and expires 30 minutes after Link hands it over: this one was already exchanged, or is too old. Link the account again"
	case "INVALID_ACCESS_TOKEN", "ITEM_NOT_FOUND":
		return "the saved Item is no longer valid (removed, rotated, or from another environment): link the account again"
	case "INVALID_LINK_TOKEN":
		return "the Link token expired (4 hours; 30 minutes in update mode), was used up by too many failed logins, or is from another environment: start Link again for a fresh one"
	case "ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT":
		return "the bank needs the user to log in again: repair the Item with Link in update mode (" + in.command("link --update ITEM") + ")"
	case "INVALID_CREDENTIALS":
		return "the username or password was not accepted; in Sandbox use user_good / pass_good"
	case "INVALID_MFA":
		return "the one-time code was not accepted; in Sandbox the code is 1234"
	case "ITEM_LOCKED":
		return "the bank locked the account after too many attempts: the user must unlock it at the bank, then link again"
	case "USER_SETUP_REQUIRED":
		return "the user must finish setting up the account at the bank's own site, then link again"
	case "NO_ACCOUNTS", "NO_AUTH_ACCOUNTS":
		return "no checking or savings account that supports Auth was found: pick such an account, or another bank"
	case "PRODUCT_NOT_READY":
		return "Plaid has not finished preparing the numbers (right after linking, or while micro-deposits wait to be verified): wait a minute, then fetch them again (" + in.command("auth") + ")"
	case "INVALID_PRODUCT":
		if p := NotEnabledProducts(message); len(p) > 0 {
			return notEnabledHint(p, in)
		}
		return productsHint(code, in)
	case "PRODUCTS_NOT_SUPPORTED", "PRODUCT_NOT_ENABLED", "INSTITUTION_NO_LONGER_SUPPORTED", "INSTITUTION_NOT_SUPPORTED":
		return productsHint(code, in)
	case "SANDBOX_ONLY":
		return "this call exists only in Sandbox: use PLAID_ENV=sandbox"
	case "INSTITUTION_DOWN":
		return "the bank's systems are down for everyone Plaid connects to: try again later (Plaid's institution status shows when it is back), or pick another bank"
	case "INSTITUTION_NOT_RESPONDING", "INSTITUTION_NOT_AVAILABLE":
		return "the bank did not answer Plaid in time, which usually passes within minutes: try again shortly, or pick another bank"
	case "INVALID_CONFIGURATION":
		return useCaseHint()
	case "INVALID_FIELD":
		if strings.Contains(lower, "redirect") {
			return redirectHint(in)
		}
		if strings.Contains(lower, "android package name") || strings.Contains(lower, "android_package_name") {
			return androidHint(in)
		}
		if strings.Contains(lower, "use case") || strings.Contains(lower, "link_customization") {
			return useCaseHint()
		}
		return "check the setting named in error_message (PLAID_PRODUCTS, PLAID_COUNTRY_CODES, PLAID_CLIENT_NAME, PLAID_REDIRECT_URI)"
	case "MISSING_FIELDS", "UNKNOWN_FIELDS", "INVALID_BODY":
		return "check the setting named in error_message (PLAID_PRODUCTS, PLAID_COUNTRY_CODES, PLAID_CLIENT_NAME, PLAID_REDIRECT_URI)"
	case CodeUnexpectedResponse:
		return "the answer was not one Plaid sends: try again; if it persists, check PLAID_API_URL and any proxy, and give Plaid Support the request_id"
	}
	switch typ {
	case "RATE_LIMIT_EXCEEDED":
		return rateLimitHint(code)
	case "API_ERROR":
		if code == "PLANNED_MAINTENANCE" {
			return "Plaid is down for planned maintenance: try again later (status.plaid.com says when)"
		}
		return "Plaid had a problem of its own: try again; if it persists, give Plaid Support the request_id"
	case "ITEM_ERROR":
		return "the Item needs attention: link the account again"
	case "INSTITUTION_ERROR":
		return "the bank is having trouble: try again later or pick another bank"
	case "OAUTH_ERROR":
		return "the bank's OAuth login did not complete (a timeout, or consent withdrawn): start Link again and finish the bank's login within 10 minutes"
	}
	return ""
}

// forcedHint is the hint for an error a Sandbox login's force_error asked for: it came from
// /sandbox/public_token/create, so there is no Item to repair or unlock.
func forcedHint(code string) string {
	return code + " was forced (force_error) at /sandbox/public_token/create, so no Item was made and there is nothing to repair: " +
		"drop --force-error (or pick a scenario or user_custom file without force_error) to make an Item"
}

// invalidKeysHint names where each key came from: the fix is made there, and keys from one
// environment are the commonest cause (each environment has its own secret).
func invalidKeysHint(in Circumstances) string {
	from := "both " + sourcePhrase(in.ClientIDSource, "PLAID_CLIENT_ID and PLAID_SECRET", "--client-id and --secret flags")
	if in.SecretSource != in.ClientIDSource {
		from = "the client_id " + sourcePhrase(in.ClientIDSource, "PLAID_CLIENT_ID", "--client-id flag") +
			", the secret " + sourcePhrase(in.SecretSource, "PLAID_SECRET", "--secret flag")
	}
	env := envName(in.Env)
	msg := "use " + env + "'s own keys, from Developers > Keys in the Dashboard (" + dashboardKeysURL +
		"): each environment has its own secret. These were " + from
	if in.APIURL != "" {
		msg += "; PLAID_API_URL sends them to " + in.APIURL
	}
	return msg
}

// sourcePhrase says where a key came from, naming the exact flag or variable to fix.
func sourcePhrase(s config.Source, envVar, flag string) string {
	switch s {
	case config.SourceFlag:
		return "from the " + flag
	case config.SourceEnviron:
		return "from the environment (" + envVar + ")"
	case config.SourceDotEnv:
		return "from " + envVar + " in the .env file of this directory"
	case config.SourceKeyring:
		return "from the OS keyring (saved by an earlier run)"
	case config.SourceDemo:
		return "the demo's built-in keys"
	case config.SourceNone:
		return "typed in"
	}
	return "from " + string(s)
}

func envName(e config.Env) string {
	if e == "" {
		return string(config.Sandbox)
	}
	return string(e)
}

// redirectHint: Plaid matches redirect_uri exactly against the Dashboard's list.
func redirectHint(in Circumstances) string {
	uri := "the redirect URI"
	if in.RedirectURI != "" {
		uri = in.RedirectURI
	}
	return "register " + uri + " in the Plaid Dashboard under Developers > API > Allowed redirect URIs (" + dashboardAPIURL +
		"): it must match exactly, scheme, host, port and path included (Production needs https); or unset PLAID_REDIRECT_URI"
}

// androidHint: Plaid matches android_package_name against the Dashboard's list, which the
// Android SDK's guide says how to fill (https://plaid.com/docs/link/android/, "Register your
// app ID").
func androidHint(in Circumstances) string {
	name := "your app's package name"
	if in.AndroidPackageName != "" {
		name = in.AndroidPackageName
	}
	return "register " + name + " in the Plaid Dashboard under Developers > API > Allowed Android package names (" + dashboardAPIURL +
		"): Configure, Add New Android Package Name, Save Changes; it must be the app's applicationId exactly, and registered for the team whose client_id creates the Link token"
}

// dashboardProductAccessURL is where the Dashboard takes a request for a product the team is
// not enabled for (Plaid's answer in plaid/plaid-node#540).
const dashboardProductAccessURL = "https://dashboard.plaid.com/support/new/product-and-development/product-troubleshooting/request-product-access"

// NotEnabledProducts are the products Plaid names in INVALID_PRODUCT's "client is not
// authorized to access the following products: [\"transfer\"]" (plaid/pattern#246), nil for
// another message.
func NotEnabledProducts(message string) []string {
	const lead = "not authorized to access the following products:"
	i := strings.Index(strings.ToLower(message), lead)
	if i < 0 {
		return nil
	}
	return strings.FieldsFunc(message[i+len(lead):], func(r rune) bool { return strings.ContainsRune(`[]", \`, r) })
}

func notEnabledHint(products []string, in Circumstances) string {
	list := strings.Join(products, ", ")
	return "your Plaid team is not enabled for " + list + " in " + envName(in.Env) + ": request access in the Dashboard (" +
		dashboardProductAccessURL + "), or drop " + list + " from PLAID_PRODUCTS (--products)"
}

// useCaseHint: Production Link needs a use case chosen in the Dashboard (Data Transparency
// Messaging) for consumers in the US and Canada.
func useCaseHint() string {
	return "Link in Production needs a use case: choose one in the Dashboard under Link > Link customization > Data Transparency Messaging (" +
		dashboardLinkCustomizationURL + "), publish it, then start Link again"
}

func productsHint(code string, in Circumstances) string {
	products := strings.Join(in.Products, ",")
	if products == "" {
		products = "auth"
	}
	switch code {
	case "PRODUCT_NOT_ENABLED":
		return "your Plaid account is not enabled for " + products + " in " + envName(in.Env) + ": request access in the Dashboard, or change PLAID_PRODUCTS"
	case "INSTITUTION_NO_LONGER_SUPPORTED", "INSTITUTION_NOT_SUPPORTED":
		return "Plaid does not support this bank for " + products + ": pick another bank, or change PLAID_PRODUCTS"
	}
	return "the bank or your Plaid account does not offer every product in PLAID_PRODUCTS (" + products +
		"): drop the ones it lacks (Auth needs a checking or savings account), or pick another bank"
}

// rateLimitHint names the limit from the code (AUTH_LIMIT is about /auth/get, and so on):
// Plaid's limits count calls per Item or per client over a minute or so.
func rateLimitHint(code string) string {
	limits := map[string]string{
		"AUTH_LIMIT":          "/auth/get calls for this Item",
		"ACCOUNTS_LIMIT":      "/accounts/get calls for this Item",
		"BALANCE_LIMIT":       "/accounts/balance/get calls for this Item",
		"ITEM_GET_LIMIT":      "/item/get calls for this Item",
		"IDENTITY_LIMIT":      "/identity/get calls for this Item",
		"INSTITUTIONS_LIMIT":  "/institutions calls",
		"TRANSACTIONS_LIMIT":  "/transactions calls for this Item",
		"RATE_LIMIT":          "calls from your client_id",
		"ADDITION_LIMIT":      "new Items (your account's Item limit)",
		"SANDBOX_LIMIT":       "Sandbox calls",
		"CREDITS_EXHAUSTED":   "free API calls",
		"PUBLIC_TOKEN_LIMIT":  "public tokens for this Item",
		"INVESTMENTS_LIMIT":   "investments calls for this Item",
		"LIABILITIES_LIMIT":   "liabilities calls for this Item",
		"RATE_LIMIT_EXCEEDED": "calls",
	}
	what, ok := limits[code]
	if !ok {
		what = "calls"
	}
	switch code {
	case "ADDITION_LIMIT":
		return "too many " + what + ": remove Items you no longer need (plaid-onboard items remove) or ask Plaid to raise the limit"
	case "CREDITS_EXHAUSTED":
		return "your account has used its " + what + ": request full Production access in the Dashboard"
	}
	return fmt.Sprintf("Plaid's %s limit: too many %s in a short time; wait a minute and try again (plaid-onboard already retried the calls that are safe to repeat)", code, what)
}

// errorPages are the pages of Plaid's errors reference, by error_type
// (https://plaid.com/docs/errors/ lists them).
var errorPages = map[string]string{
	"INVALID_REQUEST":     "invalid-request",
	"INVALID_INPUT":       "invalid-input",
	"INVALID_RESULT":      "invalid-result",
	"ITEM_ERROR":          "item",
	"INSTITUTION_ERROR":   "institution",
	"API_ERROR":           "api",
	"RATE_LIMIT_EXCEEDED": "rate-limit-exceeded",
	"OAUTH_ERROR":         "oauth",
	"SANDBOX_ERROR":       "sandbox",
	"ASSET_REPORT_ERROR":  "assets",
	"RECAPTCHA_ERROR":     "recaptcha",
	"TRANSACTIONS_ERROR":  "transactions",
	"PAYMENT_ERROR":       "payment",
	"MICRODEPOSITS_ERROR": "microdeposits",
}

// DocsURL is the page of Plaid's errors reference for an error, at the code's own entry (the
// reference anchors each code in lower case): documented when Plaid sent no documentation_url.
// "" for errors that are not Plaid's (an answer Plaid would not send).
func DocsURL(code, typ string) string {
	if code == CodeUnexpectedResponse {
		return ""
	}
	page, ok := errorPages[typ]
	if !ok {
		if typ == "" && code == "" {
			return ""
		}
		return "https://plaid.com/docs/errors/"
	}
	u := "https://plaid.com/docs/errors/" + page + "/"
	if code != "" {
		u += "#" + strings.ToLower(code)
	}
	return u
}

// command is the command line that runs args in the mode, environment and profile of the call
// the hint is about, so that it works when pasted.
func (in Circumstances) command(args string) string {
	return config.CommandLine(in.Profile, in.Store, in.Demo, in.Env, args)
}
