package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// readLines decodes a transcript into generic objects, failing unless every line is one.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for i, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s line %d is not JSON: %v\n%s", path, i+1, err, l)
		}
		out = append(out, m)
	}
	return out
}

// numbersOf lists every full account number and IBAN of a JSON result.
func numbersOf(t *testing.T, res plaidapi.Result) []string {
	t.Helper()
	var out []string
	for _, n := range res.Numbers.ACH {
		out = append(out, n.Account)
	}
	for _, n := range res.Numbers.EFT {
		out = append(out, n.Account)
	}
	for _, n := range res.Numbers.International {
		out = append(out, n.IBAN)
	}
	for _, n := range res.Numbers.BACS {
		out = append(out, n.Account)
	}
	if len(out) == 0 {
		t.Fatal("the result has no account numbers to look for")
	}
	return out
}

// assertNoSecrets fails when a file holds any of the secrets.
func assertNoSecrets(t *testing.T, secrets map[string]string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for what, s := range secrets {
			if s == "" {
				t.Fatalf("the test does not know %s", what)
			}
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds %s (%s)", p, what, s)
			}
		}
	}
}

func TestSandboxLinkTranscriptHoldsTheCallsAndNoSecret(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.useFakePlaid(t)
	te.environ["PLAID_COUNTRY_CODES"] = "US,CA,GB" // every number family comes back
	path := filepath.Join(t.TempDir(), "session.jsonl")
	te.mustRun(t, exitOK, "sandbox", "link", "--institution", "ins_117650", "--json", "--transcript", path)
	if !strings.Contains(te.stderr.String(), "Transcript: "+path) {
		t.Errorf("stderr does not say where the transcript is:\n%s", te.stderr)
	}
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".md"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	lines := readLines(t, path)
	if lines[0]["kind"] != "session" || lines[0]["environment"] != "sandbox" || lines[0]["command"] != "plaid-onboard sandbox link" {
		t.Errorf("first entry = %v", lines[0])
	}
	settings, _ := lines[0]["settings"].(map[string]any)
	if settings["api_url"] == nil || settings["products"] == nil || settings["country_codes"] == nil {
		t.Errorf("settings in force = %v, want products, country codes and the overridden API URL", settings)
	}
	calls := map[string]string{}
	for _, l := range lines {
		if l["kind"] == "api_call" {
			id, _ := l["request_id"].(string)
			calls[l["endpoint"].(string)] = id
		}
	}
	for _, ep := range []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/auth/get"} {
		if calls[ep] == "" {
			t.Errorf("no %s call with a request_id in the transcript: %v", ep, calls)
		}
	}
	token, err := te.store.Get("sandbox/item/" + res.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the client secret": emulator.DemoSecret, "the access token": token}
	for i, n := range numbersOf(t, res) {
		secrets["account number "+string(rune('A'+i))] = n
	}
	assertNoSecrets(t, secrets, path, path+".md")
	md, _ := os.ReadFile(path + ".md")
	if !strings.Contains(string(md), res.ItemID) || !strings.Contains(string(md), calls["/auth/get"]) {
		t.Errorf("summary lacks the item_id or the request_id of /auth/get:\n%s", md)
	}
}

func TestTranscriptFlagIsRefusedWhereNothingIsRecordedAndForSymlinks(t *testing.T) {
	te := newTestEnv(t)
	dir := t.TempDir()
	if code := te.run("items", "--transcript", filepath.Join(dir, "x")); code != exitUsage || !strings.Contains(te.stderr.String(), "makes no Plaid call") {
		t.Errorf("items --transcript: exit %d, %s", code, te.stderr)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	if code := te.run("--demo", "sandbox", "link", "--transcript", link); code != exitUsage || !strings.Contains(te.stderr.String(), "symbolic link") {
		t.Errorf("a symlinked --transcript: exit %d, %s", code, te.stderr)
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("the symlink was followed")
	}
}

func TestReportPrintsTheLastSessionAndRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	if code := te.run("report"); code != exitFailure || !strings.Contains(te.stderr.String(), "no session recorded yet") {
		t.Errorf("report before any session: exit %d, %s", code, te.stderr)
	}
	notOne := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notOne, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := te.run("report", notOne); code != exitFailure || !strings.Contains(te.stderr.String(), "not a plaid-onboard transcript") {
		t.Errorf("report of a text file: exit %d, %s", code, te.stderr)
	}

	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--json")
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	te.mustRun(t, exitOK, "report")
	out := te.stdout.String()
	for _, want := range []string{"# plaid-onboard session", "**Environment**: sandbox (offline demo", "**Products**: auth", "**OS**: ",
		"**item_id**: `" + res.ItemID + "`", "/item/public_token/exchange → HTTP 200", "last-session.jsonl"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, n := range numbersOf(t, res) {
		if strings.Contains(out, n) {
			t.Errorf("report holds the account number %s", n)
		}
	}

	te.mustRun(t, exitOK, "report", "--json")
	doc := te.jsonDocument(t)
	ids, _ := doc["ids"].(map[string]any)
	if ids["item_id"] != res.ItemID || len(doc["entries"].([]any)) < 5 || !strings.Contains(doc["summary"].(string), res.ItemID) {
		t.Errorf("report --json: ids %v, %d entries", ids, len(doc["entries"].([]any)))
	}

	// `report -`: the transcript piped in, as support staff get it (gunzip -c … | report -).
	state, err := te.d.StateDir()
	if err != nil {
		t.Fatal(err)
	}
	last, err := os.ReadFile(filepath.Join(state, "last-session.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	te.d.Stdin = bytes.NewReader(last)
	te.mustRun(t, exitOK, "report", "-")
	wantAll(t, "report -", te.stdout.String(), "# plaid-onboard session", "**item_id**: `"+res.ItemID+"`", "_Transcript: (stdin)_")
	te.d.Stdin = strings.NewReader("hello\n")
	if code := te.run("report", "-"); code != exitFailure || !strings.Contains(te.stderr.String(), "stdin") || !strings.Contains(te.stderr.String(), "not a plaid-onboard transcript") {
		t.Errorf("report - of text on stdin: exit %d, %s", code, te.stderr)
	}
}

// TestItemCommandsTranscriptsHoldNoToken: the Item commands record their calls, and the tokens
// they hand out (processor tokens, Stripe's btok_, a rotated access token) stay out of the
// transcript although the command printed them.
func TestItemCommandsTranscriptsHoldNoToken(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.useFakePlaid(t)
	te.mustRun(t, exitOK, "sandbox", "link", "--json")
	var res plaidapi.Result
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cases := []struct {
		name, endpoint, tokenField string
		args                       []string
	}{
		{"dwolla", "/processor/token/create", "token", []string{"processor-token", res.ItemID, "--account", "0000", "--processor", "dwolla", "--json"}},
		{"stripe", "/processor/stripe/bank_account_token/create", "token", []string{"processor-token", res.ItemID, "--account", "0000", "--processor", "stripe", "--json"}},
		{"status", "/item/get", "", []string{"items", "status", res.ItemID, "--json"}},
		{"balances", "/accounts/balance/get", "", []string{"balances", res.ItemID, "--json"}},
		{"rotate", "/item/access_token/invalidate", "", []string{"items", "rotate", res.ItemID, "--json"}},
		{"auth", "/auth/get", "", []string{"auth", res.ItemID, "--json"}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".jsonl")
		access, err := te.store.Get("sandbox/item/" + res.ItemID)
		if err != nil {
			t.Fatal(err)
		}
		te.mustRun(t, exitOK, append(c.args, "--transcript", path)...)
		secrets := map[string]string{"the client secret": emulator.DemoSecret, "the access token in force before": access}
		if c.tokenField != "" {
			secrets["the "+c.name+" token"] = te.jsonDocument(t)[c.tokenField].(string)
		}
		if now, err := te.store.Get("sandbox/item/" + res.ItemID); err == nil {
			secrets["the access token in force after"] = now
		}
		found := false
		for _, l := range readLines(t, path) {
			if l["endpoint"] == c.endpoint && l["request_id"] != nil && l["http_status"] == float64(200) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the transcript has no %s call with its request_id", c.name, c.endpoint)
		}
		assertNoSecrets(t, secrets, path, path+".md")
	}
}

// publicTokenTap stands between the binary and the fake Plaid (PLAID_API_URL, as a user's proxy
// would) and keeps the public token the binary exchanges: the one secret of a browser session
// the test cannot otherwise know.
type publicTokenTap struct {
	mu    sync.Mutex
	token string
}

func (p *publicTokenTap) serve(t *testing.T, target string) *httptest.Server {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	// SetURL also names the emulator in Host, as a proxy in front of it must (it answers only
	// requests that name it).
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/item/public_token/exchange" {
			body, _ := io.ReadAll(r.Body)
			var req struct {
				PublicToken string `json:"public_token"`
			}
			_ = json.Unmarshal(body, &req)
			p.mu.Lock()
			p.token = req.PublicToken
			p.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (p *publicTokenTap) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.token
}

// TestE2EBrowserSessionTranscript: a user links a bank in headless Chromium with `link
// --transcript`; the transcript holds Link's events, the link_session_id, the request_ids and the
// item_id, and neither it nor its summary holds the client secret, the access token (read from
// the real keyring), the public token or any full account number. `report` prints the summary.
//
// The ids checked are those Plaid Support asks for: link_session_id (in every Link callback),
// request_id (every API answer), item_id and account_id
// (https://support.plaid.com/hc/en-us/articles/15374015366807-How-do-I-provide-troubleshooting-identifiers-on-support-tickets,
// and the "store identifiers" step of https://plaid.com/docs/launch-checklist).
func TestE2EBrowserSessionTranscript(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	srv := emulator.NewServer()
	defer srv.Close()
	tap := &publicTokenTap{}
	proxy := tap.serve(t, srv.URL)
	dirs := newUserDirs(t)
	env := dirs.env("PLAID_API_URL="+proxy.URL, "PLAID_LINK_SCRIPT_URL="+srv.LinkScriptURL(),
		"PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
	path := filepath.Join(dirs.work, "browser.jsonl")

	p := startLink(t, dirs, env, "--json", "--transcript", path)
	ctx, frame := openLink(t, p.waitURL(t))
	steps := append(linkFirstPlatypus(frame), pageDone())
	p.drive(t, ctx, steps...)
	res := flowResult(t, p)
	access, err := keyring.Get(vault.KeyringService, "sandbox/item/"+res.ItemID)
	if err != nil {
		t.Fatalf("the access token in the keyring: %v", err)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+res.ItemID) })

	lines := readLines(t, path)
	var events []string
	var linkSession string
	requestIDs := 0
	kinds := map[string]bool{}
	for _, l := range lines {
		kinds[l["kind"].(string)] = true
		if _, err := time.Parse(time.RFC3339Nano, l["time"].(string)); err != nil {
			t.Errorf("time %v is not RFC 3339: %v", l["time"], err)
		}
		if l["kind"] == "link_event" {
			events = append(events, l["name"].(string))
		}
		if l["kind"] == "link_success" {
			linkSession, _ = l["link_session_id"].(string)
		}
		if l["kind"] == "api_call" && l["request_id"] != nil {
			requestIDs++
		}
	}
	for _, want := range []string{"OPEN", "SELECT_INSTITUTION", "SUBMIT_CREDENTIALS", "HANDOFF"} {
		if !strings.Contains(strings.Join(events, " "), want) {
			t.Errorf("Link events in the transcript = %v, want %s", events, want)
		}
	}
	for _, k := range []string{"session", "link_page", "link_event", "link_success", "api_call", "step"} {
		if !kinds[k] {
			t.Errorf("the transcript has no %q entry", k)
		}
	}
	if linkSession == "" || requestIDs < 3 {
		t.Errorf("link_session_id %q, %d calls with a request_id; want the id and at least 3", linkSession, requestIDs)
	}
	md, err := os.ReadFile(path + ".md")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "the summary", string(md), linkSession, res.ItemID, "Link event OPEN", "Link onSuccess")
	secrets := map[string]string{"the client secret": emulator.DemoSecret, "the access token": access, "the public token": tap.get()}
	for i, n := range numbersOf(t, res) {
		secrets["account number "+string(rune('A'+i))] = n
	}
	assertNoSecrets(t, secrets, path, path+".md", filepath.Join(dirs.home, ".local", "state", "plaid-onboard", transcript.LastTranscriptName))

	// report, in another process, finds the same session as the last one.
	out, stderr, code := runBinary(t, dirs, env, "report")
	if code != 0 || !strings.Contains(out, linkSession) || !strings.Contains(out, res.ItemID) {
		t.Errorf("report: exit %d\n%s\n%s", code, out, stderr)
	}
	for what, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("report prints %s", what)
		}
	}
}

// TestE2ELinkExitTranscript: Link failing in the browser (a Sandbox error password) leaves in the
// transcript the onExit entry with its error, status, request_id and link_session_id, and the
// summary's outcome is that exit, as a support ticket needs it.
func TestE2ELinkExitTranscript(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	path := filepath.Join(dirs.work, "exit.jsonl")

	p := startLink(t, dirs, env, "--no-save", "--transcript", path)
	ctx, frame := openLink(t, p.waitURL(t))
	steps := loginAs(frame, "ins_109508", "platypus", "error_INVALID_CREDENTIALS")
	steps = append(steps, paneIs(frame, "ERROR"), clickIn(frame, "#close"))
	p.drive(t, ctx, steps...)
	p.wantExit(t, 1)
	var exit map[string]any
	for _, l := range readLines(t, path) {
		if l["kind"] == "link_exit" {
			exit = l
		}
	}
	if exit == nil {
		t.Fatalf("no link_exit entry in the transcript:\n%s", mustReadFile(t, path))
	}
	meta, _ := exit["metadata"].(map[string]any)
	if exit["error_code"] != "INVALID_CREDENTIALS" || exit["link_session_id"] == nil || meta["status"] == nil || exit["error"] == nil {
		t.Errorf("link_exit entry = %v", exit)
	}
	md := mustReadFile(t, path+".md")
	if !strings.Contains(md, "## Outcome\n\n✗ Link did not link an account") || !strings.Contains(md, "INVALID_CREDENTIALS") {
		t.Errorf("the summary's outcome is not the Link exit:\n%s", md)
	}
}

func mustReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
