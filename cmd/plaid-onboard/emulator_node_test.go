package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// nodeDir holds the Node test's package.json, lock file and script; .ci/test-deps installs
// its node_modules with npm ci.
const nodeDir = "testdata/node"

// nodeResult is what testdata/node/script.js prints.
type nodeResult struct {
	LinkTokenPrefix     string `json:"link_token_prefix"`
	LinkTokenExpiration string `json:"link_token_expiration"`
	ItemID              string `json:"item_id"`
	AuthItemID          string `json:"auth_item_id"`
	Accounts            []struct {
		AccountID string   `json:"account_id"`
		Name      string   `json:"name"`
		Mask      string   `json:"mask"`
		Available *float64 `json:"available"`
		Current   *float64 `json:"current"`
	} `json:"accounts"`
	ACH []struct {
		AccountID   string `json:"account_id"`
		Account     string `json:"account"`
		Routing     string `json:"routing"`
		WireRouting string `json:"wire_routing"`
	} `json:"ach"`
	SecondExchange  nodePlaidError `json:"second_exchange"`
	Clock           map[string]any `json:"clock"`
	ExpiredExchange nodePlaidError `json:"expired_exchange"`
	Webhooks        struct {
		Fired bool `json:"fired"`
		Seen  []struct {
			Code            string `json:"webhook_code"`
			Alg             string `json:"alg"`
			Signed          bool   `json:"signed"`
			BodyHashMatches bool   `json:"body_hash_matches"`
			AgeSeconds      int    `json:"age_seconds"`
		} `json:"seen"`
	} `json:"webhooks"`
	UserCustom struct {
		Name    string  `json:"name"`
		Current float64 `json:"current"`
		ACH     []struct {
			Account string `json:"account"`
			Routing string `json:"routing"`
		} `json:"ach"`
	} `json:"user_custom"`
	UserCustomForceError nodePlaidError `json:"user_custom_force_error"`
}

type nodePlaidError struct {
	HTTPStatus       int     `json:"http_status"`
	ErrorType        string  `json:"error_type"`
	ErrorCode        string  `json:"error_code"`
	ErrorMessage     string  `json:"error_message"`
	DisplayMessage   *string `json:"display_message"`
	RequestID        string  `json:"request_id"`
	DocumentationURL string  `json:"documentation_url"`
	Unexpected       string  `json:"unexpected"`
}

// requireNode finds node and the installed Plaid Node client, or skips (fails under
// PLAID_ONBOARD_E2E=1).
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	e2etest.Require(t, "node and npm (apt-get install nodejs npm; Node 18 or later)", err == nil)
	_, err = os.Stat(filepath.Join(nodeDir, "node_modules", "plaid", "package.json"))
	e2etest.Require(t, "Plaid's Node client in cmd/plaid-onboard/testdata/node/node_modules: run `npm ci --prefix cmd/plaid-onboard/testdata/node` (.ci/test-deps does)", err == nil)
	return node
}

// TestEmulatorWithPlaidNodeClient runs the built binary's `emulator` and drives it with
// Plaid's official Node client, as a user's own app tests would: Link token, Sandbox public
// token, exchange, Auth numbers, Plaid's error for a reused public token, and the control
// API's clock expiring a fresh one. SIGINT then stops it with exit 0.
func TestEmulatorWithPlaidNodeClient(t *testing.T) {
	t.Parallel()
	node := requireNode(t)
	dirs := newUserDirs(t)
	emu := exec.Command(testBinary(t), "emulator", "--json")
	emu.Dir, emu.Env = dirs.work, dirs.env()
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	emu.Stderr = &stderr
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Process.Kill() })
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- emu.Wait()
	}()
	var info emulatorInfo
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &info); err != nil || info.URL == "" {
			t.Fatalf("the emulator's first line is not its JSON address: %v: %q", err, line)
		}
	case err := <-exited:
		t.Fatalf("the emulator exited before printing its address: %v; stderr:\n%s", err, stderr.String())
	case <-time.After(e2etest.Timeout):
		t.Fatalf("no JSON line from the emulator within %s; stderr:\n%s", e2etest.Timeout, stderr.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
	defer cancel()
	script := exec.CommandContext(ctx, node, "script.js", info.URL, info.ClientID, info.Secret)
	script.Dir = nodeDir
	out, err := script.Output()
	if err != nil {
		var stderrText string
		if ee, ok := err.(*exec.ExitError); ok {
			stderrText = string(ee.Stderr)
		}
		t.Fatalf("node script.js: %v (context: %v)\nstdout: %s\nstderr: %s", err, ctx.Err(), out, stderrText)
	}
	var got nodeResult
	dec := json.NewDecoder(strings.NewReader(string(out)))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("node's output is not the expected JSON: %v\n%s", err, out)
	}

	if got.LinkTokenPrefix != "link-sandbox" {
		t.Errorf("link token starts %q, want link-sandbox", got.LinkTokenPrefix)
	}
	if exp, err := time.Parse(time.RFC3339, got.LinkTokenExpiration); err != nil || exp.Sub(time.Now()) < 3*time.Hour {
		t.Errorf("link token expiration %q, want about 4 hours ahead", got.LinkTokenExpiration)
	}
	if got.ItemID == "" || got.AuthItemID != got.ItemID {
		t.Errorf("exchange gave item %q, /auth/get says item %q", got.ItemID, got.AuthItemID)
	}
	// First Platypus Bank, user_good: the Sandbox guide's accounts and ACH numbers.
	wantAccounts := map[string][2]float64{"0000": {100, 110}, "1111": {200, 210}}
	seen := map[string]bool{}
	for _, a := range got.Accounts {
		if want, ok := wantAccounts[a.Mask]; ok {
			seen[a.Mask] = true
			if a.Available == nil || a.Current == nil || *a.Available != want[0] || *a.Current != want[1] {
				t.Errorf("account %s (%s): balances %v/%v, want %v/%v", a.Mask, a.Name, a.Available, a.Current, want[0], want[1])
			}
		}
	}
	if len(seen) != len(wantAccounts) {
		t.Errorf("accounts %+v lack Plaid Checking 0000 or Plaid Saving 1111", got.Accounts)
	}
	if len(got.ACH) == 0 {
		t.Fatal("no ACH numbers")
	}
	for _, n := range got.ACH {
		if n.Routing != "011401533" || n.WireRouting != "021000021" || !strings.HasPrefix(n.Account, "111122223333") {
			t.Errorf("ACH %+v, want routing 011401533, wire routing 021000021, account 111122223333…", n)
		}
	}
	for what, e := range map[string]nodePlaidError{"the second exchange": got.SecondExchange, "the exchange 31 minutes later": got.ExpiredExchange} {
		if e.Unexpected != "" || e.HTTPStatus != 400 || e.ErrorType != "INVALID_INPUT" || e.ErrorCode != "INVALID_PUBLIC_TOKEN" ||
			len(e.RequestID) != 15 || !strings.HasPrefix(e.DocumentationURL, "https://plaid.com/docs/") || e.ErrorMessage == "" {
			t.Errorf("%s: %+v, want HTTP 400 INVALID_INPUT/INVALID_PUBLIC_TOKEN in Plaid's error shape", what, e)
		}
	}
	if !strings.Contains(got.ExpiredExchange.ErrorMessage, "expired") {
		t.Errorf("the exchange after the clock moved 31 minutes: %q, want the expiry message", got.ExpiredExchange.ErrorMessage)
	}
	// Plaid's Node client and Node's own crypto verify the emulator's webhooks
	// (https://plaid.com/docs/api/webhooks/webhook-verification/).
	if !got.Webhooks.Fired || len(got.Webhooks.Seen) != 2 || got.Webhooks.Seen[0].Code != "NEW_ACCOUNTS_AVAILABLE" ||
		got.Webhooks.Seen[1].Code != "WEBHOOK_UPDATE_ACKNOWLEDGED" {
		t.Errorf("webhooks seen by the Node app: %+v", got.Webhooks)
	}
	for _, w := range got.Webhooks.Seen {
		if w.Alg != "ES256" || !w.Signed || !w.BodyHashMatches || w.AgeSeconds > 60 || w.AgeSeconds < -60 {
			t.Errorf("webhook %s does not verify in Node: %+v", w.Code, w)
		}
	}
	// user_custom through Plaid's own client: the configuration's account and numbers, and
	// force_error on creation.
	if uc := got.UserCustom; uc.Name != "Node Checking" || uc.Current != 55.5 || len(uc.ACH) != 1 ||
		uc.ACH[0].Account != "1212121212" || uc.ACH[0].Routing != "322271627" {
		t.Errorf("user_custom via the Node client: %+v", uc)
	}
	if e := got.UserCustomForceError; e.HTTPStatus != 400 || e.ErrorCode != "ITEM_LOCKED" || e.ErrorType != "ITEM_ERROR" {
		t.Errorf("user_custom force_error ITEM_LOCKED via the Node client: %+v", e)
	}
	if got.Clock["http_status"] != 200.0 || got.Clock["ok"] != true {
		t.Errorf("POST /_emulator/clock/advance answered %v", got.Clock)
	}

	// ctrl+c is how the emulator is stopped: exit 0, port closed.
	if err := emu.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the emulator after SIGINT: %v, want exit 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(e2etest.Timeout):
		t.Fatalf("the emulator did not stop within %s of SIGINT", e2etest.Timeout)
	}
	wantPortClosed(t, info.URL)
}
