package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// readLines decodes a transcript into generic objects, failing unless every line is one.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for i, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s line %d is not JSON: %v\n%s", path, i+1, err, l)
		}
		out = append(out, m)
	}
	return out
}

// numbersOf lists every full account number and IBAN of a JSON result.
func numbersOf(t *testing.T, res plaidapi.Result) []string {
	t.Helper()
	var out []string
	for _, n := range res.Numbers.ACH {
		out = append(out, n.Account)
	}
	for _, n := range res.Numbers.EFT {
		out = append(out, n.Account)
	}
	for _, n := range res.Numbers.International {
		out = append(out, n.IBAN)
	}
	for _, n := range res.Numbers.BACS {
		out = append(out, n.Account)
	}
	if len(out) == 0 {
		t.Fatal("the result has no account numbers to look for")
	}
	return out
}

// assertNoSecrets fails when a file holds any of the secrets.
func assertNoSecrets(t *testing.T, secrets map[string]string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for what, s := range secrets {
			if s == "" {
				t.Fatalf("the test does not know %s", what)
			}
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds %s (%s)", p, what, s)
			}
		}
	}
}

func TestSandboxLinkTranscriptHoldsTheCallsAndNoSecret(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.useFakePlaid(t)
	te.environ["PLAID_COUNTRY_CODES"] = "US,CA,GB" // every number family comes back
	path := filepath.Join(t.TempDir(), "session.jsonl")
	if code := te.run("sandbox", "link", "--institution", "ins_117650", "--json", "--transcript", path); code != exitOK {
		t.Fatalf("exit %d: %s", code, te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "Transcript: "+path) {
		t.Errorf("stderr does not say where the transcript is:\n%s", te.stderr)
	}
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".md"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	lines := readLines(t, path)
	if lines[0]["kind"] != "session" || lines[0]["environment"] != "sandbox" || lines[0]["command"] != "plaid-onboard sandbox link" {
		t.Errorf("first entry = %v", lines[0])
	}
	settings, _ := lines[0]["settings"].(map[string]any)
	if settings["api_url"] == nil || settings["products"] == nil || settings["country_codes"] == nil {
		t.Errorf("settings in force = %v, want products, country codes and the overridden API URL", settings)
	}
	calls := map[string]string{}
	for _, l := range lines {
		if l["kind"] == "api_call" {
			id, _ := l["request_id"].(string)
			calls[l["endpoint"].(string)] = id
		}
	}
	for _, ep := range []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/auth/get"} {
		if calls[ep] == "" {
			t.Errorf("no %s call with a request_id in the transcript: %v", ep, calls)
		}
	}
	token, err := te.store.Get("sandbox/item/" + res.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the client secret": emulator.DemoSecret, "the access token": token}
	for i, n := range numbersOf(t, res) {
		secrets["account number "+string(rune('A'+i))] = n
	}
	assertNoSecrets(t, secrets, path, path+".md")
	md, _ := os.ReadFile(path + ".md")
	if !strings.Contains(string(md), res.ItemID) || !strings.Contains(string(md), calls["/auth/get"]) {
		t.Errorf("summary lacks the item_id or the request_id of /auth/get:\n%s", md)
	}
}

func TestTranscriptFlagIsRefusedWhereNothingIsRecordedAndForSymlinks(t *testing.T) {
	te := newTestEnv(t)
	dir := t.TempDir()
	if code := te.run("items", "--transcript", filepath.Join(dir, "x")); code != exitUsage || !strings.Contains(te.stderr.String(), "makes no Plaid call") {
		t.Errorf("items --transcript: exit %d, %s", code, te.stderr)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	if code := te.run("--demo", "sandbox", "link", "--transcript", link); code != exitUsage || !strings.Contains(te.stderr.String(), "symbolic link") {
		t.Errorf("a symlinked --transcript: exit %d, %s", code, te.stderr)
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("the symlink was followed")
	}
}

func TestReportPrintsTheLastSessionAndRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	if code := te.run("report"); code != exitFailure || !strings.Contains(te.stderr.String(), "no session recorded yet") {
		t.Errorf("report before any session: exit %d, %s", code, te.stderr)
	}
	notOne := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notOne, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := te.run("report", notOne); code != exitFailure || !strings.Contains(te.stderr.String(), "not a plaid-onboard transcript") {
		t.Errorf("report of a text file: exit %d, %s", code, te.stderr)
	}

	if code := te.run("--demo", "sandbox", "link", "--json"); code != exitOK {
		t.Fatalf("sandbox link: exit %d: %s", code, te.stderr)
	}
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if code := te.run("report"); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, te.stderr)
	}
	out := te.stdout.String()
	for _, want := range []string{"# plaid-onboard session", "**Environment**: sandbox (offline demo", "**Products**: auth", "**OS**: ",
		"**item_id**: `" + res.ItemID + "`", "/item/public_token/exchange → HTTP 200", "last-session.jsonl"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, n := range numbersOf(t, res) {
		if strings.Contains(out, n) {
			t.Errorf("report holds the account number %s", n)
		}
	}

	if code := te.run("report", "--json"); code != exitOK {
		t.Fatalf("report --json: exit %d: %s", code, te.stderr)
	}
	doc := te.jsonDocument(t)
	ids, _ := doc["ids"].(map[string]any)
	if ids["item_id"] != res.ItemID || len(doc["entries"].([]any)) < 5 || !strings.Contains(doc["summary"].(string), res.ItemID) {
		t.Errorf("report --json: ids %v, %d entries", ids, len(doc["entries"].([]any)))
	}
}

// TestItemCommandsTranscriptsHoldNoToken: the Item commands record their calls, and the tokens
// they hand out (processor tokens, Stripe's btok_, a rotated access token) stay out of the
// transcript although the command printed them.
func TestItemCommandsTranscriptsHoldNoToken(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.useFakePlaid(t)
	te.mustRun(t, exitOK, "sandbox", "link", "--json")
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cases := []struct {
		name, endpoint, tokenField string
		args                       []string
	}{
		{"dwolla", "/processor/token/create", "token", []string{"processor-token", res.ItemID, "--account", "0000", "--processor", "dwolla", "--json"}},
		{"stripe", "/processor/stripe/bank_account_token/create", "token", []string{"processor-token", res.ItemID, "--account", "0000", "--processor", "stripe", "--json"}},
		{"status", "/item/get", "", []string{"items", "status", res.ItemID, "--json"}},
		{"balances", "/accounts/balance/get", "", []string{"balances", res.ItemID, "--json"}},
		{"rotate", "/item/access_token/invalidate", "", []string{"items", "rotate", res.ItemID, "--json"}},
		{"auth", "/auth/get", "", []string{"auth", res.ItemID, "--json"}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".jsonl")
		access, err := te.store.Get("sandbox/item/" + res.ItemID)
		if err != nil {
			t.Fatal(err)
		}
		te.mustRun(t, exitOK, append(c.args, "--transcript", path)...)
		secrets := map[string]string{"the client secret": emulator.DemoSecret, "the access token in force before": access}
		if c.tokenField != "" {
			secrets["the "+c.name+" token"] = te.jsonDocument(t)[c.tokenField].(string)
		}
		if now, err := te.store.Get("sandbox/item/" + res.ItemID); err == nil {
			secrets["the access token in force after"] = now
		}
		found := false
		for _, l := range readLines(t, path) {
			if l["endpoint"] == c.endpoint && l["request_id"] != nil && l["http_status"] == float64(200) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the transcript has no %s call with its request_id", c.name, c.endpoint)
		}
		assertNoSecrets(t, secrets, path, path+".md")
	}
}
