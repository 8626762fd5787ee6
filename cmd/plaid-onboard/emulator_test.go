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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
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
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			if code := te.run(tt.args...); code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, te.stderr)
			}
			if !strings.Contains(te.stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, te.stderr)
			}
		})
	}
	// Its help lists the flags it takes and hides the ones it refuses.
	te := newTestEnv(t)
	if code := te.run("emulator", "--help"); code != exitOK {
		t.Fatalf("emulator --help: exit %d", code)
	}
	for _, want := range []string{"--port", "--latency", "--json", "--client-id", "/_emulator/faults"} {
		if !strings.Contains(te.stdout.String(), want) {
			t.Errorf("emulator --help lacks %s", want)
		}
	}
	for _, bad := range []string{"--demo", "--mask", "--no-save", "--env"} {
		if strings.Contains(te.stdout.String(), bad) {
			t.Errorf("emulator --help lists %s, which it refuses", bad)
		}
	}
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
