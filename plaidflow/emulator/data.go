package emulator

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// The Sandbox data: Plaid's test institutions and the accounts of the user_good login, as Plaid
// documents them. Numbers follow each country's real formats (a valid IBAN, 9-digit ABA
// routing numbers, 6-digit sort codes) so that a client's display and validation code is
// exercised on realistic values.

// Institution health as /institutions/get_by_id reports it.
const (
	healthy  = "HEALTHY"
	degraded = "DEGRADED"
	down     = "DOWN"
)

// Sandbox ACH routing numbers (CONTRACT.md "Sandbox facts").
const (
	sandboxRouting     = "011401533"
	sandboxWireRouting = "021000021"
)

// institution is one Sandbox institution and the number families its accounts carry.
type institution struct {
	id, name, country string
	products          []string
	routingNumbers    []string
	oauth             bool
	url, color        string
	health            string
	// Where the account numbers come from, by country: ACH for US, EFT for CA, IBAN/BIC and
	// BACS for GB.
	eftInstitution, eftBranch string
	bankCode, bic, sortCode   string
}

var usProducts = []string{"assets", "auth", "balance", "identity", "income_verification",
	"investments", "liabilities", "signal", "transactions", "transfer"}

// usBank is a US Sandbox institution: ACH numbers under the Sandbox routing number.
func usBank(id, name, color, health string, oauth bool, moreRouting ...string) *institution {
	return &institution{id: id, name: name, country: "US", products: usProducts, oauth: oauth,
		routingNumbers: append([]string{sandboxRouting}, moreRouting...),
		url:            "https://plaid.com", color: color, health: health}
}

// bigBankProducts are the products of a large US bank in Plaid's own example answer of
// /institutions/get (the spec's example, Bank of America). Plaid publishes no per-bank product
// list for Sandbox, so the large banks below all carry this one.
var bigBankProducts = []string{"assets", "auth", "balance", "identity", "liabilities", "transactions"}

// productionBank is a Production institution that Sandbox also serves ("All of the
// institutions that are available in the Plaid Production environment are also available in
// Sandbox", https://plaid.com/docs/sandbox/institutions/). Its accounts are user_good's, as
// every Sandbox login's are.
func productionBank(id, name, color string, oauth bool) *institution {
	in := usBank(id, name, color, healthy, oauth)
	in.products = bigBankProducts
	return in
}

// institutions lists the institutions in the order Link shows them: first the Sandbox-only
// ones, in the order of Plaid's table (https://plaid.com/docs/sandbox/institutions/), then the
// Production banks whose ids Plaid's own documents give.
var institutions = []*institution{
	usBank("ins_109508", "First Platypus Bank", "#1f1f1f", healthy, false),
	usBank("ins_130016", "First Platypus Balance Bank", "#2b2b2b", healthy, false),
	usBank("ins_109509", "First Gingham Credit Union", "#4a7eb5", healthy, false),
	usBank("ins_109510", "Tattersall Federal Credit Union", "#7b3f8c", healthy, false),
	usBank("ins_109511", "Tartan Bank", "#b3282d", healthy, false),
	usBank("ins_109512", "Houndstooth Bank", "#004966", healthy, false, "011000138", "011200365", "011400495"),
	usBank("ins_127287", "Platypus OAuth Bank", "#0a85ea", healthy, true),
	usBank("ins_132241", "First Platypus OAuth App2App Bank", "#0b6fc4", healthy, true),
	usBank("ins_135858", "Windowpane Bank", "#5c7c8a", healthy, false),
	usBank("ins_132363", "Unhealthy Platypus Bank - Degraded", "#c47f00", degraded, false),
	usBank("ins_132361", "Unhealthy Platypus Bank - Down", "#8a8a8a", down, false),
	usBank("ins_133402", "Unsupported Platypus Bank - Institution Not Supported", "#6b6b6b", healthy, false),
	usBank("ins_133502", "Platypus Bank RUX Auth", "#3d5a80", healthy, false),
	usBank("ins_133503", "Platypus Bank RUX Match", "#3d5a80", healthy, false),
	{
		id: "ins_43", name: "Tartan-Dominion Bank of Canada", country: "CA",
		products:       []string{"assets", "auth", "balance", "identity", "transactions"},
		routingNumbers: []string{},
		url:            "https://plaid.com", color: "#d52b1e", health: healthy,
		eftInstitution: "021", eftBranch: "01140",
	},
	{
		id: "ins_117650", name: "Royal Bank of Plaid", country: "GB",
		products:       []string{"assets", "auth", "balance", "identity", "payment_initiation", "transactions"},
		routingNumbers: []string{},
		url:            "https://plaid.com", color: "#1d3a6e", health: healthy,
		bankCode: "RBPL", bic: "RBPLGB2L", sortCode: "608371",
	},
	{
		id: "ins_116834", name: "Flexible Platypus Open Banking", country: "GB", oauth: true,
		products:       []string{"auth", "balance", "identity", "payment_initiation", "transactions"},
		routingNumbers: []string{},
		url:            "https://plaid.com", color: "#00a37a", health: healthy,
		bankCode: "FPOB", bic: "FPOBGB2L", sortCode: "608372",
	},
	{
		id: "ins_117181", name: "Flexible Platypus Open Banking", country: "GB", oauth: true,
		products:       []string{"auth", "balance", "identity", "payment_initiation", "transactions"},
		routingNumbers: []string{},
		url:            "https://plaid.com", color: "#00a37a", health: healthy,
		bankCode: "FPQR", bic: "FPQRGB2L", sortCode: "608373",
	},
	// Chase: "OAuth with Chase Bank (ins_56)" (the spec's NumbersACH.account); a TAN-based
	// institution in Sandbox (the spec's is_tokenized_account_number).
	productionBank("ins_56", "Chase", "#117aca", true),
	// Bank of America: ins_127989 in the spec's example of /link/token/get, and an OAuth
	// institution in the PARTNER_END_CUSTOMER_OAUTH_STATUS_UPDATED example
	// (https://plaid.com/docs/api/partner/).
	productionBank("ins_127989", "Bank of America", "#e31837", true),
	// Capital One: "ins_128026 (Capital One)" in the spec's /accounts/balance/get options.
	// Its OAuth flag is not in Plaid's documents here; it is marked OAuth like the other two.
	productionBank("ins_128026", "Capital One", "#004977", true),
}

func findInstitution(id string) *institution {
	i := slices.IndexFunc(institutions, func(in *institution) bool { return in.id == id })
	if i < 0 {
		return nil
	}
	return institutions[i]
}

func (in *institution) currency() string {
	switch in.country {
	case "CA":
		return "CAD"
	case "GB":
		return "GBP"
	}
	return "USD"
}

func (in *institution) supports(product string) bool { return slices.Contains(in.products, product) }

// accountTemplate is one of the user_good accounts every Sandbox institution returns.
type accountTemplate struct {
	name, officialName, typ, subtype, mask string
	available, current, limit              *float64
}

func amount(v float64) *float64 { return &v }

// userGoodAccounts are the accounts of Sandbox's user_good, balances included.
var userGoodAccounts = []accountTemplate{
	{"Plaid Checking", "Plaid Gold Standard 0% Interest Checking", "depository", "checking", "0000", amount(100), amount(110), nil},
	{"Plaid Saving", "Plaid Silver Standard 0.1% Interest Saving", "depository", "savings", "1111", amount(200), amount(210), nil},
	{"Plaid CD", "Plaid Bronze Standard 0.2% Interest CD", "depository", "cd", "2222", nil, amount(1000), nil},
	{"Plaid Credit Card", "Plaid Diamond 12.5% APR Interest Credit Card", "credit", "credit card", "3333", nil, amount(410), amount(2000)},
	{"Plaid Money Market", "Plaid Platinum Standard 1.85% Interest Money Market", "depository", "money market", "4444", amount(43200), amount(43200), nil},
	{"Plaid IRA", "", "investment", "ira", "5555", nil, amount(320.76), nil},
	{"Plaid 401k", "", "investment", "401k", "6666", nil, amount(23631.9805), nil},
	{"Plaid Student Loan", "", "loan", "student", "7777", nil, amount(65262), nil},
	{"Plaid Mortgage", "", "loan", "mortgage", "8888", nil, amount(56302.06), nil},
	{"Plaid HSA", "Plaid Cares Health Savings Account", "depository", "hsa", "9001", amount(6009), amount(6009), nil},
	{"Plaid Cash Management", "Plaid Growth Cash Management", "depository", "cash management", "9002", amount(12060), amount(12060), nil},
	{"Plaid Business Credit Card", "Plaid Platinum Small Business Credit Card", "credit", "credit card", "9999", nil, amount(5020), amount(10000)},
}

// authEligible reports whether Auth returns numbers for an account: Plaid's /auth/get covers
// checking, savings and cash management accounts (the spec's description of /auth/get).
func (a accountTemplate) authEligible() bool {
	return a.typ == "depository" &&
		(a.subtype == "checking" || a.subtype == "savings" || a.subtype == "cash management")
}

// Account numbers, derived from the mask so that they stay the same for every Item, as
// Sandbox's do.

func achAccount(mask string) string  { return "111122223333" + mask }
func eftAccount(mask string) string  { return "11112222" + mask }
func bacsAccount(mask string) string { return "1111" + mask }

// iban builds a GB IBAN from the bank code, sort code and account number, with the check digits
// of ISO 13616 (mod 97), so that it passes any IBAN validator.
func iban(country, bankCode, sortCode, account string) string {
	bban := bankCode + sortCode + account
	return country + ibanCheckDigits(country, bban) + bban
}

func ibanCheckDigits(country, bban string) string {
	n, _ := new(big.Int).SetString(ibanDigits(bban+country+"00"), 10)
	rem := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-rem)
}

// ibanDigits turns letters into numbers (A=10 ... Z=35) as the IBAN check requires.
func ibanDigits(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&b, "%d", r-'A'+10)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
