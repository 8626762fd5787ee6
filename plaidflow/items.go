package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

// This file is the whole life of a saved Item after it was linked: its status and health,
// rename, remove, rotate, live balances, processor tokens, Sandbox's reset-login and the repair
// with Link in update mode (Flow.UpdateJourney in journey.go). Like the journeys, the order and
// rules of Plaid live here; the front ends (the commands in cmd/plaid-onboard and the TUI's
// Items screen) call one function per user action, off their UI thread, and show what comes
// back with the words given here. Every call that uses an Item's access token records in the
// index when it was used and the health Plaid showed, so `items` can show the last known health
// without asking Plaid.

// HealthOK is the health recorded for an Item whose last call to Plaid succeeded.
const HealthOK = "ok"

// Health is an Item's health as Plaid last showed it, with what it means and what to do.
type Health struct {
	// Code is HealthOK, "" (never checked), or the Item's error_code.
	Code string `json:"code"`
	// Healthy is true when the last call succeeded.
	Healthy bool `json:"healthy"`
	// Meaning says in one sentence what the code means for the user.
	Meaning string `json:"meaning"`
	// Next is what to do about it; Repair the command that does it, when one does.
	Next   string `json:"next,omitempty"`
	Repair string `json:"repair,omitempty"`
	// CheckedAt is when Plaid showed it (zero when never).
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// repairCodes are the Item states Link in update mode repairs.
var repairCodes = []string{"ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT"}

// NeedsRepair reports whether an error_code is one Link in update mode repairs: the front ends
// then offer "repair with Link (update mode)".
func NeedsRepair(code string) bool { return slices.Contains(repairCodes, code) }

// RepairCommand is the command that repairs a saved Item with Link in update mode.
func RepairCommand(ref string) string { return "plaid-onboard link --update " + ref }

// healthMeaning is what each Item state means, for people.
func healthMeaning(code string) string {
	switch code {
	case HealthOK:
		return "the Item works: its last call to Plaid succeeded"
	case "":
		return "not checked yet: run `plaid-onboard items status` to ask Plaid"
	case "ITEM_LOGIN_REQUIRED":
		return "the bank needs the user to log in again (a changed password, expired consent or new MFA); until then Plaid answers ITEM_LOGIN_REQUIRED for this Item"
	case "PENDING_EXPIRATION":
		return "the user's consent for this Item expires soon; after that it stops working until the user logs in again"
	case "PENDING_DISCONNECT":
		return "the bank will disconnect this Item soon (for example a move to OAuth); the user must log in again to keep it working"
	case "INVALID_ACCESS_TOKEN", "ITEM_NOT_FOUND":
		return "Plaid no longer knows this access token: the Item was removed or the token rotated elsewhere"
	}
	return "Plaid answered " + code + " for this Item"
}

// HealthOf explains a recorded health code for the Item named ref (for the repair command).
func HealthOf(code, ref string, at time.Time) Health {
	h := Health{Code: code, Healthy: code == HealthOK, Meaning: healthMeaning(code), CheckedAt: at}
	switch {
	case NeedsRepair(code):
		h.Repair = RepairCommand(ref)
		h.Next = "repair it with Link in update mode: " + h.Repair
	case code != HealthOK && code != "":
		h.Next = nextStep(code, "")
	}
	return h
}

// Health is the Item's last known health, from the index (no Plaid call).
func (it SavedItem) LastHealth() Health { return HealthOf(it.Health, it.Name, it.HealthAt) }

// ItemError is a failed call about a saved Item: Explain adds what the Item's state means and,
// when Link in update mode repairs it, the command that does.
type ItemError struct {
	Item SavedItem
	Err  error
}

// Error implements error.
func (e *ItemError) Error() string { return e.Err.Error() }

// Unwrap gives the call's own error.
func (e *ItemError) Unwrap() error { return e.Err }

// itemCall is one saved Item with its access token, for the functions below.
type itemCall struct {
	ns    string
	item  SavedItem
	token string
}

// savedItem finds a saved Item by id or name (ref empty: the only one) and reads its token.
func (f *Flow) savedItem(ref string) (itemCall, error) {
	if f.Vault == nil {
		return itemCall{}, errors.New("saving is off for this session (--no-save), so no saved Item can be read")
	}
	ns := f.Client.cfg.Namespace()
	item, err := f.Vault.FindItem(ns, ref)
	if err != nil {
		return itemCall{}, err
	}
	tok, err := f.Vault.AccessToken(ns, item.ItemID)
	if err != nil {
		return itemCall{ns: ns, item: item}, err
	}
	return itemCall{ns: ns, item: item, token: tok}, nil
}

// observe records what a call with the Item's token showed: its health and when it was used.
// It returns err wrapped in an ItemError, so Explain can name the repair.
func (f *Flow) observe(c itemCall, err error) error {
	if f.Vault == nil || c.item.ItemID == "" {
		return err
	}
	switch pe, ok := AsError(err); {
	case err == nil:
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), HealthOK)
	case ok && (pe.Type == "ITEM_ERROR" || NeedsRepair(pe.Code) || pe.Code == "INVALID_ACCESS_TOKEN"):
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), pe.Code)
	}
	if err != nil {
		return &ItemError{Item: c.item, Err: err}
	}
	return nil
}

// ---- status ---------------------------------------------------------------------------------

// ItemStatus is what /item/get says about a saved Item, for `items status` and the Items screen.
type ItemStatus struct {
	Environment       string     `json:"environment"`
	Demo              bool       `json:"demo"`
	Item              SavedItem  `json:"saved"`
	ItemID            string     `json:"item_id"`
	InstitutionID     string     `json:"institution_id,omitempty"`
	InstitutionName   string     `json:"institution_name,omitempty"`
	Health            Health     `json:"health"`
	Error             *Problem   `json:"error"`
	BilledProducts    []string   `json:"billed_products"`
	AvailableProducts []string   `json:"available_products"`
	ConsentExpiration *time.Time `json:"consent_expiration_time"`
	Webhook           *string    `json:"webhook"`
	UpdateType        string     `json:"update_type,omitempty"`
	RequestID         string     `json:"request_id"`
	FetchedAt         time.Time  `json:"fetched_at"`
}

// ItemStatus calls /item/get for a saved Item: health (item.error, which /item/get reports
// instead of failing), products billed and available, consent expiration and webhook. The
// health is recorded in the index. One round trip.
func (f *Flow) ItemStatus(ctx context.Context, ref string) (*ItemStatus, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	const op = "get item status"
	cctx, cancel := callContext(ctx)
	defer cancel()
	resp, httpResp, err := f.Client.api.PlaidApi.ItemGet(cctx).ItemGetRequest(*plaid.NewItemGetRequest(c.token)).Execute()
	if err != nil {
		return nil, f.observe(c, f.Client.decodeError(op, err, httpResp))
	}
	it := resp.GetItem()
	if it.GetItemId() == "" {
		return nil, f.observe(c, malformed(op, resp.GetRequestId(), "item.item_id"))
	}
	st := &ItemStatus{
		Environment: string(f.Client.cfg.Env), Demo: f.Client.cfg.Demo,
		Item: c.item, ItemID: it.GetItemId(),
		InstitutionID: it.GetInstitutionId(), InstitutionName: it.GetInstitutionName(),
		BilledProducts: productNames(it.GetBilledProducts()), AvailableProducts: productNames(it.GetAvailableProducts()),
		UpdateType: it.GetUpdateType(), RequestID: resp.GetRequestId(), FetchedAt: f.now(),
	}
	if t, ok := it.GetConsentExpirationTimeOk(); ok && t != nil {
		tt := t.UTC()
		st.ConsentExpiration = &tt
	}
	if w, ok := it.GetWebhookOk(); ok && w != nil && *w != "" {
		st.Webhook = w
	}
	code := HealthOK
	if pe, ok := it.GetErrorOk(); ok && pe != nil && pe.ErrorCode != "" {
		code = pe.ErrorCode
		p := Explain(&ItemError{Item: c.item, Err: &Error{Op: op, Type: string(pe.ErrorType), Code: pe.ErrorCode,
			Message: pe.ErrorMessage, DisplayMessage: pe.GetDisplayMessage(), RequestID: resp.GetRequestId(),
			DocumentationURL: pe.GetDocumentationUrl(), SuggestedAction: pe.GetSuggestedAction()}})
		st.Error = &p
	}
	if f.Vault != nil {
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, st.FetchedAt, code)
	}
	st.Health = HealthOf(code, c.item.Name, st.FetchedAt)
	return st, nil
}

func productNames(ps []plaid.Products) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, string(p))
	}
	sort.Strings(out)
	return out
}

// ---- rename ---------------------------------------------------------------------------------

// RenameItem renames a saved Item (see Vault.RenameItem for the rules); no Plaid call. Front
// ends show Renamed.ReusedRemovedName when set: the name once meant a removed Item.
func (f *Flow) RenameItem(ref, name string) (Renamed, error) {
	if f.Vault == nil {
		return Renamed{}, errors.New("saving is off for this session (--no-save), so no saved Item can be renamed")
	}
	return f.Vault.RenameItem(f.Client.cfg.Namespace(), ref, name)
}

// ---- remove ---------------------------------------------------------------------------------

// RemoveOutcome says what happened at Plaid when an Item was removed.
type RemoveOutcome string

// The outcomes of RemoveItem.
const (
	// RemovedAtPlaid: /item/remove succeeded; the token is dead and Plaid stops billing.
	RemovedAtPlaid RemoveOutcome = "removed_at_plaid"
	// AlreadyGoneAtPlaid: Plaid no longer knew the token or the Item; cleaned up locally.
	AlreadyGoneAtPlaid RemoveOutcome = "already_gone_at_plaid"
	// NotRemovedTokenMissing: the keyring holds no token, so /item/remove could not be called;
	// the Item stays live (and billed) at Plaid.
	NotRemovedTokenMissing RemoveOutcome = "not_removed_token_missing"
)

// Removal is the outcome of RemoveItem, and of ForgetItem after it.
type Removal struct {
	Item    SavedItem     `json:"item"`
	Outcome RemoveOutcome `json:"outcome"`
	// Forgotten is true when the keyring entry and the index entry are gone.
	Forgotten bool   `json:"forgotten"`
	RequestID string `json:"request_id,omitempty"`
}

// ErrNotRemovedAtPlaid is returned (wrapped) by RemoveItem when the access token is missing:
// the Item could not be removed at Plaid. Front ends say Removal.Message, ask whether to forget
// the Item here anyway, call ForgetItem only on yes, and end with a failure either way.
var ErrNotRemovedAtPlaid = errors.New("the item could not be removed at Plaid: its access token is not in the keyring")

// RemoveQuestion is what a front end asks before RemoveItem.
func RemoveQuestion(it SavedItem) string {
	return fmt.Sprintf("Remove %s (%s, %s) at Plaid? Its access token stops working for good.", it.Name, it.ItemID, orUnknown(it.InstitutionName))
}

// ForgetQuestion is what a front end asks after ErrNotRemovedAtPlaid.
func ForgetQuestion(it SavedItem) string {
	return fmt.Sprintf("Forget %s here anyway? It stays live (and billed) at Plaid, and nothing here can remove it later.", it.Name)
}

// Message says in one sentence what happened, for both front ends.
func (r Removal) Message() string {
	switch r.Outcome {
	case RemovedAtPlaid:
		return fmt.Sprintf("Removed %s (%s) at Plaid and deleted its token from the keyring and the index.", r.Item.Name, r.Item.ItemID)
	case AlreadyGoneAtPlaid:
		return fmt.Sprintf("Plaid no longer knew %s (%s): it was already removed there (or its token rotated elsewhere). Cleaned up here: keyring and index entries deleted.", r.Item.Name, r.Item.ItemID)
	}
	s := fmt.Sprintf("Could NOT remove %s (%s) at Plaid: its access token is missing from the keyring, and /item/remove needs it. The Item stays live at Plaid and is billed there.", r.Item.Name, r.Item.ItemID)
	if r.Forgotten {
		s += " It was forgotten here, as you confirmed."
	} else {
		s += " It is still listed here."
	}
	return s
}

// RemoveItem removes a saved Item at Plaid (/item/remove) and then forgets it here (keyring,
// then index). Plaid answering INVALID_ACCESS_TOKEN or ITEM_NOT_FOUND means the Item is gone
// there already: it is cleaned up here all the same (AlreadyGoneAtPlaid). A token missing from
// the keyring returns NotRemovedTokenMissing and an error wrapping ErrNotRemovedAtPlaid without
// forgetting anything: see ForgetItem. Front ends ask RemoveQuestion first.
func (f *Flow) RemoveItem(ctx context.Context, ref string) (Removal, error) {
	c, err := f.savedItem(ref)
	if errors.Is(err, ErrSecretNotFound) {
		r := Removal{Item: c.item, Outcome: NotRemovedTokenMissing}
		return r, fmt.Errorf("remove %s: %w", c.item.Name, ErrNotRemovedAtPlaid)
	}
	if err != nil {
		return Removal{Item: c.item}, err
	}
	r := Removal{Item: c.item, Outcome: RemovedAtPlaid}
	const op = "remove item"
	cctx, cancel := callContext(ctx)
	defer cancel()
	resp, httpResp, err := f.Client.api.PlaidApi.ItemRemove(cctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(c.token)).Execute()
	if err := f.Client.decodeError(op, err, httpResp); err != nil {
		if !HasCode(err, "INVALID_ACCESS_TOKEN") && !HasCode(err, "ITEM_NOT_FOUND") {
			return r, f.observe(c, err)
		}
		r.Outcome = AlreadyGoneAtPlaid
		if pe, ok := AsError(err); ok {
			r.RequestID = pe.RequestID
		}
	} else {
		r.RequestID = resp.GetRequestId()
	}
	if err := f.Vault.RemoveItem(c.ns, c.item.ItemID); err != nil {
		return r, fmt.Errorf("the item is removed at Plaid, but forgetting it here failed: %w", err)
	}
	r.Forgotten = true
	return r, nil
}

// ForgetItem forgets a saved Item here without calling Plaid: only after RemoveItem returned
// ErrNotRemovedAtPlaid and the user confirmed ForgetQuestion.
func (f *Flow) ForgetItem(ref string) (Removal, error) {
	if f.Vault == nil {
		return Removal{}, errors.New("saving is off for this session (--no-save): nothing to forget")
	}
	ns := f.Client.cfg.Namespace()
	item, err := f.Vault.FindItem(ns, ref)
	if err != nil {
		return Removal{}, err
	}
	if err := f.Vault.RemoveItem(ns, item.ItemID); err != nil {
		return Removal{Item: item, Outcome: NotRemovedTokenMissing}, err
	}
	return Removal{Item: item, Outcome: NotRemovedTokenMissing, Forgotten: true}, nil
}

// ---- rotate ---------------------------------------------------------------------------------

// Rotation is the outcome of RotateItem.
type Rotation struct {
	Item      SavedItem `json:"item"`
	RequestID string    `json:"request_id"`
	// Saved is true when the new token replaced the old one in the keyring.
	Saved bool `json:"saved"`
	// NewToken is set only when saving failed: it is then the only copy of the Item's working
	// token, and the front end must show it once (it is never logged or written anywhere).
	NewToken string `json:"new_access_token,omitempty"`
}

// ErrRotatedNotSaved is returned (wrapped) by RotateItem when Plaid rotated the token but the
// keyring refused the new one: the old token is already dead, Rotation.NewToken is the only copy.
var ErrRotatedNotSaved = errors.New("plaid rotated the access token, but the new one could not be saved: the old one no longer works")

// RotateItem calls /item/access_token/invalidate: Plaid kills the old token at once and returns
// a new one, which replaces the old in the keyring. If saving fails, the error wraps
// ErrRotatedNotSaved and Rotation.NewToken holds the new token: show it once, plainly.
func (f *Flow) RotateItem(ctx context.Context, ref string) (Rotation, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return Rotation{Item: c.item}, err
	}
	const op = "rotate access token"
	cctx, cancel := callContext(ctx)
	defer cancel()
	req := plaid.NewItemAccessTokenInvalidateRequest(c.token)
	resp, httpResp, err := f.Client.api.PlaidApi.ItemAccessTokenInvalidate(cctx).ItemAccessTokenInvalidateRequest(*req).Execute()
	if err != nil {
		return Rotation{Item: c.item}, f.observe(c, f.Client.decodeError(op, err, httpResp))
	}
	rot := Rotation{Item: c.item, RequestID: resp.GetRequestId()}
	if resp.GetNewAccessToken() == "" {
		// The old token may already be dead at Plaid; saving an empty one would lose the Item.
		return rot, f.observe(c, malformed(op, resp.GetRequestId(), "new_access_token"))
	}
	if err := f.Vault.SetAccessToken(c.ns, c.item.ItemID, resp.GetNewAccessToken()); err != nil {
		rot.NewToken = resp.GetNewAccessToken()
		return rot, fmt.Errorf("%w (%v)", ErrRotatedNotSaved, err)
	}
	rot.Saved = true
	_ = f.observe(c, nil)
	return rot, nil
}

// ---- balances -------------------------------------------------------------------------------

// LiveBalances is what /accounts/balance/get returned for a saved Item, and when.
type LiveBalances struct {
	Environment string       `json:"environment"`
	Demo        bool         `json:"demo"`
	ItemID      string       `json:"item_id"`
	ItemName    string       `json:"item_name"`
	Institution *Institution `json:"institution"`
	Accounts    []Account    `json:"accounts"`
	RequestID   string       `json:"request_id"`
	// FetchedAt is when Plaid answered: /accounts/balance/get asks the bank in real time.
	FetchedAt time.Time `json:"fetched_at"`
}

// Balances calls /accounts/balance/get for a saved Item: live balances, fetched from the bank
// now (unlike the cached ones of /auth/get). One round trip.
func (f *Flow) Balances(ctx context.Context, ref string) (*LiveBalances, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	const op = "get live balances"
	cctx, cancel := callContext(ctx)
	defer cancel()
	resp, httpResp, err := f.Client.api.PlaidApi.AccountsBalanceGet(cctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(c.token)).Execute()
	if err != nil {
		return nil, f.observe(c, f.Client.decodeError(op, err, httpResp))
	}
	if len(resp.GetAccounts()) == 0 {
		return nil, f.observe(c, malformed(op, resp.GetRequestId(), "accounts"))
	}
	_ = f.observe(c, nil)
	b := &LiveBalances{
		Environment: string(f.Client.cfg.Env), Demo: f.Client.cfg.Demo,
		ItemID: c.item.ItemID, ItemName: c.item.Name, RequestID: resp.GetRequestId(), FetchedAt: f.now(),
		Accounts: accountsFrom(resp.GetAccounts()),
	}
	if c.item.InstitutionID != "" {
		b.Institution = &Institution{ID: c.item.InstitutionID, Name: c.item.InstitutionName}
	}
	return b, nil
}

func accountsFrom(in []plaid.AccountBase) []Account {
	out := make([]Account, 0, len(in))
	for _, a := range in {
		out = append(out, accountFrom(a))
	}
	return out
}

// ---- processor tokens -----------------------------------------------------------------------

// Processors are the processors /processor/token/create takes: the spec's enum of
// ProcessorTokenCreateRequest.processor (2020-09-14_1.697.4). Stripe is not among them: it has
// its own endpoint, which ProcessorToken uses for "stripe".
var Processors = []string{"dwolla", "galileo", "modern_treasury", "ocrolus", "vesta",
	"drivewealth", "vopay", "achq", "check", "checkbook", "circle", "sila_money", "rize",
	"svb_api", "unit", "wyre", "lithic", "alpaca", "astra", "moov", "treasury_prime", "marqeta",
	"checkout", "solid", "highnote", "gemini", "apex_clearing", "gusto", "adyen", "atomic",
	"i2c", "wepay", "riskified", "utb", "adp_roll", "fortress_trust", "bond", "bakkt", "teal",
	"zero_hash", "taba_pay", "knot", "sardine", "alloy", "finix", "nuvei", "layer", "boom",
	"paynote", "stake", "wedbush", "esusu", "ansa", "scribeup", "straddle", "loanpro",
	"bloom_credit", "sfox", "brale", "parafin", "cardless", "open_ledger", "valon", "gainbridge",
	"cardlytics", "pinwheel", "thread_bank", "array", "fiant", "oatfi", "curinos", "frame",
	"interchecks", "interchange", "atomicfi"}

// Stripe is the processor whose tokens come from /processor/stripe/bank_account_token/create.
const Stripe = "stripe"

// ErrUnknownProcessor means the name is not in Plaid's list.
var ErrUnknownProcessor = errors.New("not a processor Plaid knows")

// ProcessorNames are every name ProcessorToken takes, sorted: for completion.
func ProcessorNames() []string {
	out := append(slices.Clone(Processors), Stripe)
	sort.Strings(out)
	return out
}

// CheckProcessor validates a processor name against Plaid's list (case and spaces forgiven)
// and returns it as Plaid spells it; an unknown one fails with the closest names suggested.
func CheckProcessor(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer(" ", "_", "-", "_").Replace(n)
	if n == Stripe || slices.Contains(Processors, n) {
		return n, nil
	}
	if s := SuggestProcessors(n); len(s) > 0 {
		return "", fmt.Errorf("processor %q: %w; did you mean %s?", name, ErrUnknownProcessor, strings.Join(s, " or "))
	}
	return "", fmt.Errorf("processor %q: %w (see `plaid-onboard processor-token --help`)", name, ErrUnknownProcessor)
}

// SuggestProcessors are the known processors closest to typed: a prefix match (apex →
// apex_clearing), else the nearest by edit distance, at most 3.
func SuggestProcessors(typed string) []string {
	names := ProcessorNames()
	var out []string
	for _, p := range names {
		if typed != "" && (strings.HasPrefix(p, typed) || strings.HasPrefix(typed, p+"_")) {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out[:min(3, len(out))]
	}
	best := len(typed)/2 + 1
	for _, p := range names {
		switch d := EditDistance(typed, p); {
		case d < best:
			best, out = d, []string{p}
		case d == best:
			out = append(out, p)
		}
	}
	return out[:min(3, len(out))]
}

// EditDistance is the Levenshtein distance between two names, for "did you mean" suggestions:
// processors here, flags in the commands.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// ProcessorToken is a token for a payments partner, with what to do with it next.
type ProcessorToken struct {
	Environment string `json:"environment"`
	Demo        bool   `json:"demo"`
	ItemID      string `json:"item_id"`
	ItemName    string `json:"item_name"`
	Account     struct {
		ID   string  `json:"account_id"`
		Name string  `json:"name"`
		Mask *string `json:"mask"`
	} `json:"account"`
	Processor string `json:"processor"`
	// Kind is the field Plaid returned it in: processor_token, or stripe_bank_account_token.
	Kind      string `json:"kind"`
	Token     string `json:"token"`
	RequestID string `json:"request_id"`
	// Next is what to do with the token, from the partner's guide; Docs the guides.
	Next []string `json:"next"`
	Docs []string `json:"docs"`
}

// ErrAccountNotFound means no account of the Item matches, or several do.
var ErrAccountNotFound = errors.New("no single account of the item matches")

// ProcessorToken makes a token for a payments partner for one account of a saved Item: account
// is an account id, or a mask or name matching exactly one account; processor is checked with
// CheckProcessor. Stripe gets /processor/stripe/bank_account_token/create (a btok_ token),
// every other processor /processor/token/create. Tokens are credentials for the partner: front
// ends show them only when asked and never log them.
//
// One round trip when the index knows the Item's accounts (from its last numbers): the token is
// made for the account the index names while /accounts/get confirms, side by side, that Plaid
// still has that account under that id, mask or name. Only a token so confirmed is returned;
// when the accounts changed meanwhile, the token is made again for the account Plaid lists now.
// Without accounts in the index it is two: /accounts/get to find the account, then the token.
func (f *Flow) ProcessorToken(ctx context.Context, ref, account, processor string) (*ProcessorToken, error) {
	proc, err := CheckProcessor(processor)
	if err != nil {
		return nil, err
	}
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	cctx, cancel := callContext(ctx)
	defer cancel()

	type listed struct {
		accounts []Account
		err      error
	}
	listCh := make(chan listed, 1)
	go func() {
		resp, httpResp, err := f.Client.api.PlaidApi.AccountsGet(cctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(c.token)).Execute()
		if err != nil {
			listCh <- listed{err: f.Client.decodeError("list accounts", err, httpResp)}
			return
		}
		if len(resp.GetAccounts()) == 0 {
			listCh <- listed{err: malformed("list accounts", resp.GetRequestId(), "accounts")}
			return
		}
		listCh <- listed{accounts: accountsFrom(resp.GetAccounts())}
	}()

	var early processorAnswer
	guess, guessErr := pickAccount(knownAsAccounts(c.item.Accounts), account)
	if guessErr == nil {
		early = f.createProcessorToken(cctx, c.token, guess.ID, proc)
	}
	l := <-listCh
	if l.err != nil {
		return nil, f.observe(c, l.err)
	}
	f.rememberAccounts(&c.item, l.accounts)
	acct, err := pickAccount(l.accounts, account)
	if err != nil {
		return nil, err
	}
	ans := early
	if guessErr != nil || acct.ID != guess.ID {
		ans = f.createProcessorToken(cctx, c.token, acct.ID, proc)
	}
	if ans.err != nil {
		return nil, f.observe(c, ans.err)
	}
	_ = f.observe(c, nil)
	pt := &ProcessorToken{Environment: string(f.Client.cfg.Env), Demo: f.Client.cfg.Demo,
		ItemID: c.item.ItemID, ItemName: c.item.Name, Processor: proc, Kind: ans.kind, Token: ans.token, RequestID: ans.requestID}
	pt.Account.ID, pt.Account.Name, pt.Account.Mask = acct.ID, acct.Name, acct.Mask
	pt.Next, pt.Docs = processorNext(proc)
	return pt, nil
}

// processorAnswer is one token call's outcome.
type processorAnswer struct {
	kind, token, requestID string
	err                    error
}

// createProcessorToken makes the token for accountID with the partner's endpoint.
func (f *Flow) createProcessorToken(ctx context.Context, accessToken, accountID, proc string) processorAnswer {
	if proc == Stripe {
		req := plaid.NewProcessorStripeBankAccountTokenCreateRequest(accessToken, accountID)
		resp, httpResp, err := f.Client.api.PlaidApi.ProcessorStripeBankAccountTokenCreate(ctx).ProcessorStripeBankAccountTokenCreateRequest(*req).Execute()
		if err != nil {
			return processorAnswer{err: f.Client.decodeError("create stripe bank account token", err, httpResp)}
		}
		if resp.GetStripeBankAccountToken() == "" {
			return processorAnswer{err: malformed("create stripe bank account token", resp.GetRequestId(), "stripe_bank_account_token")}
		}
		return processorAnswer{kind: "stripe_bank_account_token", token: resp.GetStripeBankAccountToken(), requestID: resp.GetRequestId()}
	}
	req := plaid.NewProcessorTokenCreateRequest(accessToken, accountID, proc)
	resp, httpResp, err := f.Client.api.PlaidApi.ProcessorTokenCreate(ctx).ProcessorTokenCreateRequest(*req).Execute()
	if err != nil {
		return processorAnswer{err: f.Client.decodeError("create processor token", err, httpResp)}
	}
	if resp.GetProcessorToken() == "" {
		return processorAnswer{err: malformed("create processor token", resp.GetRequestId(), "processor_token")}
	}
	return processorAnswer{kind: "processor_token", token: resp.GetProcessorToken(), requestID: resp.GetRequestId()}
}

func knownAsAccounts(ks []KnownAccount) []Account {
	out := make([]Account, 0, len(ks))
	for _, k := range ks {
		out = append(out, k.account())
	}
	return out
}

// pickAccount finds the one account that ref names: its id, else its mask, else its name
// (without case). Several matches are refused: a token for the wrong account moves real money.
func pickAccount(accounts []Account, ref string) (Account, error) {
	for _, a := range accounts {
		if a.ID == ref {
			return a, nil
		}
	}
	var byMask, byName []Account
	for _, a := range accounts {
		if a.Mask != nil && *a.Mask == ref {
			byMask = append(byMask, a)
		}
		if strings.EqualFold(a.Name, ref) {
			byName = append(byName, a)
		}
	}
	for _, m := range [][]Account{byMask, byName} {
		if len(m) == 1 {
			return m[0], nil
		}
		if len(m) > 1 {
			return Account{}, fmt.Errorf("account %q: %w: %d accounts match; use the account id (%s)", ref, ErrAccountNotFound, len(m), describeAccounts(m))
		}
	}
	return Account{}, fmt.Errorf("account %q: %w; the item has: %s", ref, ErrAccountNotFound, describeAccounts(accounts))
}

func describeAccounts(as []Account) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, fmt.Sprintf("%s ••%s [%s]", a.Name, a.MaskLabel(), a.ID))
	}
	return strings.Join(parts, ", ")
}

// processorNext is what to do with a processor token, from each partner's guide.
func processorNext(proc string) (next, docs []string) {
	switch proc {
	case "dwolla":
		return []string{
				"Send it to Dwolla as plaidToken when you create the customer's funding source: POST https://api-sandbox.dwolla.com/customers/{customer id}/funding-sources with {\"plaidToken\": TOKEN, \"name\": \"…\"} (api.dwolla.com in production).",
				"Dwolla fetches the account and routing numbers from Plaid with it and answers with the new funding source's URL in the Location header; the funding source is verified, so ACH transfers can use it.",
			}, []string{"https://plaid.com/docs/auth/partnerships/dwolla/",
				"https://developers.dwolla.com/docs/api-reference/funding-sources/create-customer-funding-source",
				"https://developers.dwolla.com/guides/plaid/frequently-asked-questions"}
	case "apex_clearing":
		return []string{
			"Send it to Apex in the request that creates the investor's ACH relationship (Apex's ACH API, Sentinel, or the Cash API of Apex Fintech Solutions): Apex validates the bank account and checks its balance through Plaid with it.",
			"Keep the ACH relationship id Apex returns: deposits and withdrawals name it, not the bank account.",
		}, []string{"https://plaid.com/docs/auth/partnerships/apex-clearing/", "https://plaid.com/docs/legacy/apex/"}
	case Stripe:
		return []string{
				"Attach it to a Stripe customer as a bank account source (for example POST /v1/customers with source=btok_…); the bank account is verified, so ACH charges can use it at once.",
				"A btok_ token can be used once: create another for another customer.",
			}, []string{"https://plaid.com/docs/auth/partnerships/stripe/",
				"https://plaid.com/docs/api/processors/#processorstripebank_account_tokencreate"}
	}
	return []string{"Send it to " + proc + " as its Plaid integration guide says: the partner reads the account's details from Plaid with it."},
		[]string{"https://plaid.com/docs/auth/partnerships/", "https://plaid.com/docs/api/processors/#processortokencreate"}
}

// ---- sandbox reset-login --------------------------------------------------------------------

// ResetLogin calls /sandbox/item/reset_login (Sandbox and the demo only): the Item then answers
// ITEM_LOGIN_REQUIRED on product calls until Link in update mode repairs it, which is how a
// support engineer reproduces what a user saw. The new health is recorded in the index.
func (f *Flow) ResetLogin(ctx context.Context, ref string) (SavedItem, error) {
	if err := f.Client.cfg.SandboxOnly(); err != nil {
		return SavedItem{}, fmt.Errorf("reset login: %w", err)
	}
	c, err := f.savedItem(ref)
	if err != nil {
		return c.item, err
	}
	cctx, cancel := callContext(ctx)
	defer cancel()
	_, httpResp, err := f.Client.api.PlaidApi.SandboxItemResetLogin(cctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(c.token)).Execute()
	if err != nil {
		return c.item, f.observe(c, f.Client.decodeError("reset login", err, httpResp))
	}
	_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), "ITEM_LOGIN_REQUIRED")
	c.item.Health = "ITEM_LOGIN_REQUIRED"
	return c.item, nil
}

// ---- warnings about Items made now ----------------------------------------------------------

// DuplicateWarning says, when linking institution already has saved Items in this environment,
// which ones: Plaid bills per Item, so a second Item at one bank is usually a mistake. "" when
// there are none. The journeys put it in the Link step's StepReport.Notice.
func (f *Flow) DuplicateWarning(inst *Institution, except string) string {
	if f.Vault == nil || inst == nil || inst.ID == "" {
		return ""
	}
	items, err := f.Vault.ItemsAt(f.Client.cfg.Namespace(), inst.ID)
	if err != nil {
		return ""
	}
	var names []string
	for _, it := range items {
		if it.ItemID != except {
			names = append(names, fmt.Sprintf("%s (%s)", it.Name, it.ItemID))
		}
	}
	if len(names) == 0 {
		return ""
	}
	name := inst.Name
	if name == "" {
		name = inst.ID
	}
	return fmt.Sprintf("%s is already linked in this environment as %s. Plaid bills per Item, so this makes another one; remove the one you do not need with `plaid-onboard items remove NAME`, or repair an old one with `%s` instead of linking again.",
		name, strings.Join(names, ", "), RepairCommand("NAME"))
}

// UnsavedHint says what to know about an Item that was created at Plaid but not saved (with
// --no-save, or when no keyring was reachable): "" when it was saved. The Item stays live at
// Plaid until /item/remove, which needs its access token, held only in this process's memory.
// The TUI offers RemoveUnsaved before it exits; the commands print this.
func UnsavedHint(s Saved, itemID string) string {
	if s.Storage.Saved || itemID == "" {
		return ""
	}
	return fmt.Sprintf("The Item %s still exists at Plaid (in Production it is billed) although it was not saved here. Removing it needs /item/remove with its access token, which exists only in this process's memory and is gone when it exits: in the terminal UI, remove it before you quit; from the command line, link with saving on (drop --no-save, unlock the keyring) and use `plaid-onboard items remove NAME` when done.", itemID)
}

// NotSaved is the error a script ends with when the new Item exists at Plaid but could not be
// saved here: a *NotSavedError saying how to remove it. It is nil when the Item was saved,
// when saving was off (--no-save: the user asked for that), and when no Item was made.
func (j *Journey) NotSaved() error {
	if j.savedRef != "" || j.update != nil || j.ex.ItemID == "" || j.saved.Storage.Saved || j.saved.Storage.Problem == "" {
		return nil
	}
	return &NotSavedError{ItemID: j.ex.ItemID, Problem: j.saved.Storage.Line(), Hint: UnsavedHint(j.saved, j.ex.ItemID)}
}

// RemoveUnsaved removes an Item that was not saved, with the access token still in memory
// (the journey's): for the TUI's offer after UnsavedHint.
func (j *Journey) RemoveUnsaved(ctx context.Context) error {
	if j.ex.AccessToken == "" {
		return errors.New("remove unsaved item: its access token is not in memory")
	}
	return j.flow.Client.RemoveItem(ctx, j.ex.AccessToken)
}

// UnsavedHint is the hint for this journey's Item (see UnsavedHint); "" when it was saved or
// no Item was made.
func (j *Journey) UnsavedHint() string {
	if j.savedRef != "" || j.update != nil {
		return ""
	}
	return UnsavedHint(j.saved, j.ex.ItemID)
}

func orUnknown(s string) string {
	if s == "" {
		return "institution unknown"
	}
	return s
}
