package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// emulatorVerifier is plaidflow/webhook's verifier, fetching keys from the emulator at url as
// a program pointed at it (PLAID_API_URL) does.
func emulatorVerifier(t *testing.T, url string) *webhook.Verifier {
	t.Helper()
	cfg, err := config.LoadConfig(config.Overrides{ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret, APIURL: url},
		func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return webhook.NewVerifier(client)
}

// hookListener is plaidflow/webhook's receiver on 127.0.0.1, verifying each webhook against
// the emulator at url.
func hookListener(t *testing.T, url string) (*webhook.Receiver, chan webhook.Webhook) {
	t.Helper()
	got := make(chan webhook.Webhook, 8)
	rcv, err := webhook.Listen(0, emulatorVerifier(t, url), func(wh webhook.Webhook) { got <- wh })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	return rcv, got
}

func nextHook(t *testing.T, got chan webhook.Webhook, what string) webhook.Webhook {
	t.Helper()
	select {
	case wh := <-got:
		return wh
	case <-time.After(emulatorTimeout):
		t.Fatalf("no webhook within %s; waited for %s", emulatorTimeout, what)
		return webhook.Webhook{}
	}
}

// savedHealth is the health `items --json` shows for the Item named.
func savedHealth(t *testing.T, te *testEnv, name string) string {
	t.Helper()
	te.mustRun(t, exitOK, "items", "--json")
	var list itemsDocument
	if err := json.Unmarshal(te.stdout.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	for _, it := range list.Items {
		if it.Name == name {
			return it.Health
		}
	}
	t.Fatalf("no Item %s in %s", name, te.stdout)
	return ""
}

// `webhooks trigger` against the emulator at PLAID_API_URL, for a saved Item by name: the
// webhook arrives, verifies with plaidflow/webhook's verifier, is byte for byte the body the
// command printed, and the Item changed as Plaid's would: AUTOMATICALLY_VERIFIED gives /auth/get
// its numbers (https://plaid.com/docs/api/products/auth/#automatically_verified); ERROR
// ITEM_LOGIN_REQUIRED makes it need a login, and the saved health says so
// (https://plaid.com/docs/api/items/#error).
func TestWebhooksTriggerSendsAndChangesTheItem(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	rcv, got := hookListener(t, srv.URL)
	te.mustRun(t, exitOK, "sandbox", "link", "--flow", "automated-microdeposits", "--json")
	te.mustRun(t, exitOK, "items", "--json")
	var list itemsDocument
	if err := json.Unmarshal(te.stdout.Bytes(), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("items --json: %v %s", err, te.stdout)
	}
	name := list.Items[0].Name
	if code := te.run("auth", name); code == exitOK {
		t.Fatalf("auth of an Item pending micro-deposits succeeded:\n%s", te.stdout)
	}

	te.mustRun(t, exitOK, "webhooks", "trigger", "AUTH", "AUTOMATICALLY_VERIFIED", "--item", name, "--url", rcv.URL, "--json")
	var res emulator.TriggerAnswer
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatalf("trigger --json: %v\n%s", err, te.stdout)
	}
	wh := nextHook(t, got, "AUTOMATICALLY_VERIFIED")
	if !wh.Verified {
		t.Errorf("plaidflow/webhook refused the triggered webhook: %s", wh.Reason)
	}
	if string(wh.Body) != res.Body || res.Status != 200 || !strings.Contains(res.Effect, "automatically_verified") {
		t.Errorf("received\n%s\ntrigger said %+v", wh.Body, res)
	}
	te.mustRun(t, exitOK, "auth", name)

	out := te.mustRun(t, exitOK, "webhooks", "trigger", "item", "error", "--item", name, "--url", rcv.URL)
	wantAll(t, "trigger's output", out, "Sent ITEM ERROR for Item "+name, "the receiver answered 200", "ITEM_LOGIN_REQUIRED until Link's update mode", `"error_code": "ITEM_LOGIN_REQUIRED"`)
	if wh := nextHook(t, got, "ITEM ERROR"); !wh.Verified || wh.Code != "ERROR" {
		t.Errorf("ITEM ERROR: verified %v (%s), code %s", wh.Verified, wh.Reason, wh.Code)
	}
	if h := savedHealth(t, te, name); h != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("the saved health after ERROR is %q, want ITEM_LOGIN_REQUIRED", h)
	}
	if code := te.run("auth", name); code == exitOK || !strings.Contains(te.stderr.String(), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("auth after ERROR: exit %d\n%s", code, te.stderr)
	}
}

// Mistakes are usage errors that say what is possible, and nothing is sent without an
// emulator: Plaid's own hosts have no control API.
func TestWebhooksTriggerUsage(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.environ["PLAID_CLIENT_ID"], te.environ["PLAID_SECRET"] = emulator.DemoClientID, emulator.DemoSecret
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"webhooks", "trigger", "ITEM", "EROR", "--item", "x"}, "ITEM webhooks are ERROR, LOGIN_REPAIRED"},
		{[]string{"webhooks", "trigger", "TRANSFER", "ERROR", "--item", "x"}, "AUTH: AUTOMATICALLY_VERIFIED"},
		{[]string{"webhooks", "trigger", "ITEM", "ERROR"}, "needs --item"},
		{[]string{"webhooks", "trigger", "ITEM", "ERROR", "--item", "x", "--set", "novalue"}, "is not PATH=VALUE"},
		{[]string{"webhooks", "trigger", "ITEM", "ERROR", "--item", "x"}, "needs the emulator"},
		{[]string{"webhooks", "sign", "--body", "/nonexistent/body.json", "--emulator", "http://127.0.0.1:1"}, "--body /nonexistent/body.json"},
	} {
		if code := te.run(tc.args...); code != exitUsage || !strings.Contains(te.stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", tc.args, code, exitUsage, tc.want, te.stderr)
		}
	}
}

// --set values are typed: numbers, booleans, null and JSON are parsed, the rest are strings.
func TestParseSetsTypesValues(t *testing.T) {
	t.Parallel()
	sets, err := parseSets([]string{"a=3", "b=true", "c=null", "d.e=ITEM_LOCKED", `f="7"`, "g={\"h\":1}", "i=12.50"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sets)
	want := `[{"path":"a","value":3},{"path":"b","value":true},{"path":"c","value":null},{"path":"d.e","value":"ITEM_LOCKED"},` +
		`{"path":"f","value":"7"},{"path":"g","value":{"h":1}},{"path":"i","value":12.50}]`
	if string(b) != want {
		t.Errorf("parseSets = %s\nwant        %s", b, want)
	}
}

// `webhooks sign` prints a JWT made by the emulator's key that a user's verification code
// accepts with the key from the emulator's /webhook_verification_key/get: plaidflow/webhook's
// verifier, and Plaid's Node client with Node's crypto (testdata/node/verify_webhook.js, the
// README's snippet). A changed body is refused by both.
func TestWebhooksSignVerifiesInGoAndNode(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	te := newTestEnv(t)
	dir := t.TempDir()
	body := []byte("{\n  \"item_id\": \"abc\",\n  \"webhook_code\": \"NEW_ACCOUNTS_AVAILABLE\",\n  \"webhook_type\": \"ITEM\"\n}")
	bodyFile, changedFile := filepath.Join(dir, "body.json"), filepath.Join(dir, "changed.json")
	changed := []byte(strings.Replace(string(body), "abc", "abd", 1))
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changedFile, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	jwt := strings.TrimSpace(te.mustRun(t, exitOK, "webhooks", "sign", "--body", bodyFile, "--emulator", srv.URL))
	v := emulatorVerifier(t, srv.URL)
	if err := v.Verify(context.Background(), jwt, body); err != nil {
		t.Errorf("plaidflow/webhook refused the signed body: %v", err)
	}
	if err := v.Verify(context.Background(), jwt, changed); err == nil {
		t.Error("plaidflow/webhook accepted a changed body")
	}

	node := requireNode(t)
	for file, want := range map[string]string{bodyFile: "verified", changedFile: "not verified"} {
		ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
		cmd := exec.CommandContext(ctx, node, "verify_webhook.js", srv.URL, emulator.DemoClientID, emulator.DemoSecret, jwt, file)
		cmd.Dir = nodeDir
		out, _ := cmd.CombinedOutput()
		cancel()
		if strings.TrimSpace(string(out)) != want {
			t.Errorf("node verify_webhook.js %s: %s, want %s", filepath.Base(file), out, want)
		}
	}
}

// In the demo, the trigger goes to the demo's own emulator and the saved demo Item: signed
// with the demo's key (which every demo emulator publishes), and its ITEM_LOGIN_REQUIRED
// outlives the process, as the demo's reset-login does.
func TestWebhooksTriggerInTheDemo(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	keys := emulator.NewServer(emulator.WithDemoWebhookKey()) // another demo process's emulator
	t.Cleanup(keys.Close)
	rcv, got := hookListener(t, keys.URL)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link")
	te.mustRun(t, exitOK, "--demo", "webhooks", "trigger", "ITEM", "ERROR", "--item", "first-platypus-bank", "--url", rcv.URL)
	if wh := nextHook(t, got, "the demo's ITEM ERROR"); !wh.Verified || wh.Code != "ERROR" {
		t.Errorf("demo ITEM ERROR: verified %v (%s), code %s", wh.Verified, wh.Reason, wh.Code)
	}
	if code := te.run("--demo", "auth", "first-platypus-bank"); code == exitOK || !strings.Contains(te.stderr.String(), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("the next demo run's auth: exit %d\n%s", code, te.stderr)
	}

	// An account the next run verified stays verified: its numbers come in the run after.
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--flow", "automated-microdeposits")
	if code := te.run("--demo", "auth", "houndstooth-bank"); code == exitOK {
		t.Fatalf("auth of a pending demo Item succeeded:\n%s", te.stdout)
	}
	te.mustRun(t, exitOK, "--demo", "webhooks", "trigger", "AUTH", "AUTOMATICALLY_VERIFIED", "--item", "houndstooth-bank", "--url", rcv.URL)
	if wh := nextHook(t, got, "the demo's AUTOMATICALLY_VERIFIED"); !wh.Verified || wh.Code != "AUTOMATICALLY_VERIFIED" {
		t.Errorf("demo AUTOMATICALLY_VERIFIED: verified %v (%s), code %s", wh.Verified, wh.Reason, wh.Code)
	}
	te.mustRun(t, exitOK, "--demo", "auth", "houndstooth-bank")
}

// LINK for a Hosted Link token: the session ends as if its user finished Link on the hosted
// page, with a public token the program's own exchange accepts; an Item flag is refused.
func TestWebhooksTriggerLink(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	rcv, got := hookListener(t, srv.URL)
	status, created := plaidCall(t, srv.URL, "/link/token/create", map[string]any{"client_name": "t", "language": "en",
		"country_codes": []string{"US"}, "products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}, "hosted_link": map[string]any{}})
	token, _ := created["link_token"].(string)
	if status != http.StatusOK || token == "" {
		t.Fatalf("/link/token/create: %d %v", status, created)
	}
	out := te.mustRun(t, exitOK, "webhooks", "trigger", "LINK", "SESSION_FINISHED", "--link-token", token, "--url", rcv.URL)
	wantAll(t, "trigger's output", out, "Sent LINK SESSION_FINISHED for the Hosted Link session", "answered 200", "public token can be exchanged", `"status": "SUCCESS"`)
	wh := nextHook(t, got, "SESSION_FINISHED")
	pt, _ := wh.Payload["public_token"].(string)
	if !wh.Verified || pt == "" {
		t.Fatalf("SESSION_FINISHED: verified %v (%s), body %s", wh.Verified, wh.Reason, wh.Body)
	}
	if status, ans := plaidCall(t, srv.URL, "/item/public_token/exchange", map[string]any{"public_token": pt}); status != http.StatusOK {
		t.Errorf("the session's public token does not exchange: %d %v", status, ans)
	}
	if code := te.run("webhooks", "trigger", "LINK", "SESSION_FINISHED", "--item", "x"); code != exitUsage || !strings.Contains(te.stderr.String(), "--link-token") {
		t.Errorf("LINK with --item: exit %d\n%s", code, te.stderr)
	}
}

// An Item without a webhook, and no --url: the error says how to get one; the shell completes
// the types and then the codes.
func TestWebhooksTriggerNoWebhookAndCompletion(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link")
	if code := te.run("--demo", "webhooks", "trigger", "ITEM", "ERROR", "--item", "first-platypus-bank"); code != exitFailure ||
		!strings.Contains(te.stderr.String(), "has no webhook") || !strings.Contains(te.stderr.String(), "plaid-onboard --demo webhooks listen") {
		t.Errorf("no webhook: exit %d\n%s", code, te.stderr)
	}
	out := te.mustRun(t, exitOK, "__complete", "webhooks", "trigger", "")
	wantAll(t, "the types completed", out, "AUTH", "ITEM", "LINK")
	out = te.mustRun(t, exitOK, "__complete", "webhooks", "trigger", "auth", "AUTO")
	wantAll(t, "the codes completed", out, "AUTOMATICALLY_VERIFIED")
}
