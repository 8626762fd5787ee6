package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// Attacks on `plaid-onboard emulator` from a web page in the user's browser. The emulator
// accepts the published demo keys, so the keys protect nothing: what keeps a page out is that a
// page cannot choose who it talks to. Through DNS rebinding (evil.example resolving to
// 127.0.0.1) the page's requests reach the emulator's port but name evil.example in Host; a
// cross-site request, even a "no-cors" one the page cannot read, carries the page's Origin.
// Plaid's clients (plaid-go, plaid-node, plaid-python, ...) send no Origin and name the
// address they dialled in Host. Plaid's own API does not answer browsers either: its docs
// say API calls are made from the server, with the secret never reaching the client
// (https://plaid.com/docs/api/#api-access).

// binaryEmulator is the built `plaid-onboard emulator --json` running.
type binaryEmulator struct {
	info   emulatorInfo // what its JSON line says
	cmd    *exec.Cmd
	exited chan error // its exit, once
	done   chan struct{}
	stderr *lockedBuffer
}

// startEmulatorBinary runs the built `plaid-onboard emulator --json` with private directories
// and returns once its JSON line is out; it is killed when the test ends, if still running.
func startEmulatorBinary(t *testing.T, args ...string) *binaryEmulator {
	t.Helper()
	dirs := newUserDirs(t)
	e := &binaryEmulator{cmd: exec.Command(testBinary(t), append([]string{"emulator", "--json"}, args...)...),
		exited: make(chan error, 1), done: make(chan struct{}), stderr: &lockedBuffer{}}
	e.cmd.Dir, e.cmd.Env, e.cmd.Stderr = dirs.work, dirs.env(), e.stderr
	stdout, err := e.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.cmd.Process.Kill()
		<-e.done
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		e.exited <- e.cmd.Wait()
		close(e.done)
	}()
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &e.info); err != nil || e.info.URL == "" {
			t.Fatalf("the emulator's first line is not its JSON address: %v: %q", err, line)
		}
	case err := <-e.exited:
		t.Fatalf("the emulator exited before printing its address: %v; stderr:\n%s", err, e.stderr)
	case <-time.After(e2etest.Timeout):
		t.Fatalf("no JSON line from the emulator within %s; stderr:\n%s", e2etest.Timeout, e.stderr)
	}
	return e
}

// hostileRequest is one HTTP request as a browser or a Plaid client would send it.
type hostileRequest struct {
	path        string
	host        string // the Host header; "" is the address dialled
	origin      string // "" sends none, as Plaid's clients do
	contentType string // "" is application/json
	body        string
}

// plaidAnswer is an answer's status and its JSON body's top-level fields.
type plaidAnswer struct {
	status int
	fields map[string]any
	raw    string
}

func (a plaidAnswer) field(name string) string { s, _ := a.fields[name].(string); return s }

// send posts req to the emulator at base with the demo keys in Plaid's headers.
func (req hostileRequest) send(t *testing.T, base string) plaidAnswer {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, base+req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	r.Host = req.host
	r.Header.Set("Content-Type", "application/json")
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	if req.origin != "" {
		r.Header.Set("Origin", req.origin)
	}
	r.Header.Set("PLAID-CLIENT-ID", emulator.DemoClientID)
	r.Header.Set("PLAID-SECRET", emulator.DemoSecret)
	client := &http.Client{Timeout: e2etest.Timeout}
	resp, err := client.Do(r)
	if err != nil {
		t.Fatalf("POST %s (Host %q, Origin %q): %v", req.path, req.host, req.origin, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read the answer: %v", req.path, err)
	}
	a := plaidAnswer{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.fields)
	return a
}

// queueFault asks the control API, as a test on this machine would, to answer the next call
// to path with Plaid's error code.
func queueFault(t *testing.T, base, path, code string) {
	t.Helper()
	body := `{"path":"` + path + `","kind":"error","error_code":"` + code + `","count":1}`
	resp, err := http.Post(base+"/_emulator/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("queue a %s fault on %s: HTTP %d %s", code, path, resp.StatusCode, b)
	}
}

// wantRefused fails unless the answer is Plaid's error shape refusing the request's headers,
// with a message that names what was wrong.
func wantRefused(t *testing.T, what string, a plaidAnswer, mentions string) {
	t.Helper()
	if a.status != http.StatusBadRequest || a.field("error_type") != "INVALID_REQUEST" || a.field("error_code") != "INVALID_HEADERS" ||
		a.field("request_id") == "" || !strings.Contains(a.field("error_message"), mentions) {
		t.Errorf("%s: want HTTP 400 INVALID_REQUEST/INVALID_HEADERS with a request_id and a message naming %q; got HTTP %d %s",
			what, mentions, a.status, a.raw)
	}
	for _, leaked := range []string{"public_token", "access_token", "link_token", "item_id"} {
		if _, ok := a.fields[leaked]; ok {
			t.Errorf("%s: the refused answer carries %s: %s", what, leaked, a.raw)
		}
	}
}

const createItemBody = `{"institution_id":"ins_109508","initial_products":["auth"]}`

// A page on evil.example rebinds its name to 127.0.0.1 and posts to the emulator's port with
// the demo keys: the emulator refuses, in Plaid's error shape, before anything happens. The
// proof that nothing happened: a fault queued for that endpoint is still there for the next
// legitimate call, which gets it; the call after that makes an Item as usual.
func TestAttackEmulatorRebindingHostRefused(t *testing.T) {
	t.Parallel()
	info := startEmulatorBinary(t).info
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	queueFault(t, info.URL, "/sandbox/public_token/create", "INSTITUTION_DOWN")

	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1.evil.example:" + port, "localhost:1" + port} {
		a := hostileRequest{path: "/sandbox/public_token/create", host: host, body: createItemBody}.send(t, info.URL)
		wantRefused(t, "Host "+host, a, host)
	}
	// The webhook of an Item the page cannot name either: the page would point it at another
	// loopback port and have it fired, signed with the emulator's key.
	a := hostileRequest{path: "/item/webhook/update", host: "evil.example:" + port,
		body: `{"access_token":"access-sandbox-00000000-0000-0000-0000-000000000000","webhook":"http://127.0.0.1:9/"}`}.send(t, info.URL)
	wantRefused(t, "webhook update with a rebinding Host", a, "evil.example")

	if a := (hostileRequest{path: "/sandbox/public_token/create", body: createItemBody}).send(t, info.URL); a.field("error_code") != "INSTITUTION_DOWN" {
		t.Errorf("the legitimate call after the refused ones did not get the fault queued before them (a refused call used it): HTTP %d %s", a.status, a.raw)
	}
	if a := (hostileRequest{path: "/sandbox/public_token/create", body: createItemBody}).send(t, info.URL); a.status != http.StatusOK || a.field("public_token") == "" {
		t.Errorf("a legitimate call makes no Item: HTTP %d %s", a.status, a.raw)
	}
}

// A page posts cross-site with the demo keys in the body, the way a form or fetch() can:
// its Origin gives it away, whichever page it is (another site, another local app's port, a
// sandboxed frame's "null").
func TestAttackEmulatorCrossSiteOriginRefused(t *testing.T) {
	t.Parallel()
	info := startEmulatorBinary(t).info
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	body := `{"client_id":"` + emulator.DemoClientID + `","secret":"` + emulator.DemoSecret + `","institution_id":"ins_109508","initial_products":["auth"]}`
	for _, origin := range []string{"https://evil.example", "http://127.0.0.1:1" + port, "null", "http://localhost:" + port + ".evil.example"} {
		a := hostileRequest{path: "/sandbox/public_token/create", origin: origin, body: body}.send(t, info.URL)
		wantRefused(t, "Origin "+origin, a, origin)
	}
}

// A "no-cors" fetch (Content-Type text/plain, so the browser sends it without asking first)
// cannot read the answer, but on main it still reached the endpoint and used up the fault a
// test had queued. It must leave the fault for the test's own call.
func TestAttackEmulatorNoCorsPostKeepsQueuedFault(t *testing.T) {
	t.Parallel()
	info := startEmulatorBinary(t).info
	queueFault(t, info.URL, "/auth/get", "RATE_LIMIT")
	body := `{"access_token":"access-sandbox-00000000-0000-0000-0000-000000000000"}`
	a := hostileRequest{path: "/auth/get", origin: "https://evil.example", contentType: "text/plain;charset=UTF-8", body: body}.send(t, info.URL)
	wantRefused(t, "no-cors POST", a, "https://evil.example")
	if a := (hostileRequest{path: "/auth/get", body: body}).send(t, info.URL); a.field("error_code") != "RATE_LIMIT" {
		t.Errorf("the test's own call did not get its queued fault (the no-cors POST used it): HTTP %d %s", a.status, a.raw)
	}
}

// What legitimately calls the emulator still gets answers: Plaid's clients naming it by any
// of its loopback names or by the names --host gave (a proxy's, a container's), and the
// emulator's own pages (same origin). A name close to a given one is still refused.
func TestAttackEmulatorLegitimateCallersAnswered(t *testing.T) {
	t.Parallel()
	info := startEmulatorBinary(t, "--host", "plaid-emulator", "--host", "proxy.internal:8080").info
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	for _, req := range []hostileRequest{
		{host: "127.0.0.1:" + port},
		{host: "localhost:" + port},
		{host: "LocalHost:" + port},
		{host: "[::1]:" + port},
		{origin: info.URL},
		{host: "localhost:" + port, origin: "http://localhost:" + port},
		{host: "plaid-emulator:" + port},
		{host: "proxy.internal:8080"},
	} {
		req.path, req.body = "/sandbox/public_token/create", createItemBody
		if a := req.send(t, info.URL); a.status != http.StatusOK || a.field("public_token") == "" {
			t.Errorf("Host %q Origin %q: HTTP %d %s", req.host, req.origin, a.status, a.raw)
		}
	}
	for _, host := range []string{"plaid-emulator.evil.example:" + port, "proxy.internal:" + port, "plaid-emulator"} {
		a := hostileRequest{path: "/sandbox/public_token/create", host: host, body: createItemBody}.send(t, info.URL)
		wantRefused(t, "Host "+host+" beside --host plaid-emulator and proxy.internal:8080", a, host)
	}
}

// getWith GETs path from the emulator at base with the Host and Origin given ("" for the
// address dialled and no Origin), as a browser tab would.
func getWith(t *testing.T, base, path, host, origin string) (int, http.Header, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = host
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	resp, err := (&http.Client{Timeout: e2etest.Timeout}).Do(r)
	if err != nil {
		t.Fatalf("GET %s (Host %q, Origin %q): %v", path, host, origin, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// The page at /_emulator/ shows the Items, and its state is a GET away: a page elsewhere must
// read neither, whether it rebinds its name to 127.0.0.1 or fetches cross-site. The emulator's
// own page, and a tool on this machine, read both; no other page may frame it.
func TestAttackEmulatorInspectPage(t *testing.T) {
	t.Parallel()
	info := startEmulatorBinary(t).info
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	made := hostileRequest{path: "/sandbox/public_token/create", body: createItemBody}.send(t, info.URL)
	if made.status != http.StatusOK {
		t.Fatalf("make an Item: HTTP %d %s", made.status, made.raw)
	}
	_, _, state := getWith(t, info.URL, "/_emulator/state", "", "")
	var st struct {
		Items []struct {
			ItemID string `json:"item_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(state), &st); err != nil || len(st.Items) != 1 {
		t.Fatalf("a tool on this machine reads the state: %v %s", err, state)
	}
	itemID := st.Items[0].ItemID

	status, header, page := getWith(t, info.URL, "/_emulator/", "", "")
	if status != http.StatusOK || !strings.Contains(page, "/_emulator/inspect.js") {
		t.Fatalf("the page: HTTP %d %.200s", status, page)
	}
	if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the page may be framed by another: CSP %q, X-Frame-Options %q", csp, header.Get("X-Frame-Options"))
	}
	// The page's own fetches carry its origin, by any of the emulator's loopback names.
	for _, own := range []struct{ host, origin string }{{"", info.URL}, {"localhost:" + port, "http://localhost:" + port}} {
		if status, _, body := getWith(t, info.URL, "/_emulator/state", own.host, own.origin); status != http.StatusOK || !strings.Contains(body, itemID) {
			t.Errorf("the page's own fetch (Host %q, Origin %q): HTTP %d %.200s", own.host, own.origin, status, body)
		}
	}
	for _, path := range []string{"/_emulator/", "/_emulator/state", "/_emulator/requests", "/_emulator/inspect.js"} {
		for _, hostile := range []struct{ host, origin string }{
			{host: "evil.example:" + port},
			{host: "evil.example:" + port, origin: "http://evil.example:" + port},
			{origin: "https://evil.example"},
			{origin: "http://127.0.0.1:1" + port},
			{origin: "null"},
		} {
			status, _, body := getWith(t, info.URL, path, hostile.host, hostile.origin)
			if status != http.StatusMisdirectedRequest && status != http.StatusForbidden {
				t.Errorf("GET %s with Host %q, Origin %q: HTTP %d, want 421 or 403", path, hostile.host, hostile.origin, status)
			}
			if strings.Contains(body, itemID) || strings.Contains(body, "<html") || strings.Contains(body, "request_id") {
				t.Errorf("GET %s with Host %q, Origin %q leaks the state or the page: %.300s", path, hostile.host, hostile.origin, body)
			}
		}
	}
}
