package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// userCustomTicket is what a support engineer writes to reproduce a user's bank: every number
// family Auth returns, in Plaid's user_custom format (https://plaid.com/docs/sandbox/user-custom/).
const userCustomTicket = `{
  "seed": "ticket-5521",
  "override_accounts": [
    {"type": "depository", "subtype": "checking", "starting_balance": 321.5,
     "meta": {"name": "Household Checking"},
     "numbers": {"account": "6655443322", "ach_routing": "322271627"}},
    {"type": "depository", "subtype": "savings", "currency": "CAD", "starting_balance": 40,
     "numbers": {"account": "7654321", "eft_institution": "010", "eft_branch": "00011"}},
    {"type": "depository", "subtype": "savings", "currency": "GBP", "starting_balance": 75,
     "numbers": {"account": "31926819", "bacs_sort_code": "601613", "international_bic": "NWBKGB2L", "international_iban": "GB29NWBK60161331926819"}}
  ]
}
`

// TestE2EUserCustomNumbersShowUpInAuth: `sandbox link --user-custom FILE` against the emulator
// (served by `plaid-onboard emulator`, as any Plaid client would use it) saves the Item in the
// real keyring, and `auth --json` in another process prints the file's numbers.
func TestE2EUserCustomNumbersShowUpInAuth(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	ctx, cancel := context.WithCancel(context.Background())
	em := startEmulator(t, ctx, false, "emulator", "--json")
	defer func() { cancel(); em.wait(t) }()
	info := em.info(t)

	dirs := newUserDirs(t)
	file := filepath.Join(dirs.work, "ticket-5521.json")
	if err := os.WriteFile(file, []byte(userCustomTicket), 0o600); err != nil {
		t.Fatal(err)
	}
	env := dirs.env("PLAID_API_URL="+info.URL, "PLAID_CLIENT_ID="+info.ClientID, "PLAID_SECRET="+info.Secret)

	linked, stderr := sandboxLinked(t, dirs, env, "--user-custom", file)
	if !linked.Storage.Saved {
		t.Fatalf("the Item was not saved: %+v\n%s", linked.Storage, stderr)
	}
	if !strings.Contains(stderr, "user_custom from "+file) {
		t.Errorf("stderr does not say the Item was made from the file:\n%s", stderr)
	}

	var res plaidapi.Result
	runJSON(t, dirs, env, &res, "auth", linked.ItemName, "--json")
	n := res.Numbers
	if len(n.ACH) != 1 || n.ACH[0].Account != "6655443322" || n.ACH[0].Routing != "322271627" {
		t.Errorf("ACH = %+v, want the file's 6655443322 at 322271627", n.ACH)
	}
	if len(n.EFT) != 1 || n.EFT[0].Account != "7654321" || n.EFT[0].Institution != "010" || n.EFT[0].Branch != "00011" {
		t.Errorf("EFT = %+v", n.EFT)
	}
	if len(n.International) != 1 || n.International[0].IBAN != "GB29NWBK60161331926819" || n.International[0].BIC != "NWBKGB2L" {
		t.Errorf("international = %+v", n.International)
	}
	if len(n.BACS) != 1 || n.BACS[0].Account != "31926819" || n.BACS[0].SortCode != "601613" {
		t.Errorf("BACS = %+v", n.BACS)
	}
	var names []string
	for _, a := range res.Accounts {
		names = append(names, a.Name)
		if a.Name == "Household Checking" && (a.Balances.Current == nil || *a.Balances.Current != 321.5) {
			t.Errorf("checking balance = %+v, want 321.5", a.Balances)
		}
	}
	if len(res.Accounts) != 3 || names[0] != "Household Checking" {
		t.Errorf("accounts = %v", names)
	}
}

// A configuration Plaid would refuse (or silently ignore) is refused before any call, exit 2,
// with the file, line and JSON path of the field.
func TestSandboxLinkUserCustomIsCheckedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	dir := t.TempDir()
	cases := map[string]struct{ src, want string }{
		"bad routing":    {"{\"override_accounts\": [\n {\"type\": \"depository\", \"subtype\": \"checking\",\n  \"numbers\": {\"ach_routing\": \"12345\"}}]}", ":3:"},
		"typo":           {"{\n  \"overide_accounts\": []\n}", "overide_accounts: is not a field Plaid documents"},
		"eleven":         {`{"override_accounts": [` + strings.TrimSuffix(strings.Repeat(`{"type":"depository","subtype":"checking"},`, 11), ",") + `]}`, "at most 10"},
		"not JSON":       {"{\n  \"seed\": 1,,\n}", "not valid JSON"},
		"balance type":   {`{"override_accounts": [{"type": "depository", "subtype": "checking", "starting_balance": "12"}]}`, "override_accounts[0].starting_balance: must be a number"},
		"mfa incomplete": {`{"mfa": {"type": "questions"}}`, "mfa.question_rounds: is required"},
	}
	for name, tc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		os.WriteFile(path, []byte(tc.src), 0o600)
		if code := te.run("--no-save", "sandbox", "link", "--user-custom", path); code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s", name, code, te.stderr)
		}
		if got := te.stderr.String(); !strings.Contains(got, path) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: stderr does not name %s and %q:\n%s", name, path, tc.want, got)
		}
	}
	if code := te.run("--no-save", "sandbox", "link", "--scenario", "nope"); code != 2 || !strings.Contains(te.stderr.String(), "us-checking-savings") {
		t.Errorf("unknown scenario: exit %d\n%s", code, te.stderr)
	}
	if code := te.run("--no-save", "sandbox", "link", "--force-error", "ITEM_BROKEN"); code != 2 || !strings.Contains(te.stderr.String(), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("undocumented --force-error: exit %d\n%s", code, te.stderr)
	}
	for _, args := range [][]string{
		{"--scenario", "ca-eft", "--user-custom", "x.json"},
		{"--flow", "automated-microdeposits", "--scenario", "ca-eft"},
		{"--flow", "automated-microdeposits", "--force-error", "ITEM_LOCKED"},
	} {
		if code := te.run(append([]string{"--no-save", "sandbox", "link"}, args...)...); code != 2 || !strings.Contains(te.stderr.String(), "not --flow") && !strings.Contains(te.stderr.String(), "pick one") {
			t.Errorf("%v together: exit %d, want 2 with the reason\n%s", args, code, te.stderr)
		}
	}
	if n := emulatortest.Requests(srv, "/sandbox/public_token/create"); n != 0 {
		t.Errorf("%d calls reached Plaid; a bad configuration must be refused before any", n)
	}
}

// Every shipped scenario makes its Item against the emulator (--demo) and shows its numbers;
// the failing one exits 1 with its error and its hint.
func TestSandboxLinkEveryShippedScenario(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"us-checking-savings": {"First Platypus Bank", "Everyday Checking", "High-Yield Savings", "7100023456", "011401533"},
		"ca-eft":              {"Tartan-Dominion Bank of Canada", "Chequing", "5023417", "01140", "CAD"},
		"uk-bacs-iban":        {"Royal Bank of Plaid", "Current Account", "GB29 NWBK 6016 1331 9268 19", "60-16-13", "GBP"},
		"business":            {"Business Checking", "8800012345", "322271627", "47,100.00"}, // the card has no numbers: Auth leaves it out
	}
	all, err := plaidflow.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t)
	for _, sc := range all {
		code := te.run("--demo", "--no-save", "sandbox", "link", "--scenario", sc.Name)
		out := te.stdout.String() + te.stderr.String()
		if sc.ForceError != "" {
			if code != 1 || !strings.Contains(te.stderr.String(), sc.ForceError) || !strings.Contains(te.stderr.String(), "update mode") {
				t.Errorf("%s: exit %d, want 1 with %s and what to do:\n%s", sc.Name, code, sc.ForceError, out)
			}
			continue
		}
		if code != 0 {
			t.Errorf("%s: exit %d\n%s", sc.Name, code, out)
			continue
		}
		for _, w := range want[sc.Name] {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", sc.Name, w, out)
			}
		}
		if !strings.Contains(te.stderr.String(), "scenario "+sc.Name) {
			t.Errorf("%s: the progress does not name the scenario:\n%s", sc.Name, te.stderr)
		}
	}
}

func TestScenariosCommand(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	if code := te.run("scenarios"); code != 0 {
		t.Fatalf("scenarios: exit %d\n%s", code, te.stderr)
	}
	for _, w := range []string{"us-checking-savings", "ca-eft", "uk-bacs-iban", "business", "item-login-required", "international+bacs", "fails: ITEM_LOGIN_REQUIRED", "ins_43"} {
		if !strings.Contains(te.stdout.String(), w) {
			t.Errorf("scenarios lacks %q:\n%s", w, te.stdout)
		}
	}
	if code := te.run("scenarios", "--json"); code != 0 {
		t.Fatalf("scenarios --json: exit %d\n%s", code, te.stderr)
	}
	doc := te.jsonDocument(t)
	list, _ := doc["scenarios"].([]any)
	if len(list) != 5 {
		t.Fatalf("scenarios --json lists %d, want 5: %v", len(list), doc)
	}
	first, _ := list[0].(map[string]any)
	for _, k := range []string{"name", "title", "description", "institution_id", "accounts", "number_families"} {
		if _, ok := first[k]; !ok {
			t.Errorf("scenario document lacks %q: %v", k, first)
		}
	}
	if te.stderr.Len() != 0 {
		t.Errorf("--json printed to stderr: %s", te.stderr)
	}
	if code := te.run("scenarios", "extra"); code != 2 {
		t.Errorf("scenarios extra: exit %d, want 2", code)
	}
}
