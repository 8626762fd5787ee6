package plaidapi

import (
	"slices"
	"strings"
	"time"
)

// Result is what a finished flow shows: the Item, its institution, its accounts and every
// number family Plaid returned. JSON field names are Plaid's, so `--json` output reads like the
// /auth/get response a developer already knows.
type Result struct {
	Environment string `json:"environment"`
	Demo        bool   `json:"demo"`
	// Profile is the profile the Item is saved in, once profiles are in use ("" before):
	// the commands suggested with the Result name it, so they act there when pasted.
	Profile string `json:"profile,omitempty"`
	// Store is the --store the run was given (config.Config.Store), repeated by the commands
	// suggested with the Result.
	Store       string       `json:"store,omitempty"`
	ItemID      string       `json:"item_id"`
	ItemName    string       `json:"item_name,omitempty"`
	Institution *Institution `json:"institution"`
	Accounts    []Account    `json:"accounts"`
	Numbers     Numbers      `json:"numbers"`
	RequestID   string       `json:"request_id"`
	Storage     Storage      `json:"storage"`
	FetchedAt   time.Time    `json:"fetched_at"`
	// Masked is true when account numbers and IBANs show only their last 4 characters (--mask).
	Masked bool `json:"masked"`
	// Flow, AuthMethod and Next are set by the Auth flows (LinkJourneyFor, VerifyJourney): the
	// flow's name, the Item's auth_method, and what moves an account still pending on.
	Flow       string `json:"flow,omitempty"`
	AuthMethod string `json:"auth_method,omitempty"`
	Next       string `json:"next,omitempty"`
}

// Institution is the bank behind an Item.
type Institution struct {
	ID   string `json:"institution_id"`
	Name string `json:"name"`
	// URL and PrimaryColor come from /institutions/get_by_id when Plaid has them.
	URL          string `json:"url,omitempty"`
	PrimaryColor string `json:"primary_color,omitempty"`
	OAuth        bool   `json:"oauth,omitempty"`

	// Detailed marks an Institution that came from /institutions/get_by_id, so the flow does
	// not ask for it twice.
	Detailed bool `json:"-"`
	// Unavailable marks one whose /institutions/get_by_id already failed or ran out of its
	// budget in this flow: asking again would only delay the numbers once more.
	Unavailable bool `json:"-"`
	// FromLink marks an institution named only by Link's onSuccess metadata, which the page
	// reports and Plaid never confirmed: a fallback, replaced by what Plaid says (the Item's
	// institution_id and /institutions/get_by_id) as soon as Plaid has said it.
	FromLink bool `json:"from_link,omitempty"`
}

// Account mirrors Plaid's AccountBase. Nullable fields are pointers so JSON keeps Plaid's nulls.
type Account struct {
	ID                 string   `json:"account_id"`
	Name               string   `json:"name"`
	OfficialName       *string  `json:"official_name"`
	Mask               *string  `json:"mask"`
	Type               string   `json:"type"`
	Subtype            *string  `json:"subtype"`
	VerificationStatus string   `json:"verification_status,omitempty"`
	Balances           Balances `json:"balances"`
	// VerificationInsights are Database Insights' signals (nil for the other flows).
	VerificationInsights *VerificationInsights `json:"verification_insights,omitempty"`
}

// Balances mirrors Plaid's AccountBalance.
type Balances struct {
	Available              *float64 `json:"available"`
	Current                *float64 `json:"current"`
	Limit                  *float64 `json:"limit"`
	ISOCurrencyCode        *string  `json:"iso_currency_code"`
	UnofficialCurrencyCode *string  `json:"unofficial_currency_code"`
}

// Currency is the code to print next to the amounts.
func (b Balances) Currency() string {
	if b.ISOCurrencyCode != nil {
		return *b.ISOCurrencyCode
	}
	if b.UnofficialCurrencyCode != nil {
		return *b.UnofficialCurrencyCode
	}
	return ""
}

// Numbers holds the four families /auth/get returns; each is always present, maybe empty.
type Numbers struct {
	ACH           []ACH           `json:"ach"`
	EFT           []EFT           `json:"eft"`
	International []International `json:"international"`
	BACS          []BACS          `json:"bacs"`
}

// ACH numbers (US).
type ACH struct {
	AccountID   string  `json:"account_id"`
	Account     string  `json:"account"`
	Routing     string  `json:"routing"`
	WireRouting *string `json:"wire_routing"`
	Tokenized   bool    `json:"is_tokenized_account_number,omitempty"`
}

// EFT numbers (Canada).
type EFT struct {
	AccountID   string `json:"account_id"`
	Account     string `json:"account"`
	Institution string `json:"institution"`
	Branch      string `json:"branch"`
}

// International numbers (IBAN and BIC).
type International struct {
	AccountID string `json:"account_id"`
	IBAN      string `json:"iban"`
	BIC       string `json:"bic"`
}

// BACS numbers (UK).
type BACS struct {
	AccountID string `json:"account_id"`
	Account   string `json:"account"`
	SortCode  string `json:"sort_code"`
}

// Storage says where the Item was kept, so the user knows whether the next run will find it.
type Storage struct {
	Saved bool   `json:"saved"`
	Where string `json:"where"`
	// Problem explains why the Item was not saved (no keyring, a keyring error).
	Problem string `json:"problem,omitempty"`
}

// AccountNumbers gathers every number family of one account.
type AccountNumbers struct {
	ACH           []ACH
	EFT           []EFT
	International []International
	BACS          []BACS
}

// Empty reports whether Plaid returned no numbers for the account.
func (n AccountNumbers) Empty() bool {
	return len(n.ACH)+len(n.EFT)+len(n.International)+len(n.BACS) == 0
}

// NumbersFor returns the numbers that belong to one account.
func (r *Result) NumbersFor(accountID string) AccountNumbers {
	return AccountNumbers{
		ACH:           ofAccount(r.Numbers.ACH, accountID, func(x ACH) string { return x.AccountID }),
		EFT:           ofAccount(r.Numbers.EFT, accountID, func(x EFT) string { return x.AccountID }),
		International: ofAccount(r.Numbers.International, accountID, func(x International) string { return x.AccountID }),
		BACS:          ofAccount(r.Numbers.BACS, accountID, func(x BACS) string { return x.AccountID }),
	}
}

// ofAccount keeps the numbers of one family that belong to accountID (nil when none does).
func ofAccount[T any](numbers []T, accountID string, idOf func(T) string) []T {
	var out []T
	for _, x := range numbers {
		if idOf(x) == accountID {
			out = append(out, x)
		}
	}
	return out
}

// Mask hides all but the last four characters of an account number or IBAN, so results are
// safe to show on a shared screen.
func Mask(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) <= 4 {
		return "••••"
	}
	return "••••" + s[len(s)-4:]
}

// FormatIBAN groups an IBAN in fours, the way banks print it.
func FormatIBAN(iban string) string {
	iban = strings.ReplaceAll(iban, " ", "")
	var b strings.Builder
	for i, r := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatSortCode prints a six-digit sort code as 12-34-56.
func FormatSortCode(s string) string {
	if len(s) != 6 {
		return s
	}
	return s[0:2] + "-" + s[2:4] + "-" + s[4:6]
}

// numbersReady are the verification statuses whose numbers /auth/get returns.
var numbersReady = []string{"", "automatically_verified", "manually_verified", "database_matched",
	"database_insights_pass", "database_insights_pass_with_caution"}

// AwaitingVerification reports whether an account's numbers are held back by its
// verification_status (pending, failed or expired).
func AwaitingVerification(status string) bool { return !slices.Contains(numbersReady, status) }
