package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// noBusEnv is a login with no D-Bus session bus (a server, a container, WSL): no keyring.
func noBusEnv(t *testing.T, dirs userDirs, extra ...string) []string {
	env := []string{
		"HOME=" + dirs.home,
		"XDG_CONFIG_HOME=" + dirs.config,
		"XDG_RUNTIME_DIR=" + t.TempDir(), // no bus socket in it
		"PATH=" + os.Getenv("PATH"),
	}
	return append(env, extra...)
}

// itemsListed is `items --json`.
type itemsListed struct {
	Items []vault.SavedItem `json:"items"`
}

// TestE2ENoKeyringDemoKeepsItsItems: with no keyring, the demo keeps its Items in a plain file
// in the profile's folder (mode 0600), says so once where it says the Item was saved, and the
// next runs list the Item and read its numbers with the token kept there.
func TestE2ENoKeyringDemoKeepsItsItems(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	env := noBusEnv(t, dirs)
	var linked plaidapi.Result
	stderr := runJSON(t, dirs, env, &linked, "--demo", "sandbox", "link", "--json")
	file := filepath.Join(dirs.config, "plaid-onboard", "demo-secrets.json")
	if !linked.Storage.Saved {
		t.Fatalf("the demo did not save its Item without a keyring: %+v\n%s", linked.Storage, stderr)
	}
	if n := strings.Count(stderr, file+" (the demo's tokens are the emulator's, not secrets)"); n != 1 {
		t.Errorf("the run says %d times where the Item was kept, want once:\n%s", n, stderr)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the demo's file: %v, %v", fi, err)
	}

	var listed itemsListed
	runJSON(t, dirs, env, &listed, "--demo", "items", "--json")
	if len(listed.Items) != 1 || listed.Items[0].ItemID != linked.ItemID {
		t.Fatalf("the next run lists %+v, want the Item just linked (%s)", listed.Items, linked.ItemID)
	}
	var again plaidapi.Result
	runJSON(t, dirs, env, &again, "--demo", "auth", linked.ItemName, "--json")
	if again.ItemID != linked.ItemID || len(again.Numbers.ACH) == 0 {
		t.Errorf("auth in a new run: item %s, ACH %+v", again.ItemID, again.Numbers.ACH)
	}
}

// TestE2EEncryptedFileStoreWithRealKeys: on a machine with no keyring, PLAID_ONBOARD_STORE=file
// and PLAID_ONBOARD_PASSPHRASE keep a Sandbox Item (against the emulator) in the encrypted file:
// later processes list it, read its numbers, rotate it, make a processor token with the new
// token and remove it; the wrong passphrase fails
// naming the file; no token, secret or passphrase is in clear in any file.
func TestE2EEncryptedFileStoreWithRealKeys(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	dirs := newUserDirs(t)
	const pass = "tr0ub4dor & 3"
	base := noBusEnv(t, dirs, "PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
	env := append(base, "PLAID_ONBOARD_STORE=file", "PLAID_ONBOARD_PASSPHRASE="+pass)
	keyFile := filepath.Join(dirs.config, "plaid-onboard", "secrets.key.age")

	var linked plaidapi.Result
	stderr := runJSON(t, dirs, env, &linked, "sandbox", "link", "--json")
	if !linked.Storage.Saved || !strings.Contains(linked.Storage.Where, "the encrypted file "+filepath.Join(dirs.config, "plaid-onboard", "secrets.age")) {
		t.Fatalf("not saved in the encrypted file: %+v\n%s", linked.Storage, stderr)
	}
	if !strings.Contains(stderr, "Creating the encrypted store") {
		t.Errorf("the first run does not say it made the store:\n%s", stderr)
	}
	var listed itemsListed
	runJSON(t, dirs, env, &listed, "items", "--json")
	if len(listed.Items) != 1 || listed.Items[0].ItemID != linked.ItemID {
		t.Fatalf("items in a second process: %+v", listed.Items)
	}
	var again plaidapi.Result
	runJSON(t, dirs, env, &again, "auth", linked.ItemName, "--json")
	if again.ItemID != linked.ItemID || len(again.Numbers.ACH) == 0 {
		t.Errorf("auth in a second process: item %s, ACH %+v", again.ItemID, again.Numbers.ACH)
	}
	var who whoamiDocument
	runJSON(t, dirs, env, &who, "whoami", "--json")
	if who.Store.Kind != vault.StoreFile || who.KeyringProblem != "" {
		t.Errorf("whoami --json with the file store: store %+v, keyring problem %q", who.Store, who.KeyringProblem)
	}

	// The flag chooses too: the same store through --store with no PLAID_ONBOARD_STORE.
	stdout, stderr, code := runBinary(t, dirs, append(base, "PLAID_ONBOARD_PASSPHRASE=not it"), "--store", "file", "auth", linked.ItemName)
	if code != exitFailure || !strings.Contains(stderr, keyFile) || !strings.Contains(stderr, "wrong passphrase") {
		t.Errorf("the wrong passphrase: exit %d, want %d and an error naming %s\n%s%s", code, exitFailure, keyFile, stdout, stderr)
	}

	runBinaryOK(t, dirs, env, "items", "rotate", linked.ItemName)
	if out := runBinaryOK(t, dirs, env, "processor-token", linked.ItemName, "--account", "0000", "--processor", "dwolla"); !strings.Contains(out, "processor-sandbox-") {
		t.Errorf("processor-token with the rotated token from the file store printed:\n%s", out)
	}
	assertNotInFiles(t, map[string]string{"an access token": "access-sandbox-", "the secret": emulator.DemoSecret, "the passphrase": pass},
		dirs.config, dirs.home, dirs.work)
	runBinaryOK(t, dirs, env, "items", "remove", linked.ItemName, "--yes")
	runJSON(t, dirs, env, &listed, "items", "--json")
	if len(listed.Items) != 0 {
		t.Errorf("after remove, items lists %+v", listed.Items)
	}
}
