package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// logLine is one line of `emulator logs`: time, status, endpoint, latency, request_id, and the
// error_code when there is one, in aligned columns.
var logLine = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3}  (\d{3}|---|lost) +(/\S+) +\d+\.\dms  ([A-Za-z0-9]{15})(?:  ([A-Z_]+))?$`)

// A user runs `plaid-onboard emulator logs` against a served emulator: the calls it answered,
// oldest first, one aligned line each; with --json, one object per line.
func TestEmulatorLogsPrintsCalls(t *testing.T) {
	t.Parallel()
	emu := startEmulatorBinary(t).info
	ok := hostileRequest{path: "/sandbox/public_token/create", body: createItemBody}.send(t, emu.URL)
	queueFault(t, emu.URL, "/institutions/get_by_id", "INSTITUTION_NOT_RESPONDING")
	failed := hostileRequest{path: "/institutions/get_by_id", body: `{"institution_id":"ins_109508","country_codes":["US"]}`}.send(t, emu.URL)

	dirs := newUserDirs(t)
	cmd := exec.Command(testBinary(t), "emulator", "logs")
	cmd.Dir, cmd.Env = dirs.work, dirs.env("PLAID_API_URL="+emu.URL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("emulator logs: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want a line for each of the two calls, got:\n%s", out)
	}
	for i, want := range []struct{ status, endpoint, requestID, code string }{
		{"200", "/sandbox/public_token/create", ok.field("request_id"), ""},
		{"400", "/institutions/get_by_id", failed.field("request_id"), "INSTITUTION_NOT_RESPONDING"},
	} {
		m := logLine.FindStringSubmatch(lines[i])
		if m == nil || m[1] != want.status || m[2] != want.endpoint || m[3] != want.requestID || m[4] != want.code {
			t.Errorf("line %d %q, want status %s, %s, request_id %s, error_code %q", i+1, lines[i], want.status, want.endpoint, want.requestID, want.code)
		}
	}
	if strings.Index(lines[0], "ms") != strings.Index(lines[1], "ms") {
		t.Errorf("the columns are not aligned:\n%s", out)
	}

	for _, filter := range []struct {
		args []string
		want string
	}{
		{[]string{"--errors"}, failed.field("request_id")},
		{[]string{"--endpoint", "/sandbox/public_token/create"}, ok.field("request_id")},
		{[]string{"--endpoint", "/auth/get", "--endpoint", "/institutions/get_by_id", "--errors"}, failed.field("request_id")},
	} {
		cmd = exec.Command(testBinary(t), append([]string{"emulator", "logs", "--url", emu.URL}, filter.args...)...)
		cmd.Dir, cmd.Env = dirs.work, dirs.env()
		out, err = cmd.Output()
		if got := strings.Split(strings.TrimSpace(string(out)), "\n"); err != nil || len(got) != 1 || !strings.Contains(got[0], filter.want) {
			t.Errorf("emulator logs %v: %v\n%s\nwant only the call %s", filter.args, err, out, filter.want)
		}
	}

	cmd = exec.Command(testBinary(t), "emulator", "logs", "--url", emu.URL, "--json", "--last", "1")
	cmd.Dir, cmd.Env = dirs.work, dirs.env()
	out, err = cmd.Output()
	var call emulator.LoggedRequest
	if err != nil || json.Unmarshal(out, &call) != nil || call.RequestID != failed.field("request_id") || call.Status != 400 ||
		call.ErrorCode != "INSTITUTION_NOT_RESPONDING" || call.Endpoint != "/institutions/get_by_id" || call.Time == "" {
		t.Errorf("emulator logs --json --last 1: %v\n%s", err, out)
	}
}

// --follow prints each call as the emulator answers it, and ctrl+c ends it at once with exit 0
// and nothing on stderr: following is how the command is used, stopping is how it ends.
func TestEmulatorLogsFollowAndInterrupt(t *testing.T) {
	t.Parallel()
	emu := startEmulatorBinary(t).info
	first := hostileRequest{path: "/sandbox/public_token/create", body: createItemBody}.send(t, emu.URL)

	dirs := newUserDirs(t)
	cmd := exec.Command(testBinary(t), "emulator", "logs", "--follow", "--url", emu.URL)
	cmd.Dir, cmd.Env = dirs.work, dirs.env()
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	next := func(what string) string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("emulator logs --follow ended while waiting for %s; stderr:\n%s", what, stderr)
			}
			return l
		case <-time.After(e2etest.Timeout):
			t.Fatalf("no line for %s within %s; stderr:\n%s", what, e2etest.Timeout, stderr)
			return ""
		}
	}
	if l := next("the call made before it started"); !strings.Contains(l, first.field("request_id")) {
		t.Fatalf("first line %q, want the call made before", l)
	}
	// Each call made from now on is printed as it is answered.
	for range 2 {
		a := hostileRequest{path: "/item/get", body: `{"access_token":"access-sandbox-00000000-0000-0000-0000-000000000000"}`}.send(t, emu.URL)
		l := next("a call made while following")
		if m := logLine.FindStringSubmatch(l); m == nil || m[2] != "/item/get" || m[3] != a.field("request_id") || m[4] != "INVALID_ACCESS_TOKEN" {
			t.Errorf("line %q, want the /item/get call %s with INVALID_ACCESS_TOKEN", l, a.field("request_id"))
		}
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("emulator logs --follow after ctrl+c: %v, want exit 0; stderr:\n%s", err, stderr)
		}
	case <-time.After(e2etest.Timeout):
		t.Fatalf("emulator logs --follow did not stop within %s of ctrl+c", e2etest.Timeout)
	}
	if s := stderr.String(); s != "" {
		t.Errorf("stderr after ctrl+c: %q, want nothing", s)
	}
}

// Without an emulator to read, it says where it looked and how to point it at one.
func TestEmulatorLogsWithoutEmulator(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	if code := te.run("emulator", "logs"); code != exitUsage || !strings.Contains(te.stderr.String(), "--url") {
		t.Errorf("without --url or PLAID_API_URL: exit %d, stderr %q; want a usage error naming --url", code, te.stderr)
	}
	te = newTestEnv(t)
	if code := te.run("emulator", "logs", "--url", "http://127.0.0.1:1"); code != exitFailure || !strings.Contains(te.stderr.String(), "does not answer") {
		t.Errorf("with nothing at the URL: exit %d, stderr %q; want exit 1 saying the emulator does not answer", code, te.stderr)
	}
}
