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

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// testEnv runs the program in-process with fake streams, an in-memory keyring, a temporary
// config directory and no real environment.
type testEnv struct {
	d       deps
	stdout  *bytes.Buffer
	stderr  *bytes.Buffer
	store   *plaidflow.MemoryStore
	environ map[string]string
	browsed []string
}

type recordingBrowser struct{ urls *[]string }

func (b recordingBrowser) Browse(url string) error {
	*b.urls = append(*b.urls, url)
	return errors.New("no browser in tests")
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	te := &testEnv{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, store: plaidflow.NewMemoryStore(), environ: map[string]string{}}
	configDir := filepath.Join(t.TempDir(), "config")
	te.d = deps{
		Stdin:      strings.NewReader(""),
		Stdout:     te.stdout,
		Stderr:     te.stderr,
		Getenv:     func(k string) string { return te.environ[k] },
		Browser:    recordingBrowser{&te.browsed},
		Secrets:    te.store,
		ConfigDir:  func() (string, error) { return configDir, nil },
		WorkDir:    t.TempDir(),
		HTTPClient: plaidflow.NewHTTPClient(),
		Now:        time.Now,
	}
	return te
}

func (te *testEnv) run(args ...string) int {
	te.stdout.Reset()
	te.stderr.Reset()
	return runContext(context.Background(), args, te.d)
}

func TestUsageAndVersion(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{[]string{"--version"}, exitOK, "plaid-onboard ", ""},
		{[]string{"--help"}, exitOK, "Usage:", ""},
		{[]string{"link", "--help"}, exitOK, "Usage: plaid-onboard link", ""},
		{[]string{"sandbox", "link", "-h"}, exitOK, "Usage: plaid-onboard sandbox link", ""},
		{[]string{"auth", "--help"}, exitOK, "name shown by 'plaid-onboard items'", ""},
		{[]string{"items", "--help"}, exitOK, "items remove ITEM", ""},
		{[]string{"--demo", "link", "--help"}, exitOK, "--no-browser", ""},
		{[]string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"--bogus"}, exitUsage, "", "flag provided but not defined"},
		{[]string{"sandbox"}, exitUsage, "", "usage: plaid-onboard sandbox link"},
		{[]string{"auth", "a", "b"}, exitUsage, "", "unexpected argument"},
		{[]string{"--env", "development", "auth"}, exitUsage, "", "retired"},
		{[]string{"--json"}, exitUsage, "", "needs a terminal"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			if code := te.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit = %d, want %d; stderr: %s", code, tt.wantCode, te.stderr)
			}
			if !strings.Contains(te.stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", te.stdout, tt.wantStdout)
			}
			if !strings.Contains(te.stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", te.stderr, tt.wantStderr)
			}
		})
	}
}

func TestNoKeysSaysWhereToPutThem(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run("sandbox", "link"); code != exitFailure {
		t.Fatalf("exit = %d, want 1", code)
	}
	for _, want := range []string{"PLAID_CLIENT_ID", "--demo"} {
		if !strings.Contains(te.stderr.String(), want) {
			t.Errorf("stderr %q does not mention %s", te.stderr, want)
		}
	}
}

func TestSandboxLinkRefusedInProduction(t *testing.T) {
	te := newTestEnv(t)
	te.environ["PLAID_CLIENT_ID"] = strings.Repeat("a", 24)
	te.environ["PLAID_SECRET"] = strings.Repeat("b", 30)
	if code := te.run("--env", "production", "sandbox", "link"); code != exitUsage {
		t.Fatalf("exit = %d, want 2; stderr: %s", code, te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "only in Sandbox") {
		t.Errorf("stderr = %q", te.stderr)
	}
}

func TestDemoSandboxLinkJSON(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run("--demo", "sandbox", "link", "--json"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal(te.stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, te.stdout)
	}
	if doc["demo"] != true || doc["item_id"] == "" {
		t.Errorf("demo=%v item_id=%v", doc["demo"], doc["item_id"])
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
	if code := te.run("--demo", "items", "--json"); code != exitOK {
		t.Fatalf("items exit = %d: %s", code, te.stderr)
	}
	if !strings.Contains(te.stdout.String(), doc["item_id"].(string)) {
		t.Errorf("demo items do not list the new Item: %s", te.stdout)
	}
	// A later run's emulator answers for the Item linked in the earlier one.
	if code := te.run("--demo", "auth", "--json"); code != exitOK {
		t.Fatalf("demo auth in a later run: exit %d: %s", code, te.stderr)
	}
	if !strings.Contains(te.stdout.String(), doc["item_id"].(string)) || !strings.Contains(te.stdout.String(), "011401533") {
		t.Errorf("demo auth does not show the earlier Item's numbers: %s", te.stdout)
	}

	te.environ["PLAID_CLIENT_ID"] = strings.Repeat("a", 24)
	te.environ["PLAID_SECRET"] = strings.Repeat("b", 30)
	if code := te.run("items", "--json"); code != exitOK {
		t.Fatalf("items exit = %d: %s", code, te.stderr)
	}
	if strings.Contains(te.stdout.String(), doc["item_id"].(string)) {
		t.Error("a demo Item shows up among real Sandbox Items")
	}
}

func TestDemoTableSaysItIsNotPlaid(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run("--demo", "sandbox", "link", "--mask"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	out := te.stdout.String()
	for _, want := range []string{"OFFLINE DEMO", "First Platypus Bank", "Plaid Checking", "routing 011401533", "account ••••0000"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "1111222233330000") {
		t.Error("--mask printed a full account number")
	}
	if !strings.Contains(te.stderr.String(), "OFFLINE DEMO") {
		t.Errorf("stderr does not say it is a demo before the result: %s", te.stderr)
	}
	if code := te.run("--demo", "items"); code != exitOK || !strings.Contains(te.stderr.String(), "OFFLINE DEMO") {
		t.Errorf("demo items (exit %d) does not say it is a demo:\n%s%s", code, te.stdout, te.stderr)
	}
	te.run("--demo", "sandbox", "link", "--mask")
	if !strings.Contains(te.stderr.String(), "✓ Saved the Item") {
		t.Errorf("progress not shown on stderr: %s", te.stderr)
	}
}

func TestNoKeyringIsSaidPlainly(t *testing.T) {
	te := newTestEnv(t)
	te.d.Secrets = &plaidflow.KeyringStore{Timeout: time.Second}
	// Point go-keyring at a D-Bus that does not exist, as on a server without a desktop session.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	if code := te.run("--demo", "sandbox", "link"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	if strings.Contains(te.stderr.String(), "✓ Saved") {
		t.Errorf("progress claims the Item was saved:\n%s", te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "✗ Not saved: no OS keyring is reachable") || !strings.Contains(te.stdout.String(), "NOT saved") {
		t.Errorf("the user is not told the Item was not saved:\nstdout: %s\nstderr: %s", te.stdout, te.stderr)
	}
	dir, _ := te.d.ConfigDir()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was written to %s without a keyring", dir)
	}
}

func TestAuthNeedsASavedItem(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run("--demo", "auth"); code != exitFailure {
		t.Fatalf("exit = %d, want 1", code)
	}
	if !strings.Contains(te.stderr.String(), "no saved items yet") {
		t.Errorf("stderr = %q", te.stderr)
	}
}

// The demo offers banks of every number family: a Canadian Item shows EFT numbers and a UK one
// IBAN and BACS, with the default configuration.
func TestDemoShowsEveryNumberFamily(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run("--demo", "--no-save", "sandbox", "link", "--institution", "ins_43"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	if out := te.stdout.String(); !strings.Contains(out, "Tartan-Dominion Bank of Canada") || !strings.Contains(out, "EFT ") || !strings.Contains(out, "branch ") {
		t.Errorf("Canadian demo Item without EFT numbers:\n%s", out)
	}
	if code := te.run("--demo", "--no-save", "sandbox", "link", "--institution", "ins_117650"); code != exitOK {
		t.Fatalf("exit = %d; stderr: %s", code, te.stderr)
	}
	if out := te.stdout.String(); !strings.Contains(out, "Royal Bank of Plaid") || !strings.Contains(out, "IBAN GB") || !strings.Contains(out, "sort code ") {
		t.Errorf("UK demo Item without IBAN and BACS:\n%s", out)
	}
}

// The demo's Link token offers US, Canadian and UK banks, unless the user chose countries.
func TestDemoCountries(t *testing.T) {
	te := newTestEnv(t)
	s, err := newSession(te.d, &options{demo: true, noSave: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if got := strings.Join(s.cfg.CountryCodes, ","); got != "US,CA,GB" {
		t.Errorf("demo countries = %s, want US,CA,GB", got)
	}
	te.environ["PLAID_COUNTRY_CODES"] = "ca"
	s2, err := newSession(te.d, &options{demo: true, noSave: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.close()
	if got := strings.Join(s2.cfg.CountryCodes, ","); got != "CA" {
		t.Errorf("with PLAID_COUNTRY_CODES=ca the demo uses %s", got)
	}
}
