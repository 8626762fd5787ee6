package usercustom

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The checks, field by field, as Plaid's schema (UserCustomPassword and the schemas it refers
// to) and its descriptions state them.

// forceErrors are the values of force_error the schema lists.
var forceErrors = []string{
	"INSTITUTION_NOT_RESPONDING", "INSTITUTION_NO_LONGER_SUPPORTED", "INVALID_CREDENTIALS",
	"INVALID_MFA", "ITEM_LOCKED", "ITEM_LOGIN_REQUIRED", "ITEM_NOT_SUPPORTED", "INVALID_LINK_TOKEN",
	"MFA_NOT_SUPPORTED", "NO_ACCOUNTS", "PLAID_ERROR", "USER_INPUT_TIMEOUT", "USER_SETUP_REQUIRED",
}

// ForceErrors lists the codes force_error accepts.
func ForceErrors() []string { return slices.Clone(forceErrors) }

// accountTypes is the schema's OverrideAccountType.
var accountTypes = []string{"investment", "credit", "depository", "loan", "payroll", "other"}

// subtypes is the schema's AccountSubtype enum.
var subtypes = []string{"401a", "401k", "403B", "457b", "529", "auto", "brokerage", "business",
	"cash isa", "cash management", "cd", "checking", "commercial", "construction", "consumer",
	"credit card", "crypto exchange", "ebt", "education savings account", "fhsa", "fixed annuity",
	"gic", "health reimbursement arrangement", "home equity", "hsa", "isa", "ira", "keogh", "lif",
	"life insurance", "limited purpose checking", "line of credit", "lira", "loan", "lrif", "lrsp",
	"money market", "mortgage", "mutual fund", "non-custodial wallet", "non-taxable brokerage account",
	"other", "other insurance", "other annuity", "overdraft", "paypal", "payroll", "pension",
	"prepaid", "prif", "profit sharing plan", "qshr", "rdsp", "resp", "retirement", "rlif", "roth",
	"roth 401k", "roth 403B", "roth 457b", "roth pension", "roth profit sharing plan",
	"roth thrift savings plan", "rrif", "rrsp", "sarsep", "savings", "sep ira", "simple ira", "sipp",
	"stock plan", "student", "thrift savings plan", "tfsa", "trust", "ugma", "utma", "variable annuity"}

// subtypesOf are the subtypes Plaid's account type schema allows for the types whose lists are
// short (https://plaid.com/docs/api/accounts/#account-type-schema); investment accounts take
// the many others.
var subtypesOf = map[string][]string{
	"depository": {"cash management", "cd", "checking", "ebt", "hsa", "money market", "paypal", "prepaid", "savings"},
	"credit":     {"credit card", "paypal"},
	"loan": {"auto", "business", "commercial", "construction", "consumer", "home equity", "line of credit",
		"loan", "mortgage", "other", "overdraft", "student"},
	"other":   {"other"},
	"payroll": {"payroll"},
}

// Documented field sets, for Options.Strict.
var (
	topFields     = []string{"version", "seed", "override_accounts", "mfa", "recaptcha", "force_error"}
	accountFields = []string{"type", "subtype", "starting_balance", "force_available_balance",
		"has_null_available_balance", "currency", "meta", "numbers", "transactions", "holdings",
		"investment_transactions", "identity", "liability", "inflow_model", "income"}
	metaFields     = []string{"name", "official_name", "limit", "mask"}
	numbersFields  = []string{"account", "ach_routing", "ach_wire_routing", "eft_institution", "eft_branch", "international_bic", "international_iban", "bacs_sort_code"}
	mfaFields      = []string{"type", "question_rounds", "questions_per_round", "selection_rounds", "selections_per_question"}
	identityFields = []string{"names", "phone_numbers", "emails", "addresses"}
	contactFields  = []string{"data", "primary", "type"}
	addressFields  = []string{"data", "primary"}
	addrDataFields = []string{"city", "region", "street", "postal_code", "country"}
)

var (
	maskRE     = regexp.MustCompile(`^$|^[A-Za-z0-9]{2,4}$`) // Meta.mask's pattern in the schema
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	digitsRE   = regexp.MustCompile(`^[0-9]+$`)
	bicRE      = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	ibanRE     = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	accountRE  = regexp.MustCompile(`^[A-Za-z0-9]{1,34}$`)
)

type checker struct {
	src  []byte
	opt  Options
	fail func(offset int64, path, format string, args ...any) error
}

func (c *checker) bad(n *node, path, format string, args ...any) error {
	return c.fail(n.offset, path, format, args...)
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// fieldName is an unknown field's name as an error may show it: the file may be anyone's, so a
// name that is not a plain identifier is quoted (strconv escapes what a terminal would act on)
// and a long one cut.
func fieldName(k string) string {
	const max = 64
	if plainName.MatchString(k) && len(k) <= max {
		return k
	}
	if r := []rune(k); len(r) > max {
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(k)
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// object checks that n is an object and, when strict, that it has only the known fields.
func (c *checker) object(n *node, path string, known []string) error {
	if n.kind != kindObject {
		return c.bad(n, path, "must be an object, not %s", n.kind)
	}
	if !c.opt.Strict {
		return nil
	}
	for _, k := range n.keys {
		if !slices.Contains(known, k) {
			return c.bad(n.fields[k], join(path, fieldName(k)), "is not a field Plaid documents here (known: %s)", strings.Join(known, ", "))
		}
	}
	return nil
}

func (c *checker) str(n *node, path string) (string, error) {
	if n.kind != kindString {
		return "", c.bad(n, path, "must be a string, not %s", n.kind)
	}
	return n.str, nil
}

func (c *checker) number(n *node, path string) (float64, error) {
	if n.kind != kindNumber {
		return 0, c.bad(n, path, "must be a number, not %s", n.kind)
	}
	f, err := n.num.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, c.bad(n, path, "%s is out of range", n.num)
	}
	return f, nil
}

// count is a whole number in [lo, hi].
func (c *checker) count(n *node, path string, lo, hi int) (int, error) {
	f, err := c.number(n, path)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return 0, c.bad(n, path, "must be a whole number from %d to %d, not %s", lo, hi, n.num)
	}
	return int(f), nil
}

func (c *checker) boolean(n *node, path string) (bool, error) {
	if n.kind != kindBool {
		return false, c.bad(n, path, "must be true or false, not %s", n.kind)
	}
	return n.boolean, nil
}

func (c *checker) oneOf(n *node, path string, allowed []string) (string, error) {
	s, err := c.str(n, path)
	if err != nil {
		return "", err
	}
	if !slices.Contains(allowed, s) {
		return "", c.bad(n, path, "%s is not one of %s", strconv.Quote(s), strings.Join(allowed, ", "))
	}
	return s, nil
}

func (c *checker) config(root *node) (*Config, error) {
	if err := c.object(root, "", topFields); err != nil {
		return nil, err
	}
	cfg := &Config{}
	var err error
	if v := root.fields["version"]; v != nil {
		// The schema says string; Plaid's own examples also write the number.
		switch {
		case v.kind == kindString && (v.str == "1" || v.str == "2"):
			cfg.Version = v.str
		case v.kind == kindNumber && (v.num == "1" || v.num == "2"):
			cfg.Version = string(v.num)
		case v.kind == kindNull:
		default:
			return nil, c.bad(v, "version", "must be \"1\" or \"2\"")
		}
	}
	if v := root.fields["seed"]; v != nil {
		if cfg.Seed, err = c.str(v, "seed"); err != nil {
			return nil, err
		}
	}
	if v := root.fields["recaptcha"]; v != nil {
		if cfg.Recaptcha, err = c.oneOf(v, "recaptcha", []string{"good", "bad"}); err != nil {
			return nil, err
		}
	}
	if v := root.fields["force_error"]; v != nil {
		if cfg.ForceError, err = c.oneOf(v, "force_error", forceErrors); err != nil {
			return nil, err
		}
	}
	if v := root.fields["mfa"]; v != nil {
		if cfg.MFA, err = c.mfa(v, "mfa"); err != nil {
			return nil, err
		}
	}
	if v := root.fields["override_accounts"]; v != nil {
		if v.kind != kindArray {
			return nil, c.bad(v, "override_accounts", "must be an array, not %s", v.kind)
		}
		if len(v.items) > maxAccounts {
			return nil, c.bad(v.items[maxAccounts], "override_accounts", "has %d accounts; Plaid supports at most %d on one custom user (https://plaid.com/docs/sandbox/user-custom/)", len(v.items), maxAccounts)
		}
		total := 0
		for i, item := range v.items {
			a, err := c.account(item, fmt.Sprintf("override_accounts[%d]", i))
			if err != nil {
				return nil, err
			}
			total += a.Transactions
			if total > maxTransactions {
				return nil, c.bad(item, fmt.Sprintf("override_accounts[%d].transactions", i), "brings the configuration to %d transactions; Plaid supports about %d (https://plaid.com/docs/sandbox/user-custom/)", total, maxTransactions)
			}
			cfg.Accounts = append(cfg.Accounts, a)
		}
	}
	return cfg, nil
}

func (c *checker) mfa(n *node, path string) (*MFA, error) {
	if err := c.object(n, path, mfaFields); err != nil {
		return nil, err
	}
	t := n.fields["type"]
	if t == nil {
		return nil, c.bad(n, join(path, "type"), "is required: device, questions or selections")
	}
	typ, err := c.oneOf(t, join(path, "type"), []string{"device", "questions", "selections"})
	if err != nil {
		return nil, err
	}
	// Defaults from the schema's descriptions; the ranges are those of the Sandbox MFA test
	// passwords (https://plaid.com/docs/sandbox/test-credentials/): up to 9 rounds and 9
	// questions, 2 to 9 answers to choose from.
	m := &MFA{Type: typ, QuestionsPerRound: 2, SelectionRounds: 1, SelectionsPerQuestion: 2}
	get := func(field string, dst *int, lo, hi int) error {
		v := n.fields[field]
		if v == nil {
			return nil
		}
		x, err := c.count(v, join(path, field), lo, hi)
		*dst = x
		return err
	}
	if err := get("question_rounds", &m.QuestionRounds, 1, 9); err != nil {
		return nil, err
	}
	if err := get("questions_per_round", &m.QuestionsPerRound, 1, 9); err != nil {
		return nil, err
	}
	if err := get("selection_rounds", &m.SelectionRounds, 1, 9); err != nil {
		return nil, err
	}
	if err := get("selections_per_question", &m.SelectionsPerQuestion, 2, 9); err != nil {
		return nil, err
	}
	if typ == "questions" {
		for _, f := range []string{"question_rounds", "questions_per_round"} {
			if n.fields[f] == nil {
				return nil, c.bad(n, join(path, f), "is required when type is questions")
			}
		}
	}
	return m, nil
}

func (c *checker) account(n *node, path string) (Account, error) {
	var a Account
	if err := c.object(n, path, accountFields); err != nil {
		return a, err
	}
	var err error
	t := n.fields["type"]
	if t == nil {
		return a, c.bad(n, join(path, "type"), "is required (%s)", strings.Join(accountTypes, ", "))
	}
	if a.Type, err = c.oneOf(t, join(path, "type"), accountTypes); err != nil {
		return a, err
	}
	st := n.fields["subtype"]
	if st == nil {
		return a, c.bad(n, join(path, "subtype"), "is required (for %s: %s)", a.Type, strings.Join(subtypesOf[a.Type], ", "))
	}
	if a.Subtype, err = c.oneOf(st, join(path, "subtype"), subtypes); err != nil {
		return a, err
	}
	if allowed, ok := subtypesOf[a.Type]; ok && !slices.Contains(allowed, a.Subtype) {
		return a, c.bad(st, join(path, "subtype"), "%q is not a subtype of %s accounts (%s)", a.Subtype, a.Type, strings.Join(allowed, ", "))
	}
	if a.Type != "depository" && a.Type != "credit" && a.Type != "loan" && a.Type != "other" && a.Type != "payroll" &&
		slices.ContainsFunc([]string{"checking", "savings", "credit card", "mortgage", "student"}, func(s string) bool { return s == a.Subtype }) {
		return a, c.bad(st, join(path, "subtype"), "%q is not a subtype of %s accounts", a.Subtype, a.Type)
	}
	if v := n.fields["starting_balance"]; v != nil {
		f, err := c.number(v, join(path, "starting_balance"))
		if err != nil {
			return a, err
		}
		a.StartingBalance = &f
	}
	fab, hnab := n.fields["force_available_balance"], n.fields["has_null_available_balance"]
	if fab != nil {
		f, err := c.number(fab, join(path, "force_available_balance"))
		if err != nil {
			return a, err
		}
		a.ForceAvailableBalance = &f
	}
	if hnab != nil {
		if a.NullAvailable, err = c.boolean(hnab, join(path, "has_null_available_balance")); err != nil {
			return a, err
		}
	}
	if a.ForceAvailableBalance != nil && a.NullAvailable {
		return a, c.bad(hnab, join(path, "has_null_available_balance"), "cannot be true together with force_available_balance")
	}
	if v := n.fields["currency"]; v != nil {
		if a.Currency, err = c.str(v, join(path, "currency")); err != nil {
			return a, err
		}
		if !currencyRE.MatchString(a.Currency) {
			return a, c.bad(v, join(path, "currency"), "%s is not an ISO 4217 code (three capital letters, like USD)", strconv.Quote(a.Currency))
		}
	}
	if v := n.fields["meta"]; v != nil {
		if a.Meta, err = c.meta(v, join(path, "meta")); err != nil {
			return a, err
		}
	}
	if v := n.fields["numbers"]; v != nil {
		if a.Numbers, err = c.numbers(v, join(path, "numbers")); err != nil {
			return a, err
		}
	}
	if v := n.fields["identity"]; v != nil {
		if a.Identity, err = c.owner(v, join(path, "identity")); err != nil {
			return a, err
		}
	}
	if v := n.fields["transactions"]; v != nil {
		if v.kind != kindArray {
			return a, c.bad(v, join(path, "transactions"), "must be an array, not %s", v.kind)
		}
		for i, tx := range v.items {
			if tx.kind != kindObject {
				return a, c.bad(tx, fmt.Sprintf("%s.transactions[%d]", path, i), "must be an object, not %s", tx.kind)
			}
		}
		a.Transactions = len(v.items)
	}
	for _, f := range []string{"holdings", "investment_transactions", "liability", "inflow_model", "income"} {
		if v := n.fields[f]; v != nil && v.kind != kindObject {
			return a, c.bad(v, join(path, f), "must be an object, not %s", v.kind)
		}
	}
	return a, nil
}

func (c *checker) meta(n *node, path string) (Meta, error) {
	var m Meta
	if err := c.object(n, path, metaFields); err != nil {
		return m, err
	}
	var err error
	if v := n.fields["name"]; v != nil {
		if m.Name, err = c.str(v, join(path, "name")); err != nil {
			return m, err
		}
	}
	if v := n.fields["official_name"]; v != nil {
		if m.OfficialName, err = c.str(v, join(path, "official_name")); err != nil {
			return m, err
		}
	}
	if v := n.fields["limit"]; v != nil {
		f, err := c.number(v, join(path, "limit"))
		if err != nil {
			return m, err
		}
		m.Limit = &f
	}
	if v := n.fields["mask"]; v != nil {
		if m.Mask, err = c.str(v, join(path, "mask")); err != nil {
			return m, err
		}
		m.MaskSet = true
		if !maskRE.MatchString(m.Mask) {
			return m, c.bad(v, join(path, "mask"), "%s must be empty or 2 to 4 letters or digits", strconv.Quote(m.Mask))
		}
	}
	return m, nil
}

func (c *checker) numbers(n *node, path string) (Numbers, error) {
	var nb Numbers
	if err := c.object(n, path, numbersFields); err != nil {
		return nb, err
	}
	fields := map[string]*string{
		"account": &nb.Account, "ach_routing": &nb.ACHRouting, "ach_wire_routing": &nb.ACHWireRouting,
		"eft_institution": &nb.EFTInstitution, "eft_branch": &nb.EFTBranch,
		"international_bic": &nb.InternationalBIC, "international_iban": &nb.IBAN, "bacs_sort_code": &nb.BACSSortCode,
	}
	for _, k := range n.keys {
		dst, ok := fields[k]
		if !ok {
			continue
		}
		s, err := c.str(n.fields[k], join(path, k))
		if err != nil {
			return nb, err
		}
		*dst = s
	}
	at := func(f string) (*node, string) { return n.fields[f], join(path, f) }
	if v, p := at("account"); v != nil && !accountRE.MatchString(nb.Account) {
		return nb, c.bad(v, p, "%s must be 1 to 34 letters or digits", strconv.Quote(nb.Account))
	}
	for _, f := range []string{"ach_routing", "ach_wire_routing"} {
		if v, p := at(f); v != nil && !validABA(*fields[f]) {
			return nb, c.bad(v, p, "%s is not a valid ABA routing number (9 digits with a check digit, like 011401533)", strconv.Quote(*fields[f]))
		}
	}
	// Pairs the schema says must come together.
	for _, pair := range [][2]string{{"eft_institution", "eft_branch"}, {"international_bic", "international_iban"}} {
		a, b := n.fields[pair[0]], n.fields[pair[1]]
		if (a == nil) != (b == nil) {
			have, miss := pair[0], pair[1]
			if a == nil {
				have, miss = pair[1], pair[0]
			}
			return nb, c.bad(n.fields[have], join(path, miss), "is required alongside %s", have)
		}
	}
	if v, p := at("eft_institution"); v != nil && !(digitsRE.MatchString(nb.EFTInstitution) && len(nb.EFTInstitution) == 3) {
		return nb, c.bad(v, p, "%s must be the 3-digit institution number", strconv.Quote(nb.EFTInstitution))
	}
	if v, p := at("eft_branch"); v != nil && !(digitsRE.MatchString(nb.EFTBranch) && len(nb.EFTBranch) == 5) {
		return nb, c.bad(v, p, "%s must be the 5-digit branch (transit) number", strconv.Quote(nb.EFTBranch))
	}
	if v, p := at("international_bic"); v != nil && !bicRE.MatchString(nb.InternationalBIC) {
		return nb, c.bad(v, p, "%s is not a BIC (8 or 11 characters, like RBPLGB2L)", strconv.Quote(nb.InternationalBIC))
	}
	if v, p := at("international_iban"); v != nil && !validIBAN(nb.IBAN) {
		return nb, c.bad(v, p, "%s is not a valid IBAN (country, check digits, account; no spaces)", strconv.Quote(nb.IBAN))
	}
	if v, p := at("bacs_sort_code"); v != nil && !(digitsRE.MatchString(nb.BACSSortCode) && len(nb.BACSSortCode) == 6) {
		return nb, c.bad(v, p, "%s must be a 6-digit sort code without dashes", strconv.Quote(nb.BACSSortCode))
	}
	return nb, nil
}

func (c *checker) owner(n *node, path string) (*Owner, error) {
	if err := c.object(n, path, identityFields); err != nil {
		return nil, err
	}
	o := &Owner{}
	arr := func(f string) (*node, error) {
		v := n.fields[f]
		if v != nil && v.kind != kindArray {
			return nil, c.bad(v, join(path, f), "must be an array, not %s", v.kind)
		}
		return v, nil
	}
	names, err := arr("names")
	if err != nil {
		return nil, err
	}
	if names != nil {
		for i, v := range names.items {
			s, err := c.str(v, fmt.Sprintf("%s.names[%d]", path, i))
			if err != nil {
				return nil, err
			}
			o.Names = append(o.Names, s)
		}
	}
	for _, f := range []string{"phone_numbers", "emails"} {
		list, err := arr(f)
		if err != nil {
			return nil, err
		}
		if list == nil {
			continue
		}
		for i, v := range list.items {
			p := fmt.Sprintf("%s.%s[%d]", path, f, i)
			ct, err := c.contact(v, p)
			if err != nil {
				return nil, err
			}
			if f == "emails" {
				o.Emails = append(o.Emails, ct)
			} else {
				o.PhoneNumbers = append(o.PhoneNumbers, ct)
			}
		}
	}
	addrs, err := arr("addresses")
	if err != nil {
		return nil, err
	}
	if addrs != nil {
		for i, v := range addrs.items {
			p := fmt.Sprintf("%s.addresses[%d]", path, i)
			if err := c.object(v, p, addressFields); err != nil {
				return nil, err
			}
			var ad Address
			if pv := v.fields["primary"]; pv != nil {
				if ad.Primary, err = c.boolean(pv, p+".primary"); err != nil {
					return nil, err
				}
			}
			d := v.fields["data"]
			if d == nil {
				return nil, c.bad(v, p+".data", "is required")
			}
			if err := c.object(d, p+".data", addrDataFields); err != nil {
				return nil, err
			}
			for f, dst := range map[string]*string{"city": &ad.City, "region": &ad.Region, "street": &ad.Street, "postal_code": &ad.PostalCode, "country": &ad.Country} {
				if fv := d.fields[f]; fv != nil {
					if *dst, err = c.str(fv, p+".data."+f); err != nil {
						return nil, err
					}
				}
			}
			o.Addresses = append(o.Addresses, ad)
		}
	}
	return o, nil
}

func (c *checker) contact(n *node, path string) (Contact, error) {
	var ct Contact
	if err := c.object(n, path, contactFields); err != nil {
		return ct, err
	}
	d := n.fields["data"]
	if d == nil {
		return ct, c.bad(n, path+".data", "is required")
	}
	var err error
	if ct.Data, err = c.str(d, path+".data"); err != nil {
		return ct, err
	}
	if v := n.fields["primary"]; v != nil {
		if ct.Primary, err = c.boolean(v, path+".primary"); err != nil {
			return ct, err
		}
	}
	if v := n.fields["type"]; v != nil {
		if ct.Type, err = c.str(v, path+".type"); err != nil {
			return ct, err
		}
	}
	return ct, nil
}

// validABA reports whether s is a 9-digit ABA routing number whose check digit is right
// (3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 ≡ 0 mod 10).
func validABA(s string) bool {
	if len(s) != 9 || !digitsRE.MatchString(s) {
		return false
	}
	w := [3]int{3, 7, 1}
	sum := 0
	for i, r := range s {
		sum += int(r-'0') * w[i%3]
	}
	return sum%10 == 0
}

// validIBAN reports whether s is an IBAN whose ISO 13616 check digits are right.
func validIBAN(s string) bool {
	if !ibanRE.MatchString(s) {
		return false
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		if r >= 'A' && r <= 'Z' {
			b.WriteString(strconv.Itoa(int(r-'A') + 10))
		} else {
			b.WriteRune(r)
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
