package usercustom

import (
	"errors"
	"strings"
	"testing"
)

// The configuration schema and limits are Plaid's: https://plaid.com/docs/sandbox/user-custom/
// ("Configuration object schema", "Limitations of the custom user account") and the spec's
// UserCustomPassword, OverrideAccounts, Meta, Numbers and MFA schemas.

const full = `{
  "version": "2",
  "seed": "support-1234",
  "override_accounts": [
    {
      "type": "depository",
      "subtype": "checking",
      "starting_balance": 1250.5,
      "force_available_balance": 1200,
      "currency": "USD",
      "meta": {"name": "Everyday Checking", "official_name": "Gold Checking", "mask": "4321"},
      "numbers": {"account": "9900001234", "ach_routing": "011401533", "ach_wire_routing": "021000021"},
      "identity": {
        "names": ["Ada Lovelace"],
        "emails": [{"data": "ada@example.com", "primary": true, "type": "primary"}],
        "addresses": [{"data": {"city": "Boston", "region": "MA", "street": "1 Main St", "postal_code": "02110", "country": "US"}, "primary": true}]
      },
      "transactions": [{"date_transacted": "2024-01-02", "date_posted": "2024-01-03", "amount": 12.5, "description": "Coffee"}]
    },
    {
      "type": "depository", "subtype": "savings", "starting_balance": 5000,
      "numbers": {"eft_institution": "021", "eft_branch": "01140", "international_bic": "RBPLGB2L",
        "international_iban": "GB66RBPL60837111110000", "bacs_sort_code": "608371"}
    },
    {"type": "credit", "subtype": "credit card", "starting_balance": 410, "has_null_available_balance": true, "meta": {"limit": 2000}}
  ],
  "mfa": {"type": "questions", "question_rounds": 2, "questions_per_round": 3},
  "force_error": "ITEM_LOGIN_REQUIRED"
}`

func TestParseReadsEveryDocumentedField(t *testing.T) {
	cfg, err := Parse([]byte(full), Options{Source: "full.json", Strict: true})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cfg.Accounts) != 3 {
		t.Fatalf("accounts = %d, want 3", len(cfg.Accounts))
	}
	a := cfg.Accounts[0]
	if a.Meta.Name != "Everyday Checking" || a.Meta.Mask != "4321" || *a.StartingBalance != 1250.5 || *a.ForceAvailableBalance != 1200 {
		t.Errorf("checking = %+v", a)
	}
	if a.Numbers.ACHRouting != "011401533" || a.Numbers.Account != "9900001234" || a.Transactions != 1 {
		t.Errorf("checking numbers = %+v", a.Numbers)
	}
	if a.Identity == nil || a.Identity.Names[0] != "Ada Lovelace" || a.Identity.Addresses[0].City != "Boston" {
		t.Errorf("identity = %+v", a.Identity)
	}
	s := cfg.Accounts[1].Numbers
	if s.EFTInstitution != "021" || s.IBAN != "GB66RBPL60837111110000" || s.BACSSortCode != "608371" {
		t.Errorf("savings numbers = %+v", s)
	}
	if c := cfg.Accounts[2]; !c.NullAvailable || *c.Meta.Limit != 2000 {
		t.Errorf("credit = %+v", c)
	}
	if cfg.MFA == nil || cfg.MFA.Type != "questions" || cfg.MFA.QuestionRounds != 2 || cfg.MFA.QuestionsPerRound != 3 {
		t.Errorf("mfa = %+v", cfg.MFA)
	}
	if cfg.ForceError != "ITEM_LOGIN_REQUIRED" || cfg.Seed != "support-1234" || cfg.Version != "2" {
		t.Errorf("top level = %+v", cfg)
	}
	if strings.ContainsAny(cfg.Raw, "\n ") && !strings.Contains(cfg.Raw, "Everyday Checking") {
		t.Errorf("Raw is not compact JSON: %q", cfg.Raw)
	}
	if strings.Contains(cfg.Raw, "\n") {
		t.Errorf("Raw keeps newlines: %q", cfg.Raw)
	}
}

func TestParseEmptyObjectIsPlaidsRandomUser(t *testing.T) {
	// "Sending an empty object as a configuration will result in an account configured with
	// random balances and transaction history."
	cfg, err := Parse([]byte(`{}`), Options{Strict: true})
	if err != nil || len(cfg.Accounts) != 0 || cfg.MFA != nil {
		t.Fatalf("Parse({}) = %+v, %v", cfg, err)
	}
}

// Every kind of bad field is refused with its JSON path and line, before anything reaches
// Plaid.
func TestParseNamesTheBadField(t *testing.T) {
	acct := func(body string) string {
		return "{\n  \"override_accounts\": [\n    " + body + "\n  ]\n}"
	}
	many := strings.Repeat(`{"type":"depository","subtype":"checking"},`, 11)
	cases := []struct {
		name, src, path, line, msg string
	}{
		{"syntax", "{\n  \"seed\": \"x\",\n  oops\n}", "", ":3:", "not valid JSON"},
		{"not an object", `[1]`, "", ":1:", "must be an object"},
		{"duplicate key", "{\"seed\": \"a\",\n \"seed\": \"b\"}", "", ":2:", "duplicate key"},
		{"unknown top field", "{\n \"overide_accounts\": []}", "overide_accounts", ":2:", "not a field Plaid documents"},
		{"too many accounts", `{"override_accounts": [` + strings.TrimSuffix(many, ",") + `]}`, "override_accounts", "", "at most 10"},
		{"type missing", acct(`{"subtype": "checking"}`), "override_accounts[0].type", ":3:", "is required"},
		{"type unknown", acct(`{"type": "bank", "subtype": "checking"}`), "override_accounts[0].type", ":3:", `"bank" is not one of`},
		{"subtype of another type", acct(`{"type": "credit", "subtype": "savings"}`), "override_accounts[0].subtype", ":3:", "not a subtype of credit"},
		{"balance type", acct(`{"type": "depository", "subtype": "checking", "starting_balance": "100"}`), "override_accounts[0].starting_balance", ":3:", "must be a number, not a string"},
		{"available both ways", acct(`{"type": "depository", "subtype": "checking", "force_available_balance": 1, "has_null_available_balance": true}`), "override_accounts[0].has_null_available_balance", ":3:", "cannot be true together"},
		{"currency", acct(`{"type": "depository", "subtype": "checking", "currency": "usd"}`), "override_accounts[0].currency", ":3:", "ISO 4217"},
		{"mask", acct(`{"type": "depository", "subtype": "checking", "meta": {"mask": "12345"}}`), "override_accounts[0].meta.mask", ":3:", "2 to 4"},
		{"ach routing check digit", acct(`{"type": "depository", "subtype": "checking", "numbers": {"ach_routing": "011401534"}}`), "override_accounts[0].numbers.ach_routing", ":3:", "not a valid ABA"},
		{"eft pair", acct(`{"type": "depository", "subtype": "checking", "numbers": {"eft_institution": "021"}}`), "override_accounts[0].numbers.eft_branch", ":3:", "required alongside eft_institution"},
		{"eft branch digits", acct(`{"type": "depository", "subtype": "checking", "numbers": {"eft_institution": "021", "eft_branch": "1140"}}`), "override_accounts[0].numbers.eft_branch", ":3:", "5-digit"},
		{"iban pair", acct(`{"type": "depository", "subtype": "checking", "numbers": {"international_iban": "GB66RBPL60837111110000"}}`), "override_accounts[0].numbers.international_bic", ":3:", "required alongside international_iban"},
		{"iban check digits", acct(`{"type": "depository", "subtype": "checking", "numbers": {"international_bic": "RBPLGB2L", "international_iban": "GB67RBPL60837111110000"}}`), "override_accounts[0].numbers.international_iban", ":3:", "not a valid IBAN"},
		{"bic", acct(`{"type": "depository", "subtype": "checking", "numbers": {"international_bic": "RB", "international_iban": "GB66RBPL60837111110000"}}`), "override_accounts[0].numbers.international_bic", ":3:", "not a BIC"},
		{"sort code", acct(`{"type": "depository", "subtype": "checking", "numbers": {"bacs_sort_code": "60-83-71"}}`), "override_accounts[0].numbers.bacs_sort_code", ":3:", "6-digit"},
		{"account number", acct(`{"type": "depository", "subtype": "checking", "numbers": {"account": "12 34"}}`), "override_accounts[0].numbers.account", ":3:", "letters or digits"},
		{"identity names", acct(`{"type": "depository", "subtype": "checking", "identity": {"names": "Ada"}}`), "override_accounts[0].identity.names", ":3:", "must be an array"},
		{"identity email", acct(`{"type": "depository", "subtype": "checking", "identity": {"emails": [{"primary": true}]}}`), "override_accounts[0].identity.emails[0].data", ":3:", "is required"},
		{"transactions", acct(`{"type": "depository", "subtype": "checking", "transactions": {}}`), "override_accounts[0].transactions", ":3:", "must be an array"},
		{"force_error", `{"force_error": "ITEM_LOCKD"}`, "force_error", ":1:", `"ITEM_LOCKD" is not one of`},
		{"mfa type", `{"mfa": {"type": "sms"}}`, "mfa.type", ":1:", "is not one of device, questions, selections"},
		{"mfa questions required", `{"mfa": {"type": "questions"}}`, "mfa.question_rounds", ":1:", "required when type is questions"},
		{"mfa rounds range", `{"mfa": {"type": "questions", "question_rounds": 0, "questions_per_round": 1}}`, "mfa.question_rounds", ":1:", "from 1 to 9"},
		{"mfa selections range", `{"mfa": {"type": "selections", "selections_per_question": 1}}`, "mfa.selections_per_question", ":1:", "from 2 to 9"},
		{"recaptcha", `{"recaptcha": "maybe"}`, "recaptcha", ":1:", "not one of good, bad"},
		{"version", `{"version": "3"}`, "version", ":1:", `must be "1" or "2"`},
		{"too big", `{"seed": "` + strings.Repeat("x", maxBytes) + `"}`, "", "", "Plaid supports about 55 kB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), Options{Source: "scenario.json", Strict: true})
			if err == nil {
				t.Fatalf("Parse accepted %s", tc.src)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if e.Path != tc.path {
				t.Errorf("path = %q, want %q (%v)", e.Path, tc.path, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "scenario.json") || !strings.Contains(msg, tc.msg) || (tc.line != "" && !strings.Contains(msg, "scenario.json"+tc.line)) {
				t.Errorf("error = %q, want scenario.json%s… %q", msg, tc.line, tc.msg)
			}
		})
	}
}

func TestParseLenientAcceptsUndocumentedFields(t *testing.T) {
	// Plaid's schema allows additional properties: the emulator, like Plaid, ignores them.
	src := `{"override_accounts": [{"type": "depository", "subtype": "checking", "nickname": "x"}], "extra": 1}`
	if _, err := Parse([]byte(src), Options{}); err != nil {
		t.Fatalf("lenient Parse: %v", err)
	}
	if _, err := Parse([]byte(src), Options{Strict: true}); err == nil {
		t.Fatal("strict Parse accepted an undocumented field")
	}
}

func TestValidABAAndIBAN(t *testing.T) {
	for _, s := range []string{"011401533", "021000021", "322271627"} {
		if !validABA(s) {
			t.Errorf("validABA(%s) = false", s)
		}
	}
	for _, s := range []string{"011401534", "01140153", "01140153a", ""} {
		if validABA(s) {
			t.Errorf("validABA(%q) = true", s)
		}
	}
	if !validIBAN("GB29NWBK60161331926819") || validIBAN("GB28NWBK60161331926819") || validIBAN("GB29 NWBK 6016 1331 9268 19") {
		t.Error("validIBAN disagrees with ISO 13616's example GB29NWBK60161331926819")
	}
}
