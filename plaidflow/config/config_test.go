package config

import (
	"errors"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfigPrecedence(t *testing.T) {
	environ := map[string]string{"PLAID_CLIENT_ID": "env-id", "PLAID_SECRET": "env-secret", "PLAID_ENV": "production"}
	dotenv := map[string]string{"PLAID_CLIENT_ID": "dot-id", "PLAID_SECRET": "dot-secret", "PLAID_ENV": "sandbox", "PLAID_COUNTRY_CODES": "us, ca"}
	getenv := func(k string) string { return environ[k] }

	tests := []struct {
		name       string
		flags      Overrides
		getenv     func(string) string
		wantID     string
		wantIDFrom Source
		wantEnv    Env
		wantEnvSrc Source
	}{
		{"flags win", Overrides{ClientID: "flag-id", Env: "sandbox"}, getenv, "flag-id", SourceFlag, Sandbox, SourceFlag},
		{"environment beats .env", Overrides{}, getenv, "env-id", SourceEnviron, Production, SourceEnviron},
		{".env when nothing else", Overrides{}, func(string) string { return "" }, "dot-id", SourceDotEnv, Sandbox, SourceDotEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.flags, tt.getenv, dotenv)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ClientID != tt.wantID || cfg.ClientIDSource != tt.wantIDFrom {
				t.Errorf("client id = %q from %q, want %q from %q", cfg.ClientID, cfg.ClientIDSource, tt.wantID, tt.wantIDFrom)
			}
			if cfg.Env != tt.wantEnv || cfg.EnvSource != tt.wantEnvSrc {
				t.Errorf("env = %q from %q, want %q from %q", cfg.Env, cfg.EnvSource, tt.wantEnv, tt.wantEnvSrc)
			}
			if got := strings.Join(cfg.CountryCodes, ","); got != "US,CA" {
				t.Errorf("country codes = %q, want US,CA (normalised from .env)", got)
			}
		})
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(Overrides{}, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Env != Sandbox || cfg.EnvSource != SourceDefault {
		t.Errorf("env = %q (%q), want sandbox by default", cfg.Env, cfg.EnvSource)
	}
	if strings.Join(cfg.Products, ",") != "auth" || strings.Join(cfg.CountryCodes, ",") != "US" {
		t.Errorf("products %v countries %v, want [auth] [US]", cfg.Products, cfg.CountryCodes)
	}
	if cfg.LinkScriptURL != DefaultLinkScript {
		t.Errorf("link script = %q", cfg.LinkScriptURL)
	}
	if cfg.HasKeys() {
		t.Error("no keys were given, HasKeys must be false")
	}
}

func TestLoadConfigRejects(t *testing.T) {
	tests := []struct {
		name, env, clientName, want string
	}{
		{"retired development env", "development", "", "retired"},
		{"unknown env", "staging", "", "unknown plaid environment"},
		{"client name over 30 characters", "", strings.Repeat("x", 31), "at most 30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(Overrides{Env: tt.env, ClientName: tt.clientName}, func(string) string { return "" }, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		cfg     Config
		want    string
		wantErr string
	}{
		{Config{Env: Sandbox}, "https://sandbox.plaid.com", ""},
		{Config{Env: Production}, "https://production.plaid.com", ""},
		{Config{APIURL: "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080", ""},
		{Config{APIURL: "https://recorder.example.com"}, "https://recorder.example.com", ""},
		{Config{APIURL: "http://plaid.example.com"}, "", "only on loopback"},
		{Config{APIURL: "ftp://x"}, "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		got, err := tt.cfg.BaseURL()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("BaseURL(%q) err = %v, want %q", tt.cfg.APIURL, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("BaseURL(%+v) = %q, %v; want %q", tt.cfg, got, err, tt.want)
		}
	}
}

func TestKeyFormatChecks(t *testing.T) {
	if err := CheckClientID(strings.Repeat("a1", 12)); err != nil {
		t.Errorf("24 hex chars rejected: %v", err)
	}
	if err := CheckClientID("abc"); err == nil || !strings.Contains(err.Error(), "24 hex") {
		t.Errorf("short client id accepted or unclear: %v", err)
	}
	if err := CheckSecret(strings.Repeat("f", 30)); err != nil {
		t.Errorf("30 hex chars rejected: %v", err)
	}
	if err := CheckSecret(strings.Repeat("g", 30)); err == nil || !strings.Contains(err.Error(), "hex digits") {
		t.Errorf("non-hex secret accepted or unclear: %v", err)
	}
}

func TestNamespaceKeepsDemoApart(t *testing.T) {
	if (Config{Env: Sandbox, Demo: true}).Namespace() == (Config{Env: Sandbox}).Namespace() {
		t.Fatal("demo and real Sandbox Items would share a namespace")
	}
}

func TestReadDotEnv(t *testing.T) {
	// The quickstart's conventions, and the cases the hand-written parser got wrong: a quoted
	// value followed by a comment kept its quotes, and a multi-line value failed every command.
	in := `# Plaid quickstart .env
PLAID_CLIENT_ID=abc
export PLAID_SECRET="s3cr3t # not a comment"
PLAID_ENV=sandbox # trailing comment
PLAID_PRODUCTS='auth,transactions'
PLAID_CLIENT_NAME="Acme" # shown in Link
CERT="-----BEGIN-----
line two
-----END-----"

`
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDotEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"PLAID_CLIENT_ID":   "abc",
		"PLAID_SECRET":      "s3cr3t # not a comment",
		"PLAID_ENV":         "sandbox",
		"PLAID_PRODUCTS":    "auth,transactions",
		"PLAID_CLIENT_NAME": "Acme",
		"CERT":              "-----BEGIN-----\nline two\n-----END-----",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestReadDotEnvMissingFileIsEmpty(t *testing.T) {
	got, err := ReadDotEnv(t.TempDir() + "/.env")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want empty, nil", got, err)
	}
}

func TestResolveFindsSavedKeysLast(t *testing.T) {
	store := vault.NewMemoryStore()
	vlt := vault.NewVault(store, t.TempDir())
	if err := vlt.SaveKeys("sandbox", "saved-id", "saved-secret"); err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{}
	src := Sources{Getenv: func(k string) string { return environ[k] }, Vault: vlt}

	cfg, notes, err := Resolve(src)
	if err != nil || len(notes) != 0 {
		t.Fatal(err, notes)
	}
	if cfg.ClientID != "saved-id" || cfg.Secret != "saved-secret" || cfg.ClientIDSource != SourceKeyring || cfg.SecretSource != SourceKeyring {
		t.Errorf("from the keyring: %+v", cfg)
	}

	// A client_id given elsewhere is never paired with the secret saved for another one.
	environ["PLAID_CLIENT_ID"] = "other-id"
	cfg, _, _ = Resolve(src)
	if cfg.ClientID != "other-id" || cfg.Secret != "" {
		t.Errorf("other client_id: %+v", cfg)
	}

	// Another environment has its own keys: none saved for production.
	delete(environ, "PLAID_CLIENT_ID")
	cfg, _, _ = Resolve(src.For(Production))
	if cfg.Env != Production || cfg.HasKeys() {
		t.Errorf("production: %+v", cfg)
	}
}

func TestResolveSaysWhenTheKeyringDoesNotAnswer(t *testing.T) {
	// Keys saved by an earlier run, whose keyring no longer answers.
	dir := t.TempDir()
	if err := vault.NewVault(vault.NewMemoryStore(), dir).SaveKeys("sandbox", "id", "secret"); err != nil {
		t.Fatal(err)
	}
	cfg, notes, err := Resolve(Sources{Vault: vault.NewVault(&brokenKeyring{}, dir)})
	if err != nil || cfg.HasKeys() {
		t.Fatal(err, cfg)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "no OS keyring is reachable") {
		t.Errorf("notes = %q", notes)
	}
}

type brokenKeyring struct{ vault.MemoryStore }

func (*brokenKeyring) Get(string) (string, error) {
	return "", &vault.KeyringError{Op: "read", Cause: errors.New("timed out")}
}

func TestForDemoKeepsChosenCountries(t *testing.T) {
	em := Emulator{URL: "http://127.0.0.1:1", LinkScriptURL: "http://127.0.0.1:1/link.js", ClientID: "demo-id", Secret: "demo-secret"}
	cfg, _ := LoadConfig(Overrides{ClientID: "mine"}, func(string) string { return "" }, nil)
	d := cfg.ForDemo(em)
	if !d.Demo || d.ClientID != "demo-id" || d.APIURL != em.URL || strings.Join(d.CountryCodes, ",") != "US,CA,GB" {
		t.Errorf("demo config %+v", d)
	}
	cfg, _ = LoadConfig(Overrides{CountryCodes: "GB"}, func(string) string { return "" }, nil)
	if got := strings.Join(cfg.ForDemo(em).CountryCodes, ","); got != "GB" {
		t.Errorf("chosen countries replaced by the demo's: %s", got)
	}
}
