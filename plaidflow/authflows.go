package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Auth verification flows Plaid offers besides Instant Auth, as its Auth guide and testing
// guide name them (https://plaid.com/docs/auth/coverage/,
// https://plaid.com/docs/auth/coverage/testing/, https://plaid.com/docs/sandbox/test-credentials/):
// what each is for, and the Sandbox institution and inputs that walk through it. Only Automated
// micro-deposits can be made without Link (/sandbox/public_token/create with the
// microdeposits_good password); the others need numbers typed in Link.

// AuthFlow is one way Plaid Auth verifies an account.
type AuthFlow struct {
	Name  string `json:"flow"`
	Title string `json:"title"`
	// What says what the flow does and when a product would use it, in one line.
	What string `json:"what"`
	// The Sandbox inputs, as the testing guide gives them.
	InstitutionID   string `json:"institution_id"`
	InstitutionName string `json:"institution_name"`
	Username        string `json:"username,omitempty"`
	Password        string `json:"password,omitempty"`
	Routing         string `json:"routing,omitempty"`
	Account         string `json:"account,omitempty"`
	Code            string `json:"code,omitempty"`
	// Status is the verification_status right after Link.
	Status string `json:"verification_status"`
	// WithoutLink is true when /sandbox/public_token/create can make the Item.
	WithoutLink bool `json:"without_link"`
}

// AuthFlows are the flows, in the order of Plaid's Auth guide.
var AuthFlows = []AuthFlow{
	{Name: "instant-match", Title: "Instant Match",
		What:          "the user logs in, then types the account number, which Plaid matches to the bank's partial one; for banks that show only part of it",
		InstitutionID: "ins_109512", InstitutionName: "Houndstooth Bank", Username: "user_good", Password: "pass_good",
		Routing: "021000021", Account: "1111222233331111", Status: ""},
	{Name: "instant-microdeposits", Title: "Instant micro-deposits",
		What:          "the user types the numbers, Plaid sends a deposit over RTP or FedNow, the user enters its code in the same session; for banks without a login Plaid supports",
		InstitutionID: "ins_135858", InstitutionName: "Windowpane Bank",
		Routing: "333333334", Account: "1111222233330000", Status: "pending_manual_verification"},
	{Name: "automated-microdeposits", Title: "Automated micro-deposits",
		What:          "the user logs in and types the numbers, Plaid sends one deposit and verifies it itself in 1-2 business days; for banks Instant Auth cannot reach",
		InstitutionID: "ins_109512", InstitutionName: "Houndstooth Bank", Username: "user_good", Password: "microdeposits_good",
		Status: "pending_automatic_verification", WithoutLink: true},
	{Name: "same-day-microdeposits", Title: "Same Day micro-deposits",
		What:          "the user types the numbers, Plaid sends a deposit with a code, and the user comes back in a second Link session to enter it; for any US bank",
		InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank",
		Routing: "011401533", Account: "1111222233330000", Code: "ABC", Status: "pending_manual_verification"},
	{Name: "database-match", Title: "Database Match",
		What:          "the user types the numbers and their name, Plaid checks them against its network at once, with no deposit; legacy, replaced by Database Auth",
		InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank",
		Routing: "011401533", Account: "1111222233330000", Status: "database_matched"},
	{Name: "database-insights", Title: "Database Insights",
		What:          "the user types the numbers, Plaid scores them against its network (pass, pass with caution, fail) with the signals behind the score; legacy, replaced by Database Auth",
		InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank",
		Routing: "011401533", Account: "1111222233330000", Status: "database_insights_pass"},
}

// AuthFlowNames lists the flows' names, for help and completion.
func AuthFlowNames() []string {
	out := make([]string, 0, len(AuthFlows))
	for _, fl := range AuthFlows {
		out = append(out, fl.Name)
	}
	return out
}

// FindAuthFlow finds a flow by name, suggesting the closest names for a typo.
func FindAuthFlow(name string) (AuthFlow, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, fl := range AuthFlows {
		if fl.Name == name {
			return fl, nil
		}
	}
	msg := fmt.Sprintf("unknown Auth flow %q: use one of %s", name, strings.Join(AuthFlowNames(), ", "))
	for _, fl := range AuthFlows {
		if EditDistance(name, fl.Name) <= 3 {
			msg += fmt.Sprintf(" (did you mean %s?)", fl.Name)
			break
		}
	}
	return AuthFlow{}, errors.New(msg)
}

// WhatBy is What as the run says it: in the offline demo the emulator, not Plaid, sends the
// deposit and checks the numbers.
func (fl AuthFlow) WhatBy(v present.Voice) string {
	return strings.ReplaceAll(fl.What, "Plaid", v.Who())
}

// LinkInputs says, in one line, what to enter in Link to walk through the flow in Sandbox.
func (fl AuthFlow) LinkInputs() string {
	var parts []string
	parts = append(parts, fmt.Sprintf("institution %s (%s)", fl.InstitutionName, fl.InstitutionID))
	if fl.Username != "" {
		parts = append(parts, fmt.Sprintf("username %s, password %s", fl.Username, fl.Password))
	}
	if fl.Routing != "" {
		parts = append(parts, fmt.Sprintf("routing %s, account %s", fl.Routing, fl.Account))
	}
	if fl.Code != "" {
		parts = append(parts, "code "+fl.Code+" in the second session")
	}
	return strings.Join(parts, "; ")
}

// NeedsLinkError is a flow that Sandbox cannot make without Link.
type NeedsLinkError struct{ Flow AuthFlow }

// Error implements error.
func (e *NeedsLinkError) Error() string {
	return fmt.Sprintf("%s needs Link: Sandbox makes it only when the numbers are typed in Link's own panes (%s)",
		e.Flow.Title, e.Flow.LinkInputs())
}

// FlowItem is an Item made for an Auth flow, with its accounts' verification_status.
type FlowItem struct {
	Flow        string                `json:"flow"`
	Environment string                `json:"environment"`
	Demo        bool                  `json:"demo"`
	ItemID      string                `json:"item_id"`
	ItemName    string                `json:"item_name,omitempty"`
	Institution *plaidapi.Institution `json:"institution"`
	AuthMethod  string                `json:"auth_method,omitempty"`
	Accounts    []plaidapi.Account    `json:"accounts"`
	Storage     plaidapi.Storage      `json:"storage"`
	// Next says what moves the Item on.
	Next      string    `json:"next,omitempty"`
	FetchedAt time.Time `json:"fetched_at"`
}

// SandboxFlowItem makes an Item for the flow without a browser (Sandbox only, and only for a
// flow Sandbox makes that way; the others are a *NeedsLinkError), saves it, and reads its
// accounts with /accounts/get: /auth/get answers PRODUCT_NOT_READY until the account is
// verified.
func (f *Flow) SandboxFlowItem(ctx context.Context, name string) (*FlowItem, error) {
	fl, err := FindAuthFlow(name)
	if err != nil {
		return nil, err
	}
	if err := f.Client.Config().SandboxOnly(); err != nil {
		return nil, fmt.Errorf("sandbox link --flow: %w", err)
	}
	if !fl.WithoutLink {
		return nil, &NeedsLinkError{Flow: fl}
	}
	f.Client.Timeline.Configure(func(s *transcript.Settings) {
		s.Institution, s.AuthFlow = fl.InstitutionID, fl.Name
		(*SandboxUser)(nil).settle(s) // the flow's login is Plaid's own
	})
	pub, err := f.Client.SandboxPublicTokenAs(ctx, fl.InstitutionID, fl.Username, fl.Password)
	if err != nil {
		return nil, err
	}
	ex, err := f.Client.Exchange(ctx, pub)
	if err != nil {
		return nil, err
	}
	inst := &plaidapi.Institution{ID: fl.InstitutionID, Name: fl.InstitutionName}
	saved := f.save(ex, inst)
	out := &FlowItem{Flow: fl.Name, Environment: string(f.Client.Config().Env), Demo: f.Client.Config().Demo,
		ItemID: ex.ItemID, ItemName: saved.Item.Name, Institution: inst, Storage: saved.Storage}
	got, err := f.Client.Accounts(ctx, ex.AccessToken)
	if err != nil {
		return out, err
	}
	out.Accounts, out.AuthMethod, out.FetchedAt = got.Accounts, got.AuthMethod, f.now()
	ref := saved.Item.Name
	if ref == "" {
		ref = ex.ItemID
	}
	out.Next = f.flowNext(ref, got.Accounts)
	return out, nil
}

// flowNext says what moves an Item of the flow on from where its accounts are.
func (f *Flow) flowNext(ref string, accounts []plaidapi.Account) string {
	pending := map[string]int{}
	for _, a := range accounts {
		pending[a.VerificationStatus]++
	}
	// --account only where the command needs it (more than one account pending): both
	// commands pick the one pending account themselves, and the demo's emulator names
	// accounts anew in each run, so a pasted id would not be found there.
	account := func(a plaidapi.Account) string {
		if pending[a.VerificationStatus] > 1 {
			return " --account " + a.ID
		}
		return ""
	}
	for _, a := range accounts {
		switch a.VerificationStatus {
		case "pending_automatic_verification":
			return fmt.Sprintf("%s verifies the deposit itself in 1-2 business days; in Sandbox, move it on with: %s (or verification_expired)", f.Voice().WhoUpper(), f.Command("sandbox set-verification-status "+ref+account(a)+" --status automatically_verified"))
		case "pending_manual_verification":
			return fmt.Sprintf("when the deposit has arrived, the user enters its code in Link opened with the Item's access token: %s (Sandbox code: ABC)", f.Command("verify "+ref+account(a)))
		}
	}
	return f.Command("auth " + ref)
}

// NotSaved is the error of a FlowItem that exists at Plaid but could not be saved.
func (it *FlowItem) NotSaved() error {
	if it == nil || it.Storage.Saved || it.Storage.Problem == "" {
		return nil
	}
	return fmt.Errorf("item %s was made but not saved: %s", it.ItemID, it.Storage.Problem)
}

// Verification is a saved Item's accounts with their verification_status, for `items status`.
type Verification struct {
	AuthMethod string             `json:"auth_method,omitempty"`
	Accounts   []plaidapi.Account `json:"accounts"`
}

// Verification reads a saved Item's accounts and their verification_status (/accounts/get).
func (f *Flow) Verification(ctx context.Context, ref string) (*Verification, error) {
	_, got, err := callSaved(ctx, f, ref, f.Client.Accounts)
	if err != nil {
		return nil, err
	}
	return &Verification{AuthMethod: got.AuthMethod, Accounts: got.Accounts}, nil
}

// VerificationStatuses are the statuses /sandbox/item/set_verification_status sets.
var VerificationStatuses = []string{"automatically_verified", "verification_expired"}

// StatusChange is the outcome of SetVerificationStatus.
type StatusChange struct {
	ItemID    string             `json:"item_id"`
	ItemName  string             `json:"item_name"`
	Account   plaidapi.Account   `json:"account"`
	Status    string             `json:"verification_status"`
	Accounts  []plaidapi.Account `json:"accounts"`
	RequestID string             `json:"request_id"`
}

// SetVerificationStatus calls /sandbox/item/set_verification_status for an account of a saved
// Item (Sandbox only): an Automated micro-deposit account becomes automatically_verified or
// verification_expired, and Plaid sends the AUTH webhook that says so. account may be empty
// when exactly one account is pending automatic verification.
func (f *Flow) SetVerificationStatus(ctx context.Context, ref, account, status string) (*StatusChange, error) {
	if err := f.Client.Config().SandboxOnly(); err != nil {
		return nil, fmt.Errorf("set verification status: %w", err)
	}
	if !slices.Contains(VerificationStatuses, status) {
		return nil, fmt.Errorf("verification status %q: Sandbox sets only %s", status, strings.Join(VerificationStatuses, " or "))
	}
	c, listed, err := callSaved(ctx, f, ref, f.Client.Accounts)
	if err != nil {
		return nil, err
	}
	accounts := listed.Accounts
	var acct plaidapi.Account
	if account == "" {
		var pending []plaidapi.Account
		for _, a := range accounts {
			if a.VerificationStatus == "pending_automatic_verification" {
				pending = append(pending, a)
			}
		}
		if len(pending) != 1 {
			return nil, fmt.Errorf("name the account with --account: %d of the Item's accounts are pending automatic verification (%s)",
				len(pending), describeAccounts(accounts))
		}
		acct = pending[0]
	} else if acct, err = pickAccount(accounts, account); err != nil {
		return nil, err
	}
	requestID, err := f.Client.SetVerificationStatus(ctx, c.token, acct.ID, status)
	if err != nil {
		return nil, f.observe(c, err)
	}
	after, err := f.Client.Accounts(ctx, c.token)
	if err != nil {
		return nil, f.observe(c, err)
	}
	out := &StatusChange{ItemID: c.item.ItemID, ItemName: c.item.Name, Account: acct, Status: status,
		Accounts: after.Accounts, RequestID: requestID}
	for _, a := range after.Accounts {
		if a.ID == acct.ID {
			out.Account = a
		}
	}
	return out, f.observe(c, nil)
}

// WebhookCodes are the codes /sandbox/item/fire_webhook fires (Plaid's list).
var WebhookCodes = []string{"DEFAULT_UPDATE", "NEW_ACCOUNTS_AVAILABLE", "SMS_MICRODEPOSITS_VERIFICATION",
	"LOGIN_REPAIRED", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED", "USER_ACCOUNT_REVOKED",
	"SYNC_UPDATES_AVAILABLE", "RECURRING_TRANSACTIONS_UPDATE", "PRODUCT_READY", "ERROR"}

// FiredWebhook is the outcome of FireWebhook.
type FiredWebhook struct {
	ItemID      string `json:"item_id"`
	ItemName    string `json:"item_name"`
	WebhookType string `json:"webhook_type,omitempty"`
	WebhookCode string `json:"webhook_code"`
	Fired       bool   `json:"webhook_fired"`
	Webhook     string `json:"webhook,omitempty"`
	RequestID   string `json:"request_id"`
}

// FireWebhook calls /sandbox/item/fire_webhook for a saved Item (Sandbox only). typ is needed
// only for DEFAULT_UPDATE (AUTH, TRANSACTIONS...). Plaid sends the webhook to the Item's
// webhook URL; an Item without one is SANDBOX_WEBHOOK_INVALID.
func (f *Flow) FireWebhook(ctx context.Context, ref, code, typ string) (*FiredWebhook, error) {
	if err := f.Client.Config().SandboxOnly(); err != nil {
		return nil, fmt.Errorf("fire webhook: %w", err)
	}
	code = strings.ToUpper(code)
	if !slices.Contains(WebhookCodes, code) {
		return nil, fmt.Errorf("webhook code %q: Sandbox fires %s", code, strings.Join(WebhookCodes, ", "))
	}
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	fired, requestID, err := f.Client.FireWebhook(ctx, c.token, code, typ)
	if err != nil {
		return nil, f.observe(c, err)
	}
	return &FiredWebhook{ItemID: c.item.ItemID, ItemName: c.item.Name, WebhookType: strings.ToUpper(typ), WebhookCode: code,
		Fired: fired, RequestID: requestID}, nil
}

// WebhookSet is one saved Item whose webhook SetWebhooks changed, or why it could not.
type WebhookSet struct {
	Item vault.SavedItem
	Err  error
}

// SetWebhooks calls /item/webhook/update with target for every saved Item of the environment
// whose id is not in skip, and returns what happened to each.
func (f *Flow) SetWebhooks(ctx context.Context, target string, skip map[string]bool) ([]WebhookSet, error) {
	if f.Vault == nil {
		return nil, errors.New("saving is off for this session (--no-save), so there are no saved Items to point at the listener")
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("webhook URL %q is not an http(s) URL", target)
	}
	ns := f.Client.Config().Namespace()
	items, err := f.Vault.Items(ns)
	if err != nil {
		return nil, err
	}
	var out []WebhookSet
	for _, it := range items {
		if skip[it.ItemID] {
			continue
		}
		out = append(out, WebhookSet{Item: it, Err: f.setWebhook(ctx, it.ItemID, target)})
	}
	return out, nil
}

func (f *Flow) setWebhook(ctx context.Context, itemID, target string) error {
	c, err := f.savedItem(itemID)
	if err != nil {
		return err
	}
	if err := f.Client.UpdateWebhook(ctx, c.token, target); err != nil {
		return f.observe(c, err)
	}
	f.used(c)
	return nil
}
