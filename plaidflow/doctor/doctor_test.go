package doctor

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// deps are a run against the emulator as if it were Plaid, with a memory keyring, a free
// redirect port and a browser launcher; each test breaks the one thing it is about.
func deps(t *testing.T, env map[string]string) Deps {
	t.Helper()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	return depsAt(t, srv.URL, env)
}

// depsAt are deps against the API at url.
func depsAt(t *testing.T, url string, env map[string]string) Deps {
	t.Helper()
	environ := map[string]string{"PLAID_API_URL": url, "PLAID_CLIENT_ID": emulator.DemoClientID, "PLAID_SECRET": emulator.DemoSecret, "DISPLAY": ":0"}
	for k, v := range env {
		environ[k] = v
	}
	getenv := func(k string) string { return environ[k] }
	dir := t.TempDir()
	return Deps{
		Sources: func(v *vault.Vault) (config.Sources, error) {
			return config.Sources{Getenv: getenv, Vault: v}, nil
		},
		WorkDir:      dir,
		Secrets:      vault.NewMemoryStore(),
		ConfigDir:    func() (string, error) { return dir, nil },
		HTTPClient:   &http.Client{},
		RedirectPort: func(string) (int, bool) { return 8765, true },
		CheckListen:  func(string) error { return nil },
		Launcher:     func() (string, bool, error) { return "xdg-open", false, nil },
		Getenv:       getenv,
	}
}

func find(t *testing.T, rep Report, name string) Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, rep.Checks)
	return Check{}
}

// Everything in order passes, in the documented order with the documented exit statuses.
func TestRunPasses(t *testing.T) {
	t.Parallel()
	rep := Run(context.Background(), deps(t, nil))
	if !rep.OK || rep.ExitCode != 0 || rep.FirstFailed != "" || len(rep.Failed()) != 0 {
		t.Fatalf("report %+v, want every check passed", rep)
	}
	var names []string
	for i, c := range rep.Checks {
		names = append(names, c.Name)
		if c.ExitCode != 10+i {
			t.Errorf("%s has exit code %d, want %d", c.Name, c.ExitCode, 10+i)
		}
	}
	if got := strings.Join(names, ","); got != "keys,api,keys-accepted,redirect-uri,keyring,browser" {
		t.Errorf("checks in the order %s", got)
	}
	if s := find(t, rep, RedirectURI).Status; s != Skip {
		t.Errorf("redirect-uri is %q with PLAID_REDIRECT_URI unset, want skip", s)
	}
}

// Keys Plaid refuses fail keys-accepted with Plaid's error and its next step, while the API
// check passes: Plaid answered.
func TestRefusedKeysAreNotAnUnreachableAPI(t *testing.T) {
	t.Parallel()
	rep := Run(context.Background(), deps(t, map[string]string{"PLAID_SECRET": strings.Repeat("0", 30)}))
	if rep.FirstFailed != KeysAccepted || rep.ExitCode != 12 {
		t.Fatalf("first failed %q (exit %d), want keys-accepted (12)", rep.FirstFailed, rep.ExitCode)
	}
	c := find(t, rep, KeysAccepted)
	if c.Error == nil || c.Error.ErrorCode != "INVALID_API_KEYS" || c.Error.RequestID == "" || c.Fix == "" {
		t.Errorf("keys-accepted = %+v, want Plaid's INVALID_API_KEYS with its request_id and a fix", c)
	}
	if s := find(t, rep, API).Status; s != OK {
		t.Errorf("api is %q: Plaid answered, so it is reachable", s)
	}
}

// The secret is never shown, not even in part; where each key came from is.
func TestKeysNeverShowTheSecret(t *testing.T) {
	t.Parallel()
	rep := Run(context.Background(), deps(t, nil))
	c := find(t, rep, Keys)
	all := c.Summary + strings.Join(c.Details, "\n")
	if strings.Contains(all, emulator.DemoSecret) || strings.Contains(all, emulator.DemoSecret[:8]) {
		t.Errorf("the keys check shows the secret: %s", all)
	}
	if !strings.Contains(all, "secret (30 characters) from the environment") {
		t.Errorf("the keys check does not say where the secret came from: %s", all)
	}
}

// What is unavailable (nothing answered, Plaid down or rate limited) is told apart from a
// refusal that is about the request, through Plaid's decoded error.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    plaidflow.Problem
		want bool
	}{
		{plaidflow.Problem{ErrorType: plaidflow.ErrorTypeNetwork, ErrorCode: "NETWORK_REFUSED"}, true},
		{plaidflow.Problem{ErrorMessage: "context deadline exceeded"}, true},
		{plaidflow.Problem{ErrorType: "API_ERROR", ErrorCode: "PLANNED_MAINTENANCE", HTTPStatus: 503}, true},
		{plaidflow.Problem{ErrorType: "RATE_LIMIT_EXCEEDED", HTTPStatus: 429}, true},
		{plaidflow.Problem{ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400}, false},
		{plaidflow.Problem{ErrorType: "INVALID_REQUEST", ErrorCode: "INVALID_FIELD", HTTPStatus: 400}, false},
	} {
		if got := unavailable(tt.p); got != tt.want {
			t.Errorf("unavailable(%s %s %d) = %t, want %t", tt.p.ErrorType, tt.p.ErrorCode, tt.p.HTTPStatus, got, tt.want)
		}
	}
}

// noBus is a keyring with no D-Bus session bus behind it.
type noBus struct{}

func (noBus) Describe() string           { return "the OS keyring" }
func (noBus) Get(string) (string, error) { return "", vault.ErrNoSessionBus }
func (noBus) Set(string, string) error   { return vault.ErrNoSessionBus }
func (noBus) Delete(string) error        { return vault.ErrNoSessionBus }

// A launcher on PATH is not enough: with no display (a server, a container) xdg-open has no
// browser to start, and link would fail to open the page; doctor says so, with the way out.
func TestBrowserFailsWithNoDisplay(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("DISPLAY decides only on Linux and the BSDs")
	}
	rep := Run(context.Background(), deps(t, map[string]string{"DISPLAY": ""}))
	if c := find(t, rep, Browser); c.Status != Fail || !strings.Contains(c.Summary, "no graphical display") || !strings.Contains(c.Fix, "--no-browser") {
		t.Errorf("browser = %+v, want a failure for the missing display that offers --no-browser", c)
	}
	rep = Run(context.Background(), deps(t, map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": "wayland-0"}))
	if c := find(t, rep, Browser); c.Status != OK {
		t.Errorf("browser with a Wayland display = %+v, want ok", c)
	}
}

func TestKeyringAndBrowserSayWhatToDo(t *testing.T) {
	t.Parallel()
	d := deps(t, nil)
	d.Secrets = noBus{}
	d.Launcher = func() (string, bool, error) { return "", true, errors.New("over ssh") }
	rep := Run(context.Background(), d)
	if rep.FirstFailed != Keyring || rep.ExitCode != 14 {
		t.Fatalf("first failed %q (exit %d), want keyring (14)", rep.FirstFailed, rep.ExitCode)
	}
	if c := find(t, rep, Keyring); !strings.Contains(c.Fix, "dbus-run-session") || !strings.Contains(c.Fix, "--no-save") || !strings.Contains(c.Fix, "--store file") {
		t.Errorf("keyring fix = %q, want the D-Bus session, the encrypted file store and --no-save", c.Fix)
	}
	if rep.Store.Kind != vault.StoreNone || rep.Store.Problem == "" {
		t.Errorf("the report's store = %+v, want none, with why", rep.Store)
	}
	if c := find(t, rep, Browser); c.Status != Fail || !strings.Contains(c.Summary, "over SSH") || !strings.Contains(c.Fix, "--no-browser") {
		t.Errorf("browser = %+v, want an SSH failure that offers --no-browser", c)
	}
	if got := strings.Join(rep.Failed(), ","); got != "keyring,browser" {
		t.Errorf("failed = %s", got)
	}
}

// Before the secret goes to PLAID_API_URL, the front end hears where once; a .env naming
// another URL is ignored, and the keys check says so.
func TestSaysWhereTheKeysGoAndWhatTheDotEnvMayNotSet(t *testing.T) {
	t.Parallel()
	d := deps(t, nil)
	sources := d.Sources
	d.Sources = func(v *vault.Vault) (config.Sources, error) {
		src, err := sources(v)
		src.DotEnv = map[string]string{"PLAID_API_URL": "https://collector.example"}
		return src, err
	}
	var notices []string
	d.Notice = func(n string) { notices = append(notices, n) }
	rep := Run(context.Background(), d)
	api := d.Getenv("PLAID_API_URL")
	if len(notices) != 1 || !strings.Contains(notices[0], api) || !strings.Contains(notices[0], "PLAID_API_URL in the environment") {
		t.Errorf("notices = %q, want one naming %s and where it was set", notices, api)
	}
	if s := find(t, rep, API).Status; s != OK {
		t.Errorf("api is %q: the environment's PLAID_API_URL answers", s)
	}
	if details := strings.Join(find(t, rep, Keys).Details, "\n"); !strings.Contains(details, "ignored PLAID_API_URL from ./.env") {
		t.Errorf("the keys check does not say the .env's PLAID_API_URL was ignored:\n%s", details)
	}
}
