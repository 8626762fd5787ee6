package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Processor tokens: the tokens a payments partner takes in place of account numbers.

// processors are the processors /processor/token/create takes: the spec's enum of
// ProcessorTokenCreateRequest.processor (2020-09-14_1.697.4). Stripe is not among them: it has
// its own endpoint, which ProcessorToken uses for "stripe".
var processors = []string{"dwolla", "galileo", "modern_treasury", "ocrolus", "vesta",
	"drivewealth", "vopay", "achq", "check", "checkbook", "circle", "sila_money", "rize",
	"svb_api", "unit", "wyre", "lithic", "alpaca", "astra", "moov", "treasury_prime", "marqeta",
	"checkout", "solid", "highnote", "gemini", "apex_clearing", "gusto", "adyen", "atomic",
	"i2c", "wepay", "riskified", "utb", "adp_roll", "fortress_trust", "bond", "bakkt", "teal",
	"zero_hash", "taba_pay", "knot", "sardine", "alloy", "finix", "nuvei", "layer", "boom",
	"paynote", "stake", "wedbush", "esusu", "ansa", "scribeup", "straddle", "loanpro",
	"bloom_credit", "sfox", "brale", "parafin", "cardless", "open_ledger", "valon", "gainbridge",
	"cardlytics", "pinwheel", "thread_bank", "array", "fiant", "oatfi", "curinos", "frame",
	"interchecks", "interchange", "atomicfi"}

// ErrUnknownProcessor means the name is not in Plaid's list.
var ErrUnknownProcessor = errors.New("not a processor Plaid knows")

// ProcessorNames are every name ProcessorToken takes, sorted: for completion.
func ProcessorNames() []string {
	out := append(slices.Clone(processors), plaidapi.Stripe)
	sort.Strings(out)
	return out
}

// CheckProcessor validates a processor name against Plaid's list (case and spaces forgiven)
// and returns it as Plaid spells it; an unknown one fails with the closest names suggested.
func CheckProcessor(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer(" ", "_", "-", "_").Replace(n)
	if n == plaidapi.Stripe || slices.Contains(processors, n) {
		return n, nil
	}
	if s := suggestProcessors(n); len(s) > 0 {
		return "", fmt.Errorf("processor %q: %w; did you mean %s?", name, ErrUnknownProcessor, strings.Join(s, " or "))
	}
	return "", fmt.Errorf("processor %q: %w (see `plaid-onboard processor-token --help`)", name, ErrUnknownProcessor)
}

// suggestProcessors are the known processors closest to typed: a prefix match (apex →
// apex_clearing), else the nearest by edit distance, at most 3.
func suggestProcessors(typed string) []string {
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
	// Both calls share one bound, so a slow listing cannot stretch the whole to two.
	cctx, cancel := context.WithTimeout(ctx, plaidapi.CallTimeout)
	defer cancel()

	type listed struct {
		accounts []plaidapi.Account
		err      error
	}
	listCh := make(chan listed, 1)
	go func() {
		got, err := f.Client.Accounts(cctx, c.token)
		if err == nil && len(got.Accounts) == 0 {
			err = plaidapi.Malformed("get accounts", got.RequestID, "accounts")
		}
		listCh <- listed{accounts: got.Accounts, err: err}
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
	pt := &ProcessorToken{Environment: string(f.Client.Config().Env), Demo: f.Client.Config().Demo,
		ItemID: c.item.ItemID, ItemName: c.item.Name, Processor: proc, Kind: ans.Kind, Token: ans.Token, RequestID: ans.RequestID}
	pt.Account.ID, pt.Account.Name, pt.Account.Mask = acct.ID, acct.Name, acct.Mask
	pt.Next, pt.Docs = processorNext(proc)
	return pt, nil
}

// processorAnswer is one token call's outcome.
type processorAnswer struct {
	plaidapi.PartnerToken
	err error
}

// createProcessorToken makes the token for accountID with the partner's endpoint.
func (f *Flow) createProcessorToken(ctx context.Context, accessToken, accountID, proc string) processorAnswer {
	tok, err := f.Client.ProcessorToken(ctx, accessToken, accountID, proc)
	return processorAnswer{tok, err}
}

func knownAsAccounts(ks []vault.KnownAccount) []plaidapi.Account {
	out := make([]plaidapi.Account, 0, len(ks))
	for _, k := range ks {
		out = append(out, accountOf(k))
	}
	return out
}

// pickAccount finds the one account that ref names: its id, else its mask, else its name
// (without case). Several matches are refused: a token for the wrong account moves real money.
func pickAccount(accounts []plaidapi.Account, ref string) (plaidapi.Account, error) {
	for _, a := range accounts {
		if a.ID == ref {
			return a, nil
		}
	}
	var byMask, byName []plaidapi.Account
	for _, a := range accounts {
		if a.Mask != nil && *a.Mask == ref {
			byMask = append(byMask, a)
		}
		if strings.EqualFold(a.Name, ref) {
			byName = append(byName, a)
		}
	}
	for _, m := range [][]plaidapi.Account{byMask, byName} {
		if len(m) == 1 {
			return m[0], nil
		}
		if len(m) > 1 {
			return plaidapi.Account{}, fmt.Errorf("account %q: %w: %d accounts match; use the account id (%s)", ref, ErrAccountNotFound, len(m), describeAccounts(m))
		}
	}
	return plaidapi.Account{}, fmt.Errorf("account %q: %w; the item has: %s", ref, ErrAccountNotFound, describeAccounts(accounts))
}

func describeAccounts(as []plaidapi.Account) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, fmt.Sprintf("%s ••%s [%s]", a.Name, present.MaskLabel(a), a.ID))
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
	case plaidapi.Stripe:
		return []string{
				"Attach it to a Stripe customer as a bank account source (for example POST /v1/customers with source=btok_…); the bank account is verified, so ACH charges can use it at once.",
				"A btok_ token can be used once: create another for another customer.",
			}, []string{"https://plaid.com/docs/auth/partnerships/stripe/",
				"https://plaid.com/docs/api/processors/#processorstripebank_account_tokencreate"}
	}
	return []string{"Send it to " + proc + " as its Plaid integration guide says: the partner reads the account's details from Plaid with it."},
		[]string{"https://plaid.com/docs/auth/partnerships/", "https://plaid.com/docs/api/processors/#processortokencreate"}
}
