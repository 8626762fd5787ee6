package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/doctor"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// fakeLauncherDir is a directory holding an executable xdg-open that opens nothing: on PATH, the
// doctor finds a browser launcher the way `link` would, without one being installed here.
func fakeLauncherDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// doctorEnv is an in-process run with a browser launcher on PATH (the only thing the doctor
// looks up outside deps) and a display to open it on, so each test fails only the check it is
// about.
func doctorEnv(t *testing.T) *testEnv {
	t.Helper()
	t.Setenv("PATH", fakeLauncherDir(t))
	te := newTestEnv(t)
	te.environ["DISPLAY"] = ":0"
	return te
}

// doctorJSON runs doctor --json and decodes its one document.
func doctorJSON(t *testing.T, te *testEnv, args ...string) (int, doctor.Report) {
	t.Helper()
	code := te.run(append(args, "doctor", "--json")...)
	te.jsonDocument(t) // exactly one JSON object on stdout, whatever the outcome
	var rep doctor.Report
	if err := json.Unmarshal(te.stdout.Bytes(), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, te.stdout)
	}
	return code, rep
}

// check returns the named check of a report, failing the test when it is missing.
func check(t *testing.T, rep doctor.Report, name string) doctor.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("the report has no %q check: %+v", name, rep.Checks)
	return doctor.Check{}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// With the demo every check runs against the emulator and passes: exit 0, the checks in the
// documented order, each with its own exit status, and the redirect URI skipped as unset.
func TestDoctorDemoPasses(t *testing.T) {
	te := doctorEnv(t)
	te.mustRun(t, exitOK, "--demo", "doctor")
	out := te.stdout.String()
	wantAll(t, "doctor's report", out, "offline demo", "ok    keys", "ok    api", "ok    keys-accepted", "skip  redirect-uri", "ok    keyring", "ok    browser", "Every check passed.")
	if len(te.store.Keys()) != 0 {
		t.Errorf("the keyring probe was left behind: %v", te.store.Keys())
	}

	code, rep := doctorJSON(t, te, "--demo")
	if code != exitOK || !rep.OK || rep.ExitCode != 0 || rep.FirstFailed != "" || !rep.Demo || rep.Environment != "sandbox" {
		t.Errorf("--json: exit %d, report %+v", code, rep)
	}
	var names []string
	for i, c := range rep.Checks {
		names = append(names, c.Name)
		if c.ExitCode != 10+i {
			t.Errorf("check %s has exit_code %d, want %d", c.Name, c.ExitCode, 10+i)
		}
	}
	if got, want := strings.Join(names, ","), "keys,api,keys-accepted,redirect-uri,keyring,browser"; got != want {
		t.Errorf("checks in the order %s, want %s", got, want)
	}
}

// Each failure exits with the status of the first failed check, says what failed and what to
// fix, and skips the checks that cannot run without it.
func TestDoctorFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, te *testEnv, srv *emulator.Server)
		args  []string
		code  int
		check string
		want  []string // in the failed check's summary, fix or error, as --json gives them
		skips []string // checks that must say they were not run
	}{
		{
			name: "no keys",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				delete(te.environ, "PLAID_CLIENT_ID")
				delete(te.environ, "PLAID_SECRET")
			},
			code: 10, check: doctor.Keys, want: []string{"no client_id and no secret for sandbox", "dashboard.plaid.com"},
			skips: []string{doctor.API, doctor.KeysAccepted},
		},
		{
			name: "a malformed secret",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["PLAID_SECRET"] = "copy-pasted wrong"
			},
			code: 10, check: doctor.Keys, want: []string{"secret should be 30 hex characters", "the environment", "without spaces or quotes"},
			skips: []string{doctor.API},
		},
		{
			name: "nothing listens at PLAID_API_URL",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["PLAID_API_URL"] = "http://" + closedPort(t)
			},
			code: 11, check: doctor.API, want: []string{"no usable answer", "PLAID_API_URL"}, // refused, or whatever took the port since
			skips: []string{doctor.KeysAccepted},
		},
		{
			name: "Plaid in planned maintenance (503)",
			setup: func(t *testing.T, _ *testEnv, srv *emulator.Server) {
				if err := srv.AddFault(emulator.FaultSpec{Path: "/link/token/create", Kind: emulator.FaultError, ErrorCode: "PLANNED_MAINTENANCE"}); err != nil {
					t.Fatal(err)
				}
			},
			code: 11, check: doctor.API, want: []string{"PLANNED_MAINTENANCE", "request_id"},
		},
		{
			name: "a proxy's text page (502)",
			setup: func(t *testing.T, _ *testEnv, srv *emulator.Server) {
				if err := srv.AddFault(emulator.FaultSpec{Path: "/link/token/create", Kind: emulator.FaultTextPlain}); err != nil {
					t.Fatal(err)
				}
			},
			code: 11, check: doctor.API, want: []string{"UNEXPECTED_RESPONSE", "not a Plaid error"},
		},
		{
			name: "Plaid never answers",
			setup: func(t *testing.T, _ *testEnv, srv *emulator.Server) {
				if err := srv.AddFault(emulator.FaultSpec{Path: "/link/token/create", Kind: emulator.FaultHang}); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"--timeout", "2s"},
			code: 11, check: doctor.API, want: []string{"no usable answer", "deadline"},
		},
		{
			name: "keys Plaid does not know",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["PLAID_SECRET"] = strings.Repeat("0", 30)
			},
			code: 12, check: doctor.KeysAccepted, want: []string{"INVALID_API_KEYS", "request_id", "Dashboard"},
		},
		{
			name: "http redirect URI off localhost",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["PLAID_REDIRECT_URI"] = "http://example.com/oauth-return"
			},
			code: 13, check: doctor.RedirectURI, want: []string{"Plaid accepts plain http only for localhost", "Allowed redirect URIs"},
		},
		{
			name: "redirect URI with a query string",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["PLAID_REDIRECT_URI"] = "https://app.example.com/oauth?x=1"
			},
			code: 13, check: doctor.RedirectURI, want: []string{"query string"},
		},
		{
			name: "redirect URI the Dashboard does not list",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				// An emulator whose Dashboard lists another URI; the one set is well-formed and
				// its port free, so only Plaid can refuse it.
				srv := emulator.NewServer(emulator.WithRedirectURIs("http://localhost:8765/registered"))
				t.Cleanup(srv.Close)
				te.environ["PLAID_API_URL"] = srv.URL
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				port := ln.Addr().(*net.TCPAddr).Port
				ln.Close()
				te.environ["PLAID_REDIRECT_URI"] = "http://localhost:" + strconv.Itoa(port) + "/oauth-return"
			},
			code: 13, check: doctor.RedirectURI, want: []string{"Plaid refused the redirect URI", "OAuth redirect URI must be configured", "request_id"},
		},
		{
			name: "the redirect URI's port is taken",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ln.Close() })
				port := ln.Addr().(*net.TCPAddr).Port
				te.environ["PLAID_REDIRECT_URI"] = "http://localhost:" + strconv.Itoa(port) + "/oauth-return"
			},
			code: 13, check: doctor.RedirectURI, want: []string{"already in use by another program", "stop what listens"},
		},
		{
			name: "no keyring",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.d.Secrets = failingKeyring{}
			},
			code: 14, check: doctor.Keyring, want: []string{"cannot write", "no OS keyring is reachable", "--no-save"},
		},
		{
			name: "a corrupt Items index",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				dir, _ := te.d.ConfigDir()
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "items.json"), []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			code: 14, check: doctor.Keyring, want: []string{"items.json"},
		},
		{
			name: "no browser launcher on PATH",
			setup: func(t *testing.T, _ *testEnv, _ *emulator.Server) {
				t.Setenv("PATH", t.TempDir())
			},
			code: 15, check: doctor.Browser, want: []string{"none of xdg-open", "is on PATH", "--no-browser"},
		},
		{
			name: "over SSH",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				te.environ["SSH_CONNECTION"] = "192.0.2.1 50000 192.0.2.2 22"
			},
			code: 15, check: doctor.Browser, want: []string{"over SSH", "--no-browser"},
		},
		{
			// xdg-open is on PATH, but on a server or in a container it has no browser to
			// start: link could not open the page, and doctor must not say it would.
			name: "no display",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				if runtime.GOOS != "linux" {
					t.Skip("DISPLAY decides only on Linux and the BSDs")
				}
				delete(te.environ, "DISPLAY")
			},
			code: 15, check: doctor.Browser, want: []string{"no graphical display", "--no-browser"},
		},
		{
			name: "no keys and no browser: the keys are named first",
			setup: func(t *testing.T, te *testEnv, _ *emulator.Server) {
				delete(te.environ, "PLAID_SECRET")
				t.Setenv("PATH", t.TempDir())
			},
			code: 10, check: doctor.Keys, want: []string{"no secret for sandbox"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := doctorEnv(t)
			srv := te.useFakePlaid(t)
			tt.setup(t, te, srv)
			code, rep := doctorJSON(t, te, tt.args...)
			if code != tt.code || rep.ExitCode != tt.code || rep.FirstFailed != tt.check || rep.OK {
				t.Fatalf("exit %d (report: exit_code %d, first_failed %q), want %d (%s)\n%s\nstderr: %s",
					code, rep.ExitCode, rep.FirstFailed, tt.code, tt.check, te.stdout, te.stderr)
			}
			c := check(t, rep, tt.check)
			if c.Status != doctor.Fail || c.Fix == "" {
				t.Errorf("the %s check is %q with fix %q; want a failure that says what to fix", tt.check, c.Status, c.Fix)
			}
			blob, _ := json.Marshal(c)
			for _, want := range tt.want {
				if !strings.Contains(string(blob), want) {
					t.Errorf("the %s check does not say %q: %s", tt.check, want, blob)
				}
			}
			for _, name := range tt.skips {
				if s := check(t, rep, name); s.Status != doctor.Skip || !strings.Contains(s.Summary, "not checked") {
					t.Errorf("the %s check is %q (%s); want it skipped, saying why", name, s.Status, s.Summary)
				}
			}

			// The same run for people: the failed check is marked, its fix shown, and the last
			// line names the exit status.
			args := append(append([]string{}, tt.args...), "doctor")
			if code := te.run(args...); code != tt.code {
				t.Fatalf("without --json: exit %d, want %d", code, tt.code)
			}
			out := te.stdout.String()
			if !strings.Contains(out, "FAIL  "+tt.check) || !strings.Contains(out, "fix: ") ||
				!strings.Contains(out, "Exit status "+strconv.Itoa(tt.code)+" ("+tt.check+", the first)") {
				t.Errorf("the report does not show the failure of %s and its fix:\n%s", tt.check, out)
			}
		})
	}
}

// failingKeyring answers like a keyring nobody can reach.
type failingKeyring struct{}

func (failingKeyring) Describe() string { return "the OS keyring (service plaid-onboard)" }
func (failingKeyring) Get(k string) (string, error) {
	return "", &vault.KeyringError{Op: "read " + k, Cause: vault.ErrNoSessionBus}
}
func (failingKeyring) Set(k, _ string) error {
	return &vault.KeyringError{Op: "write " + k, Cause: vault.ErrNoSessionBus}
}
func (failingKeyring) Delete(k string) error {
	return &vault.KeyringError{Op: "delete " + k, Cause: vault.ErrNoSessionBus}
}

// Keys that pass: the report says where each came from and never shows the secret.
func TestDoctorKeysSayWhereTheyCameFrom(t *testing.T) {
	te := doctorEnv(t)
	te.useFakePlaid(t)
	delete(te.environ, "PLAID_SECRET")
	dotenv := "PLAID_SECRET=" + emulator.DemoSecret + "\n"
	if err := os.WriteFile(filepath.Join(te.d.WorkDir, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, rep := doctorJSON(t, te)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, te.stdout)
	}
	keys := strings.Join(check(t, rep, doctor.Keys).Details, "\n")
	for _, want := range []string{"sandbox (in force, the default): client_id " + emulator.DemoClientID[:4] + "…", "from the environment", "secret (30 characters) from ./.env", "well-formed", "production"} {
		if !strings.Contains(keys, want) {
			t.Errorf("the keys check does not say %q:\n%s", want, keys)
		}
	}
	if strings.Contains(te.stdout.String(), emulator.DemoSecret) {
		t.Errorf("doctor printed the secret:\n%s", te.stdout)
	}
	if te.run("doctor"); strings.Contains(te.stdout.String(), emulator.DemoSecret) || strings.Contains(te.stderr.String(), emulator.DemoSecret) {
		t.Errorf("doctor printed the secret:\n%s%s", te.stdout, te.stderr)
	}
}

// doctor's flags: --timeout must be positive, an unknown environment on the command line is a
// usage error as everywhere, and the flags that do nothing for it are refused.
func TestDoctorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"doctor", "--timeout", "0s"},
		{"doctor", "--env", "development"},
		{"doctor", "--mask"},
		{"doctor", "extra"},
	} {
		te := doctorEnv(t)
		if code := te.run(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, te.stderr)
		}
	}
}

// The real binary against the real keyring: the probe is written, read and deleted in the
// Secret Service, and nothing of it stays there.
func TestE2EDoctorRealKeyring(t *testing.T) {
	requireKeyring(t)
	_, err := exec.LookPath("secret-tool")
	e2etest.Require(t, "secret-tool (apt-get install libsecret-tools)", err == nil)
	dirs := newUserDirs(t)
	env := dirs.env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + fakeLauncherDir(t) + string(os.PathListSeparator) + os.Getenv("PATH")
		}
	}
	env = append(env, "DISPLAY=:0") // a desktop session: the browser check passes too
	before := probeEntries(t)
	stdout, stderr, code := runBinary(t, dirs, env, "--demo", "doctor")
	if code != 0 || !strings.Contains(stdout, "ok    keyring        the OS keyring (service plaid-onboard) is reachable and writable") {
		t.Fatalf("exit %d, want 0 with the keyring reachable:\n%s\n%s", code, stdout, stderr)
	}
	// Polled, not read once: a keyring shared with another test run at the same moment may hold
	// that run's probe for the few milliseconds of its check, never longer.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var left []string
		for _, p := range probeEntries(t) {
			if !slicesContain(before, p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("doctor left its probe in the keyring: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// probeEntries lists the doctor probe entries in the Secret Service, by key.
func probeEntries(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService).CombinedOutput()
	// Other tests share this keyring: an entry deleted between secret-tool's search and its read
	// of that entry fails the whole search. Search again: each deletion happens once.
	for try := 0; err != nil && strings.Contains(string(out), "No such secret item") && try < 20; try++ {
		out, err = exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService).CombinedOutput()
	}
	if err != nil && len(out) > 0 && !strings.Contains(string(out), "attribute.") {
		t.Fatalf("secret-tool search: %v\n%s", err, out)
	}
	var keys []string
	for _, line := range strings.Split(string(out), "\n") {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "attribute.username = "); ok && strings.HasPrefix(k, "doctor-probe/") {
			keys = append(keys, k)
		}
	}
	return keys
}

// The real binary where no D-Bus session bus exists (ssh, a container): with real keys the
// keyring check fails and says why and what to do (the encrypted file store among the fixes),
// and the store is "none"; the demo keeps its Items in its own file, so its keyring check passes
// naming that file, and PATH without a launcher fails the browser check (exit 15).
func TestE2EDoctorNoSessionBusNoBrowser(t *testing.T) {
	dirs := newUserDirs(t)
	env := []string{
		"HOME=" + dirs.home,
		"XDG_CONFIG_HOME=" + dirs.config,
		"XDG_RUNTIME_DIR=" + t.TempDir(), // no bus socket in it
		"PATH=" + t.TempDir(),            // no xdg-open, no browser
	}
	stdout, stderr, code := runBinary(t, dirs, env, "doctor")
	if code != 10 {
		t.Fatalf("exit %d, want 10 (keys)\n%s\n%s", code, stdout, stderr)
	}
	wantAll(t, "stdout", stdout, "Keys and Items kept in: nowhere: no OS keyring is reachable", "FAIL  keyring", "no D-Bus session bus", "dbus-run-session", "--store file", "FAIL  browser", "none of xdg-open")

	stdout, stderr, code = runBinary(t, dirs, env, "--demo", "doctor")
	if code != 15 {
		t.Fatalf("--demo: exit %d, want 15 (browser)\n%s\n%s", code, stdout, stderr)
	}
	demoFile := filepath.Join(dirs.config, "plaid-onboard", "demo-secrets.json")
	wantAll(t, "--demo stdout", stdout, "Keys and Items kept in: "+demoFile, "ok    keyring", "FAIL  browser", "1 check failed: browser")
	if !strings.Contains(stderr, "the browser check failed (exit status 15)") {
		t.Errorf("stderr does not name the failed check:\n%s", stderr)
	}
	var rep struct {
		Store vault.StoreInfo `json:"store"`
	}
	runBinaryJSON := func(args ...string) {
		out, errOut, _ := runBinary(t, dirs, env, args...)
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %v\n%s\n%s", args, err, out, errOut)
		}
	}
	runBinaryJSON("--demo", "doctor", "--json")
	if rep.Store.Kind != vault.StoreDemoFile || rep.Store.Path != demoFile {
		t.Errorf("doctor --demo --json store: %+v", rep.Store)
	}
	runBinaryJSON("doctor", "--json")
	if rep.Store.Kind != vault.StoreNone || !strings.Contains(rep.Store.Problem, "D-Bus") {
		t.Errorf("doctor --json store without a keyring: %+v", rep.Store)
	}
}

// doctor --help lists the checks and their exit statuses, offers --json and --timeout, and not
// the flags it refuses; the root's help lists doctor.
func TestDoctorHelp(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "doctor", "--help")
	help := te.stdout.String()
	wantAll(t, "doctor --help", help, "plaid-onboard doctor [flags]", "10 keys, 11 api, 12 keys-accepted, 13 redirect-uri, 14 keyring, 15 browser", "--timeout", "--json", "--demo")
	wantNone(t, "doctor --help", help, "--mask", "--no-save", "--no-browser") // doctor refuses them
	if te.run("--help"); !strings.Contains(te.stdout.String(), "doctor") {
		t.Errorf("the root's help does not list doctor:\n%s", te.stdout)
	}
}

// ctrl+c while Plaid has not answered stops doctor at once with exit 130 and no report.
func TestDoctorInterrupted(t *testing.T) {
	te := doctorEnv(t)
	srv := te.useFakePlaid(t)
	if err := srv.AddFault(emulator.FaultSpec{Path: "/link/token/create", Kind: emulator.FaultHang}); err != nil {
		t.Fatal(err)
	}
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	done := make(chan int, 1)
	go func() { done <- runContext(ctx, []string{"doctor", "--timeout", "10m"}, te.d) }()
	deadline := time.Now().Add(30 * time.Second)
	for emulatortest.Requests(srv, "/link/token/create") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("doctor never called /link/token/create")
		}
		time.Sleep(10 * time.Millisecond) // polling the condition, not ordering events
	}
	interrupt()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("doctor did not stop within 30s of the interrupt")
	}
	if te.stdout.Len() != 0 || !strings.Contains(te.stderr.String(), "interrupted") {
		t.Errorf("want no report and 'interrupted' on stderr; stdout:\n%s\nstderr:\n%s", te.stdout, te.stderr)
	}
}

// Keys saved in the keyring per environment: good Sandbox keys pass, a malformed Production
// secret fails the keys check by name (exit 10), and the Plaid checks still run with Sandbox's.
func TestDoctorKeysOfTheOtherEnvironment(t *testing.T) {
	te := doctorEnv(t)
	te.useFakePlaid(t)
	delete(te.environ, "PLAID_CLIENT_ID")
	delete(te.environ, "PLAID_SECRET")
	dir, _ := te.d.ConfigDir()
	vlt := vault.NewVault(te.store, dir)
	if err := vlt.SaveKeys("sandbox", emulator.DemoClientID, emulator.DemoSecret); err != nil {
		t.Fatal(err)
	}
	if err := vlt.SaveKeys("production", strings.Repeat("a", 24), "not-a-secret"); err != nil {
		t.Fatal(err)
	}
	code, rep := doctorJSON(t, te)
	if code != 10 {
		t.Fatalf("exit %d, want 10\n%s", code, te.stdout)
	}
	keys := check(t, rep, doctor.Keys)
	if !strings.Contains(keys.Summary, "production: the secret should be 30 hex characters") || !strings.Contains(keys.Summary, "the keyring") {
		t.Errorf("the keys check does not name Production's bad secret and where it came from: %+v", keys)
	}
	if !strings.Contains(strings.Join(keys.Details, "\n"), "sandbox (in force, the default): client_id "+emulator.DemoClientID[:4]+"…"+emulator.DemoClientID[20:]+" from the keyring, secret (30 characters) from the keyring: well-formed") {
		t.Errorf("the keys check does not show Sandbox's keys from the keyring: %q", keys.Details)
	}
	if s := check(t, rep, doctor.KeysAccepted).Status; s != doctor.OK {
		t.Errorf("keys-accepted is %q; Sandbox's keys are good and should have been tried", s)
	}
}

// On a terminal the report wraps long lines under their column; elsewhere each fact stays on
// one line for grep.
func TestDoctorWrapLine(t *testing.T) {
	var b strings.Builder
	wrapLine(&b, "FAIL  keyring  ", "               ", "no D-Bus session bus, so no Secret Service: log in to a desktop session", 40)
	want := "FAIL  keyring  no D-Bus session bus, so\n" +
		"               no Secret Service: log in\n" +
		"               to a desktop session\n"
	if b.String() != want {
		t.Errorf("wrapped at 40 columns:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	wrapLine(&b, "ok    api  ", "           ", "a line  that   stays whole", 0)
	if got := b.String(); got != "ok    api  a line that stays whole\n" {
		t.Errorf("unwrapped: %q", got)
	}
}
