package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// emulatorTimeout bounds each wait of these tests; past it, the test fails saying what it
// waited for.
const emulatorTimeout = 30 * time.Second

// lockedBuffer is a bytes.Buffer the command and the test may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningEmulator is `plaid-onboard emulator` running in-process.
type runningEmulator struct {
	firstLine string
	stderr    *lockedBuffer
	exit      chan int
}

// startEmulator runs the command with args in-process through run (the program's own signal
// handling) or runContext with ctx, and returns once its first line is out.
func startEmulator(t *testing.T, ctx context.Context, viaRun bool, args ...string) *runningEmulator {
	t.Helper()
	te := newTestEnv(t)
	pr, pw := io.Pipe()
	e := &runningEmulator{stderr: &lockedBuffer{}, exit: make(chan int, 1)}
	te.d.Stdout, te.d.Stderr = pw, e.stderr
	go func() {
		var code int
		if viaRun {
			code = run(args, te.d)
		} else {
			code = runContext(ctx, args, te.d)
		}
		pw.Close()
		e.exit <- code
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("emulator %v printed nothing; exit %d; stderr:\n%s", args, <-e.exit, e.stderr)
		}
		e.firstLine = line
	case <-time.After(emulatorTimeout):
		t.Fatalf("emulator %v printed no line within %s; stderr:\n%s", args, emulatorTimeout, e.stderr)
	}
	return e
}

// wait returns the exit code once the command has returned.
func (e *runningEmulator) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-e.exit:
		return code
	case <-time.After(emulatorTimeout):
		t.Fatalf("the emulator did not stop within %s of being interrupted; stderr:\n%s", emulatorTimeout, e.stderr)
		return -1
	}
}

// info decodes the --json line, failing unless it is exactly the four documented fields.
func (e *runningEmulator) info(t *testing.T) emulatorInfo {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(e.firstLine), &fields); err != nil {
		t.Fatalf("first line is not a JSON object: %v: %q", err, e.firstLine)
	}
	for _, k := range []string{"url", "client_id", "secret", "link_script_url"} {
		if s, _ := fields[k].(string); s == "" {
			t.Errorf("the JSON line lacks %q: %s", k, e.firstLine)
		}
	}
	if len(fields) != 4 {
		t.Errorf("the JSON line has %d fields, want url, client_id, secret, link_script_url: %s", len(fields), e.firstLine)
	}
	var info emulatorInfo
	_ = json.Unmarshal([]byte(e.firstLine), &info)
	return info
}

// wantPortClosed fails if anything still listens at the emulator's address.
func wantPortClosed(t *testing.T, url string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), 2*time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after the emulator stopped", url)
	}
}

// The --json line says where the emulator is and which keys it takes; the API answers there
// with those keys, and ctrl+c stops it with exit 0 and the port closed.
func TestEmulatorJSONLineAndInterrupt(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	e := startEmulator(t, ctx, false, "emulator", "--json")
	info := e.info(t)
	if !strings.HasPrefix(info.URL, "http://127.0.0.1:") || strings.HasSuffix(info.URL, "/") {
		t.Errorf("url %q, want http://127.0.0.1:PORT without a trailing slash", info.URL)
	}
	if info.ClientID != emulator.DemoClientID || info.Secret != emulator.DemoSecret {
		t.Errorf("keys %q/%q, want the demo keys by default", info.ClientID, info.Secret)
	}
	if info.LinkScriptURL != info.URL+"/link/v2/stable/link-initialize.js" {
		t.Errorf("link_script_url %q", info.LinkScriptURL)
	}
	script, err := http.Get(info.LinkScriptURL)
	if err != nil || script.StatusCode != http.StatusOK {
		t.Fatalf("GET link_script_url: %v %v", err, script)
	}
	script.Body.Close()

	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d after ctrl+c, want 0 (stopping is how the emulator ends); stderr:\n%s", code, e.stderr)
	}
	wantPortClosed(t, info.URL)
}

// SIGTERM, as a service manager or `kill` sends it, stops the emulator cleanly too.
func TestEmulatorSIGTERM(t *testing.T) {
	e := startEmulator(t, nil, true, "emulator", "--json")
	info := e.info(t)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d after SIGTERM, want 0; stderr:\n%s", code, e.stderr)
	}
	wantPortClosed(t, info.URL)
}

// Without --json the text says the same facts and how to run plaid-onboard against it.
func TestEmulatorHumanText(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	e := startEmulator(t, ctx, false, "emulator", "--client-id", "0123456789abcdef01234567", "--secret", "0123456789abcdef0123456789abcd")
	if !strings.Contains(e.firstLine, "not Plaid") || !strings.Contains(e.firstLine, "http://127.0.0.1:") {
		t.Errorf("first line %q does not say where the emulator is and that it is not Plaid", e.firstLine)
	}
	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, e.stderr)
	}
}

// --port puts it on that port, and the keys of --client-id/--secret are the ones it accepts.
func TestEmulatorPortAndKeys(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	const id, secret = "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	e := startEmulator(t, ctx, false, "emulator", "--json", "--port", strconv.Itoa(port), "--client-id", id, "--secret", secret, "--latency", "10ms")
	info := e.info(t)
	if info.URL != "http://127.0.0.1:"+strconv.Itoa(port) {
		t.Errorf("url %q, want port %d", info.URL, port)
	}
	if info.ClientID != id || info.Secret != secret {
		t.Errorf("keys %q/%q, want the ones given", info.ClientID, info.Secret)
	}

	// A second emulator on the same port fails plainly (exit 1), it does not panic.
	te := newTestEnv(t)
	if code := te.run("emulator", "--port", strconv.Itoa(port)); code != exitFailure || !strings.Contains(te.stderr.String(), "start the emulator") {
		t.Errorf("second emulator on port %d: exit %d, stderr:\n%s", port, code, te.stderr)
	}
	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, e.stderr)
	}
}

// Flags that mean nothing for the emulator (it does not have them), and bad values, are usage
// errors (exit 2).
func TestEmulatorUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"emulator", "--latency", "fast"}, `invalid argument "fast" for "--latency"`},
		{[]string{"emulator", "--latency=-1s"}, "--latency -1s is negative"},
		{[]string{"emulator", "--port", "70000"}, "--port 70000 is not a port"},
		{[]string{"emulator", "--client-id", "0123456789abcdef01234567"}, "give both --client-id and --secret"},
		{[]string{"--demo", "emulator"}, "--demo is not a flag of `plaid-onboard emulator`: the emulator is what --demo runs"},
		{[]string{"emulator", "--env", "sandbox"}, "--env is not a flag of `plaid-onboard emulator`: the emulator stands in for the Sandbox only"},
		{[]string{"emulator", "--mask"}, "--mask is not a flag of `plaid-onboard emulator`"},
		{[]string{"emulator", "--no-save"}, "--no-save is not a flag of `plaid-onboard emulator`"},
		{[]string{"emulator", "--no-browser"}, "--no-browser is not a flag of `plaid-onboard emulator`"},
		{[]string{"emulator", "now"}, "takes no arguments"},
		{[]string{"emulator", "--host", "http://evil.example"}, `--host "http://evil.example" is not a host name`},
		{[]string{"emulator", "--host", "emu/path"}, `--host "emu/path" is not a host name`},
		{[]string{"emulator", "--host", "emu:port"}, `--host "emu:port" is not a host name`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			te.mustRun(t, exitUsage, tt.args...)
			if !strings.Contains(te.stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, te.stderr)
			}
		})
	}
	// Its help lists the flags it takes and hides the ones it refuses.
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "emulator", "--help")
	wantAll(t, "emulator --help", te.stdout.String(), "--port", "--latency", "--json", "--client-id", "/_emulator/faults")
	wantNone(t, "emulator --help", te.stdout.String(), "--demo", "--mask", "--no-save", "--env") // it refuses them
}

// `emulator --redirect-uri` registers redirect URIs as the Dashboard does: the --json line lists
// them, /link/token/create (through plaid-go) takes exactly those, and any other gets Plaid's
// INVALID_FIELD. A URI the Dashboard would not take is a usage error.
func TestEmulatorRegistersRedirectURIs(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	const registered = "http://localhost:8765/oauth-return"
	e := startEmulator(t, ctx, false, "emulator", "--json", "--redirect-uri", registered, "--redirect-uri", "https://app.example.com/oauth")
	var info emulatorInfo
	if err := json.Unmarshal([]byte(e.firstLine), &info); err != nil {
		t.Fatalf("first line is not JSON: %v: %q", err, e.firstLine)
	}
	if strings.Join(info.RedirectURIs, " ") != registered+" https://app.example.com/oauth" {
		t.Errorf("redirect_uris = %v", info.RedirectURIs)
	}
	linkToken := func(redirect string) error {
		cfg := config.Config{ClientID: info.ClientID, Secret: info.Secret, Env: config.Sandbox, APIURL: info.URL,
			Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "plaid-onboard", RedirectURI: redirect}
		c, err := plaidapi.NewClient(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{})
		return err
	}
	if err := linkToken(registered); err != nil {
		t.Errorf("registered redirect URI refused: %v", err)
	}
	for _, other := range []string{"http://localhost:8766/oauth-return", "http://localhost:8765/oauth-return/"} {
		err := linkToken(other)
		p := plaidflow.Explain(err)
		if p.ErrorCode != "INVALID_FIELD" || !strings.Contains(p.ErrorMessage, "OAuth redirect URI must be configured in the developer dashboard") {
			t.Errorf("unregistered %s: %+v", other, p)
		}
	}
	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d", code)
	}

	te := newTestEnv(t)
	if code := run([]string{"emulator", "--redirect-uri", "http://localhost:8765/cb?x=1"}, te.d); code != exitUsage {
		t.Errorf("a redirect URI with a query: exit %d, want 2", code)
	}
}

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
	emu := startEmulatorBinary(t)
	info := emu.info

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
	if exp, err := time.Parse(time.RFC3339, got.LinkTokenExpiration); err != nil || time.Until(exp) < 3*time.Hour {
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
	if err := emu.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-emu.exited:
		if err != nil {
			t.Errorf("the emulator after SIGINT: %v, want exit 0; stderr:\n%s", err, emu.stderr.String())
		}
	case <-time.After(e2etest.Timeout):
		t.Fatalf("the emulator did not stop within %s of SIGINT", e2etest.Timeout)
	}
	wantPortClosed(t, info.URL)
}
