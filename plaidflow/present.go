package plaidflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the one presentation of results and failures: money, account numbers and their
// masking, storage messages, errors with their fields and next step, and the plain-text report.
// The terminal UI, the tables of the commands and --json all take their words from here, so a
// number is never shown two ways.

// DemoBanner says, wherever the offline demo's output lands, that Plaid was not involved.
const DemoBanner = "OFFLINE DEMO: the built-in emulator answered, not Plaid. No real bank was contacted."

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
func (a Account) Available() string { return Money(a.Balances.Available, a.Balances.Currency()) }

// Current prints the current balance.
func (a Account) Current() string { return Money(a.Balances.Current, a.Balances.Currency()) }

// Limit prints the credit limit ("—" for most depository accounts).
func (a Account) Limit() string { return Money(a.Balances.Limit, a.Balances.Currency()) }

// TypeLabel is the account's type and subtype, "depository/checking".
func (a Account) TypeLabel() string {
	if a.Subtype != nil && *a.Subtype != "" {
		return a.Type + "/" + *a.Subtype
	}
	return a.Type
}

// MaskLabel is the last digits Plaid shows for the account, or "—".
func (a Account) MaskLabel() string {
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
func (n AccountNumbers) Families(mask bool) []NumberFamily {
	secret := func(label, v, shown string) NumberRow {
		if mask {
			return NumberRow{Label: label, Value: Mask(v), Raw: Mask(v), Secret: true}
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
			secret("IBAN", x.IBAN, FormatIBAN(x.IBAN)),
			plain("BIC", x.BIC, x.BIC),
		}})
	}
	for _, x := range n.BACS {
		out = append(out, NumberFamily{Name: "BACS", Rows: []NumberRow{
			secret("account", x.Account, x.Account),
			plain("sort code", x.SortCode, FormatSortCode(x.SortCode)),
		}})
	}
	return out
}

// NoNumbers is what is shown for an account Plaid returned no numbers for.
const NoNumbers = "Plaid returned no account or routing numbers for this account."

// MaskedCopy returns a copy of the result with every account number and IBAN masked, for --mask:
// what is then printed, encoded as JSON or copied is safe to paste into a ticket. Masked is set
// so a reader of the JSON knows.
func (r *Result) MaskedCopy() *Result {
	c := *r
	c.Masked = true
	c.Numbers = Numbers{
		ACH:           make([]ACH, len(r.Numbers.ACH)),
		EFT:           make([]EFT, len(r.Numbers.EFT)),
		International: make([]International, len(r.Numbers.International)),
		BACS:          make([]BACS, len(r.Numbers.BACS)),
	}
	for i, x := range r.Numbers.ACH {
		x.Account = Mask(x.Account)
		c.Numbers.ACH[i] = x
	}
	for i, x := range r.Numbers.EFT {
		x.Account = Mask(x.Account)
		c.Numbers.EFT[i] = x
	}
	for i, x := range r.Numbers.International {
		x.IBAN = Mask(x.IBAN)
		c.Numbers.International[i] = x
	}
	for i, x := range r.Numbers.BACS {
		x.Account = Mask(x.Account)
		c.Numbers.BACS[i] = x
	}
	return &c
}

// AccountDocument is one account with its numbers, shaped like Plaid's /auth/get response
// (what the TUI copies as JSON).
type AccountDocument struct {
	Account Account `json:"account"`
	Numbers Numbers `json:"numbers"`
	Masked  bool    `json:"masked"`
}

// AccountJSON is one account and its numbers as indented JSON; masked when the result is.
func (r *Result) AccountJSON(accountID string) ([]byte, error) {
	for _, a := range r.Accounts {
		if a.ID != accountID {
			continue
		}
		n := r.NumbersFor(accountID)
		doc := AccountDocument{Account: a, Masked: r.Masked, Numbers: Numbers{
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

// InstitutionName is the bank's name, or "your bank" when Plaid did not say.
func (r *Result) InstitutionName() string {
	if r != nil && r.Institution != nil && r.Institution.Name != "" {
		return r.Institution.Name
	}
	return "your bank"
}

// EnvironmentLabel names where the result came from, for people.
func (r *Result) EnvironmentLabel() string {
	if r.Demo {
		return "offline demo (emulated Sandbox, not Plaid)"
	}
	return config.Env(r.Environment).Title()
}

// ItemRef is how people refer to the Item: its saved name, else its id.
func (r *Result) ItemRef() string {
	if r.ItemName != "" {
		return r.ItemName
	}
	return r.ItemID
}

// NextCommand is the command that fetches this Item's numbers again in a later run, when it
// was saved ("plaid-onboard auth first-platypus-bank"); "" when it was not.
func (r *Result) NextCommand() string {
	if !r.Storage.Saved {
		return ""
	}
	cmd := "plaid-onboard auth " + r.ItemRef()
	if r.Demo {
		cmd = "plaid-onboard --demo auth " + r.ItemRef()
	} else if r.Environment == string(config.Production) {
		cmd = "plaid-onboard --env production auth " + r.ItemRef()
	}
	return cmd
}

// Line says in one sentence where the Item went, or why it was not kept.
func (s Storage) Line() string {
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
func WriteReport(w io.Writer, res *Result, mask bool) error {
	inst := "unknown institution"
	if res.Institution != nil {
		inst = res.InstitutionName()
		if res.Institution.ID != "" {
			inst += " (" + res.Institution.ID + ")"
		}
	}
	fmt.Fprintf(w, "Institution  %s\n", inst)
	fmt.Fprintf(w, "Item         %s", res.ItemID)
	if res.ItemName != "" {
		fmt.Fprintf(w, "  (name %q)", res.ItemName)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Environment  %s\n", res.EnvironmentLabel())
	fmt.Fprintf(w, "Storage      %s\n", res.Storage.Line())
	fmt.Fprintln(w)

	rows := [][]string{{"ACCOUNT", "MASK", "TYPE", "AVAILABLE", "CURRENT", "LIMIT"}}
	for _, a := range res.Accounts {
		rows = append(rows, []string{a.Name, a.MaskLabel(), a.TypeLabel(), a.Available(), a.Current(), a.Limit()})
	}
	writeTable(w, rows, 3) // names left, amounts right, so the decimal points line up
	for _, a := range res.Accounts {
		fmt.Fprintf(w, "\n%s", a.Name)
		if a.Mask != nil {
			fmt.Fprintf(w, " ••%s", *a.Mask)
		}
		fmt.Fprintf(w, "  [%s]\n", a.ID)
		fams := res.NumbersFor(a.ID).Families(mask || res.Masked)
		if len(fams) == 0 && awaitingVerification(a.VerificationStatus) {
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

// writeTable prints rows in columns two spaces apart; the columns from rightFrom on are
// right-aligned. Widths count runes, since names and the "—" of a null amount are not ASCII.
func writeTable(w io.Writer, rows [][]string, rightFrom int) {
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

// Problem is a failure as people and --json see it: Plaid's error fields, the ids Plaid
// Support asks for, and what to do next. JSON field names are Plaid's.
type Problem struct {
	ErrorType      string `json:"error_type,omitempty"`
	ErrorCode      string `json:"error_code,omitempty"`
	ErrorMessage   string `json:"error_message"`
	DisplayMessage string `json:"display_message,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
	HTTPStatus     int    `json:"http_status,omitempty"`
	// Link exits: the pane Link was on, the session id and the bank.
	Status        string `json:"status,omitempty"`
	LinkSessionID string `json:"link_session_id,omitempty"`
	Institution   string `json:"institution,omitempty"`

	// Unreachable is the address a network failure could not reach, and Proxy the proxy the
	// call went through.
	Unreachable string `json:"unreachable,omitempty"`
	Proxy       string `json:"proxy,omitempty"`

	DocumentationURL string `json:"documentation_url,omitempty"`
	Next             string `json:"next,omitempty"`
	// Context is a sentence about what had already happened ("the Item was linked and saved").
	Context string `json:"context,omitempty"`
	// Item, Meaning and Repair are set for a failure about a saved Item: its name, what the
	// Item's state means, and the command that repairs it (Link in update mode) when one does.
	Item    string `json:"item,omitempty"`
	Meaning string `json:"meaning,omitempty"`
	Repair  string `json:"repair,omitempty"`
}

// ErrorTypeNetwork is the error_type of a call that reached nobody (not one of Plaid's types):
// its error_code says how (NETWORK_DNS, NETWORK_REFUSED, NETWORK_TLS, NETWORK_TIMEOUT,
// NETWORK_PROXY, NETWORK_CLOSED, NETWORK_OTHER).
const ErrorTypeNetwork = "NETWORK_ERROR"

// LinkExit is the error a LinkUI returns when Link closes without an account (linkpage's
// ExitError is one). Its fields are read by Plaid's field names (error_code, error_type,
// error_message, display_message, status, request_id, link_session_id, institution), so the
// Link page need not import this package.
type LinkExit interface {
	error
	LinkExitField(name string) string
}

// Explain turns any error into a Problem: a Plaid error keeps every field Plaid sent, a Link
// exit its error and ids, anything else its message; each gets the next step when one is known.
func Explain(err error) Problem {
	var p Problem
	if err == nil {
		return p
	}
	var se *StepError
	if errors.As(err, &se) {
		p = Explain(se.Err)
		p.Context = se.Context
		return p
	}
	var ie *ItemError
	if errors.As(err, &ie) {
		p = Explain(ie.Err)
		p.Item = ie.Item.Name
		if NeedsRepair(p.ErrorCode) {
			h := HealthOf(p.ErrorCode, ie.Item.Name, time.Time{})
			p.Meaning, p.Repair, p.Next = h.Meaning, h.Repair, h.Next
		}
		return p
	}
	var lost *ExchangeLostError
	if errors.As(err, &lost) {
		p = Explain(lost.Err)
		p.Context = ExchangeLostNotice
		p.Next = "link the account again; nothing was saved, and an Item Plaid may have made cannot be used or removed from here (in Production, Plaid Support can remove it given the request_id)"
		return p
	}
	if pe, ok := AsError(err); ok {
		return Problem{
			ErrorType: pe.Type, ErrorCode: pe.Code, ErrorMessage: pe.Message, DisplayMessage: pe.DisplayMessage,
			RequestID: pe.RequestID, HTTPStatus: pe.HTTPStatus, DocumentationURL: pe.Docs(), Next: pe.NextStep(),
		}
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		return Problem{
			ErrorType: ErrorTypeNetwork, ErrorCode: "NETWORK_" + strings.ToUpper(string(ne.Kind)),
			ErrorMessage: err.Error(), Unreachable: ne.URL, Proxy: ne.Proxy, Next: ne.Next(),
		}
	}
	var le LinkExit
	if errors.As(err, &le) {
		f := le.LinkExitField
		p = Problem{
			ErrorType: f("error_type"), ErrorCode: f("error_code"), ErrorMessage: f("error_message"),
			DisplayMessage: f("display_message"), RequestID: f("request_id"), Status: f("status"),
			LinkSessionID: f("link_session_id"), Institution: f("institution"),
		}
		if p.ErrorCode == "" {
			p.ErrorMessage = "Link was closed before an account was linked."
			p.Next = "start Link again when you are ready"
		} else {
			p.Next = nextStep(p.ErrorCode, p.ErrorType)
			p.DocumentationURL = linkExitDocs(p.ErrorCode, p.ErrorType)
		}
		if p.Next == "" {
			p.Next = "start Link again; if it keeps failing, give Plaid Support the link_session_id"
		}
		return p
	}
	var ce *vault.CorruptIndexError
	if errors.As(err, &ce) {
		return Problem{ErrorMessage: err.Error(), Next: ce.Recovery()}
	}
	var ns *NotSavedError
	if errors.As(err, &ns) {
		return Problem{ErrorMessage: err.Error(), Context: ns.Problem, Next: ns.Hint}
	}
	p.ErrorMessage = err.Error()
	switch {
	case errors.Is(err, vault.ErrKeyringUnavailable):
		p.Next = "unlock the OS keyring (or start a desktop session) and try again"
	case errors.Is(err, config.ErrNoKeys):
		p.Next = "set PLAID_CLIENT_ID and PLAID_SECRET, or try --demo"
	case errors.Is(err, vault.ErrNoItems):
		p.Next = "link an account first: plaid-onboard link (or sandbox link)"
	case errors.Is(err, vault.ErrAmbiguousItem), errors.Is(err, vault.ErrItemNotFound):
		p.Next = "name a saved Item: plaid-onboard items lists them"
	case errors.Is(err, config.ErrSandboxOnly):
		p.Next = "use PLAID_ENV=sandbox (or --demo)"
	case isTimeout(err):
		p.Next = "Plaid did not answer in time: try again; if it persists, check the network (and any proxy or PLAID_API_URL), or try --demo offline"
	case isUnreachable(err):
		p.Next = "Plaid could not be reached: check the network (and any proxy or PLAID_API_URL), or try --demo offline"
	case errors.Is(err, vault.ErrSecretNotFound):
		p.Next = "the Item's access token is not in the keyring: link the account again (and remove the old Item with `plaid-onboard items remove`)"
	case errors.Is(err, ErrNotRemovedAtPlaid):
		p.Next = "the Item stays live at Plaid; if you still have its access token elsewhere, call /item/remove with it"
	case errors.Is(err, ErrRotatedNotSaved):
		p.Next = "keep the new access token shown above somewhere safe: it is the Item's only working token"
	case errors.Is(err, ErrUnknownProcessor):
		p.Next = "use a processor name from Plaid's list (plaid-onboard processor-token --help)"
	case errors.Is(err, ErrAccountNotFound):
		p.Next = "name the account by its id, or by a mask or name only one account has"
	case errors.Is(err, vault.ErrNameTaken), errors.Is(err, vault.ErrBadName):
		p.Next = "pick another name: plaid-onboard items lists the names in use"
	}
	return p
}

// linkExitDocs is the errors reference entry for a Link exit's error. Link's errors are API
// errors seen through the SDK, except a few of Link's own with no error_type (oauth-error,
// institution-poor-health-error), which https://plaid.com/docs/errors/link/ documents.
func linkExitDocs(code, typ string) string {
	if typ == "" {
		return "https://plaid.com/docs/errors/link/#" + strings.ToLower(code)
	}
	return DocsURL(code, typ)
}

// Fields lists the problem's fields one per line ("request_id  req-123"), for the commands'
// stderr and the TUI's error blocks: every id support asks for, then what to do next.
func (p Problem) Fields() [][2]string {
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("error_code", p.ErrorCode)
	add("error_type", p.ErrorType)
	add("error_message", p.ErrorMessage)
	if p.DisplayMessage != p.ErrorMessage {
		add("display_message", p.DisplayMessage)
	}
	add("unreachable", p.Unreachable)
	add("proxy", p.Proxy)
	add("status", p.Status)
	add("institution", p.Institution)
	add("request_id", p.RequestID)
	add("link_session_id", p.LinkSessionID)
	if p.HTTPStatus != 0 {
		add("http_status", fmt.Sprint(p.HTTPStatus))
	}
	add("context", p.Context)
	add("item", p.Item)
	add("meaning", p.Meaning)
	add("next", p.Next)
	if !strings.Contains(p.Next, p.Repair) { // the next step usually is the repair: say it once
		add("repair", p.Repair)
	}
	// Plaid's page on the error comes last: the next step matters more on a small screen.
	add("docs", p.DocumentationURL)
	return out
}

// WriteProblem prints a failure for the commands' stderr: one line saying what failed, then
// every field, aligned.
func WriteProblem(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %v\n", err)
	fields := Explain(err).Fields()
	kw := 0
	for _, f := range fields {
		kw = max(kw, len(f[0])+1) // the name and its colon
	}
	for _, f := range fields {
		if f[0] == "error_message" && !isPlaidShaped(err) {
			continue // the first line said it already
		}
		fmt.Fprintf(w, "  %-*s  %s\n", kw, f[0]+":", f[1])
	}
}

func isPlaidShaped(err error) bool {
	if _, ok := AsError(err); ok {
		return true
	}
	var le LinkExit
	return errors.As(err, &le)
}

// StepError is a step of a Journey that failed, with what had already happened (so a failure
// after the Item was saved says the Item is safe, and how to get its numbers later).
type StepError struct {
	Step    StepID
	Err     error
	Context string
}

// Error implements error.
func (e *StepError) Error() string {
	if e.Context == "" {
		return e.Err.Error()
	}
	return e.Context + ", but: " + e.Err.Error()
}

// Unwrap gives the step's own error.
func (e *StepError) Unwrap() error { return e.Err }

// isUnreachable reports a call that never got an answer from anyone: no network, a name that
// does not resolve, a refused connection, a timeout.
// isTimeout reports whether a call gave up waiting for its answer (the call's deadline, or the
// HTTP client's), as opposed to a connection refused or closed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func isUnreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}
