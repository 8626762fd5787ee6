package present

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// This file is the one presentation of results and failures: money, account numbers and their
// masking, storage messages, errors with their fields and next step, and the plain-text report.
// The terminal UI, the tables of the commands and --json all take their words from here, so a
// number is never shown two ways.

// DemoBanner says, wherever the offline demo's output lands, that Plaid was not involved. It is
// printed before the command runs, and some end before any call (no saved Item, a usage
// mistake), so it says who stands in for Plaid, not that anything answered.
const DemoBanner = "OFFLINE DEMO: the built-in emulator stands in for Plaid. No real bank is contacted."

// OrDash is s, or "—" for a value Plaid did not send, so a table's columns stay aligned.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Money prints an amount with thousands separators and its currency ("12,060.00 USD"), or "—"
// when Plaid sent null.
func Money(v *float64, currency string) string {
	if v == nil {
		return "—"
	}
	n := *v
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprintf("%.2f", n)
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var groups []string
	for len(intPart) > 3 {
		groups = append([]string{intPart[len(intPart)-3:]}, groups...)
		intPart = intPart[:len(intPart)-3]
	}
	out := strings.Join(append([]string{intPart}, groups...), ",") + frac
	if neg && out != "0.00" {
		out = "-" + out
	}
	if currency != "" {
		out += " " + currency
	}
	return out
}

// Available, Current and Limit print the account's balances with Money.
func Available(a plaidapi.Account) string {
	return Money(a.Balances.Available, a.Balances.Currency())
}

// Current prints the current balance.
func Current(a plaidapi.Account) string { return Money(a.Balances.Current, a.Balances.Currency()) }

// Limit prints the credit limit ("—" for most depository accounts).
func Limit(a plaidapi.Account) string { return Money(a.Balances.Limit, a.Balances.Currency()) }

// TypeLabel is the account's type and subtype, "depository/checking".
func TypeLabel(a plaidapi.Account) string {
	if a.Subtype != nil && *a.Subtype != "" {
		return a.Type + "/" + *a.Subtype
	}
	return a.Type
}

// MaskLabel is the last digits Plaid shows for the account, or "—".
func MaskLabel(a plaidapi.Account) string {
	if a.Mask == nil || *a.Mask == "" {
		return "—"
	}
	return *a.Mask
}

// NumberRow is one number of an account: "routing 011401533". Secret rows (account numbers,
// IBANs) are the ones masking hides; routing numbers, sort codes and BICs name the bank, not
// the account, and are shown as they are.
type NumberRow struct {
	Label  string
	Value  string // as shown: masked or formatted
	Raw    string // as Plaid sent it, for copying
	Secret bool
}

// NumberFamily is the numbers of one scheme: ACH, EFT, International or BACS.
type NumberFamily struct {
	Name string
	Rows []NumberRow
}

// Families lays out every number family present, masking account numbers and IBANs when mask is
// set. Raw keeps the unmasked value only when mask is off, so nothing copied from a masked view
// can leak the number.
func Families(n plaidapi.AccountNumbers, mask bool) []NumberFamily {
	secret := func(label, v, shown string) NumberRow {
		if mask {
			return NumberRow{Label: label, Value: plaidapi.Mask(v), Raw: plaidapi.Mask(v), Secret: true}
		}
		return NumberRow{Label: label, Value: shown, Raw: v, Secret: true}
	}
	plain := func(label, v, shown string) NumberRow { return NumberRow{Label: label, Value: shown, Raw: v} }

	var out []NumberFamily
	for _, x := range n.ACH {
		acct := secret("account", x.Account, x.Account)
		if x.Tokenized {
			acct.Value += " (tokenized)"
		}
		f := NumberFamily{Name: "ACH", Rows: []NumberRow{acct, plain("routing", x.Routing, x.Routing)}}
		if x.WireRouting != nil && *x.WireRouting != "" {
			f.Rows = append(f.Rows, plain("wire routing", *x.WireRouting, *x.WireRouting))
		}
		out = append(out, f)
	}
	for _, x := range n.EFT {
		out = append(out, NumberFamily{Name: "EFT", Rows: []NumberRow{
			secret("account", x.Account, x.Account),
			plain("institution", x.Institution, x.Institution),
			plain("branch", x.Branch, x.Branch),
		}})
	}
	for _, x := range n.International {
		out = append(out, NumberFamily{Name: "International", Rows: []NumberRow{
			secret("IBAN", x.IBAN, plaidapi.FormatIBAN(x.IBAN)),
			plain("BIC", x.BIC, x.BIC),
		}})
	}
	for _, x := range n.BACS {
		out = append(out, NumberFamily{Name: "BACS", Rows: []NumberRow{
			secret("account", x.Account, x.Account),
			plain("sort code", x.SortCode, plaidapi.FormatSortCode(x.SortCode)),
		}})
	}
	return out
}

// NoNumbers is what is shown for an account Plaid returned no numbers for.
const NoNumbers = "Plaid returned no account or routing numbers for this account."

// MaskedCopy returns a copy of the result with every account number and IBAN masked, for --mask:
// what is then printed, encoded as JSON or copied is safe to paste into a ticket. Masked is set
// so a reader of the JSON knows.
func MaskedCopy(r *plaidapi.Result) *plaidapi.Result {
	c := *r
	c.Masked = true
	c.Numbers = plaidapi.Numbers{
		ACH:           maskEach(r.Numbers.ACH, func(x *plaidapi.ACH) { x.Account = plaidapi.Mask(x.Account) }),
		EFT:           maskEach(r.Numbers.EFT, func(x *plaidapi.EFT) { x.Account = plaidapi.Mask(x.Account) }),
		International: maskEach(r.Numbers.International, func(x *plaidapi.International) { x.IBAN = plaidapi.Mask(x.IBAN) }),
		BACS:          maskEach(r.Numbers.BACS, func(x *plaidapi.BACS) { x.Account = plaidapi.Mask(x.Account) }),
	}
	return &c
}

// maskEach returns a copy of numbers with mask applied to each, never sharing the original's
// array.
func maskEach[T any](numbers []T, mask func(*T)) []T {
	out := make([]T, len(numbers))
	for i, x := range numbers {
		mask(&x)
		out[i] = x
	}
	return out
}

// accountDocument is one account with its numbers, shaped like Plaid's /auth/get response
// (what the TUI copies as JSON).
type accountDocument struct {
	Account plaidapi.Account `json:"account"`
	Numbers plaidapi.Numbers `json:"numbers"`
	Masked  bool             `json:"masked"`
}

// AccountJSON is one account and its numbers as indented JSON; masked when the result is.
func AccountJSON(r *plaidapi.Result, accountID string) ([]byte, error) {
	for _, a := range r.Accounts {
		if a.ID != accountID {
			continue
		}
		n := r.NumbersFor(accountID)
		doc := accountDocument{Account: a, Masked: r.Masked, Numbers: plaidapi.Numbers{
			ACH: nonNil(n.ACH), EFT: nonNil(n.EFT), International: nonNil(n.International), BACS: nonNil(n.BACS),
		}}
		return json.MarshalIndent(doc, "", "  ")
	}
	return nil, fmt.Errorf("no account %q in this result", accountID)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// InstitutionName is the bank's name, or "your bank" when Plaid did not say; one named only by
// Link's metadata (which Plaid never confirmed) says so.
func InstitutionName(r *plaidapi.Result) string {
	if r != nil && r.Institution != nil && r.Institution.Name != "" {
		name := Name(r.Institution.Name)
		if r.Institution.FromLink {
			name += " (as Link named it)"
		}
		return name
	}
	return "your bank"
}

// Name is a name from outside (an institution's, an account's, an Item's) as every screen and
// table shows it: one clean line, at most sanitize.Name characters.
func Name(s string) string { return sanitize.Line(s, sanitize.Name) }

// environmentLabel names where the result came from, for people.
func environmentLabel(r *plaidapi.Result) string {
	if r.Demo {
		return "offline demo (emulated Sandbox, not Plaid)"
	}
	return config.Env(r.Environment).Title()
}

// ItemRef is how people refer to the Item: its saved name, else its id.
func ItemRef(r *plaidapi.Result) string {
	if r.ItemName != "" {
		return Name(r.ItemName)
	}
	return sanitize.Line(r.ItemID, sanitize.Field)
}

// NextCommand is the command that fetches this Item's numbers again in a later run, when it
// was saved ("plaid-onboard auth first-platypus-bank"); "" when it was not.
func NextCommand(r *plaidapi.Result) string {
	if !r.Storage.Saved {
		return ""
	}
	return Voice{Demo: r.Demo, Profile: r.Profile, Env: config.Env(r.Environment), Store: r.Store}.Command("auth " + ItemRef(r))
}

// StorageLine says in one sentence where the Item went, or why it was not kept.
func StorageLine(s plaidapi.Storage) string {
	switch {
	case s.Saved:
		return "Saved in " + s.Where
	case s.Problem != "":
		return "Not saved: " + s.Problem
	}
	return "Not saved: " + s.Where
}

// WriteReport prints a finished flow as plain text: the Item, the accounts with their balances,
// then every number family of each account. It is what the commands print and what the
// terminal UI leaves in the scrollback when it closes; mask hides account numbers and IBANs.
func WriteReport(w io.Writer, res *plaidapi.Result, mask bool) error {
	inst := "unknown institution"
	if res.Institution != nil {
		inst = InstitutionName(res)
		if res.Institution.ID != "" {
			inst += " (" + sanitize.Line(res.Institution.ID, sanitize.Field) + ")"
		}
	}
	fmt.Fprintf(w, "Institution  %s\n", inst)
	fmt.Fprintf(w, "Item         %s", sanitize.Line(res.ItemID, sanitize.Field))
	if res.ItemName != "" {
		fmt.Fprintf(w, "  (name %q)", Name(res.ItemName))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Environment  %s\n", environmentLabel(res))
	fmt.Fprintf(w, "Storage      %s\n", StorageLine(res.Storage))
	fmt.Fprintln(w)

	rows := [][]string{{"ACCOUNT", "MASK", "TYPE", "AVAILABLE", "CURRENT", "LIMIT"}}
	for _, a := range res.Accounts {
		rows = append(rows, []string{Name(a.Name), MaskLabel(a), TypeLabel(a), Available(a), Current(a), Limit(a)})
	}
	WriteTable(w, rows, 3) // names left, amounts right, so the decimal points line up
	for _, a := range res.Accounts {
		fmt.Fprintf(w, "\n%s", Name(a.Name))
		if a.Mask != nil {
			fmt.Fprintf(w, " ••%s", *a.Mask)
		}
		fmt.Fprintf(w, "  [%s]\n", a.ID)
		fams := Families(res.NumbersFor(a.ID), mask || res.Masked)
		if len(fams) == 0 && plaidapi.AwaitingVerification(a.VerificationStatus) {
			// An Auth flow's account waiting for (or failed) verification: no numbers is expected.
			fmt.Fprintf(w, "  no numbers until the account is verified (verification_status %s)\n", a.VerificationStatus)
		} else if len(fams) == 0 {
			fmt.Fprintf(w, "  %s\n", NoNumbers)
		}
		for _, f := range fams {
			var parts []string
			for _, r := range f.Rows {
				parts = append(parts, r.Label+" "+r.Value)
			}
			fmt.Fprintf(w, "  %-14s %s\n", f.Name, strings.Join(parts, "  "))
		}
	}
	return nil
}

// WriteTable prints rows in columns two spaces apart; the columns from rightFrom on are
// right-aligned. Widths count runes, since names and the "—" of a null amount are not ASCII.
func WriteTable(w io.Writer, rows [][]string, rightFrom int) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i >= rightFrom {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
