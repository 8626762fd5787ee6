package emulator

import (
	"slices"
	"strings"
)

// The Auth verification flows as Sandbox runs them (https://plaid.com/docs/auth/coverage/ and
// the testing guide https://plaid.com/docs/auth/coverage/testing/). Instant Auth is the
// default; the others verify an account that Instant Auth cannot reach, each with its own
// verification_status on the account and its own auth_method on the Item:
//
//   - Automated micro-deposits: user_good / microdeposits_good (the Sandbox test-credentials
//     page); the Item has one account, pending_automatic_verification, until
//     /sandbox/item/set_verification_status moves it to automatically_verified or
//     verification_expired and Plaid sends AUTH AUTOMATICALLY_VERIFIED or VERIFICATION_EXPIRED.
//   - Instant Match: Houndstooth Bank, user_good / pass_good, Plaid Saving (1111), routing
//     021000021 and account 1111222233331111 typed in Link: verified at once.
//   - Instant micro-deposits: Windowpane Bank, routing 333333334 and account 1111222233330000.
//   - Same Day micro-deposits, Database Match and Database Insights: numbers typed in Link,
//     then pending_manual_verification (the user enters the code in a second Link session),
//     database_matched, or database_insights_pass with the insights fields.
//
// The flows that need numbers typed in Link are reached through manualItem, which the stand-in
// Link's micro-deposit panes call; /sandbox/public_token/create reaches Automated
// micro-deposits through the credentials alone.

// Verification statuses (the spec's AccountBase.verification_status).
const (
	statusPendingAutomatic = "pending_automatic_verification"
	statusPendingManual    = "pending_manual_verification"
	statusAutoVerified     = "automatically_verified"
	statusManuallyVerified = "manually_verified"
	statusExpired          = "verification_expired"
	statusFailed           = "verification_failed"
	statusDatabaseMatched  = "database_matched"
	statusInsightsPass     = "database_insights_pass"
	statusInsightsCaution  = "database_insights_pass_with_caution"
	statusInsightsFail     = "database_insights_fail"
)

// microdepositsPassword is the Sandbox password for Automated micro-deposits.
const microdepositsPassword = "microdeposits_good"

// sandboxVerificationName is the account holder name the fake records for a micro-deposit or
// database verification: Plaid's Sandbox identity for user_good.
const sandboxVerificationName = "Alberta Bobbeth Charleson"

// verification is what an account knows of its Auth verification; zero for Instant Auth.
type verification struct {
	verificationStatus string
	verificationName   string
	insights           *verificationInsightsJSON
	// manual are the numbers the user typed in Link (routing, account), which /auth/get then
	// returns instead of the institution's.
	manualRouting, manualAccount string
	codeAttempts                 int
}

type verificationInsightsJSON struct {
	AccountNumberFormat string              `json:"account_number_format"`
	NameMatchScore      *int                `json:"name_match_score"`
	NetworkStatus       networkStatusJSON   `json:"network_status"`
	PreviousReturns     previousReturnsJSON `json:"previous_returns"`
}

type networkStatusJSON struct {
	HasNumbersMatch        bool `json:"has_numbers_match"`
	IsNumbersMatchVerified bool `json:"is_numbers_match_verified"`
}

type previousReturnsJSON struct {
	HasPreviousAdministrativeReturn bool `json:"has_previous_administrative_return"`
}

// isAuthFlowLogin reports whether a login is one of the Auth flows' Sandbox logins (parseLogin
// asks it before the ordinary passwords).
func isAuthFlowLogin(username, password string) bool {
	return username == sandboxUsername && password == microdepositsPassword
}

// applyAuthFlow turns a new Item into the Item the login's Auth flow makes (the hook in
// createItem): with microdeposits_good, one checking account pending automatic verification.
func (s *Server) applyAuthFlow(it *item, authFlow bool) {
	if !authFlow {
		return
	}
	i := slices.IndexFunc(it.offered, func(a *account) bool { return a.subtype == "checking" })
	a := it.offered[i]
	a.verificationStatus = statusPendingAutomatic
	a.verificationName = sandboxVerificationName
	it.offered = []*account{a}
	it.accounts = []*account{a}
	it.authMethod = "AUTOMATED_MICRODEPOSITS"
}

// pendingAccount is the Item's first account in status, or nil.
func (it *item) pendingAccount(status string) *account {
	for _, a := range it.accounts {
		if a.verificationStatus == status {
			return a
		}
	}
	return nil
}

// authNotReady is the error /auth/get answers while an account's numbers are not verified:
// PRODUCT_NOT_READY, as Plaid answers for an Item pending micro-deposit verification.
func authNotReady(accounts []*account) *apiError {
	for _, a := range accounts {
		switch a.verificationStatus {
		case statusPendingAutomatic, statusPendingManual:
			return errorf("PRODUCT_NOT_READY", "the account %s is %s: its numbers are returned once it is verified", a.id, a.verificationStatus)
		case statusExpired, statusFailed, statusInsightsFail:
			return errorf("PRODUCT_NOT_READY", "the account %s is %s: it will not be verified; link it again", a.id, a.verificationStatus)
		}
	}
	return nil
}

// ---- /sandbox/item/set_verification_status ---------------------------------------------------

// sandboxItemSetVerificationStatus serves /sandbox/item/set_verification_status: an account
// pending automatic verification becomes automatically_verified or verification_expired, and
// the Item's webhook hears AUTH AUTOMATICALLY_VERIFIED or VERIFICATION_EXPIRED
// (https://plaid.com/docs/api/products/auth/#automatically_verified).
func (s *Server) sandboxItemSetVerificationStatus(c *call) (any, *apiError) {
	var req struct {
		AccessToken        string `json:"access_token"`
		AccountID          string `json:"account_id"`
		VerificationStatus string `json:"verification_status"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.itemOf(c, &req)
	if e != nil {
		return nil, e
	}
	i := slices.IndexFunc(it.accounts, func(a *account) bool { return a.id == req.AccountID })
	if i < 0 {
		return nil, errorf("INVALID_ACCOUNT_ID", "the following account_ids are not valid for this item: %s", req.AccountID)
	}
	a := it.accounts[i]
	if a.verificationStatus != statusPendingAutomatic {
		current := a.verificationStatus
		if current == "" {
			current = "verified by Instant Auth"
		}
		return nil, errorf("INVALID_FIELD",
			"the account is not pending automatic micro-deposit verification (it is %s): only an Item made with Automated micro-deposits can be moved", current)
	}
	a.verificationStatus = req.VerificationStatus
	code := "AUTOMATICALLY_VERIFIED"
	if req.VerificationStatus == statusExpired {
		code = "VERIFICATION_EXPIRED"
	}
	s.sendWebhook(it, map[string]any{"webhook_type": "AUTH", "webhook_code": code, "item_id": it.id, "account_id": a.id})
	return requestIDResponse{RequestID: c.requestID}, nil
}

func init() {
	endpoints["/sandbox/item/set_verification_status"] = endpoint{withKeys(accessTokenParam(),
		stringParam("account_id").require(),
		stringParam("verification_status").require().oneOf([]string{statusAutoVerified, statusExpired})),
		(*Server).sandboxItemSetVerificationStatus}
}

// ---- flows that need numbers typed in Link ---------------------------------------------------

// Numbers the testing guide names for the flows entered by hand.
const (
	instantMatchRouting = "021000021"
	instantMatchAccount = "1111222233331111"
	instantMicroRouting = "333333334"
	instantMicroAccount = "1111222233330000"
	// sameDayCode is the micro-deposit code a Same Day Item is verified with in Sandbox.
	sameDayCode = "ABC"
)

// manualOutcome is what typing routing and account numbers in Link leads to, by flow.
type manualOutcome struct {
	method, status string
	insights       *verificationInsightsJSON
}

// manualFlowOutcome decides a hand-entered account's verification by the flow and the numbers:
// the numbers the testing guide names succeed; others fail the way the guide says (Instant
// Match falls back to Same Day micro-deposits; Database Insights fails).
func manualFlowOutcome(flow, routing, acct string) (manualOutcome, *apiError) {
	valid := len(routing) == 9 && strings.Trim(routing, "0123456789") == "" && len(acct) >= 4
	if !valid {
		return manualOutcome{}, errorf("INVALID_FIELD", "routing must be 9 digits and account at least 4 digits")
	}
	switch flow {
	case "instant-match":
		if routing == instantMatchRouting && acct == instantMatchAccount {
			return manualOutcome{method: "INSTANT_MATCH"}, nil
		}
		return manualOutcome{method: "SAME_DAY_MICRODEPOSITS", status: statusPendingManual}, nil
	case "instant-microdeposits":
		if routing == instantMicroRouting && acct == instantMicroAccount {
			return manualOutcome{method: "INSTANT_MICRODEPOSITS", status: statusPendingManual}, nil
		}
		return manualOutcome{method: "SAME_DAY_MICRODEPOSITS", status: statusPendingManual}, nil
	case "same-day-microdeposits":
		return manualOutcome{method: "SAME_DAY_MICRODEPOSITS", status: statusPendingManual}, nil
	case "database-match":
		return manualOutcome{method: "DATABASE_MATCH", status: statusDatabaseMatched}, nil
	case "database-insights":
		known := routing == sandboxRouting || routing == instantMatchRouting
		ins := &verificationInsightsJSON{AccountNumberFormat: "valid",
			NetworkStatus: networkStatusJSON{HasNumbersMatch: known, IsNumbersMatchVerified: known}}
		status := statusInsightsPass
		if !known {
			status = statusInsightsCaution
		}
		return manualOutcome{method: "DATABASE_INSIGHTS", status: status, insights: ins}, nil
	}
	return manualOutcome{}, errorf("INVALID_FIELD", "unknown Auth flow %q", flow)
}

// manualItem makes the Item of a hand-entered account: one checking account with the typed
// numbers and the flow's verification status. It expects s.mu to be held.
func (s *Server) manualItem(inst *institution, flow, routing, acct string) (*item, *apiError) {
	out, e := manualFlowOutcome(flow, routing, acct)
	if e != nil {
		return nil, e
	}
	it := s.newItem(s.plaidID(), inst, []string{"auth"}, nil)
	i := slices.IndexFunc(it.offered, func(a *account) bool { return a.subtype == "checking" })
	a := it.offered[i]
	a.mask = acct[len(acct)-4:]
	a.verificationStatus, a.insights = out.status, out.insights
	a.verificationName = sandboxVerificationName
	a.manualRouting, a.manualAccount = routing, acct
	it.offered, it.accounts = []*account{a}, []*account{a}
	it.authMethod = out.method
	s.items[it.id] = it
	return it, nil
}

// verifyCode checks the micro-deposit code of a Same Day Item's pending account: the right code
// verifies it (manually_verified); after three wrong ones it is verification_failed.
func (a *account) verifyCode(code string) *apiError {
	if a.verificationStatus != statusPendingManual {
		return errorf("INVALID_FIELD", "the account is not pending manual verification")
	}
	if strings.EqualFold(strings.TrimSpace(code), sameDayCode) {
		a.verificationStatus = statusManuallyVerified
		return nil
	}
	a.codeAttempts++
	if a.codeAttempts >= 3 {
		a.verificationStatus = statusFailed
	}
	return errorf("INVALID_FIELD", "the code is not correct")
}
