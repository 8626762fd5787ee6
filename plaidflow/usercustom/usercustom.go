// Package usercustom reads and checks the configuration of Plaid Sandbox's custom test user:
// the JSON object that is the password of the username user_custom (and of the users made in
// the Dashboard's Sandbox Users tool). The program checks a file before it calls Plaid, and
// the emulator (plaidflow/emulator) builds its Items from the same reading, so that both agree
// on what a configuration means.
//
// The schema is Plaid's UserCustomPassword (the OpenAPI spec, 2020-09-14); the limits are the
// ones Plaid documents at https://plaid.com/docs/sandbox/user-custom/: at most ten accounts,
// about 55 kB and about 250 transactions.
package usercustom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Username is the Sandbox username whose password is a configuration.
const Username = "user_custom"

// Documented limits (https://plaid.com/docs/sandbox/user-custom/, "Limitations of the custom
// user account").
const (
	maxAccounts     = 10
	maxBytes        = 55 * 1000
	maxTransactions = 250
)

// Config is a checked configuration. Fields the program does not use (transactions, holdings,
// liabilities, income) are checked for their shape and passed to Plaid untouched in Raw.
type Config struct {
	Version    string
	Seed       string
	Accounts   []Account
	MFA        *MFA
	Recaptcha  string
	ForceError string
	// Raw is the configuration as given, compacted: what goes to Plaid as the password.
	Raw string
}

// Account is one entry of override_accounts.
type Account struct {
	Type, Subtype string
	// StartingBalance is the current balance; nil lets Plaid choose one.
	StartingBalance *float64
	// ForceAvailableBalance is the available balance; NullAvailable makes it null.
	ForceAvailableBalance *float64
	NullAvailable         bool
	Currency              string
	Meta                  Meta
	Numbers               Numbers
	Identity              *Owner
	Transactions          int
}

// Meta is an account's name, official name, limit and mask.
type Meta struct {
	Name, OfficialName string
	Limit              *float64
	Mask               string
	// MaskSet is whether mask was given: an empty mask is no mask, not a derived one.
	MaskSet bool
}

// Numbers are the account and bank identifiers of every family Plaid's Auth returns.
type Numbers struct {
	Account                    string
	ACHRouting, ACHWireRouting string
	EFTInstitution, EFTBranch  string
	InternationalBIC, IBAN     string
	BACSSortCode               string
}

// Owner is the identity of an account's holders; what is not given Plaid fills with its
// default Sandbox owner.
type Owner struct {
	Names        []string
	PhoneNumbers []Contact
	Emails       []Contact
	Addresses    []Address
}

// Contact is a phone number or an email address.
type Contact struct {
	Data    string
	Primary bool
	Type    string
}

// Address is a postal address of an owner.
type Address struct {
	City, Region, Street, PostalCode, Country string
	Primary                                   bool
}

// MFA is the multi-factor step Link asks for before the Item is made.
type MFA struct {
	Type                  string // device, questions or selections
	QuestionRounds        int
	QuestionsPerRound     int
	SelectionRounds       int
	SelectionsPerQuestion int
}

// Error is a problem with a configuration: where (the file and line when known, and the JSON
// path) and what.
type Error struct {
	Source string // a file name, or "" for a configuration given inline
	Line   int    // 0 when the problem is the whole document (its size, say)
	Col    int
	Path   string // "override_accounts[0].numbers.ach_routing"; "" for the document
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Options say how strict Parse is.
type Options struct {
	// Source names the configuration in errors (a file name).
	Source string
	// Strict refuses fields Plaid's schema does not document. Plaid ignores them (the schema
	// allows additional properties), so a misspelt field silently does nothing there: the
	// program refuses them, the emulator, like Plaid, does not.
	Strict bool
}

// Parse reads and checks a configuration. Every error is an *Error.
func Parse(src []byte, opt Options) (*Config, error) {
	fail := func(offset int64, path, format string, args ...any) error {
		e := &Error{Source: opt.Source, Path: path, Msg: fmt.Sprintf(format, args...)}
		if offset >= 0 {
			e.Line, e.Col = lineCol(src, offset)
		}
		return e
	}
	if len(src) > maxBytes {
		return nil, fail(-1, "", "the configuration is %d bytes; Plaid supports about %d kB (https://plaid.com/docs/sandbox/user-custom/)", len(src), maxBytes/1000)
	}
	root, err := parseTree(src)
	if err != nil {
		se := err.(*syntaxError)
		return nil, fail(se.offset, "", "not valid JSON: %s", se.msg)
	}
	c := &checker{src: src, opt: opt, fail: fail}
	cfg, err := c.config(root)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, src); err != nil { // parseTree accepted it; cannot fail
		return nil, fail(-1, "", "not valid JSON: %v", err)
	}
	cfg.Raw = compact.String()
	return cfg, nil
}
