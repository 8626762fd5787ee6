package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// The Auth flows through Link: a Link token made with the `auth` options a flow needs, Link,
// and a numbers step that accepts accounts still waiting for verification (their numbers come
// once they are verified); and the second Link session of Same Day (and Instant) micro-deposits,
// where the user enters the code of the deposit.
//
//	Flow:   link token (auth options) → Link → exchange → save → statuses and verified numbers
//	Verify: link token (update mode) → Link: the micro-deposit code → statuses and numbers

// StepMicroDeposit is Link opened with a saved Item's access token so the user enters the code
// of the micro-deposit Plaid sent; like update mode, nothing is exchanged.
const StepMicroDeposit StepID = StepRelink + 1

func init() {
	stepWords[StepMicroDeposit] = [4]string{"Enter the micro-deposit code in Link", "Waiting for the micro-deposit code in Link in the browser…",
		"Link took the micro-deposit code", "Link did not verify the micro-deposit"}
}

// InstantAuth is the name of the default flow, which needs no `auth` options.
const InstantAuth = "instant-auth"

// LinkJourneyFor is LinkJourney for one of the Auth flows (AuthFlowNames; "" or "instant-auth"
// is LinkJourney itself). The Link token carries the `auth` option that turns the flow on, as
// Plaid's guide for each flow says; after Link an account still waiting for verification does
// not fail the journey: the numbers step reports each account's verification_status and fetches
// numbers only for the verified ones (/auth/get answers PRODUCT_NOT_READY for the others).
func (f *Flow) LinkJourneyFor(openLink func() LinkUI, ready *plaidapi.LinkToken, flow string) (*Journey, error) {
	name := strings.ToLower(strings.TrimSpace(flow))
	if name == "" || name == InstantAuth {
		return f.LinkJourney(openLink, ready), nil
	}
	fl, err := FindAuthFlow(name)
	if err != nil {
		return nil, err
	}
	// A token made ahead has no auth options: this flow makes its own.
	j := f.LinkJourney(openLink, nil)
	j.authFlow = fl.Name
	return j, nil
}

// AuthFlow is the journey's Auth flow name ("" for Instant Auth).
func (j *Journey) AuthFlow() string { return j.authFlow }

// verifyState is what a micro-deposit verification journey knows about its Item.
type verifyState struct {
	ref       string
	accountID string // as the user named it (id, mask or name); "" picks the pending account
	call      itemCall
	account   plaidapi.Account // the account whose code is entered, once known
}

// VerifyJourney re-opens Link for a saved Item (ref: its id or name) in update mode, with its
// access token, so the user enters the code of a Same Day (or Instant) micro-deposit; then it
// fetches the accounts' verification_status and the numbers of the verified ones. accountID
// names the account (id, mask or name) when the Item has several; "" picks the one pending
// manual verification. The first step refuses an Item with nothing to verify, before Link opens.
func (f *Flow) VerifyJourney(openLink func() LinkUI, ref, accountID string) (*Journey, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	j := &Journey{flow: f, openLink: openLink, verify: &verifyState{ref: ref, accountID: accountID, call: c},
		steps: []StepID{StepLinkToken, StepMicroDeposit, StepNumbers}}
	j.ex.ItemID = c.item.ItemID
	if c.item.InstitutionID != "" {
		j.linked.Institution = &plaidapi.Institution{ID: c.item.InstitutionID, Name: c.item.InstitutionName}
	}
	return j, nil
}

// VerifyAccount is the account a VerifyJourney verifies (zero before its first step).
func (j *Journey) VerifyAccount() plaidapi.Account {
	if j.verify == nil {
		return plaidapi.Account{}
	}
	return j.verify.account
}

// authLinkToken is /link/token/create for a flow: its auth option on, and for the flows where
// the user types the numbers, auth as the only product (the manual-entry flows verify an
// account for Auth alone; Plaid's guides create their tokens with products: ['auth']).
func (j *Journey) authLinkToken(ctx context.Context) (StepReport, error) {
	lt, err := j.flow.Client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{AuthFlow: j.authFlow})
	if err != nil {
		return StepReport{}, err
	}
	j.linkToken = lt
	return StepReport{Detail: j.authFlow + " enabled · expires " + lt.Expiration.Local().Format("15:04")}, nil
}

// verifyLinkToken is the first step of a VerifyJourney: the Item's accounts (/accounts/get), the
// one awaiting its code, then /link/token/create with the Item's access token.
func (j *Journey) verifyLinkToken(ctx context.Context) (StepReport, error) {
	f, v := j.flow, j.verify
	listed, err := f.Client.Accounts(ctx, v.call.token)
	if err != nil {
		return StepReport{}, f.observe(v.call, err)
	}
	acct, err := pendingManual(listed.Accounts, v.accountID)
	if err != nil {
		return StepReport{}, err
	}
	v.account = acct
	lt, err := f.Client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{AccessToken: v.call.token})
	if err != nil {
		return StepReport{}, f.observe(v.call, err)
	}
	j.linkToken = lt
	return StepReport{Detail: fmt.Sprintf("update mode for %s · account ••%s · expires %s", v.call.item.Name, present.MaskLabel(acct),
		lt.Expiration.Local().Format("15:04"))}, nil
}

// ErrNothingToVerify means no account of the Item waits for a micro-deposit code.
var ErrNothingToVerify = errors.New("nothing to verify")

// pendingManual picks the account to enter a code for: the one named, which must be pending
// manual verification, or the only pending one.
func pendingManual(accounts []plaidapi.Account, ref string) (plaidapi.Account, error) {
	if ref != "" {
		a, err := pickAccount(accounts, ref)
		if err != nil {
			return plaidapi.Account{}, err
		}
		if a.VerificationStatus != "pending_manual_verification" {
			return plaidapi.Account{}, fmt.Errorf("account %s ••%s: %w: it is %s, not pending_manual_verification", a.Name, present.MaskLabel(a), ErrNothingToVerify, statusWords(a.VerificationStatus))
		}
		return a, nil
	}
	var pending []plaidapi.Account
	for _, a := range accounts {
		if a.VerificationStatus == "pending_manual_verification" {
			pending = append(pending, a)
		}
	}
	switch len(pending) {
	case 1:
		return pending[0], nil
	case 0:
		var parts []string
		for _, a := range accounts {
			parts = append(parts, fmt.Sprintf("%s ••%s is %s", a.Name, present.MaskLabel(a), statusWords(a.VerificationStatus)))
		}
		msg := fmt.Sprintf("no account of the Item is pending_manual_verification (%s)", strings.Join(parts, "; "))
		for _, a := range accounts {
			if a.VerificationStatus == "pending_automatic_verification" {
				msg += "; Plaid verifies an Automated micro-deposit itself, with no code (in Sandbox: plaid-onboard sandbox set-verification-status)"
				break
			}
		}
		return plaidapi.Account{}, fmt.Errorf("%w: %s", ErrNothingToVerify, msg)
	}
	return plaidapi.Account{}, fmt.Errorf("name the account with --account: %d accounts are pending manual verification (%s)", len(pending), describeAccounts(pending))
}

func statusWords(s string) string {
	if s == "" {
		return "verified by Instant Auth"
	}
	return s
}

// flowNumbers is the numbers step of a flow: every account with its verification_status
// (/accounts/get), and the numbers of the verified ones (/auth/get for those accounts only, with
// /institutions/get_by_id alongside). An Item with nothing verified yet is no failure: the
// result has its accounts and no numbers.
func (f *Flow) flowNumbers(ctx context.Context, token string, inst *plaidapi.Institution) (*plaidapi.Result, error) {
	listed, err := f.Client.Accounts(ctx, token)
	if err != nil {
		return nil, err
	}
	accounts, method, instID := listed.Accounts, listed.AuthMethod, listed.InstitutionID
	if inst == nil && instID != "" {
		// Link did not name the bank (a session with typed numbers may not): the Item does.
		inst = &plaidapi.Institution{ID: instID}
	}
	var ready []string
	for _, a := range accounts {
		if !plaidapi.AwaitingVerification(a.VerificationStatus) {
			ready = append(ready, a.ID)
		}
	}
	var res *plaidapi.Result
	if len(ready) > 0 {
		if res, err = f.numbersOf(ctx, token, inst, ready); err != nil {
			return nil, err
		}
	} else {
		res = &plaidapi.Result{Numbers: plaidapi.Numbers{ACH: []plaidapi.ACH{}, EFT: []plaidapi.EFT{}, International: []plaidapi.International{}, BACS: []plaidapi.BACS{}}}
		res.Institution = inst
		if inst != nil && inst.ID != "" {
			if details, err := f.institution(ctx, inst.ID); err == nil && details != nil {
				res.Institution = details
			}
		}
		cfg := f.Client.Config()
		res.Environment, res.Demo, res.FetchedAt = string(cfg.Env), cfg.Demo, f.now()
		res.Profile = resultProfile(cfg)
		res.Store = cfg.Store
	}
	res.Accounts, res.AuthMethod = accounts, method
	return res, nil
}

// withItem names the Item in a flow's result: /accounts/get alone (nothing verified yet) does
// not.
func withItem(res *plaidapi.Result, itemID string) *plaidapi.Result {
	if res != nil && res.ItemID == "" {
		res.ItemID = itemID
	}
	return res
}

// numbersOf is numbers for some accounts of the Item (/auth/get options.account_ids).
func (f *Flow) numbersOf(ctx context.Context, token string, inst *plaidapi.Institution, ids []string) (*plaidapi.Result, error) {
	type instResult struct{ inst *plaidapi.Institution }
	instCh := make(chan instResult, 1)
	if inst != nil && inst.ID != "" {
		go func() {
			in, _ := f.institution(ctx, inst.ID)
			instCh <- instResult{in}
		}()
	} else {
		instCh <- instResult{}
	}
	res, err := f.Client.Auth(ctx, token, ids...)
	if err != nil {
		<-instCh
		return nil, err
	}
	details := (<-instCh).inst
	res.Institution = mergeInstitution(res.Institution, inst, details)
	cfg := f.Client.Config()
	res.Environment, res.Demo, res.FetchedAt = string(cfg.Env), cfg.Demo, f.now()
	res.Profile = resultProfile(cfg)
	res.Store = cfg.Store
	return res, nil
}

// newItemNumbers ends the numbers step of a journey that made a new Item, given what the
// numbers call returned: a failure says the Item is already saved, and the Item's first numbers
// are its first health check, which `items` shows.
func (j *Journey) newItemNumbers(res *plaidapi.Result, err error) error {
	f := j.flow
	if j.saved.Storage.Saved {
		call := itemCall{ns: j.saved.Item.Namespace, item: j.saved.Item, token: j.ex.AccessToken}
		if oerr := f.observe(call, err); err == nil {
			err = oerr
		}
	}
	if err != nil {
		return &stepError{Step: StepNumbers, Err: err, Context: j.afterSaveContext()}
	}
	f.finish(j.saved, res)
	j.result = res
	return nil
}

// flowNumbersStep is the numbers step of a LinkJourneyFor journey.
func (j *Journey) flowNumbersStep(ctx context.Context) (StepReport, error) {
	f := j.flow
	res, err := f.flowNumbers(ctx, j.ex.AccessToken, j.linked.Institution)
	res = withItem(res, j.ex.ItemID)
	if err := j.newItemNumbers(res, err); err != nil {
		return StepReport{}, err
	}
	j.describeFlow(res)
	return flowNumbersReport(res), nil
}

// verifyNumbers is the last step of a VerifyJourney.
func (j *Journey) verifyNumbers(ctx context.Context) (StepReport, error) {
	f, c := j.flow, j.verify.call
	res, err := f.flowNumbers(ctx, c.token, j.linked.Institution)
	res = withItem(res, c.item.ItemID)
	if err := f.observe(c, err); err != nil {
		return StepReport{}, err
	}
	j.saved = Saved{Item: c.item, Storage: plaidapi.Storage{Saved: true, Where: f.Vault.Where()}}
	f.finish(j.saved, res)
	j.describeFlow(res)
	for _, a := range res.Accounts {
		if a.ID == j.verify.account.ID {
			j.verify.account = a
		}
	}
	j.result = res
	return flowNumbersReport(res), nil
}

// describeFlow names the flow in the result and what moves a pending account on.
func (j *Journey) describeFlow(res *plaidapi.Result) {
	res.Flow = j.authFlow
	ref := res.ItemName
	if ref == "" {
		ref = res.ItemID
	}
	// flowNext names the commands in this run's profile, mode and environment, so they reach
	// the same Plaid (or emulator) as this run when pasted.
	if _, err := FindAuthFlow(j.authFlow); err == nil || j.verify != nil {
		res.Next = j.flow.flowNext(ref, res.Accounts)
	}
	if res.Next == j.flow.Command("auth "+ref) && len(res.Numbers.ACH)+len(res.Numbers.EFT)+len(res.Numbers.International)+len(res.Numbers.BACS) > 0 {
		res.Next = "" // verified, numbers shown: nothing left to do
	}
}

func flowNumbersReport(res *plaidapi.Result) StepReport {
	rep := numbersReport(res)
	var pending []string
	for _, a := range res.Accounts {
		if plaidapi.AwaitingVerification(a.VerificationStatus) {
			pending = append(pending, fmt.Sprintf("••%s %s", present.MaskLabel(a), a.VerificationStatus))
		}
	}
	if len(pending) > 0 {
		rep.Notice = "no numbers yet for " + strings.Join(pending, ", ") + ": they come once the account is verified"
	}
	return rep
}
