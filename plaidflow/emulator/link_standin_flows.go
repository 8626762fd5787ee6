package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// The stand-in Link's Auth flow panes, as Plaid's Link runs them in Sandbox
// (https://plaid.com/docs/auth/coverage/testing/):
//
//   - Instant Match (auth.instant_match_enabled): after logging in to Houndstooth Bank and picking
//     Plaid Saving (••1111), whose number the bank shows only in part, the user types the routing
//     and account numbers, which must match (021000021 / 1111222233331111); any others fall back
//     to Same Day micro-deposits when that is on, else are refused.
//   - Automated micro-deposits: user_good / microdeposits_good; after the account, the user
//     confirms its routing and account numbers and name; the account is then
//     pending_automatic_verification.
//   - Manual entry (Same Day and Instant micro-deposits, Database Match, Database Insights): the
//     user types routing and account numbers, name and account type instead of logging in, and
//     manualItem makes the Item. Instant micro-deposits (Windowpane Bank, 333333334) ask for the
//     deposit's code in the same session; Same Day ends pending_manual_verification and the code
//     is entered in a second session, opened with the Item's access token (update mode).
//
// Entering the code in Link sends no webhook: the app learns the outcome from onSuccess and
// /accounts/get. Plaid's AUTH SMS_MICRODEPOSITS_VERIFICATION webhook is for the SMS verification
// session Plaid hosts, and AUTOMATICALLY_VERIFIED / VERIFICATION_EXPIRED are for Automated
// micro-deposits (https://plaid.com/docs/api/products/auth/#webhooks).

// linkAuthOptions is /link/token/create's `auth` object: which flows the session offers.
type linkAuthOptions struct {
	InstantMatch     bool `json:"instant_match_enabled"`
	InstantMicro     bool `json:"instant_microdeposits_enabled"`
	AutomatedMicro   bool `json:"automated_microdeposits_enabled"`
	SameDay          bool `json:"same_day_microdeposits_enabled"`
	DatabaseMatch    bool `json:"database_match_enabled"`
	DatabaseInsights bool `json:"database_insights_enabled"`
}

// manualEntry reports whether the session lets the user type numbers instead of logging in.
func (o linkAuthOptions) manualEntry() bool {
	return o.SameDay || o.InstantMicro || o.DatabaseMatch || o.DatabaseInsights
}

// Institutions the flows are tested at.
const (
	houndstoothID = "ins_109512"
	windowpaneID  = "ins_135858"
)

// codeAttempts is how many wrong micro-deposit codes an account takes before it fails.
const codeAttempts = 3

// flowSession adds to the session answer what the flows need: the manual-entry choice, and in
// update mode the account waiting for its micro-deposit code. It expects s.mu to be held.
func (s *Server) flowSession(lt *linkToken, resp map[string]any) {
	resp["auth"] = map[string]any{"manual_entry": lt.auth.manualEntry(), "instant_match": lt.auth.InstantMatch,
		"manual_only": []string{windowpaneID}}
	if lt.itemID == "" {
		return
	}
	it, ok := s.items[lt.itemID]
	if !ok {
		return
	}
	if a := it.pendingAccount(statusPendingManual); a != nil {
		resp["verify"] = map[string]any{"account": s.standInAccountOf(it, a), "attempts_left": codeAttempts - a.codeAttempts}
	}
}

func (s *Server) standInAccountOf(it *item, a *account) standInAccount {
	return standInAccount{ID: a.id, Name: a.name, Mask: a.mask, Type: a.typ, Subtype: a.subtype,
		Available: a.available, Currency: a.json(it.inst.currency()).currencyCode(), Selected: true}
}

// flowLogin adds to a login's answer which pane follows the account selection: the Instant Match
// numbers, or the Automated micro-deposit details. It expects s.mu to be held.
func (s *Server) flowLogin(lt *linkToken, it *item, resp map[string]any) {
	switch {
	case it.authMethod == "AUTOMATED_MICRODEPOSITS":
		resp["confirm_numbers"] = "automated"
	case lt.itemID == "" && lt.auth.InstantMatch && it.inst.id == houndstoothID:
		resp["confirm_numbers"] = "instant_match"
	}
}

// standInNumbers checks the numbers typed after the account selection (Instant Match, Automated
// micro-deposits) and records them on the chosen account.
func (s *Server) standInNumbers(req standInRequest) (any, *apiError) {
	lt, it, e := s.pendingLogin(req)
	if e != nil {
		return nil, e
	}
	if len(req.AccountIDs) != 1 {
		return nil, errorf("INVALID_FIELD", "choose one account to verify")
	}
	i := slices.IndexFunc(it.offered, func(a *account) bool { return a.id == req.AccountIDs[0] })
	if i < 0 {
		return nil, errorf("INVALID_ACCOUNT_ID", "the account is not one of this login's")
	}
	a := it.offered[i]
	routing, acct := digits(req.Routing), digits(req.Account)
	if len(routing) != 9 || len(acct) < 4 || len(acct) > 17 {
		return nil, errorf("INVALID_FIELD", "the routing number must have 9 digits and the account number 4 to 17")
	}
	if it.authMethod == "AUTOMATED_MICRODEPOSITS" {
		// Plaid sends its deposit to the numbers the user confirms; the name is the holder's.
		a.manualRouting, a.manualAccount = routing, acct
		if name := strings.TrimSpace(req.Name); name != "" {
			a.verificationName = name
		}
		return map[string]any{"verification_status": a.verificationStatus}, nil
	}
	// Instant Match: the typed number must end in the bank's mask and match the testing guide's.
	if a.mask == "1111" && routing == instantMatchRouting && acct == instantMatchAccount {
		a.manualRouting, a.manualAccount = routing, acct
		a.verificationStatus = ""
		it.authMethod = "INSTANT_MATCH"
		return map[string]any{"verification_status": nil, "matched": true}, nil
	}
	if !lt.auth.SameDay {
		return nil, shown(errorf("INVALID_FIELD", "the account number does not match the one %s has for this account", it.inst.name),
			"The numbers you entered don't match this account. Check them and try again.")
	}
	// Not matched, Same Day on: Plaid falls back to a micro-deposit to the typed numbers.
	a.manualRouting, a.manualAccount = routing, acct
	a.mask = acct[len(acct)-4:]
	a.verificationStatus, a.verificationName = statusPendingManual, sandboxVerificationName
	it.authMethod = "SAME_DAY_MICRODEPOSITS"
	return map[string]any{"verification_status": statusPendingManual, "matched": false}, nil
}

// manualFlow picks the flow a hand-typed account goes through from the session's auth options.
func manualFlow(o linkAuthOptions, inst *institution, routing string) (string, *apiError) {
	switch {
	case o.DatabaseInsights:
		return "database-insights", nil
	case o.DatabaseMatch:
		return "database-match", nil
	case o.InstantMicro && (inst.id == windowpaneID || routing == instantMicroRouting):
		return "instant-microdeposits", nil
	case o.SameDay:
		return "same-day-microdeposits", nil
	case o.InstantMicro:
		return "instant-microdeposits", nil // not an RTP bank: manualFlowOutcome falls back to Same Day
	}
	return "", errorf("INVALID_FIELD", "this Link session does not offer entering account numbers by hand: create the link token with one of auth.same_day_microdeposits_enabled, instant_microdeposits_enabled, database_match_enabled, database_insights_enabled")
}

// standInManual makes the Item of an account typed by hand, then hands the iframe what comes
// next: the code now (Instant micro-deposits), or the end of the session.
func (s *Server) standInManual(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	if lt.itemID != "" {
		return nil, errorf("INVALID_FIELD", "update mode does not take new account numbers")
	}
	routing, acct := digits(req.Routing), digits(req.Account)
	if len(routing) != 9 || len(acct) < 4 || len(acct) > 17 {
		return nil, errorf("INVALID_FIELD", "the routing number must have 9 digits and the account number 4 to 17")
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return nil, errorf("INVALID_FIELD", "enter the account holder's full name")
	}
	inst := findInstitution(req.InstitutionID)
	if inst == nil {
		inst = institutionByRouting(routing)
	}
	flow, e := manualFlow(lt.auth, inst, routing)
	if e != nil {
		return nil, e
	}
	it, e := s.manualItem(inst, flow, routing, acct)
	if e != nil {
		return nil, e
	}
	it.webhook = nullable(lt.webhook)
	a := it.accounts[0]
	a.verificationName = name
	if req.AccountType == "savings" {
		a.subtype, a.name = "savings", "Plaid Saving"
	}
	id := s.alphanumerics(24)
	s.logins[id] = &pendingLogin{linkToken: lt.token, itemID: it.id}
	out := map[string]any{"login": id, "institution": it.inst.standIn(), "accounts": []standInAccount{s.standInAccountOf(it, a)},
		"auth_method": it.authMethod, "verification_status": nullable(a.verificationStatus),
		"code_now": it.authMethod == "INSTANT_MICRODEPOSITS"}
	if a.insights != nil {
		out["verification_insights"] = a.insights
	}
	return out, nil
}

// institutionByRouting is the Sandbox bank a routing number belongs to (First Platypus Bank for
// a number no Sandbox bank uses, as Sandbox accepts any well-formed one).
func institutionByRouting(routing string) *institution {
	switch routing {
	case instantMicroRouting:
		return findInstitution(windowpaneID)
	case instantMatchRouting:
		return findInstitution(houndstoothID)
	}
	return findInstitution("ins_109508")
}

// standInCode checks a micro-deposit code: in update mode for the Item's pending account, or in
// the session that made an Instant micro-deposit Item. A wrong code says how many tries are
// left; the last wrong one fails the account (verification_failed) and ends the session.
func (s *Server) standInCode(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	itemID := lt.itemID
	if itemID == "" {
		pl, ok := s.logins[req.Login]
		if !ok || pl.linkToken != req.Token {
			return nil, errorf("INVALID_FIELD", "login is not a pending login of this link token")
		}
		itemID = pl.itemID
	}
	it, ok := s.items[itemID]
	if !ok {
		return nil, newError("ITEM_NOT_FOUND")
	}
	a := it.pendingAccount(statusPendingManual)
	if a == nil {
		return nil, errorf("INVALID_FIELD", "no account of this Item is waiting for a micro-deposit code")
	}
	err := a.verifyCode(req.Code)
	if err == nil {
		out := map[string]any{"verification_status": a.verificationStatus}
		if lt.itemID != "" {
			// Update mode ends like a repaired login: a public token for onSuccess, not exchanged.
			id := s.alphanumerics(24)
			s.logins[id] = &pendingLogin{linkToken: lt.token, itemID: it.id}
			out["login"] = id
			out["accounts"] = []standInAccount{s.standInAccountOf(it, a)}
		}
		return out, nil
	}
	left := codeAttempts - a.codeAttempts
	if a.verificationStatus == statusFailed {
		return nil, shown(errorf("INVALID_FIELD", "the code is not correct; after %d wrong codes the account %s is verification_failed", codeAttempts, a.id),
			"That code was not correct, and there are no attempts left. Link this account again to get a new deposit.")
	}
	return nil, shown(errorf("INVALID_FIELD", "the code is not correct; %d attempts left", left),
		fmt.Sprintf("That code is not correct. %d attempt%s left.", left, plural(left)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// shown gives an error the display_message Link shows the user.
func shown(e *apiError, display string) *apiError {
	e.display = &display
	return e
}

// digits is a typed number without the spaces and dashes people type; "" when anything else is
// in it, so a typo is refused rather than silently dropped.
func digits(s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	if strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}
