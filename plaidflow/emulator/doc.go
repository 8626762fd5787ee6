// Package emulator is Plaid Sandbox as Plaid documents it, served on this machine: the Sandbox
// API, a stand-in for Plaid's Link web SDK with a Link-like UI, and Sandbox webhooks signed as
// Plaid signs them. `plaid-onboard emulator` serves it to any Plaid client in any language (a
// developer's app, a CI job, Plaid's own client libraries); `--demo` runs the program against it
// with no Plaid account; and this project's tests use it as the Plaid they hold the program
// to. It is independent of the project's own Plaid client, so that it catches that client's
// mistakes. What only tests need (call records, public tokens without Link, round-trip counts)
// is in package emulatortest, not here.
//
// NewServer (or Listen) starts it on 127.0.0.1. Point plaid-go at it with
//
//	cfg := plaid.NewConfiguration()
//	cfg.UseEnvironment(plaid.Environment(srv.URL))
//	cfg.AddDefaultHeader("PLAID-CLIENT-ID", emulator.DemoClientID)
//	cfg.AddDefaultHeader("PLAID-SECRET", emulator.DemoSecret)
//
// and load Link from srv.LinkScriptURL() instead of cdn.plaid.com. It answers API calls only
// from Plaid clients and tools on this machine, never from web pages (callers.go).
//
// It behaves as Sandbox does where Plaid's OpenAPI document, its docs and observed answers
// say how: the Sandbox institutions and the user_good accounts with their ACH, EFT,
// international and BACS numbers; single-use public tokens that expire after 30 minutes;
// access tokens that rotate and end; reset_login; the Sandbox test users (error_<CODE>, the MFA
// passwords mfa_device, mfa_questions_<n>_<m> and mfa_selections[_<n>_<m>_<o>], and user_custom
// with a JSON configuration, read by plaidflow/usercustom; see sandbox_users.go); and Plaid's
// request checks and error bodies, with Plaid's status codes. Every answer is checked in the
// tests against the subset of Plaid's OpenAPI document in testdata.
//
// It serves /link/token/create and /link/token/get, /sandbox/public_token/create,
// /item/public_token/exchange, /item/get, /item/remove, /item/access_token/invalidate,
// /sandbox/item/reset_login, /auth/get, /accounts/get, /accounts/balance/get, /identity/get,
// /institutions/get, /institutions/search, /institutions/get_by_id, /processor/token/create,
// /processor/stripe/bank_account_token/create and /sandbox/processor_token/create.
//
// The institutions are every Sandbox-only one of https://plaid.com/docs/sandbox/institutions/
// and the Production banks whose ids Plaid's own documents give (Chase ins_56, Bank of America
// ins_127989, Capital One ins_128026); their status is null, since Plaid does not report
// institution status in Sandbox. /link/token/create takes in products only what Link
// initializes (not balance), and refuses a redirect_uri that is empty or not allowed as Plaid
// does; the allowed URIs are those given to WithRedirectURIs, or by default any http URI on
// localhost, 127.0.0.1 or [::1]. Every answer carries its request_id in an X-Request-Id header too.
//
// Its control API, under /_emulator/ on the same port (control.go), lets a test in any language
// move its clock, queue faults (Plaid's errors, and what networks and proxies do: hangs, dropped
// connections, HTML pages), hold calls and release them, and reset it. In Go the same controls
// are options and methods: WithLatency and SetLatency, AddFault (the control API's faults),
// InjectError for a Plaid error code, InjectFault for a verbatim answer, ClearFaults,
// ReleaseHeld and Reset. WithSnapshot, WithStateChanged, WithItemResolver, WithItemLookup and
// WithDemoWebhookKey let Items made by one demo process live on in the next (snapshot.go).
//
// # Stand-in Link
//
// GET /link/v2/stable/link-initialize.js (LinkScriptURL) defines window.Plaid.create with
// the real SDK's contract: open (queued until onLoad), exit({force}), destroy, and the
// callbacks onSuccess, onExit, onEvent and onLoad with Plaid's argument shapes. Like the real
// SDK it inserts a full-window iframe from its own origin and talks to it with postMessage,
// checking origins on both sides, so an embedding page needs script-src and frame-src for the
// fake's origin only, and no unsafe-eval. The iframe shows a Link-like card marked
// "Offline demo — not Plaid", with these panes and events:
//
//	CONSENT → SELECT_INSTITUTION → CREDENTIAL → LOADING → SELECT_ACCOUNT → LOADING → CONNECTED
//	          (SEARCH_INSTITUTION,   (SUBMIT_CREDENTIALS)                              (HANDOFF, then
//	           SELECT_INSTITUTION)                                                      onSuccess)
//
// A failed login (password error_<CODE>, or an institution that is down) shows the ERROR pane
// and sends ERROR; X, Escape or Exit sends EXIT and then onExit, with the last error and the
// pane's exit status (institution_not_found, requires_credentials,
// requires_account_selection). An unknown or expired link token shows ERROR at once and exits
// with INVALID_LINK_TOKEN. A link token made with an access_token (update mode) goes straight
// to the credentials of the Item's bank and, on success, clears ITEM_LOGIN_REQUIRED.
//
// Stable hooks for browser tests, inside the iframe:
//
//	#pane[data-pane=NAME]             the current pane (names above, and ERROR)
//	#close                            X, on every pane
//	#back                             back arrow, where going back makes sense
//	#continue                         the primary button of CONSENT, SELECT_ACCOUNT, CONNECTED
//	#search                           the institution search box
//	[data-institution-id=ins_109508]  an institution in the list
//	#username, #password, #submit     the credentials form
//	#error-code                       the Plaid error code on the ERROR pane
//	#retry, #exit                     try again, or exit with the error (ERROR)
//	input[data-account-id]            account checkboxes, also carrying data-mask (SELECT_ACCOUNT)
//
// The SDK's iframe element has the id plaid-link-iframe-N and is hidden (display: none) while
// Link is closed.
package emulator
