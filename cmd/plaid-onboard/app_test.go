package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// testEnv runs the program in-process with fake streams, an in-memory keyring, a temporary
// config directory and no real environment.
type testEnv struct {
	d       deps
	stdout  *bytes.Buffer
	stderr  *bytes.Buffer
	store   *vault.MemoryStore
	environ map[string]string
	browsed []string
}

type recordingBrowser struct{ urls *[]string }

func (b recordingBrowser) Browse(url string) error {
	*b.urls = append(*b.urls, url)
	return errors.New("no browser in tests")
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	te := &testEnv{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, store: vault.NewMemoryStore(), environ: map[string]string{}}
	configDir := filepath.Join(t.TempDir(), "config")
	stateDir := filepath.Join(t.TempDir(), "state")
	te.d = deps{
		Stdin:      strings.NewReader(""),
		Stdout:     te.stdout,
		Stderr:     te.stderr,
		Getenv:     func(k string) string { return te.environ[k] },
		Browser:    recordingBrowser{&te.browsed},
		Secrets:    te.store,
		ConfigDir:  func() (string, error) { return configDir, nil },
		StateDir:   func() (string, error) { return stateDir, nil },
		WorkDir:    t.TempDir(),
		HTTPClient: plaidapi.NewHTTPClient(),
		Now:        time.Now,
		// An encrypted store made here costs scrypt 2^10, not age's 2^18 (a second of CPU,
		// several under -race); the binary's tests keep the default.
		ScryptWorkFactor: 10,
	}
	return te
}

func (te *testEnv) run(args ...string) int {
	return te.runContext(context.Background(), args...)
}

// wantAll fails the test for each of wants that text lacks; what names the text.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// wantNone fails the test for each of bads that text holds: a flag a command refuses listed in
// its help, a completion it must never offer.
func wantNone(t *testing.T, what, text string, bads ...string) {
	t.Helper()
	for _, bad := range bads {
		if strings.Contains(text, bad) {
			t.Errorf("%s holds %q, which it must not:\n%s", what, bad, text)
		}
	}
}

// mustRun runs the program with args, fails the test unless it exits want, and returns stdout.
func (te *testEnv) mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	if code := te.run(args...); code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, te.stdout, te.stderr)
	}
	return te.stdout.String()
}

func (te *testEnv) runContext(ctx context.Context, args ...string) int {
	te.stdout.Reset()
	te.stderr.Reset()
	return runContext(ctx, args, te.d)
}

// useFakePlaid points the program at an emulator as if it were Plaid (PLAID_API_URL), with its
// keys in the environment, so faults can be injected.
func (te *testEnv) useFakePlaid(t *testing.T) *emulator.Server {
	t.Helper()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	te.environ["PLAID_API_URL"] = srv.URL
	te.environ["PLAID_CLIENT_ID"] = emulator.DemoClientID
	te.environ["PLAID_SECRET"] = emulator.DemoSecret
	return srv
}

// jsonDocument decodes stdout, failing unless it is exactly one JSON object.
func (te *testEnv) jsonDocument(t *testing.T) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(te.stdout.Bytes()))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, te.stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", te.stdout)
	}
	return doc
}

// Every command explains itself with --help, from its own description, and lists only the
// flags it takes.
func TestEveryCommandHasHelp(t *testing.T) {
	tests := []struct {
		args     []string
		want     []string
		mustLack []string
	}{
		{[]string{"--help"}, []string{"plaid-onboard [command]", "link", "sandbox", "auth", "items", "completion", "Exit status", "--demo", "--mask"}, nil},
		{[]string{"-h"}, []string{"plaid-onboard [command]"}, nil},
		{[]string{"help"}, []string{"plaid-onboard [command]"}, nil},
		{[]string{"link", "--help"}, []string{"plaid-onboard link [flags]", "opens your browser", "--no-browser", "--no-save", "--mask", "--json"}, []string{"--institution"}},
		{[]string{"--demo", "link", "--help"}, []string{"plaid-onboard link [flags]"}, nil},
		{[]string{"sandbox", "--help"}, []string{"plaid-onboard sandbox [command]", "link"}, nil},
		{[]string{"code", "--help"}, []string{"plaid-onboard code [TRANSCRIPT] [flags]", "--lang", "curl, go, node, python", "PLAID_API_URL", "/sandbox/public_token/create"}, []string{"--transcript string"}},
		{[]string{"sandbox", "link", "-h"}, []string{"plaid-onboard sandbox link [flags]", "--institution", "ins_117650", "--no-save"}, []string{"--no-browser"}},
		{[]string{"auth", "--help"}, []string{"plaid-onboard auth [ITEM]", "name shown by 'plaid-onboard items'", "--mask"}, []string{"--no-save", "--no-browser"}},
		{[]string{"items", "--help"}, []string{"plaid-onboard items [flags]", "remove", "--json"}, []string{"--no-save", "--mask"}},
		{[]string{"items", "remove", "--help"}, []string{"plaid-onboard items remove ITEM", "/item/remove"}, []string{"--no-save"}},
		{[]string{"completion", "--help"}, []string{"bash", "zsh", "fish", "powershell"}, nil},
		{[]string{"--help"}, []string{"balances", "processor-token", "emulator"}, nil},
		{[]string{"balances", "--help"}, []string{"plaid-onboard balances ITEM", "/accounts/balance/get", "--json"}, []string{"--no-save", "--mask"}},
		{[]string{"processor-token", "--help"}, []string{"plaid-onboard processor-token ITEM", "--account", "--processor"}, []string{"--no-save"}},
		{[]string{"emulator", "--help"}, []string{"plaid-onboard emulator", "--port", "--latency", "/_emulator/"}, []string{"--no-save", "--mask"}},
		{[]string{"items", "status", "--help"}, []string{"plaid-onboard items status ITEM", "/item/get"}, []string{"--no-save"}},
		{[]string{"items", "rename", "--help"}, []string{"plaid-onboard items rename ITEM NAME", "unique"}, nil},
		{[]string{"items", "rotate", "--help"}, []string{"plaid-onboard items rotate ITEM", "/item/access_token/invalidate"}, nil},
		{[]string{"items", "remove", "--help"}, []string{"--yes"}, nil},
		{[]string{"sandbox", "reset-login", "--help"}, []string{"plaid-onboard sandbox reset-login ITEM", "ITEM_LOGIN_REQUIRED"}, nil},
		{[]string{"link", "--help"}, []string{"--update", "--account-select"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitOK, tt.args...)
			wantAll(t, "help", te.stdout.String(), tt.want...)
			wantNone(t, "help", te.stdout.String(), tt.mustLack...)
		})
	}
}

// A mistake on the command line exits 2 and says what is wrong and, when it can, what was meant.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, "plaid-onboard --help"}},
		{"misspelt command", []string{"lnk"}, []string{"Did you mean this?\n\tlink"}},
		{"misspelt subcommand", []string{"sandbox", "lnik"}, []string{`unknown command "lnik"`, "Did you mean this?\n\tlink"}},
		{"misspelt items subcommand", []string{"items", "remvoe", "x"}, []string{"Did you mean this?\n\tremove"}},
		{"unknown flag", []string{"--bogus"}, []string{"unknown flag --bogus"}},
		{"misspelt flag", []string{"sandbox", "link", "--jsn"}, []string{"Did you mean this?\n\t--json"}},
		{"misspelt local flag", []string{"sandbox", "link", "--institutoin", "ins_43"}, []string{"Did you mean this?\n\t--institution"}},
		{"flag of another command", []string{"auth", "--institution", "x"}, []string{"--institution is not a flag of `plaid-onboard auth`", "`plaid-onboard sandbox link`"}},
		{"flag of another command, before it", []string{"--institution", "x", "link"}, []string{"`plaid-onboard sandbox link`"}},
		{"demo with a client id", []string{"--demo", "--client-id", "abc", "auth"}, []string{"--demo brings its own keys"}},
		{"demo with a secret", []string{"sandbox", "link", "--secret", "abc", "--demo"}, []string{"--demo brings its own keys"}},
		{"demo in production", []string{"--demo", "--env", "production", "sandbox", "link"}, []string{"--demo emulates the Sandbox"}},
		{"no-save where nothing is saved", []string{"auth", "--no-save"}, []string{"--no-save is not a flag of `plaid-onboard auth`: only the commands that make an Item to save have it"}},
		{"no-save with items", []string{"--no-save", "items"}, []string{"--no-save is not a flag of `plaid-onboard items`"}},
		{"no-browser where no browser opens", []string{"sandbox", "link", "--no-browser"}, []string{"only the commands that open a browser have it (`plaid-onboard`, `plaid-onboard link`, `plaid-onboard verify`)"}},
		{"mask where no numbers are printed", []string{"items", "--mask"}, []string{"--mask is not a flag of `plaid-onboard items`: only the commands that print account numbers have it"}},
		{"json for a shell script", []string{"completion", "bash", "--json"}, []string{"--json is not a flag of `plaid-onboard completion bash`"}},
		{"sandbox alone", []string{"sandbox"}, []string{"needs a command: sandbox link"}},
		{"auth with two items", []string{"auth", "a", "b"}, []string{"takes one Item", `unexpected "b"`}},
		{"link with an argument", []string{"link", "x"}, []string{"takes no arguments"}},
		{"Hosted Link's flags without --hosted", []string{"--demo", "link", "--public-url", "https://tunnel.example/"}, []string{"--public-url and --webhook-port go with --hosted"}},
		{"Hosted Link with a public URL that is not one", []string{"--demo", "link", "--hosted", "--public-url", "tunnel"}, []string{`--public-url "tunnel" is not an http(s) URL`}},
		{"items remove without an item", []string{"items", "remove"}, []string{"needs the Item to remove"}},
		{"retired environment", []string{"--env", "development", "auth"}, []string{"retired"}},
		{"terminal UI in JSON", []string{"--demo", "--json"}, []string{"the terminal UI has no JSON form", "`sandbox link`"}},
		{"terminal UI without a terminal", []string{"--demo"}, []string{"the terminal UI needs a terminal", "`link`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitUsage, tt.args...)
			wantAll(t, "stderr", te.stderr.String(), tt.wantStderr...)
			if !strings.Contains(te.stderr.String(), "--help' for usage") {
				t.Errorf("stderr does not point to --help:\n%s", te.stderr)
			}
			if !slicesContain(tt.args, "--json") && te.stdout.Len() != 0 {
				t.Errorf("stdout should be empty on a usage error, got %q", te.stdout)
			}
		})
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The global flags work before or after the command's name.
func TestGlobalFlagsGoAnywhere(t *testing.T) {
	for _, args := range [][]string{
		{"--demo", "--json", "--no-save", "sandbox", "link"},
		{"sandbox", "link", "--demo", "--json", "--no-save"},
		{"--demo", "sandbox", "--json", "link", "--no-save", "--institution", "ins_43"},
		{"--institution=ins_43", "--demo", "sandbox", "link", "--json", "--no-save"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitOK, args...)
			if doc := te.jsonDocument(t); doc["demo"] != true {
				t.Errorf("not the demo's result: %v", doc)
			}
		})
	}
}

func TestNoKeysSaysWhereToPutThem(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitFailure, "sandbox", "link")
	for _, want := range []string{"PLAID_CLIENT_ID", "--demo"} {
		if !strings.Contains(te.stderr.String(), want) {
			t.Errorf("stderr %q does not mention %s", te.stderr, want)
		}
	}
}

func TestSandboxLinkRefusedInProduction(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.environ["PLAID_CLIENT_ID"] = strings.Repeat("a", 24)
	te.environ["PLAID_SECRET"] = strings.Repeat("b", 30)
	te.mustRun(t, exitUsage, "--env", "production", "sandbox", "link", "--json")
	if !strings.Contains(te.stderr.String(), "only in the Plaid Sandbox") {
		t.Errorf("stderr = %q", te.stderr)
	}
	p := te.jsonDocument(t)["error"].(map[string]any)
	if p["error_type"] != "USAGE" || !strings.Contains(p["next"].(string), "PLAID_ENV=sandbox") {
		t.Errorf("JSON error = %v, want USAGE with what to do next", p)
	}
}

// With --json, a failure is one JSON object on stdout, {"error": {...}}, with Plaid's fields,
// besides the human message on stderr.
func TestJSONErrorDocument(t *testing.T) {
	t.Parallel()
	t.Run("a Plaid error", func(t *testing.T) {
		te := newTestEnv(t)
		srv := te.useFakePlaid(t)
		srv.InjectError("/sandbox/public_token/create", 1, "INSTITUTION_DOWN")
		te.mustRun(t, exitFailure, "sandbox", "link", "--json", "--no-save")
		p, ok := te.jsonDocument(t)["error"].(map[string]any)
		if !ok {
			t.Fatalf("no error object: %s", te.stdout)
		}
		if p["error_code"] != "INSTITUTION_DOWN" || p["error_type"] != "INSTITUTION_ERROR" {
			t.Errorf("error = %v", p)
		}
		for _, field := range []string{"error_message", "display_message", "request_id", "next"} {
			if s, _ := p[field].(string); s == "" {
				t.Errorf("error lacks %s: %v", field, p)
			}
		}
		wantAll(t, "stderr", te.stderr.String(), "INSTITUTION_DOWN", "request_id", p["request_id"].(string))
	})
	t.Run("a Plaid error after the Item was saved", func(t *testing.T) {
		te := newTestEnv(t)
		srv := te.useFakePlaid(t)
		srv.InjectError("/auth/get", 1, "PRODUCT_NOT_READY")
		te.mustRun(t, exitFailure, "sandbox", "link", "--json")
		p := te.jsonDocument(t)["error"].(map[string]any)
		if p["error_code"] != "PRODUCT_NOT_READY" || !strings.Contains(p["context"].(string), "plaid-onboard auth") {
			t.Errorf("error = %v, want the code and how to get the saved Item's numbers later", p)
		}
	})
	t.Run("a usage error", func(t *testing.T) {
		te := newTestEnv(t)
		te.mustRun(t, exitUsage, "auth", "a", "b", "--json")
		p := te.jsonDocument(t)["error"].(map[string]any)
		if p["error_type"] != "USAGE" || !strings.Contains(p["error_message"].(string), "takes one Item") {
			t.Errorf("error = %v", p)
		}
	})
	t.Run("a flag that could not be parsed", func(t *testing.T) {
		te := newTestEnv(t)
		te.mustRun(t, exitUsage, "--json", "auth", "--bogus")
		if p := te.jsonDocument(t)["error"].(map[string]any); p["error_type"] != "USAGE" {
			t.Errorf("error = %v", p)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		te := newTestEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if code := te.runContext(ctx, "--demo", "sandbox", "link", "--json", "--no-save"); code != exitInterrupted {
			t.Fatalf("exit = %d, want 130; stderr: %s", code, te.stderr)
		}
		if p := te.jsonDocument(t)["error"].(map[string]any); p["error_type"] != "INTERRUPTED" {
			t.Errorf("error = %v", p)
		}
	})
}

func TestDemoSandboxLinkJSON(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--json")
	doc := te.jsonDocument(t)
	if doc["demo"] != true || doc["environment"] != "sandbox" || doc["item_id"] == "" || doc["masked"] != false {
		t.Errorf("demo=%v environment=%v item_id=%v masked=%v", doc["demo"], doc["environment"], doc["item_id"], doc["masked"])
	}
	ach := doc["numbers"].(map[string]any)["ach"].([]any)
	first := ach[0].(map[string]any)
	for _, field := range []string{"account", "routing", "wire_routing", "account_id"} {
		if _, ok := first[field]; !ok {
			t.Errorf("ACH entry lacks Plaid's field %q: %v", field, first)
		}
	}
	for _, family := range []string{"eft", "international", "bacs"} {
		if _, ok := doc["numbers"].(map[string]any)[family]; !ok {
			t.Errorf("numbers lacks %q (every family is always present)", family)
		}
	}

	// A second run finds the demo Item, and only in the demo namespace.
	te.mustRun(t, exitOK, "--demo", "items", "--json")
	if !strings.Contains(te.stdout.String(), doc["item_id"].(string)) {
		t.Errorf("demo items do not list the new Item: %s", te.stdout)
	}
	// A later run's emulator answers for the Item linked in the earlier one.
	te.mustRun(t, exitOK, "--demo", "auth", "--json")
	if !strings.Contains(te.stdout.String(), doc["item_id"].(string)) || !strings.Contains(te.stdout.String(), "011401533") {
		t.Errorf("demo auth does not show the earlier Item's numbers: %s", te.stdout)
	}

	te.environ["PLAID_CLIENT_ID"] = strings.Repeat("a", 24)
	te.environ["PLAID_SECRET"] = strings.Repeat("b", 30)
	te.mustRun(t, exitOK, "items", "--json")
	if strings.Contains(te.stdout.String(), doc["item_id"].(string)) {
		t.Error("a demo Item shows up among real Sandbox Items")
	}
}

// "environment" means the Plaid environment in every JSON document; "demo" says whether the
// offline emulator stood in for it.
func TestItemsJSONEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		environ map[string]string
		env     string
		demo    bool
	}{
		{[]string{"--demo", "items", "--json"}, nil, "sandbox", true},
		{[]string{"items", "--json"}, nil, "sandbox", false},
		{[]string{"items", "--json", "--env", "production"}, nil, "production", false},
		{[]string{"items", "--json"}, map[string]string{"PLAID_ENV": "production"}, "production", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			for k, v := range tt.environ {
				te.environ[k] = v
			}
			te.mustRun(t, exitOK, tt.args...)
			doc := te.jsonDocument(t)
			if doc["environment"] != tt.env || doc["demo"] != tt.demo {
				t.Errorf("environment=%v demo=%v, want %s %v", doc["environment"], doc["demo"], tt.env, tt.demo)
			}
			if items, ok := doc["items"].([]any); !ok || len(items) != 0 {
				t.Errorf("items = %v, want []", doc["items"])
			}
		})
	}
}

// --mask hides account numbers and IBANs everywhere: in the table and in the JSON.
func TestMaskHidesNumbers(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "--no-save", "sandbox", "link", "--institution", "ins_117650", "--json")
	var full plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &full); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, x := range full.Numbers.International {
		secrets = append(secrets, x.IBAN, plaidapi.FormatIBAN(x.IBAN))
	}
	for _, x := range full.Numbers.BACS {
		secrets = append(secrets, x.Account)
	}
	for _, x := range full.Numbers.ACH {
		secrets = append(secrets, x.Account)
	}
	if len(full.Numbers.International) == 0 || len(full.Numbers.BACS) == 0 {
		t.Fatalf("the UK demo bank returned no IBAN or BACS numbers: %+v", full.Numbers)
	}

	for _, args := range [][]string{
		{"--demo", "sandbox", "link", "--institution", "ins_117650", "--mask", "--json"},
		{"--demo", "sandbox", "link", "--institution", "ins_117650", "--mask"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			te.mustRun(t, exitOK, args...)
			out := te.stdout.String() + te.stderr.String()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("--mask printed %q:\n%s", s, out)
				}
			}
			if !strings.Contains(out, "••••") {
				t.Errorf("no masked number shown:\n%s", out)
			}
			if slicesContain(args, "--json") && te.jsonDocument(t)["masked"] != true {
				t.Error(`the JSON does not say "masked": true`)
			}
		})
	}
}

// The demo says so once, on stderr, whatever the output; the result itself names the demo too.
func TestDemoBannerOnce(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--demo", "sandbox", "link", "--mask"},
		{"--demo", "sandbox", "link", "--json"},
		{"--demo", "items"},
		{"--demo", "items", "--json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitOK, args...)
			// items makes no call, so its banner says whose Items they are, not who answered.
			banner := present.DemoBanner
			if args[1] == "items" {
				banner = present.DemoListBanner
			}
			if n := strings.Count(te.stderr.String(), banner); n != 1 {
				t.Errorf("the banner is on stderr %d times:\n%s", n, te.stderr)
			}
			if strings.Contains(te.stdout.String(), "OFFLINE DEMO") {
				t.Errorf("the banner is on stdout too:\n%s", te.stdout)
			}
		})
	}
}

func TestDemoTableSaysItIsNotPlaid(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--mask")
	out := te.stdout.String()
	wantAll(t, "table", out, "offline demo", "not Plaid", "First Platypus Bank", "Plaid Checking", "routing 011401533", "account ••••0000", "12,060.00 USD")
	if strings.Contains(out, "1111222233330000") {
		t.Error("--mask printed a full account number")
	}
	wantAll(t, "stderr", te.stderr.String(), "✓ Saved the Item", "Next: plaid-onboard --demo auth first-platypus-bank")
}

// --no-save says once, plainly, that nothing was saved; it is not reported as a failure.
func TestNoSaveIsNotAFailure(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "--no-save", "sandbox", "link")
	if !strings.Contains(te.stderr.String(), "– Not saved: saving is off for this session (--no-save)") {
		t.Errorf("stderr does not say saving is off:\n%s", te.stderr)
	}
	if strings.Contains(te.stderr.String(), "✗") || strings.Contains(te.stderr.String(), "Next:") {
		t.Errorf("--no-save reads as a failure, or offers an Item that was not saved:\n%s", te.stderr)
	}
	if len(te.store.Keys()) != 0 {
		t.Errorf("--no-save wrote to the keyring: %v", te.store.Keys())
	}
}

func TestNoKeyringIsSaidPlainly(t *testing.T) {
	te := newTestEnv(t)
	te.d.Secrets = &vault.KeyringStore{Timeout: time.Second}
	// Point go-keyring at a D-Bus that does not exist, as on a server without a desktop session.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	te.useFakePlaid(t)
	// The numbers are printed, but a script must not carry on as if the Item were kept.
	te.mustRun(t, exitFailure, "sandbox", "link")
	if strings.Contains(te.stderr.String(), "✓ Saved") {
		t.Errorf("progress claims the Item was saved:\n%s", te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "✗ Not saved: no OS keyring is reachable") || !strings.Contains(te.stdout.String(), "Not saved: no OS keyring is reachable") {
		t.Errorf("the user is not told the Item was not saved:\nstdout: %s\nstderr: %s", te.stdout, te.stderr)
	}
	dir, _ := te.d.ConfigDir()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was written to %s without a keyring", dir)
	}

	// The demo's tokens are the emulator's: once the keyring fails to answer, it keeps them in
	// its own file and says where.
	te.mustRun(t, exitOK, "--demo", "sandbox", "link")
	wantAll(t, "--demo stderr", te.stderr.String(), "✓ Saved the Item · in "+filepath.Join(dir, "demo-secrets.json")+" (the demo's tokens are the emulator's, not secrets)")
}

func TestAuthNeedsASavedItem(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitFailure, "--demo", "auth")
	// No call was made: nothing says the emulator answered.
	if strings.Contains(te.stderr.String(), "answered") {
		t.Errorf("with no saved Item, nothing answered, but stderr says so: %q", te.stderr)
	}
	// The command it suggests links in the demo, where the user is: pasted, it works.
	if !strings.Contains(te.stderr.String(), "no saved items yet") || !strings.Contains(te.stderr.String(), "next:           link an account first: plaid-onboard --demo sandbox link") {
		t.Errorf("stderr = %q", te.stderr)
	}
	te.environ["PLAID_CLIENT_ID"], te.environ["PLAID_SECRET"] = "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	te.mustRun(t, exitFailure, "--env", "production", "auth")
	if !strings.Contains(te.stderr.String(), "link an account first: plaid-onboard --env production link") {
		t.Errorf("in Production the next step is not Link in Production: %q", te.stderr)
	}
}

func TestItemsRemove(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--json")
	te.mustRun(t, exitOK, "--demo", "items", "remove", "first-platypus-bank", "--yes", "--json")
	doc := te.jsonDocument(t)
	if removed, _ := doc["removed"].(map[string]any); removed["name"] != "first-platypus-bank" || doc["demo"] != true {
		t.Errorf("remove --json = %v", doc)
	}
	if code := te.run("--demo", "items", "remove", "first-platypus-bank", "--yes"); code != exitFailure || !strings.Contains(te.stderr.String(), "no saved items yet") {
		t.Errorf("removing it again: exit %d, %s", code, te.stderr)
	}
}

// The demo offers banks of every number family: a Canadian Item shows EFT numbers and a UK one
// IBAN and BACS, with the default configuration.
func TestDemoShowsEveryNumberFamily(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "--no-save", "sandbox", "link", "--institution", "ins_43")
	if out := te.stdout.String(); !strings.Contains(out, "Tartan-Dominion Bank of Canada") || !strings.Contains(out, "EFT ") || !strings.Contains(out, "branch ") {
		t.Errorf("Canadian demo Item without EFT numbers:\n%s", out)
	}
	te.mustRun(t, exitOK, "--demo", "--no-save", "sandbox", "link", "--institution", "ins_117650")
	if out := te.stdout.String(); !strings.Contains(out, "Royal Bank of Plaid") || !strings.Contains(out, "IBAN GB") || !strings.Contains(out, "sort code ") {
		t.Errorf("UK demo Item without IBAN and BACS:\n%s", out)
	}
}

// The demo's Link token offers US, Canadian and UK banks, unless the user chose countries.
func TestDemoCountries(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	s, err := newSession(te.d, sessionFlags{keys: keyFlags{demo: true}, noSave: true}, "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if got := strings.Join(s.cfg.CountryCodes, ","); got != "US,CA,GB" {
		t.Errorf("demo countries = %s, want US,CA,GB", got)
	}
	te.environ["PLAID_COUNTRY_CODES"] = "ca"
	s2, err := newSession(te.d, sessionFlags{keys: keyFlags{demo: true}, noSave: true}, "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.close()
	if got := strings.Join(s2.cfg.CountryCodes, ","); got != "CA" {
		t.Errorf("with PLAID_COUNTRY_CODES=ca the demo uses %s", got)
	}
}

// failingStore fails the test on any keyring call: completions must not touch the keyring.
type failingStore struct{ t testing.TB }

func (s failingStore) Describe() string { return "a keyring the completions must not use" }
func (s failingStore) Get(k string) (string, error) {
	s.t.Errorf("keyring Get(%q) during completion", k)
	return "", vault.ErrSecretNotFound
}
func (s failingStore) Set(k, _ string) error {
	s.t.Errorf("keyring Set(%q) during completion", k)
	return nil
}
func (s failingStore) Delete(k string) error {
	s.t.Errorf("keyring Delete(%q) during completion", k)
	return nil
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(shell+" script", func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitOK, "completion", shell)
			if !strings.Contains(te.stdout.String(), "plaid-onboard") || te.stdout.Len() < 500 {
				t.Errorf("the %s script is empty or not for plaid-onboard:\n%.300s", shell, te.stdout)
			}
		})
	}

	te := newTestEnv(t)
	dir, _ := te.d.ConfigDir()
	vlt := vault.NewVault(te.store, dir)
	for _, it := range []vault.SavedItem{
		{Namespace: "sandbox", ItemID: "item-1", InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank"},
		{Namespace: "sandbox", ItemID: "item-2", InstitutionID: "ins_43", InstitutionName: "Tartan-Dominion Bank of Canada"},
		{Namespace: "production", ItemID: "item-3", InstitutionID: "ins_1", InstitutionName: "Chase"},
		{Namespace: "demo", ItemID: "item-4", InstitutionID: "ins_117650", InstitutionName: "Royal Bank of Plaid"},
	} {
		if _, err := vlt.SaveItem(it, "access-sandbox-"+it.ItemID); err != nil {
			t.Fatal(err)
		}
	}
	te.d.Secrets = failingStore{t}
	tests := []struct {
		args      []string
		want      []string
		wantNever []string
	}{
		{[]string{"__complete", "auth", ""}, []string{"first-platypus-bank\tFirst Platypus Bank", "tartan-dominion-bank-of-canada"}, []string{"chase", "royal-bank-of-plaid"}},
		{[]string{"__complete", "auth", "tar"}, []string{"tartan-dominion-bank-of-canada"}, []string{"first-platypus-bank"}},
		{[]string{"__complete", "items", "remove", ""}, []string{"first-platypus-bank", "tartan-dominion-bank-of-canada"}, []string{"chase"}},
		{[]string{"__complete", "--env", "production", "auth", ""}, []string{"chase"}, []string{"first-platypus-bank"}},
		{[]string{"__complete", "--demo", "auth", ""}, []string{"royal-bank-of-plaid"}, []string{"first-platypus-bank"}},
		{[]string{"__complete", "auth", "first-platypus-bank", ""}, nil, []string{"tartan"}},
		{[]string{"__complete", "code", "--lang", ""}, []string{"curl\n", "go\n", "node\n", "python\n"}, []string{"first-platypus-bank"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te.mustRun(t, exitOK, tt.args...)
			wantAll(t, "completions", te.stdout.String(), tt.want...)
			wantNone(t, "completions", te.stdout.String(), tt.wantNever...)
			if !strings.Contains(te.stdout.String(), ":4\n") {
				t.Errorf("completions should not fall back to file names (directive 4):\n%s", te.stdout)
			}
		})
	}
}
