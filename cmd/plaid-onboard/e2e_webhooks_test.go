package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

func startListen(t *testing.T, dirs userDirs, env []string, args ...string) *process {
	t.Helper()
	return startProcess(t, dirs, env, listenURLLine, append([]string{"webhooks", "listen", "--json"}, args...)...)
}

// TestE2EAutomatedMicrodepositsWithWebhooks walks Automated micro-deposits as a user would,
// with the real keyring and the emulator, each step its own process: the Item is made pending
// without Link, its numbers are not ready, `webhooks listen` receives and verifies AUTH
// AUTOMATICALLY_VERIFIED once `sandbox set-verification-status` moves it on, forwards it to
// the user's app, refuses a forged and a replayed webhook, and the numbers follow.
// https://plaid.com/docs/auth/coverage/automated/, https://plaid.com/docs/api/webhooks/webhook-verification/
func TestE2EAutomatedMicrodepositsWithWebhooks(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)

	// The user's own app, which --forward-to feeds.
	type forwarded struct {
		header http.Header
		body   []byte
	}
	app := make(chan forwarded, 16)
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		app <- forwarded{r.Header.Clone(), b}
	}))
	defer appSrv.Close()

	var item plaidflow.FlowItem
	var code int
	stderr := runJSON(t, dirs, env, &item, "sandbox", "link", "--flow", "automated-microdeposits", "--json")
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+item.ItemID) })
	if len(item.Accounts) != 1 || item.Accounts[0].VerificationStatus != "pending_automatic_verification" || item.AuthMethod != "AUTOMATED_MICRODEPOSITS" {
		t.Fatalf("the new Item: %+v", item)
	}
	if !strings.Contains(stderr, "set-verification-status") {
		t.Errorf("sandbox link --flow does not say what moves the Item on:\n%s", stderr)
	}
	account := item.Accounts[0].ID

	if _, stderr, code := runBinary(t, dirs, env, "auth", item.ItemName); code != 1 || !strings.Contains(stderr, "PRODUCT_NOT_READY") {
		t.Errorf("auth while pending: exit %d, want 1 with PRODUCT_NOT_READY:\n%s", code, stderr)
	}

	lp := startListen(t, dirs, env, "--forward-to", appSrv.URL+"/plaid/webhook")
	listenURL := lp.waitURL(t)
	ack := lp.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED, sent when the listener set itself as the Item's webhook")
	if ack["webhook_code"] != "WEBHOOK_UPDATE_ACKNOWLEDGED" || ack["verified"] != true || ack["item_id"] != item.ItemID {
		t.Fatalf("first webhook %v", ack)
	}

	if out, stderr, code := runBinary(t, dirs, env, "sandbox", "set-verification-status", item.ItemName,
		"--status", "automatically_verified", "--json"); code != 0 || !strings.Contains(out, "automatically_verified") {
		t.Fatalf("set-verification-status exit %d\n%s\n%s", code, out, stderr)
	}
	got := lp.next(t, "AUTH AUTOMATICALLY_VERIFIED")
	if got["webhook_type"] != "AUTH" || got["webhook_code"] != "AUTOMATICALLY_VERIFIED" || got["verified"] != true ||
		got["account_id"] != account || got["environment"] != "sandbox" {
		t.Fatalf("webhook %v, want a verified AUTH AUTOMATICALLY_VERIFIED for account %s", got, account)
	}
	if _, ok := got["reason"]; ok {
		t.Errorf("a verified webhook carries a reason: %v", got)
	}

	// --forward-to: the app got both verified webhooks, headers and body as Plaid sent them.
	var last forwarded
	for range 2 {
		select {
		case last = <-app:
		case <-time.After(e2etest.Timeout):
			t.Fatalf("the app got no forwarded webhook within %s:\n%s", e2etest.Timeout, lp.output())
		}
	}
	if !strings.Contains(string(last.body), "AUTOMATICALLY_VERIFIED") || strings.Count(last.header.Get("Plaid-Verification"), ".") != 2 {
		t.Errorf("forwarded webhook: %s, Plaid-Verification %q", last.body, last.header.Get("Plaid-Verification"))
	}

	// A forgery and a replay posted to the listener are reported unverified, with why, and not
	// forwarded.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	post := func(header string, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, listenURL, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Plaid-Verification", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("listener answered %d to a bad webhook, want 400", resp.StatusCode)
		}
	}
	post(emulator.SignWebhookJWT(other, emulatortest.WebhookKeyID(srv), last.body, time.Now()), last.body)
	forged := lp.next(t, "the forged webhook")
	if forged["verified"] != false || !strings.Contains(forged["reason"].(string), "signature does not match") {
		t.Errorf("forged webhook reported as %v", forged)
	}
	post(emulatortest.SignWebhook(srv, last.body, time.Now().Add(-10*time.Minute)), last.body)
	replayed := lp.next(t, "the replayed webhook")
	if replayed["verified"] != false || !strings.Contains(replayed["reason"].(string), "older than 5 minutes") {
		t.Errorf("replayed webhook reported as %v", replayed)
	}

	// fire-webhook reaches the listener too.
	if _, stderr, code := runBinary(t, dirs, env, "sandbox", "fire-webhook", item.ItemName, "DEFAULT_UPDATE", "--type", "AUTH"); code != 0 {
		t.Fatalf("fire-webhook exit %d\n%s", code, stderr)
	}
	fired := lp.next(t, "AUTH DEFAULT_UPDATE from fire-webhook")
	if fired["webhook_code"] != "DEFAULT_UPDATE" || fired["webhook_type"] != "AUTH" || fired["verified"] != true {
		t.Errorf("fired webhook %v", fired)
	}

	out, stderr, code := runBinary(t, dirs, env, "auth", item.ItemName, "--json")
	if code != 0 || !strings.Contains(out, `"routing": "011401533"`) {
		t.Fatalf("auth after verification: exit %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = runBinary(t, dirs, env, "items", "status", item.ItemName)
	if code != 0 || !strings.Contains(out, "automatically_verified") || !strings.Contains(out, "AUTOMATED_MICRODEPOSITS") || !strings.Contains(out, listenURL) {
		t.Errorf("items status does not show the verification and the webhook: exit %d\n%s", code, out)
	}

	// ctrl+c: exit 130, and stdout is the webhook lines alone.
	if err := lp.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lp.done:
		if ee, ok := lp.err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Errorf("webhooks listen after SIGINT: %v, want exit 130\n%s", lp.err, lp.output())
		}
	case <-time.After(e2etest.Timeout):
		t.Fatalf("webhooks listen did not stop within %s of SIGINT:\n%s", e2etest.Timeout, lp.output())
	}
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if rest := lp.stdout[lp.read:]; len(rest) > 0 {
		t.Errorf("lines after the last webhook: %q", rest)
	}
}

// The flows Sandbox makes only through Link are refused with what to type in Link.
func TestE2ESandboxLinkFlowNeedsLink(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	_, stderr, code := runBinary(t, dirs, env, "sandbox", "link", "--flow", "same-day-microdeposits", "--no-save")
	if code != 2 || !strings.Contains(stderr, "needs Link") || !strings.Contains(stderr, "routing 011401533") {
		t.Errorf("same-day without Link: exit %d\n%s", code, stderr)
	}
	_, stderr, code = runBinary(t, dirs, env, "sandbox", "link", "--flow", "instant-mach", "--no-save")
	if code != 2 || !strings.Contains(stderr, "did you mean instant-match") {
		t.Errorf("a misspelt flow: exit %d\n%s", code, stderr)
	}
}

// The offline demo runs an emulator in each process; the flow lab still works across
// commands: the Item's flow and webhook, and the signing key, are shared between them.
func TestE2EDemoFlowLabAcrossProcesses(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	dirs := newUserDirs(t)
	env := dirs.env()
	var item plaidflow.FlowItem
	var (
		stdout string
		code   int
	)
	runJSON(t, dirs, env, &item, "--demo", "sandbox", "link", "--flow", "automated-microdeposits", "--json")
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "demo/item/"+item.ItemID) })

	lp := startListen(t, dirs, env, "--demo")
	lp.waitURL(t)
	if ack := lp.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED"); ack["verified"] != true {
		t.Fatalf("ack %v", ack)
	}
	out, stderr, code := runBinary(t, dirs, env, "--demo", "sandbox", "set-verification-status", item.ItemName, "--status", "automatically_verified")
	if code != 0 || !strings.Contains(out, "automatically_verified") {
		t.Fatalf("--demo set-verification-status: exit %d\n%s\n%s", code, out, stderr)
	}
	got := lp.next(t, "AUTH AUTOMATICALLY_VERIFIED sent by another demo process")
	if got["webhook_code"] != "AUTOMATICALLY_VERIFIED" || got["verified"] != true {
		t.Errorf("webhook from another demo process: %v", got)
	}
	if _, stderr, code := runBinary(t, dirs, env, "--demo", "auth", item.ItemName); code != 0 {
		t.Errorf("--demo auth after verification: exit %d\n%s", code, stderr)
	}

	// An Item saved while the listener runs gets it as its webhook too.
	stdout, stderr, code = runBinary(t, dirs, env, "--demo", "sandbox", "link", "--json")
	if code != 0 {
		t.Fatalf("--demo sandbox link: exit %d\n%s", code, stderr)
	}
	var second plaidapi.Result
	if err := json.Unmarshal([]byte(stdout), &second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "demo/item/"+second.ItemID) })
	if ack := lp.next(t, "WEBHOOK_UPDATE_ACKNOWLEDGED for the Item saved while the listener runs"); ack["item_id"] != second.ItemID || ack["verified"] != true {
		t.Errorf("ack for the new Item: %v", ack)
	}
	_ = lp.cmd.Process.Signal(syscall.SIGINT)
}
