package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
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
	code := exitStatus(t, err)
	return stdout.String(), stderr.String(), code
}

// exitStatus is the exit status of a finished child process whose Run or Wait returned err; it
// fails the test when the process could not be run at all.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
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

// sandboxLinked is the first step of most Item stories: `sandbox link --json` with the extra
// flags given, in the real keyring. It returns the linked Item and stderr, and deletes the Item's
// keyring entry when the test ends.
func sandboxLinked(t *testing.T, dirs userDirs, env []string, extra ...string) (plaidapi.Result, string) {
	t.Helper()
	var linked plaidapi.Result
	stderr := runJSON(t, dirs, env, &linked, append(append([]string{"sandbox", "link"}, extra...), "--json")...)
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+linked.ItemID) })
	return linked, stderr
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

	var (
		stdout string
		code   int
	)
	linked, stderr := sandboxLinked(t, dirs, env)
	if !linked.Storage.Saved || linked.ItemID == "" {
		t.Fatalf("Item not saved: %+v (stderr %s)", linked.Storage, stderr)
	}

	// The access token is in the real keyring, filed under the service name.
	token, err := keyring.Get(vault.KeyringService, "sandbox/item/"+linked.ItemID)
	if err != nil || !strings.HasPrefix(token, "access-sandbox-") {
		t.Fatalf("keyring entry for the Item: %q, %v", token, err)
	}
	// secret-tool is another Secret Service client: it sees what the user's other tools see. It
	// searches for this Item's entry only: tests running beside this one delete theirs, and an
	// entry deleted between secret-tool's search and its read of it fails a wider search.
	switch out, err := exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService,
		"username", "sandbox/item/"+linked.ItemID).CombinedOutput(); {
	case errors.Is(err, exec.ErrNotFound) && !e2etest.Required():
		t.Log("secret-tool is not installed (apt-get install libsecret-tools): not checking that other Secret Service clients see the Item")
	case err != nil:
		t.Errorf("secret-tool search (apt-get install libsecret-tools): %v\n%s", err, out)
	case !strings.Contains(string(out), linked.ItemID):
		t.Errorf("secret-tool does not list the Item:\n%s", out)
	}

	// A second process, knowing only the Item's name, prints the same numbers.
	var again plaidapi.Result
	runJSON(t, dirs, env, &again, "auth", linked.ItemName, "--json")
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
	wantAll(t, "stderr", stderr, "INVALID_API_KEYS", "INVALID_INPUT", "request_id", "Dashboard")
}

// authWith calls the emulator's /auth/get with a token directly, as any Plaid client would.
func authWith(t *testing.T, srv *emulator.Server, token string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"client_id": emulator.DemoClientID, "secret": emulator.DemoSecret, "access_token": token})
	resp, err := http.Post(srv.URL+"/auth/get", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		ErrorCode string `json:"error_code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.ErrorCode
}

// TestE2ERotateThenRemoveInTheRealKeyring: rotate keeps exactly one working token in the
// keyring; remove leaves nothing in the keyring or the index.
func TestE2ERotateThenRemoveInTheRealKeyring(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)

	var (
		code   int
		stderr string
	)
	linked, _ := sandboxLinked(t, dirs, env)
	key := "sandbox/item/" + linked.ItemID
	old, err := keyring.Get(vault.KeyringService, key)
	if err != nil {
		t.Fatal(err)
	}

	if _, stderr, code = runBinary(t, dirs, env, "items", "rotate", linked.ItemName); code != 0 {
		t.Fatalf("rotate exit %d\n%s", code, stderr)
	}
	now, err := keyring.Get(vault.KeyringService, key)
	if err != nil || now == old || !strings.HasPrefix(now, "access-sandbox-") {
		t.Fatalf("keyring after rotate: %q, %v", now, err)
	}
	if status, code := authWith(t, srv, old); status != 400 || code != "INVALID_ACCESS_TOKEN" {
		t.Errorf("old token after rotate: %d %s", status, code)
	}
	if status, _ := authWith(t, srv, now); status != 200 {
		t.Errorf("new token after rotate: %d", status)
	}
	if _, stderr, code = runBinary(t, dirs, env, "auth", linked.ItemName); code != 0 {
		t.Errorf("auth after rotate: exit %d\n%s", code, stderr)
	}
	// This Item's entries only, as above: other tests' entries come and go meanwhile.
	switch out, err := exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService, "username", key).CombinedOutput(); {
	case errors.Is(err, exec.ErrNotFound) && !e2etest.Required():
	case err != nil || strings.Count(string(out), "attribute.username = "+key) != 1:
		t.Errorf("the keyring should hold exactly one entry for the Item (%v):\n%s", err, out)
	}
	assertNotInFiles(t, map[string]string{"the old token": old, "the new token": now}, dirs.home, dirs.config, dirs.work)

	if _, stderr, code = runBinary(t, dirs, env, "items", "remove", linked.ItemName, "--yes"); code != 0 {
		t.Fatalf("remove exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Removed "+linked.ItemName) {
		t.Errorf("remove said: %s", stderr)
	}
	if _, err := keyring.Get(vault.KeyringService, key); err == nil {
		t.Error("the keyring still holds the removed Item's token")
	}
	if status, _ := authWith(t, srv, now); status != 400 {
		t.Error("the removed Item's token still works at Plaid")
	}
	b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ix struct {
		Items []vault.SavedItem `json:"items"`
	}
	if err := json.Unmarshal(b, &ix); err != nil || len(ix.Items) != 0 {
		t.Errorf("the index still lists Items: %+v, %v", ix.Items, err)
	}
}

// TestE2EResetLoginThenUpdateModeRepairsTheItem: the support engineer's story. An Item is put
// into ITEM_LOGIN_REQUIRED, auth fails and names the repair, `link --update` opens the stand-in
// Link in update mode in headless Chromium (straight to the bank's login, no institution
// choice), nothing is exchanged, and auth works again. Then again with --account-select, which
// shows the account picker (https://plaid.com/docs/link/update-mode/).
func TestE2EResetLoginThenUpdateModeRepairsTheItem(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)

	var (
		code   int
		stderr string
	)
	linked, _ := sandboxLinked(t, dirs, env)
	name := linked.ItemName

	for _, accountSelect := range []bool{false, true} {
		if _, stderr, code = runBinary(t, dirs, env, "sandbox", "reset-login", name); code != 0 {
			t.Fatalf("reset-login exit %d\n%s", code, stderr)
		}
		_, stderr, code = runBinary(t, dirs, env, "auth", name)
		if code != 1 || !strings.Contains(stderr, "ITEM_LOGIN_REQUIRED") || !strings.Contains(stderr, "plaid-onboard link --update "+name) {
			t.Fatalf("auth after reset-login: exit %d\n%s", code, stderr)
		}
		exchanges := emulatortest.Requests(srv, "/item/public_token/exchange")

		args := []string{"--update", name, "--json"}
		if accountSelect {
			args = append(args, "--account-select")
		}
		p := startLink(t, dirs, env, args...)
		ctx, frame := openLink(t, p.waitURL(t))
		steps := []chromedp.Action[chromedp.Void]{
			paneIs(frame, "CREDENTIAL"), // update mode: no consent, no institution choice
			typeIn(frame, "#username", "user_good"),
			typeIn(frame, "#password", "pass_good"),
			clickIn(frame, "#submit"),
		}
		if accountSelect {
			steps = append(steps, paneIs(frame, "SELECT_ACCOUNT"), clickIn(frame, "#continue"))
		}
		steps = append(steps, paneIs(frame, "CONNECTED"), clickIn(frame, "#continue"),
			pageDone())
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("drive Link in update mode (account select %v): %v\nstderr:\n%s", accountSelect, err, p.stderrText())
		}
		if code := p.wait(t); code != 0 {
			t.Fatalf("link --update exit %d\n%s", code, p.stderrText())
		}
		var res plaidapi.Result
		if err := json.Unmarshal([]byte(p.stdoutText()), &res); err != nil || res.ItemID != linked.ItemID || len(res.Numbers.ACH) == 0 {
			t.Errorf("link --update result: %+v, %v", res, err)
		}
		if emulatortest.Requests(srv, "/item/public_token/exchange") != exchanges || strings.Contains(p.stderrText(), "Exchanged") {
			t.Error("update mode exchanged the public token")
		}
		if _, stderr, code = runBinary(t, dirs, env, "auth", name); code != 0 {
			t.Errorf("auth after the repair: exit %d\n%s", code, stderr)
		}
		if out, _, _ := runBinary(t, dirs, env, "items"); !strings.Contains(out, " ok") {
			t.Errorf("items after the repair:\n%s", out)
		}
	}
}
