package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// `emulator --listen ADDR:PORT` as in a container (--listen 0.0.0.0:4010 --host plaid-emulator):
// other machines reach the port, so the Host names it answers to are all that keeps a web page
// out. The tests bind loopback only, so they listen on 127.0.0.1 through --listen with another
// allowed name, as a container's neighbours would send it, and hold the same line: that name is
// answered, its own pages' Origin is answered, and any other Host (a rebinding name, an address
// it was not given, the allowed name on another port) or another page's Origin is refused, the
// control API included.
func TestAttackEmulatorListenAnswersOnlyItsHostNames(t *testing.T) {
	t.Parallel()
	e := startEmulatorBinary(t, "--listen", "127.0.0.1:0", "--host", "plaid-emulator")
	info := e.info
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	if !strings.HasPrefix(info.URL, "http://127.0.0.1:") || port == "0" {
		t.Fatalf("url %q, want http://127.0.0.1:PORT with the port it chose", info.URL)
	}
	if strings.Contains(e.stderr.String(), "warning") {
		t.Errorf("a loopback listener warns of the network:\n%s", e.stderr)
	}

	named := "plaid-emulator:" + port
	for _, req := range []hostileRequest{
		{host: named},
		{host: named, origin: "http://" + named}, // its stand-in Link, loaded by that name
		{host: "127.0.0.1:" + port},
	} {
		req.path, req.body = "/sandbox/public_token/create", createItemBody
		if a := req.send(t, info.URL); a.status != http.StatusOK || a.field("public_token") == "" {
			t.Errorf("Host %q Origin %q: HTTP %d %s", req.host, req.origin, a.status, a.raw)
		}
	}
	for _, host := range []string{"evil.example:" + port, "plaid-emulator.evil.example:" + port, "plaid-emulator:1" + port, "10.0.0.5:" + port, "plaid-emulator"} {
		a := hostileRequest{path: "/sandbox/public_token/create", host: host, body: createItemBody}.send(t, info.URL)
		wantRefused(t, "Host "+host+" beside --host plaid-emulator", a, host)
	}
	a := hostileRequest{path: "/sandbox/public_token/create", host: named, origin: "https://evil.example", body: createItemBody}.send(t, info.URL)
	wantRefused(t, "another page's Origin through the allowed name", a, "https://evil.example")

	// The control API: reset through a foreign Host would wipe a test's Items.
	req, err := http.NewRequest(http.MethodPost, info.URL+"/_emulator/reset", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example:" + port
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("control API through Host evil.example: HTTP %d %s, want 421", resp.StatusCode, body)
	}
}

// The stand-in Link's own calls come from its page's origin, which is the name the browser
// loaded it by: through --host's name that is http://plaid-emulator:PORT, and the stand-in must
// take it (a browser in another container) while still refusing another page's origin.
func TestEmulatorStandInAnswersItsHostNameOrigin(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	e := startEmulator(t, ctx, false, "emulator", "--json", "--listen", "127.0.0.1:0", "--host", "plaid-emulator")
	info := e.info(t)
	port := info.URL[strings.LastIndex(info.URL, ":")+1:]
	session := func(origin string) int {
		req, err := http.NewRequest(http.MethodPost, info.URL+"/link/stand-in/session", strings.NewReader(`{"token":"link-sandbox-unknown"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "plaid-emulator:" + port
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		client := &http.Client{Timeout: e2etest.Timeout}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// An unknown link token is Plaid's error (400), not the 403 of a foreign page.
	if got := session("http://plaid-emulator:" + port); got == http.StatusForbidden {
		t.Errorf("the stand-in refused its own page loaded as plaid-emulator:%s (HTTP 403)", port)
	}
	if got := session("https://evil.example"); got != http.StatusForbidden {
		t.Errorf("the stand-in answered another page's origin: HTTP %d, want 403", got)
	}
	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, e.stderr)
	}
}
