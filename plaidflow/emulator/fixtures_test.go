package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadFixtures parses the README's example fixtures (testdata/fixtures), as --fixtures does.
func loadFixtures(t *testing.T) []Fixture {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "fixtures", "*.json"))
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata/fixtures")
	}
	var out []Fixture
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFixture(filepath.Base(p), data)
		if err != nil {
			t.Fatalf("the shipped fixture does not load: %v", err)
		}
		out = append(out, f)
	}
	return out
}

// A test calls /auth/get with a fixture's token at once: its accounts, numbers and balances are
// the fixture's; a pending micro-deposit Item answers PRODUCT_NOT_READY and an Item whose login
// must be repaired ITEM_LOGIN_REQUIRED, as Plaid does
// (https://plaid.com/docs/auth/coverage/automated/, https://plaid.com/docs/errors/item/#item_login_required).
func TestFixturesAreThereFromTheStart(t *testing.T) {
	t.Parallel()
	s := NewServer(WithFixtures(loadFixtures(t)...))
	defer s.Close()

	auth := okCall(t, s, "/auth/get", map[string]any{"access_token": "access-sandbox-acme-checking"})
	if id := auth["item"].(map[string]any)["item_id"]; id != "fixture-acme-checking" {
		t.Errorf("item_id %v, want the fixture's", id)
	}
	if wh := auth["item"].(map[string]any)["webhook"]; wh != "http://localhost:8000/plaid/webhook" {
		t.Errorf("webhook %v, want the fixture's", wh)
	}
	accts := auth["accounts"].([]any)
	ach := auth["numbers"].(map[string]any)["ach"].([]any)
	if len(accts) != 2 || len(ach) != 2 {
		t.Fatalf("%d accounts and %d ACH numbers, want the fixture's 2: %v", len(accts), len(ach), auth)
	}
	first := accts[0].(map[string]any)
	if first["name"] != "Acme Operating" || first["mask"] != "6789" || first["balances"].(map[string]any)["current"] != 1250.5 {
		t.Errorf("first account %v, want Acme Operating 6789 with 1250.50", first)
	}
	if n := ach[0].(map[string]any); n["account"] != "1234567896789" || n["routing"] != "011401533" {
		t.Errorf("ACH %v, want the fixture's numbers", n)
	}

	pending := rawCall(t, s, "/auth/get", map[string]any{"access_token": "access-sandbox-pending-micro-deposits"})
	if pending.status != http.StatusBadRequest || !strings.Contains(string(pending.body), `"PRODUCT_NOT_READY"`) {
		t.Errorf("pending Item: HTTP %d %s, want PRODUCT_NOT_READY", pending.status, pending.body)
	}
	accounts := okCall(t, s, "/accounts/get", map[string]any{"access_token": "access-sandbox-pending-micro-deposits"})["accounts"].([]any)
	if len(accounts) != 1 || accounts[0].(map[string]any)["verification_status"] != "pending_automatic_verification" {
		t.Errorf("pending Item's accounts %v, want one pending_automatic_verification", accounts)
	}
	relogin := rawCall(t, s, "/auth/get", map[string]any{"access_token": "access-sandbox-relogin"})
	if relogin.status != http.StatusBadRequest || !strings.Contains(string(relogin.body), `"ITEM_LOGIN_REQUIRED"`) {
		t.Errorf("relogin Item: HTTP %d %s, want ITEM_LOGIN_REQUIRED", relogin.status, relogin.body)
	}
}

// A restart with the same fixtures and its saved state keeps what the calls did to the
// fixture's Items instead of declaring them afresh.
func TestFixturesDoNotOverrideTheSavedState(t *testing.T) {
	t.Parallel()
	first := NewServer(WithSeed(3), WithFixtures(loadFixtures(t)...))
	okCall(t, first, "/item/webhook/update", map[string]any{"access_token": "access-sandbox-acme-checking", "webhook": "http://127.0.0.1:9/changed"})
	snap := first.Snapshot()
	first.Close()
	if len(snap.Items) != 3 {
		t.Fatalf("snapshot holds %d Items, want the 3 fixtures'", len(snap.Items))
	}
	later := NewServer(WithSeed(3), WithSnapshot(snap), WithFixtures(loadFixtures(t)...))
	defer later.Close()
	item := okCall(t, later, "/item/get", map[string]any{"access_token": "access-sandbox-acme-checking"})["item"].(map[string]any)
	if item["webhook"] != "http://127.0.0.1:9/changed" {
		t.Errorf("webhook %v after the restart, want the one set before it", item["webhook"])
	}
	if n := len(later.Snapshot().Items); n != 3 {
		t.Errorf("%d Items after the restart, want 3 (no fixture declared twice)", n)
	}
}

// A mistake in a fixture is named by file:line:column, inside user_custom as well as outside.
func TestFixtureErrorsSayWhere(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ src, want string }{
		"syntax":                 {"{\n  \"state\": \"healthy\",,\n}", "f.json:2:22: not valid JSON"},
		"unknown field":          {"{\n  \"institution\": \"ins_109508\"\n}", `f.json:2:3: unknown field "institution"`},
		"bad state":              {"{\n  \"state\": \"broken\"\n}", `f.json:2:12: state "broken" is not one of healthy`},
		"institution":            {"{\"institution_id\": \"ins_nope\"}", "f.json:1:20: INVALID_INSTITUTION"},
		"token":                  {"{\n\"access_token\": \"secret-123\"}", "f.json:2:17: access_token must look like Plaid's"},
		"user_custom":            {"{\n  \"user_custom\": {\n    \"override_accounts\": [{\"type\": \"depository\", \"subtype\": 7}]\n  }\n}", "f.json:3:61: user_custom.override_accounts[0].subtype"},
		"user_custom first line": {"{\"user_custom\": {\"override_accounts\": 1}}", "f.json:1:39: user_custom.override_accounts"},
		"not an object":          {"[]", "f.json:1:1: a fixture is a JSON object"},
		"force_error":            {`{"user_custom": {"force_error": "ITEM_LOCKED"}}`, "f.json:1:17: user_custom.force_error"},
		"no account":             {`{"state": "pending_manual_verification", "user_custom": {"override_accounts": [{"type": "credit", "subtype": "credit card"}]}}`, "needs a depository account"},
	} {
		_, err := ParseFixture("f.json", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// Two fixtures declaring the same access token stop the emulator at start, naming both files.
func TestFixturesWithTheSameTokenAreRefused(t *testing.T) {
	t.Parallel()
	a, _ := ParseFixture("a.json", []byte(`{"access_token": "access-sandbox-same"}`))
	b, _ := ParseFixture("b.json", []byte(`{"access_token": "access-sandbox-same"}`))
	if _, err := Listen(WithFixtures(a, b)); err == nil || !strings.Contains(err.Error(), "b.json") || !strings.Contains(err.Error(), "a.json") {
		t.Errorf("Listen: %v, want an error naming a.json and b.json", err)
	}
}

// The README shows the example fixture this package loads, byte for byte: the documented format
// is the one that works.
func TestREADMEShowsTheExampleFixture(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("testdata", "fixtures", "acme-checking.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```json\n"+string(example)+"```\n") {
		t.Error("README.md does not show testdata/fixtures/acme-checking.json as it is")
	}
}

// POST /_emulator/reset takes a seeded emulator with fixtures back to its start: the fixtures'
// Items are there again, as declared, and the ids that follow are the ones a fresh emulator
// would make, so each test of a suite that resets between tests sees the same.
func TestResetBringsBackTheFixturesAndTheSeed(t *testing.T) {
	t.Parallel()
	fresh := NewServer(WithSeed(5), WithFixtures(loadFixtures(t)...))
	defer fresh.Close()
	used := NewServer(WithSeed(5), WithFixtures(loadFixtures(t)...))
	defer used.Close()
	okCall(t, used, "/item/remove", map[string]any{"access_token": "access-sandbox-acme-checking"})
	scriptedCalls(t, used)
	if a := rawRequest(t, used, http.MethodPost, "/_emulator/reset", nil, nil); a.status != http.StatusOK {
		t.Fatalf("reset: HTTP %d %s", a.status, a.body)
	}
	if got, want := withoutTimes(scriptedCalls(t, used)), withoutTimes(scriptedCalls(t, fresh)); got != want {
		t.Errorf("after a reset the calls answered:\n%s\nwant what a fresh emulator answers:\n%s", got, want)
	}
	okCall(t, used, "/auth/get", map[string]any{"access_token": "access-sandbox-acme-checking"})
}
