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
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

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
	proxy := httputil.NewSingleHostReverseProxy(u)
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
	steps := loginAs(frame, "ins_109508", "platypus", "pass_good")
	steps = append(steps,
		paneIs(frame, "SELECT_ACCOUNT"),
		clickIn(frame, "#continue"),
		paneIs(frame, "CONNECTED"),
		clickIn(frame, "#continue"),
		pageDone(),
	)
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
	for _, want := range []string{linkSession, res.ItemID, "Link event OPEN", "Link onSuccess"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the summary lacks %q:\n%s", want, md)
		}
	}
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
