package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// requireKeyring checks that a real Secret Service answers on this D-Bus session.
func requireKeyring(t *testing.T) { t.Helper(); e2etest.RequireKeyring(t, vault.KeyringService) }

// userDirs is a fresh home and config directory for the binary, so the test reads and writes
// nothing of the developer's, and can afterwards search every file the program wrote.
type userDirs struct{ home, config, work string }

func newUserDirs(t *testing.T) userDirs {
	root := t.TempDir()
	u := userDirs{home: filepath.Join(root, "home"), config: filepath.Join(root, "config"), work: filepath.Join(root, "work")}
	for _, d := range []string{u.home, u.config, u.work} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func (u userDirs) env(extra ...string) []string {
	env := []string{
		"HOME=" + u.home,
		"XDG_CONFIG_HOME=" + u.config,
		"PATH=" + os.Getenv("PATH"),
		"DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS"),
	}
	return append(env, extra...)
}

// runBinary runs plaid-onboard and returns stdout, stderr and the exit code.
func runBinary(t *testing.T, dirs userDirs, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testBinary(t), args...)
	cmd.Dir = dirs.work
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// runJSON runs plaid-onboard, fails unless it exits 0 with one JSON document on stdout, decodes
// that into v and returns stderr.
func runJSON(t *testing.T, dirs userDirs, env []string, v any, args ...string) string {
	t.Helper()
	stdout, stderr, code := runBinary(t, dirs, env, args...)
	if code != 0 {
		t.Fatalf("plaid-onboard %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("plaid-onboard %s: stdout is not the JSON document: %v\n%s", strings.Join(args, " "), err, stdout)
	}
	return stderr
}

// assertNotInFiles fails when any secret appears in any file under the directories.
func assertNotInFiles(t *testing.T, secrets map[string]string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for what, s := range secrets {
				if s != "" && bytes.Contains(b, []byte(s)) {
					t.Errorf("%s found in the plain file %s", what, path)
				}
			}
			return nil
		})
	}
}

// TestE2ESandboxLinkThenAuthAcrossProcesses: one process links an Item and saves it in the real
// keyring; a second process finds it and prints the same numbers; no token or secret is left
// in a plain file.
func TestE2ESandboxLinkThenAuthAcrossProcesses(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	clientID, secret := "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	srv := emulator.NewServer(emulator.WithKeys(clientID, secret))
	defer srv.Close()
	dirs := newUserDirs(t)
	env := dirs.env("PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID="+clientID, "PLAID_SECRET="+secret)

	var linked plaidapi.Result
	var (
		stdout string
		code   int
	)
	stderr := runJSON(t, dirs, env, &linked, "sandbox", "link", "--json")
	if !linked.Storage.Saved || linked.ItemID == "" {
		t.Fatalf("Item not saved: %+v (stderr %s)", linked.Storage, stderr)
	}

	// The access token is in the real keyring, filed under the service name.
	token, err := keyring.Get(vault.KeyringService, "sandbox/item/"+linked.ItemID)
	if err != nil || !strings.HasPrefix(token, "access-sandbox-") {
		t.Fatalf("keyring entry for the Item: %q, %v", token, err)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+linked.ItemID) })
	// secret-tool is another Secret Service client: it sees what the user's other tools see.
	switch out, err := exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService).CombinedOutput(); {
	case errors.Is(err, exec.ErrNotFound) && !e2etest.Required():
		t.Log("secret-tool is not installed (apt-get install libsecret-tools): not checking that other Secret Service clients see the Item")
	case err != nil:
		t.Errorf("secret-tool search (apt-get install libsecret-tools): %v\n%s", err, out)
	case !strings.Contains(string(out), linked.ItemID):
		t.Errorf("secret-tool does not list the Item:\n%s", out)
	}

	// A second process, knowing only the Item's name, prints the same numbers.
	stdout, stderr, code = runBinary(t, dirs, env, "auth", linked.ItemName, "--json")
	if code != 0 {
		t.Fatalf("auth exit %d\n%s", code, stderr)
	}
	var again plaidapi.Result
	if err := json.Unmarshal([]byte(stdout), &again); err != nil {
		t.Fatalf("auth --json: %v\n%s", err, stdout)
	}
	if again.ItemID != linked.ItemID || len(again.Numbers.ACH) == 0 || again.Numbers.ACH[0].Routing != "011401533" {
		t.Errorf("auth in a new process: item %s, ACH %+v", again.ItemID, again.Numbers.ACH)
	}

	// The human table of the same Item.
	stdout, _, code = runBinary(t, dirs, env, "auth")
	if code != 0 || !strings.Contains(stdout, "First Platypus Bank") || !strings.Contains(stdout, "011401533") {
		t.Errorf("auth table (exit %d):\n%s", code, stdout)
	}

	assertNotInFiles(t, map[string]string{"the access token": token, "the client secret": secret}, dirs.home, dirs.config, dirs.work)

	// items remove ends the Item at Plaid and forgets it here.
	_, stderr, code = runBinary(t, dirs, env, "items", "remove", linked.ItemName, "--yes")
	if code != 0 {
		t.Fatalf("items remove exit %d\n%s", code, stderr)
	}
	if _, err := keyring.Get(vault.KeyringService, "sandbox/item/"+linked.ItemID); err == nil {
		t.Error("the removed Item's token is still in the keyring")
	}
	_, stderr, code = runBinary(t, dirs, env, "auth")
	if code != 1 || !strings.Contains(stderr, "no saved items yet") {
		t.Errorf("auth after remove: exit %d, %s", code, stderr)
	}
}

// TestE2EWrongKeysShowPlaidsError: the whole error reaches the user, exit status 1.
func TestE2EWrongKeysShowPlaidsError(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	dirs := newUserDirs(t)
	env := dirs.env("PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID="+strings.Repeat("0", 24), "PLAID_SECRET="+strings.Repeat("0", 30))
	_, stderr, code := runBinary(t, dirs, env, "--no-save", "sandbox", "link")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{"INVALID_API_KEYS", "INVALID_INPUT", "request_id", "Dashboard"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
