package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The attacks of this file stand where a cloned repository does: its .env names a listener for
// Plaid's API and for the Link SDK, while the user's own environment holds the keys (and, for
// the legitimate runs, PLAID_API_URL pointing at the emulator). Whatever the .env says, the
// secret and the access tokens must go nowhere but where the user's environment sends them.

// recorder is a loopback server that counts what reaches it: the listener a hostile .env names.
type recorder struct {
	*httptest.Server
	mu  sync.Mutex
	got []string // one line per request: method, path, and whether it carried a key or token
}

func newRecorder(t *testing.T, secrets ...string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		seen := r.Method + " " + r.URL.Path
		all := string(body) + r.Header.Get("PLAID-SECRET") + r.Header.Get("PLAID-CLIENT-ID")
		for _, s := range secrets {
			if s != "" && strings.Contains(all, s) {
				seen += " (carrying a secret or an access token)"
				break
			}
		}
		rec.mu.Lock()
		rec.got = append(rec.got, seen)
		rec.mu.Unlock()
		http.Error(w, "not Plaid", http.StatusTeapot)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// take is what reached the recorder since the last take.
func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	got := rec.got
	rec.got = nil
	return got
}

// noNetwork is an HTTPS proxy that lets nothing through and remembers which hosts were asked
// for: with HTTPS_PROXY set to it, a call meant for Plaid's own host fails at once, on this
// machine, and the test sees that it was Plaid's host that was meant. Loopback calls (the
// emulator) are never proxied.
func noNetwork(t *testing.T) (proxyEnv string, asked func() []string) {
	t.Helper()
	var mu sync.Mutex
	var hosts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Method+" "+r.Host)
		mu.Unlock()
		http.Error(w, "no network in this test", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	return "HTTPS_PROXY=" + srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), hosts...)
	}
}

// writeDotEnv puts a .env in the working directory, as a cloned repository would.
func writeDotEnv(t *testing.T, dirs userDirs, lines ...string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dirs.work, ".env"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// userKeysEnv is the user's own environment: the keys, no PLAID_API_URL, and no network.
func userKeysEnv(dirs userDirs, proxyEnv string) []string {
	return dirs.env("PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret, proxyEnv)
}

const ignoredAPIURL = "ignored PLAID_API_URL from ./.env"

// wantNothingReached fails when the hostile listener got any request.
func wantNothingReached(t *testing.T, rec *recorder, what, output string) {
	t.Helper()
	if got := rec.take(); len(got) > 0 {
		t.Errorf("%s: the listener named by ./.env received %d requests: %q\n%s", what, len(got), got, output)
	}
}

// wantPlaidAsked fails unless the proxy was asked for Plaid's Sandbox host: the call went where
// the environment says, not to the .env's listener.
func wantPlaidAsked(t *testing.T, asked func() []string, what string) {
	t.Helper()
	for _, h := range asked() {
		if strings.Contains(h, "sandbox.plaid.com:443") {
			return
		}
	}
	t.Errorf("%s: Plaid's host was never asked for (the proxy saw %q)", what, asked())
}

// TestAttackEnvAPIURLAuthAndWebhooksListen: with Items saved, `auth` and `webhooks listen` in a
// directory whose .env sets PLAID_API_URL to a listener send that listener neither the secret
// (every call's PLAID-SECRET header) nor an access token (/auth/get, and /item/webhook/update
// for every saved Item when the listener starts); they say the line was ignored.
func TestAttackEnvAPIURLAuthAndWebhooksListen(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)
	linked, _ := sandboxLinked(t, dirs, env)
	token, err := keyring.Get(vault.KeyringService, "sandbox/item/"+linked.ItemID)
	if err != nil {
		t.Fatalf("the linked Item's token is not in the keyring: %v", err)
	}

	rec := newRecorder(t, emulator.DemoSecret, token)
	writeDotEnv(t, dirs, "PLAID_API_URL="+rec.URL)
	proxyEnv, asked := noNetwork(t)
	attackEnv := userKeysEnv(dirs, proxyEnv)

	stdout, stderr, code := runBinary(t, dirs, attackEnv, "auth", linked.ItemID, "--json")
	out := "stdout:\n" + stdout + "stderr:\n" + stderr
	wantNothingReached(t, rec, "auth", out)
	wantPlaidAsked(t, asked, "auth")
	if code != 1 || !strings.Contains(stderr, ignoredAPIURL) {
		t.Errorf("auth: exit %d (want 1: Plaid is unreachable here), and stderr should say %q\n%s", code, ignoredAPIURL, out)
	}
	if !json.Valid([]byte(stdout)) {
		t.Errorf("auth --json: stdout is not one JSON document:\n%s", out)
	}

	p := startListen(t, dirs, attackEnv)
	e2etest.Eventually(t, "webhooks listen to be listening, its saved Items dealt with", func() (bool, string) {
		return strings.Contains(p.stderrText(), "Press ctrl+c to stop."), p.output()
	})
	wantNothingReached(t, rec, "webhooks listen", p.output())
	if n := strings.Count(p.stderrText(), ignoredAPIURL); n != 1 {
		t.Errorf("webhooks listen: stderr says %q %d times, want once\n%s", ignoredAPIURL, n, p.output())
	}
}

// TestAttackEnvAPIURLDoctor: `doctor` in a directory whose .env sets PLAID_API_URL checks
// Plaid's own host, not the listener, and says the line was ignored.
func TestAttackEnvAPIURLDoctor(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	rec := newRecorder(t, emulator.DemoSecret)
	writeDotEnv(t, dirs, "PLAID_API_URL="+rec.URL)
	proxyEnv, asked := noNetwork(t)

	stdout, stderr, _ := runBinary(t, dirs, userKeysEnv(dirs, proxyEnv), "doctor", "--json", "--timeout", "10s")
	out := "stdout:\n" + stdout + "stderr:\n" + stderr
	wantNothingReached(t, rec, "doctor", out)
	wantPlaidAsked(t, asked, "doctor")
	if !strings.Contains(stdout+stderr, ignoredAPIURL) {
		t.Errorf("doctor should say %q\n%s", ignoredAPIURL, out)
	}
	if !json.Valid([]byte(stdout)) {
		t.Errorf("doctor --json: stdout is not one JSON document:\n%s", out)
	}
}

// linkPageOf starts `link --no-save` and fetches its Link page over HTTP, as the browser would
// first: the HTML and its Content-Security-Policy.
func linkPageOf(t *testing.T, dirs userDirs, env []string) (p *process, html, csp string) {
	t.Helper()
	p = startLink(t, dirs, env, "--no-save")
	resp, err := http.Get(p.waitURL(t))
	if err != nil {
		t.Fatalf("fetch the Link page: %v\n%s", err, p.output())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("fetch the Link page: HTTP %d, %v\n%s", resp.StatusCode, err, p.output())
	}
	return p, string(body), resp.Header.Get("Content-Security-Policy")
}

// TestAttackEnvLinkScriptURL: the Link page, the 127.0.0.1 page the user trusts, served in a
// directory whose .env sets PLAID_LINK_SCRIPT_URL, neither loads that script nor lets its
// Content-Security-Policy allow its origin; the program says the line was ignored.
func TestAttackEnvLinkScriptURL(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	dirs := newUserDirs(t)
	rec := newRecorder(t)
	evil := rec.URL + "/evil.js"
	writeDotEnv(t, dirs, "PLAID_LINK_SCRIPT_URL="+evil)
	env := dirs.env("PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)

	p, html, csp := linkPageOf(t, dirs, env)
	hostile := strings.TrimPrefix(rec.URL, "http://")
	if strings.Contains(html, hostile) || strings.Contains(csp, hostile) {
		t.Errorf("the Link page lets %s run:\nCSP: %s\nHTML:\n%s", evil, csp, html)
	}
	if !strings.Contains(html, "https://cdn.plaid.com/link/v2/stable/link-initialize.js") {
		t.Errorf("the Link page does not load Plaid's Link SDK:\n%s", html)
	}
	if want := "ignored PLAID_LINK_SCRIPT_URL from ./.env"; !strings.Contains(p.stderrText(), want) {
		t.Errorf("stderr should say %q\n%s", want, p.output())
	}
}

// noticeLine is a line of stderr that announce where calls are sent.
var noticeLine = regexp.MustCompile(`(?m)^note: sending .*$`)

// TestAttackEnvFromEnvironmentIsUsedAndAnnounced: the same settings from the process
// environment, the emulator's workflow, are used, and each run says once, on stderr, where the
// keys are sent and why; --json keeps stdout one JSON document, and --demo (the program's own
// emulator) says nothing of it.
func TestAttackEnvFromEnvironmentIsUsedAndAnnounced(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	dirs := newUserDirs(t)
	env := fakePlaidEnv(dirs, srv, srv.LinkScriptURL())

	wantNotice := func(what, stderr string) {
		t.Helper()
		lines := noticeLine.FindAllString(stderr, -1)
		if len(lines) != 1 || !strings.Contains(lines[0], srv.URL) || !strings.Contains(lines[0], "PLAID_API_URL") || !strings.Contains(lines[0], "environment") {
			t.Errorf("%s: want one line saying the calls go to %s because of PLAID_API_URL in the environment; stderr:\n%s", what, srv.URL, stderr)
		}
	}

	var linked map[string]any
	stderr := runJSON(t, dirs, env, &linked, "sandbox", "link", "--no-save", "--json")
	wantNotice("sandbox link", stderr)

	stdout, stderr, _ := runBinary(t, dirs, env, "doctor", "--json")
	var rep struct {
		Checks []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Checks) < 2 || rep.Checks[1].Name != "api" || rep.Checks[1].Status != "ok" {
		t.Errorf("doctor --json against the emulator: the api check should pass (%v)\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	wantNotice("doctor", stderr)

	p, html, _ := linkPageOf(t, dirs, env)
	if !strings.Contains(html, srv.LinkScriptURL()) {
		t.Errorf("the Link page does not load PLAID_LINK_SCRIPT_URL from the environment (%s):\n%s", srv.LinkScriptURL(), html)
	}
	wantNotice("link", p.stderrText())

	stderr = runJSON(t, dirs, dirs.env(), &linked, "--demo", "sandbox", "link", "--no-save", "--json")
	if noticeLine.MatchString(stderr) {
		t.Errorf("--demo announces its own emulator as somewhere else:\n%s", stderr)
	}
}
