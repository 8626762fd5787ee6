package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// The attacks of this file send hostile text through every path that reaches a terminal
// (webhooks, transcripts, Plaid's answers) and check what the built binary prints: nothing a
// terminal would act on, no line a flood, no token.

// timeOfDay starts the line `webhooks listen` prints for each webhook.
var timeOfDay = regexp.MustCompile(`^\d\d:\d\d:\d\d`)

// maxPrintedLine bounds one printed line: a few capped fields and the program's own words.
const maxPrintedLine = 2000

// assertTerminalSafe fails when out holds what a terminal acts on rather than shows (ESC and the
// other C0 controls but tab, DEL, the C1 controls, raw bytes 0x80-0x9f, bidirectional overrides,
// line and paragraph separators) or a line longer than maxPrintedLine.
func assertTerminalSafe(t *testing.T, what string, out []byte) {
	t.Helper()
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && size == 1 && out[i] >= 0x80 && out[i] <= 0x9f:
			bad = fmt.Sprintf("the 8-bit control byte %#x", out[i])
		case r < 0x20 && r != '\n' && r != '\t', r == 0x7f, r >= 0x80 && r <= 0x9f:
			bad = fmt.Sprintf("the control character %U", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x61c || r == 0x2028 || r == 0x2029:
			bad = fmt.Sprintf("the bidirectional or line control %U", r)
		}
		if bad != "" {
			from := max(0, i-60)
			t.Errorf("%s holds %s at byte %d: …%q…", what, bad, i, out[from:min(len(out), i+20)])
			return
		}
		i += size
	}
	for n, line := range bytes.Split(out, []byte("\n")) {
		if c := utf8.RuneCount(line); c > maxPrintedLine {
			t.Errorf("%s: line %d is %d characters long (more than %d): %q…", what, n+1, c, maxPrintedLine, line[:80])
		}
	}
}

// hostileWebhooks are bodies a web page on this machine (fetch with mode 'no-cors') or anyone
// reaching --public-url can post to a webhook receiver: a clipboard write (OSC 52), a window
// title (OSC 0), clear screen, an 8-bit CSI, a right-to-left override, a carriage return and a
// bell forging a "✓ verified" line, and a 900 KB webhook_code.
var hostileWebhooks = []string{
	`{"webhook_type":"AUTH\u001b]52;c;cm0gLXJmIH4=\u0007","webhook_code":"\u001b]0;pwned\u0007X","item_id":"\u001b[2J"}`,
	`{"webhook_type":"AUTH","webhook_code":"\u009b2J\u202eDEIFIREV","item_id":"x\r12:00:00  AUTH AUTOMATICALLY_VERIFIED  item real  ✓ verified\u0007","account_id":"\u009d0;t\u009c"}`,
	"{\"webhook_type\":\"AUTH\",\"webhook_code\":\"raw 8-bit \x9b2J\",\"new_webhook_url\":\"\u2028forged\"}",
	`{"webhook_type":"AUTH","webhook_code":"` + strings.Repeat("A", 900<<10) + `"}`,
	"not json \x1b]52;c;cm0gLXJmIH4=\x07 \x9b2J \u202e",
}

// TestAttackOutputWebhookBodiesReachNoTerminal posts the hostile bodies to `webhooks listen`,
// as text and as --json: neither output holds an escape, a control, a bidirectional override or
// an over-long line, and each --json line is still JSON with the value decoded unchanged.
func TestAttackOutputWebhookBodiesReachNoTerminal(t *testing.T) {
	t.Parallel()
	for _, jsonOut := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", jsonOut), func(t *testing.T) {
			t.Parallel()
			dirs := newUserDirs(t)
			args := []string{"--demo", "webhooks", "listen"}
			if jsonOut {
				args = append(args, "--json")
			}
			p := startProcess(t, dirs, dirs.env(), listenURLLine, args...)
			listen := p.waitURL(t)
			for i, body := range hostileWebhooks {
				resp, err := http.Post(listen, "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				e2etest.Eventually(t, fmt.Sprintf("the listener to print hostile webhook %d", i+1), func() (bool, string) {
					return strings.Count(p.stdoutText(), "NOT VERIFIED")+strings.Count(p.stdoutText(), `"verified":false`) > i, p.output()
				})
			}
			assertTerminalSafe(t, "webhooks listen's stderr", []byte(p.stderrText()))
			if !jsonOut {
				assertTerminalSafe(t, "webhooks listen's stdout", []byte(p.stdoutText()))
				// The verdict stands before any value from the body, on a line of its own.
				for _, line := range strings.Split(p.stdoutText(), "\n") {
					if timeOfDay.MatchString(line) && !strings.HasPrefix(line[8:], "  ✗ NOT VERIFIED  ") {
						t.Errorf("a forged webhook's line does not start with its verdict: %.300q", line)
					}
				}
				return
			}
			// A --json line is data for a program: the 900 KB value stays whole, escaped.
			assertTerminalSafe(t, "webhooks listen --json's stdout", []byte(strings.ReplaceAll(p.stdoutText(), strings.Repeat("A", 900<<10), "A")))
			for _, line := range strings.Split(strings.TrimSpace(p.stdoutText()), "\n") {
				var doc map[string]any
				if err := json.Unmarshal([]byte(line), &doc); err != nil {
					t.Fatalf("--json printed a line that is not JSON: %v: %.200q", err, line)
				}
				if code, _ := doc["webhook_code"].(string); strings.HasPrefix(code, "\u009b2J") && code != "\u009b2J\u202eDEIFIREV" {
					t.Errorf("--json changed the webhook_code: %q", code)
				}
			}
		})
	}
}

// hostileTranscript is a transcript a customer could send to support: every field a report
// shows carries a terminal escape (title, clipboard, clear screen), a C1 control, an override or
// a line break forging a line of the Markdown, and one name is 5,000 characters.
func hostileTranscript() string {
	esc := "\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u009b31m\u202e"
	long := strings.Repeat("N", 5000)
	lines := []map[string]any{
		{"time": "2026-01-02T03:04:05Z", "kind": "session", "program": "plaid-onboard", "version": "v1" + esc, "os": "linux" + esc,
			"arch": "amd64", "command": "plaid-onboard sandbox link" + esc, "environment": "sandbox" + esc,
			"settings": map[string]any{"products": []string{"auth" + esc}, "client_name": "x" + esc, "redirect_uri": "https://e" + esc, "client_id": "c" + esc,
				// Two of the settings a journey records: more would take --json's one summary line
				// past the flood limit (TestShownSettingsCleansEveryValue covers every field).
				"user_custom_file": "u" + esc, "force_error": "E" + esc}},
		{"time": "2026-01-02T03:04:06Z", "kind": "api_call", "endpoint": "/auth/get" + esc, "http_status": 400, "request_id": "req" + esc,
			"item_id": "item" + esc, "error_code": "E" + esc, "error_type": "T" + esc, "network_error": "n" + esc},
		{"time": "2026-01-02T03:04:07Z", "kind": "link_success", "link_session_id": "ls" + esc,
			"metadata": map[string]any{"institution": map[string]any{"name": "Evil Bank" + esc + long}}},
		{"time": "2026-01-02T03:04:08Z", "kind": "link_event", "name": "OPEN" + esc, "metadata": map[string]any{"view_name": "v" + esc}},
		{"time": "2026-01-02T03:04:09Z", "kind": "note", "message": "note" + esc},
		{"time": "2026-01-02T03:04:10Z", "kind": "step", "step": "Exchanged" + esc, "outcome": "failed", "detail": "d" + esc,
			"error_message": "m" + esc, "message": "msg" + esc + "\r✓ all good"},
	}
	var b strings.Builder
	for _, l := range lines {
		raw, err := json.Marshal(l)
		if err != nil {
			panic(err)
		}
		b.Write(raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestAttackOutputReportOfAHostileTranscript: support staff run `report` on files customers
// send; whatever the file holds, the report (text and --json) acts on no terminal and floods no
// line, and --json stays JSON.
func TestAttackOutputReportOfAHostileTranscript(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	path := filepath.Join(dirs.work, "customer.jsonl")
	if err := os.WriteFile(path, []byte(hostileTranscript()), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, dirs, dirs.env(), "report", path)
	if code != 0 {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	assertTerminalSafe(t, "report's stdout", []byte(stdout))
	assertTerminalSafe(t, "report's stderr", []byte(stderr))
	if strings.Contains(stdout, "\n## Outcome\n\nall fine") {
		t.Errorf("a field of the transcript forged a heading of the report:\n%s", stdout)
	}
	if !strings.Contains(stdout, "Evil Bank") || !strings.Contains(stdout, "/auth/get") {
		t.Errorf("the report lost what the transcript says:\n%.2000s", stdout)
	}

	stdout, stderr, code = runBinary(t, dirs, dirs.env(), "report", path, "--json")
	if code != 0 {
		t.Fatalf("report --json: exit %d\n%s", code, stderr)
	}
	assertTerminalSafe(t, "report --json's stdout", []byte(strings.ReplaceAll(stdout, strings.Repeat("N", 5000), "N")))
	if !json.Valid([]byte(stdout)) {
		t.Errorf("report --json is not JSON:\n%.2000s", stdout)
	}
}

// TestAttackOutputUserCustomFieldNameIsNotEchoedRaw: a --user-custom file (a customer's, say)
// with a field name holding escapes: the usage error names the field without them.
func TestAttackOutputUserCustomFieldNameIsNotEchoedRaw(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	path := filepath.Join(dirs.work, "user.json")
	body := `{"override_accounts":[{"type":"depository","subtype":"checking","` + "\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J\\u202e" + strings.Repeat("k", 5000) + `":1}]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--demo", "sandbox", "link", "--user-custom", path}, {"--demo", "sandbox", "link", "--user-custom", path, "--json"}} {
		stdout, stderr, code := runBinary(t, dirs, dirs.env(), args...)
		if code != exitUsage || !strings.Contains(stderr, "not a field") {
			t.Fatalf("%s: exit %d, want %d naming the unknown field:\n%.2000s", strings.Join(args, " "), code, exitUsage, stderr)
		}
		assertTerminalSafe(t, "stderr", []byte(stderr))
		assertTerminalSafe(t, "stdout", []byte(stdout))
	}
}

// truncatingPlaid stands between the binary and the emulator, as a broken proxy would: the
// answers of the paths in cut are cut short mid-body, after the access token; those in echo
// get a text/plain page repeating the request's PLAID-SECRET and an access token.
func truncatingPlaid(t *testing.T, srv *emulator.Server, cut, echo string) *httptest.Server {
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// SetURL also names the emulator in Host, as a proxy in front of it must (it answers only
	// requests that name it).
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }}
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != cut {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		at := bytes.Index(body, []byte(`"item_id"`))
		if at < 0 || !bytes.Contains(body[:at], []byte("access-sandbox-")) {
			return fmt.Errorf("the exchange answer has no access token before item_id: %s", body)
		}
		body = body[:at+12] // {"access_token":"access-sandbox-…","item_id":"
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
		return nil
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == echo {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "upstream said: secret=%s token access-sandbox-0b8c7d9e-1111-2222-3333-444455556666", r.Header.Get("PLAID-SECRET"))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestAttackOutputNoTokenInErrors: an exchange answer cut short after its access token (Plaid
// creates the Item; the answer cannot be read), and a proxy page repeating the secret and an
// access token: the error on stderr and in the --json error names neither.
func TestAttackOutputNoTokenInErrors(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ name, cut, echo string }{
		{"truncated exchange", "/item/public_token/exchange", ""},
		{"proxy page echoing the secret", "", "/sandbox/public_token/create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dirs := newUserDirs(t)
			proxy := truncatingPlaid(t, srv, tc.cut, tc.echo)
			env := dirs.env("PLAID_API_URL="+proxy.URL, "PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
			for _, args := range [][]string{{"sandbox", "link", "--no-save"}, {"sandbox", "link", "--no-save", "--json"}} {
				stdout, stderr, code := runBinary(t, dirs, env, args...)
				if code != exitFailure {
					t.Fatalf("%s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, exitFailure, stdout, stderr)
				}
				for name, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
					for _, secret := range []string{"access-sandbox-", emulator.DemoSecret} {
						if strings.Contains(out, secret) {
							t.Errorf("%s: %s carries %q:\n%s", strings.Join(args, " "), name, secret, out)
						}
					}
				}
				if !strings.Contains(stderr, "UNEXPECTED_RESPONSE") {
					t.Errorf("%s: the error does not say the answer was unexpected:\n%s", strings.Join(args, " "), stderr)
				}
			}
		})
	}
}
