package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// The Sandbox test users as Plaid documents them:
// https://plaid.com/docs/sandbox/test-credentials/ (user_good, mfa_device, mfa_questions_<n>_<m>,
// mfa_selections, mfa_selections_<n>_<m>_<o>, error_<CODE>) and
// https://plaid.com/docs/sandbox/user-custom/ (user_custom with a JSON configuration).

// customConfig has one account of each number family, a credit card and an owner.
const customConfig = `{
  "seed": "support-ticket-42",
  "override_accounts": [
    {"type": "depository", "subtype": "checking", "starting_balance": 1500.25, "force_available_balance": 1400,
     "meta": {"name": "Ops Checking", "official_name": "Operations Checking Account"},
     "numbers": {"account": "4455667788", "ach_routing": "322271627", "ach_wire_routing": "021000021"},
     "identity": {"names": ["Grace Hopper"], "emails": [{"data": "grace@example.com", "primary": true, "type": "primary"}]}},
    {"type": "depository", "subtype": "savings", "currency": "CAD", "starting_balance": 800,
     "numbers": {"account": "99887766", "eft_institution": "003", "eft_branch": "12345"}},
    {"type": "depository", "subtype": "savings", "currency": "GBP", "starting_balance": 90, "has_null_available_balance": true,
     "meta": {"mask": "CD"},
     "numbers": {"account": "31926819", "bacs_sort_code": "601613", "international_bic": "NWBKGB2L", "international_iban": "GB29NWBK60161331926819"}},
    {"type": "credit", "subtype": "credit card", "starting_balance": 300, "meta": {"limit": 1000, "name": "Corporate Card"}}
  ]
}`

func createAs(t *testing.T, api *plaid.PlaidApiService, institution, username, password string) (string, error) {
	t.Helper()
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetOverrideUsername(username)
	opts.SetOverridePassword(password)
	req := plaid.NewSandboxPublicTokenCreateRequest(institution, []plaid.Products{plaid.PRODUCTS_AUTH})
	req.SetOptions(*opts)
	resp, _, err := api.SandboxPublicTokenCreate(context.Background()).SandboxPublicTokenCreateRequest(*req).Execute()
	return resp.GetPublicToken(), err
}

func exchangeAccess(t *testing.T, api *plaid.PlaidApiService, pub string) string {
	t.Helper()
	ex, _, err := api.ItemPublicTokenExchange(context.Background()).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return ex.GetAccessToken()
}

func TestUserCustomShowsUpInEveryEndpoint(t *testing.T) {
	srv, _ := newTestServer(t) // every answer is checked against Plaid's OpenAPI schemas
	api := newClient(srv).PlaidApi
	ctx := context.Background()
	pub, err := createAs(t, api, "ins_109508", "user_custom", customConfig)
	if err != nil {
		t.Fatalf("sandbox public token as user_custom: %v", err)
	}
	access := exchangeAccess(t, api, pub)

	auth, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("auth/get: %v", err)
	}
	if n := len(auth.GetAccounts()); n != 3 {
		t.Fatalf("auth/get has %d accounts, want the 3 depository ones (not the card)", n)
	}
	ids := map[string]string{}
	for _, a := range auth.GetAccounts() {
		ids[a.GetName()+"/"+a.Balances.GetIsoCurrencyCode()] = a.GetAccountId()
	}
	nums := auth.GetNumbers()
	if len(nums.Ach) != 1 || nums.Ach[0].GetAccount() != "4455667788" || nums.Ach[0].GetRouting() != "322271627" ||
		nums.Ach[0].GetWireRouting() != "021000021" || nums.Ach[0].GetAccountId() != ids["Ops Checking/USD"] {
		t.Errorf("ach = %+v (ids %v)", nums.Ach, ids)
	}
	if len(nums.Eft) != 1 || nums.Eft[0].GetAccount() != "99887766" || nums.Eft[0].GetInstitution() != "003" || nums.Eft[0].GetBranch() != "12345" {
		t.Errorf("eft = %+v", nums.Eft)
	}
	if len(nums.International) != 1 || nums.International[0].GetIban() != "GB29NWBK60161331926819" || nums.International[0].GetBic() != "NWBKGB2L" {
		t.Errorf("international = %+v", nums.International)
	}
	if len(nums.Bacs) != 1 || nums.Bacs[0].GetAccount() != "31926819" || nums.Bacs[0].GetSortCode() != "601613" {
		t.Errorf("bacs = %+v", nums.Bacs)
	}

	for name, call := range map[string]func() ([]plaid.AccountBase, error){
		"accounts/get": func() ([]plaid.AccountBase, error) {
			r, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
			return r.GetAccounts(), err
		},
		"accounts/balance/get": func() ([]plaid.AccountBase, error) {
			r, _, err := api.AccountsBalanceGet(ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()
			return r.GetAccounts(), err
		},
	} {
		accounts, err := call()
		if err != nil || len(accounts) != 4 {
			t.Fatalf("%s: %v, %d accounts", name, err, len(accounts))
		}
		chk, gb, card := accounts[0], accounts[2], accounts[3]
		if chk.GetName() != "Ops Checking" || chk.GetOfficialName() != "Operations Checking Account" || chk.GetMask() != "7788" ||
			chk.Balances.GetCurrent() != 1500.25 || chk.Balances.GetAvailable() != 1400 {
			t.Errorf("%s checking = %+v %+v", name, chk, chk.Balances)
		}
		if gb.GetMask() != "CD" || gb.Balances.Available.Get() != nil || gb.Balances.GetIsoCurrencyCode() != "GBP" || gb.GetName() != "Plaid Savings" {
			t.Errorf("%s GBP savings = %+v %+v", name, gb, gb.Balances)
		}
		if card.GetType() != "credit" || card.Balances.GetLimit() != 1000 || card.Balances.GetAvailable() != 700 {
			t.Errorf("%s card = %+v %+v", name, card, card.Balances)
		}
	}

	id, _, err := api.IdentityGet(ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("identity/get: %v", err)
	}
	for i, a := range id.GetAccounts() {
		owners := a.GetOwners()
		if len(owners) != 1 || owners[0].GetNames()[0] != "Grace Hopper" {
			t.Errorf("identity account %d owners = %+v: the names apply to every account", i, owners)
		}
	}
	if e := id.GetAccounts()[0].GetOwners()[0].GetEmails(); len(e) != 1 || e[0].GetData() != "grace@example.com" {
		t.Errorf("identity emails = %+v", e)
	}
	if e := id.GetAccounts()[1].GetOwners()[0].GetEmails(); len(e) != 3 {
		t.Errorf("an account without identity keeps Sandbox's default emails, got %+v", e)
	}
}

func TestUserCustomDefaultsComeFromTheSeedAndInstitution(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	ctx := context.Background()
	balances := func(cfg string) []float64 {
		pub, err := createAs(t, api, "ins_117650", "user_custom", cfg)
		if err != nil {
			t.Fatalf("user_custom %s: %v", cfg, err)
		}
		auth, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(exchangeAccess(t, api, pub))).Execute()
		if err != nil {
			t.Fatalf("auth/get: %v", err)
		}
		// No numbers configured: the institution's families (GB: BACS and IBAN).
		if len(auth.Numbers.Bacs) != 2 || len(auth.Numbers.International) != 2 || len(auth.Numbers.Ach) != 0 {
			t.Errorf("numbers at a GB bank = %+v", auth.Numbers)
		}
		var out []float64
		for _, a := range auth.GetAccounts() {
			out = append(out, a.Balances.GetCurrent())
		}
		return out
	}
	a, b := balances(`{"seed": "same"}`), balances(`{"seed": "same"}`)
	if len(a) != 2 || a[0] != b[0] || a[1] != b[1] {
		t.Errorf("the same seed gave %v and %v", a, b)
	}
	if c := balances(`{"seed": "other"}`); c[0] == a[0] && c[1] == a[1] {
		t.Errorf("another seed gave the same balances %v", c)
	}
}

func TestUserCustomForceErrorFailsItemCreation(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	for _, code := range usercustom.ForceErrors() {
		t.Run(code, func(t *testing.T) {
			_, err := createAs(t, api, "ins_109508", "user_custom", `{"force_error": "`+code+`"}`)
			pe := plaidError(t, err)
			if pe.ErrorCode != code {
				t.Errorf("error %s, want %s", pe.ErrorCode, code)
			}
		})
	}
}

func TestUserCustomInvalidConfigNamesTheField(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	many := strings.Repeat(`{"type":"depository","subtype":"checking"},`, 11)
	for cfg, want := range map[string]string{
		`{"override_accounts": [` + strings.TrimSuffix(many, ",") + `]}`:                                "override_accounts: has 11 accounts",
		`{"override_accounts": [{"type": "depository", "subtype": "checking", "meta": {"mask": "x"}}]}`: "override_accounts[0].meta.mask",
		`not json`: "not valid JSON",
		``:         "the provided credentials were not correct",
	} {
		_, err := createAs(t, api, "ins_109508", "user_custom", cfg)
		pe := plaidError(t, err)
		if pe.ErrorCode != "INVALID_CREDENTIALS" || !strings.Contains(pe.ErrorMessage, want) {
			t.Errorf("config %.40q: %s %q, want INVALID_CREDENTIALS mentioning %q", cfg, pe.ErrorCode, pe.ErrorMessage, want)
		}
	}
}

func TestSandboxPasswords(t *testing.T) {
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	for _, pw := range []string{"pass_good", "mfa_device", "mfa_questions_1_1", "mfa_questions_9_9", "mfa_selections", "mfa_selections_2_3_4"} {
		if _, err := createAs(t, api, "ins_109508", "user_good", pw); err != nil {
			t.Errorf("user_good / %s: %v (the Sandbox endpoint skips MFA)", pw, err)
		}
	}
	for pw, code := range map[string]string{
		"mfa_questions_0_1": "INVALID_CREDENTIALS", "mfa_questions_10_1": "INVALID_CREDENTIALS", "mfa_questions_1": "INVALID_CREDENTIALS",
		"mfa_selections_1_1_1": "INVALID_CREDENTIALS", "pass_bad": "INVALID_CREDENTIALS", "error_ITEM_LOCKED": "ITEM_LOCKED",
		"error_INSTITUTION_NOT_RESPONDING": "INSTITUTION_NOT_RESPONDING",
	} {
		_, err := createAs(t, api, "ins_109508", "user_good", pw)
		if pe := plaidError(t, err); pe.ErrorCode != code {
			t.Errorf("user_good / %s: %s, want %s", pw, pe.ErrorCode, code)
		}
	}
}

func TestMFAChallengesAcceptOnlyTheDocumentedAnswers(t *testing.T) {
	login := func(username, password string) *mfaSpec {
		t.Helper()
		l, e := parseLogin(username, password)
		if e != nil || l.mfa == nil {
			t.Fatalf("%s / %s: %v, mfa %v", username, password, e, l)
		}
		return l.mfa
	}
	device := login("user_good", "mfa_device")
	if device.steps() != 2 || !device.check(0, []string{device.round(0).Devices[0]}) || device.check(0, []string{"a pager"}) {
		t.Error("device: choosing a listed device is the first step")
	}
	if !device.check(1, []string{"1234"}) || device.check(1, []string{"0000"}) || device.check(1, nil) {
		t.Error("device: the code is 1234")
	}
	q := login("user_good", "mfa_questions_2_3")
	if q.steps() != 2 || len(q.round(1).Questions) != 3 {
		t.Errorf("questions: %d rounds of %d", q.steps(), len(q.round(1).Questions))
	}
	if !q.check(1, []string{"answer_1_0", "answer_1_1", "answer_1_2"}) || q.check(1, []string{"answer_1_0", "answer_1_1", "answer_0_2"}) || q.check(1, []string{"answer_1_0"}) {
		t.Error("questions: the answer to question j of round i (from 0) is answer_i_j")
	}
	sel := login("user_good", "mfa_selections")
	if r := sel.round(0); len(r.Questions) != 1 || !sel.check(0, []string{"Yes"}) || sel.check(0, []string{"No"}) {
		t.Errorf("selections: answer Yes, got round %+v", r)
	}
	multi := login("user_good", "mfa_selections_1_2_3")
	r := multi.round(0)
	if len(r.Questions) != 2 || len(r.Questions[0].Answers) != 3 || r.Questions[0].Answers[0] != "answer_1_1_0" {
		t.Errorf("mfa_selections_1_2_3 round = %+v (the documented answer to the first question is answer_1_1_0)", r)
	}
	if !multi.check(0, []string{"answer_1_1_0", "answer_1_2_0"}) || multi.check(0, []string{"answer_1_1_1", "answer_1_2_0"}) {
		t.Error("selections: the first option is right")
	}
	custom := login("user_custom", `{"mfa": {"type": "questions", "question_rounds": 3, "questions_per_round": 1}}`)
	if custom.steps() != 3 || !custom.check(2, []string{"answer_2_0"}) {
		t.Errorf("user_custom questions: %d steps", custom.steps())
	}
	csel := login("user_custom", `{"mfa": {"type": "selections"}}`)
	if csel.steps() != 1 || len(csel.round(0).Questions) != 2 || len(csel.round(0).Questions[0].Answers) != 2 {
		t.Errorf("user_custom selections defaults (1 round, 2 questions, 2 answers): %+v", csel.round(0))
	}
}
