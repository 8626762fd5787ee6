package emulator

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The webhooks `POST /_emulator/webhooks/trigger` sends: every Item and Auth webhook Plaid
// documents (https://plaid.com/docs/api/items/#webhooks,
// https://plaid.com/docs/api/products/auth/#webhooks), each with the fields of Plaid's
// reference, and each moving the Item where Plaid's would be when Plaid sends it (ERROR with
// ITEM_LOGIN_REQUIRED: the Item needs a new login; AUTOMATICALLY_VERIFIED: the account is
// verified). /sandbox/item/fire_webhook keeps Plaid's own shorter list (webhooks.go).

// webhookKind is one webhook type and code: the fields of its body, what it needs of the Item
// and what it changes.
type webhookKind struct {
	// build makes the body's fields. override reports a value the trigger sets for a dotted
	// path, for the fields the rest of the body depends on (ERROR's error.error_code).
	build func(s *Server, it *item, override func(path string) (any, bool)) (map[string]any, error)
	// effect changes the Item as Plaid's would be once Plaid sends this body, and says how, or
	// "" when the webhook changes nothing. It runs on the body as sent, overrides applied.
	effect func(s *Server, it *item, body map[string]any) (string, error)
}

// webhookKinds are the webhooks the trigger knows, by type and code.
var webhookKinds = map[string]map[string]webhookKind{
	"ITEM": {
		"ERROR":                       {build: itemErrorBody, effect: itemErrorEffect},
		"LOGIN_REPAIRED":              {build: itemOnly(nil), effect: loginRepairedEffect},
		"NEW_ACCOUNTS_AVAILABLE":      {build: itemOnly(map[string]any{"error": nil})},
		"PENDING_DISCONNECT":          {build: itemOnly(map[string]any{"reason": "INSTITUTION_TOKEN_EXPIRATION"})},
		"PENDING_EXPIRATION":          {build: pendingExpirationBody},
		"USER_ACCOUNT_REVOKED":        {build: userAccountRevokedBody},
		"USER_PERMISSION_REVOKED":     {build: userPermissionRevokedBody},
		"WEBHOOK_UPDATE_ACKNOWLEDGED": {build: webhookUpdateAcknowledgedBody},
	},
	"AUTH": {
		"AUTOMATICALLY_VERIFIED":         {build: pendingAccountBody(statusPendingAutomatic, "AUTOMATICALLY_VERIFIED"), effect: verifiedEffect(statusAutoVerified)},
		"VERIFICATION_EXPIRED":           {build: pendingAccountBody(statusPendingAutomatic, "VERIFICATION_EXPIRED"), effect: verifiedEffect(statusExpired)},
		"SMS_MICRODEPOSITS_VERIFICATION": {build: smsMicrodepositsBody, effect: smsMicrodepositsEffect},
		"DEFAULT_UPDATE":                 {build: authDefaultUpdateBody},
	},
}

// WebhookCatalog lists the webhook types and codes the trigger sends, sorted: what
// `plaid-onboard webhooks trigger` completes and lists when it is given one it does not know.
func WebhookCatalog() map[string][]string {
	out := map[string][]string{}
	for typ, codes := range webhookKinds {
		for code := range codes {
			out[typ] = append(out[typ], code)
		}
		sort.Strings(out[typ])
	}
	out["LINK"] = slices.Clone(linkWebhookCodes) // webhooks_link.go
	return out
}

// catalogWords lists the catalog for an error message: "AUTH: A, B; ITEM: C, D".
func catalogWords() string {
	cat := WebhookCatalog()
	types := make([]string, 0, len(cat))
	for t := range cat {
		types = append(types, t)
	}
	sort.Strings(types)
	var parts []string
	for _, t := range types {
		parts = append(parts, t+": "+strings.Join(cat[t], ", "))
	}
	return strings.Join(parts, "; ")
}

// lookupWebhook finds a type and code, or says which there are.
func lookupWebhook(typ, code string) (webhookKind, error) {
	if typ == "LINK" { // built by triggerLink (webhooks_link.go)
		if slices.Contains(linkWebhookCodes, code) {
			return webhookKind{}, nil
		}
		return webhookKind{}, fmt.Errorf("no LINK webhook %q: LINK webhooks are %s", code, strings.Join(linkWebhookCodes, ", "))
	}
	codes, ok := webhookKinds[typ]
	if !ok {
		return webhookKind{}, fmt.Errorf("no webhook type %q: the emulator sends %s", typ, catalogWords())
	}
	k, ok := codes[code]
	if !ok {
		known := WebhookCatalog()[typ]
		return webhookKind{}, fmt.Errorf("no %s webhook %q: %s webhooks are %s", typ, code, typ, strings.Join(known, ", "))
	}
	return k, nil
}

// itemOnly is a body of the Item's id and the fields given.
func itemOnly(fields map[string]any) func(*Server, *item, func(string) (any, bool)) (map[string]any, error) {
	return func(_ *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
		p := map[string]any{"item_id": it.id}
		for k, v := range fields {
			p[k] = v
		}
		return p, nil
	}
}

// webhookError is the error object of an Item webhook, as Plaid's reference shows it
// (https://plaid.com/docs/api/items/#error): the API error's fields and its HTTP status.
func webhookError(code string) (map[string]any, error) {
	if _, ok := catalog[code]; !ok {
		return nil, fmt.Errorf("error.error_code %q is not an error code the emulator knows", code)
	}
	e := newError(code)
	return map[string]any{"display_message": e.display, "error_code": e.code, "error_message": e.message,
		"error_type": e.typ, "status": e.status}, nil
}

// itemErrorBody is ITEM ERROR; its error is ITEM_LOGIN_REQUIRED unless error.error_code says
// another, whose type and messages come from the emulator's catalog.
func itemErrorBody(_ *Server, it *item, override func(string) (any, bool)) (map[string]any, error) {
	code := "ITEM_LOGIN_REQUIRED"
	if v, ok := override("error.error_code"); ok {
		s, isString := v.(string)
		if !isString {
			return nil, fmt.Errorf("error.error_code must be a string, such as ITEM_LOGIN_REQUIRED")
		}
		code = s
	}
	e, err := webhookError(code)
	if err != nil {
		return nil, err
	}
	return map[string]any{"item_id": it.id, "error": e}, nil
}

// itemErrorEffect: an ITEM_LOGIN_REQUIRED Item answers the data endpoints with that error
// until Link's update mode repairs it, as a Plaid Item does.
func itemErrorEffect(s *Server, it *item, body map[string]any) (string, error) {
	e, _ := body["error"].(map[string]any)
	if e["error_code"] != "ITEM_LOGIN_REQUIRED" {
		return "", nil
	}
	it.loginRequired = true
	return "the Item is in ITEM_LOGIN_REQUIRED until Link's update mode repairs it", nil
}

func loginRepairedEffect(_ *Server, it *item, _ map[string]any) (string, error) {
	if !it.loginRequired {
		return "", nil
	}
	it.loginRequired = false
	return "the Item's login is repaired: its data endpoints answer again", nil
}

// pendingExpirationBody is ITEM PENDING_EXPIRATION: the consent ends in 7 days, the notice
// Plaid gives.
func pendingExpirationBody(s *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
	return map[string]any{"item_id": it.id, "consent_expiration_time": rfc3339(s.now().AddDate(0, 0, 7))}, nil
}

func userAccountRevokedBody(_ *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
	if len(it.accounts) == 0 {
		return nil, fmt.Errorf("the Item has no account to revoke")
	}
	return map[string]any{"item_id": it.id, "account_id": it.accounts[0].id}, nil
}

func userPermissionRevokedBody(_ *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
	e, err := webhookError("USER_PERMISSION_REVOKED")
	if err != nil {
		return nil, err
	}
	return map[string]any{"item_id": it.id, "error": e}, nil
}

// webhookUpdateAcknowledgedBody names the Item's webhook as the new URL: what /item/webhook/
// update sends.
func webhookUpdateAcknowledgedBody(_ *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
	var url any
	if it.webhook != nil {
		url = *it.webhook
	}
	return map[string]any{"item_id": it.id, "error": nil, "new_webhook_url": url}, nil
}

// pendingAccountBody is an Auth webhook about the Item's account in status: Plaid sends
// AUTOMATICALLY_VERIFIED and VERIFICATION_EXPIRED only for an account pending automated
// micro-deposits. account_id set by the trigger picks another of the Item's accounts.
func pendingAccountBody(status, code string) func(*Server, *item, func(string) (any, bool)) (map[string]any, error) {
	return func(_ *Server, it *item, override func(string) (any, bool)) (map[string]any, error) {
		if v, ok := override("account_id"); ok {
			return map[string]any{"item_id": it.id, "account_id": v}, nil
		}
		a := it.pendingAccount(status)
		if a == nil {
			return nil, fmt.Errorf("%s is sent only for an Item whose account is %s, and no account of this Item is: make one with the Automated micro-deposits flow (sandbox link --flow automated-microdeposits)", code, status)
		}
		return map[string]any{"item_id": it.id, "account_id": a.id}, nil
	}
}

// verifiedEffect moves the webhook's account to status, when it is the Item's and pending.
func verifiedEffect(status string) func(*Server, *item, map[string]any) (string, error) {
	return func(s *Server, it *item, body map[string]any) (string, error) {
		a := accountByID(it, body["account_id"])
		if a == nil || (a.verificationStatus != statusPendingAutomatic && a.verificationStatus != statusPendingManual) {
			return "", nil
		}
		a.verificationStatus = status
		if a.verificationName == "" {
			a.verificationName = sandboxVerificationName
		}
		return fmt.Sprintf("account %s is %s", a.id, status), nil
	}
}

func accountByID(it *item, id any) *account {
	i := slices.IndexFunc(it.accounts, func(a *account) bool { return a.id == id })
	if i < 0 {
		return nil
	}
	return it.accounts[i]
}

// smsMicrodepositsBody is AUTH SMS_MICRODEPOSITS_VERIFICATION for the account pending Same
// Day micro-deposits: status MANUALLY_VERIFIED, or VERIFICATION_FAILED when set so.
func smsMicrodepositsBody(_ *Server, it *item, override func(string) (any, bool)) (map[string]any, error) {
	p := map[string]any{"item_id": it.id, "status": "MANUALLY_VERIFIED"}
	if v, ok := override("account_id"); ok {
		p["account_id"] = v
		return p, nil
	}
	a := it.pendingAccount(statusPendingManual)
	if a == nil {
		return nil, fmt.Errorf("SMS_MICRODEPOSITS_VERIFICATION is sent only for an Item whose account is pending_manual_verification, and no account of this Item is: make one with the Same Day micro-deposits flow (sandbox link --flow same-day-microdeposits)")
	}
	p["account_id"] = a.id
	return p, nil
}

func smsMicrodepositsEffect(s *Server, it *item, body map[string]any) (string, error) {
	a := accountByID(it, body["account_id"])
	if a == nil || a.verificationStatus != statusPendingManual {
		return "", nil
	}
	switch body["status"] {
	case "MANUALLY_VERIFIED":
		a.verificationStatus = statusManuallyVerified
	case "VERIFICATION_FAILED":
		a.verificationStatus = statusFailed
	default:
		return "", fmt.Errorf("status %v: SMS_MICRODEPOSITS_VERIFICATION's status is MANUALLY_VERIFIED or VERIFICATION_FAILED", body["status"])
	}
	return fmt.Sprintf("account %s is %s", a.id, a.verificationStatus), nil
}

// authDefaultUpdateBody is AUTH DEFAULT_UPDATE with no account's numbers changed: set
// account_ids_with_new_auth or account_ids_with_updated_auth to say which did.
func authDefaultUpdateBody(_ *Server, it *item, _ func(string) (any, bool)) (map[string]any, error) {
	if !it.inst.supports("auth") {
		return nil, fmt.Errorf("the Item's institution %s does not offer Auth", it.inst.id)
	}
	return map[string]any{"item_id": it.id, "account_ids_with_new_auth": []string{},
		"account_ids_with_updated_auth": map[string][]string{}, "error": nil}, nil
}
