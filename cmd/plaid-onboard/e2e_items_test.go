package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

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
	requireKeyring(t)
	srv, dirs, env := emulatorEnv(t)

	var linked plaidapi.Result
	var code int
	stderr := runJSON(t, dirs, env, &linked, "sandbox", "link", "--json")
	key := "sandbox/item/" + linked.ItemID
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, key) })
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
	if out, err := exec.Command("secret-tool", "search", "--all", "service", vault.KeyringService).CombinedOutput(); err == nil &&
		strings.Count(string(out), "attribute.username = "+key) != 1 {
		t.Errorf("the keyring should hold exactly one entry for the Item:\n%s", out)
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
	requireKeyring(t)
	srv, dirs, env := emulatorEnv(t)

	var linked plaidapi.Result
	var code int
	stderr := runJSON(t, dirs, env, &linked, "sandbox", "link", "--json")
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+linked.ItemID) })
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
