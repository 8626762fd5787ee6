package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// The GitHub Action (action.yml) runs .ci/action/start-emulator.sh. These tests run that
// script as a runner would, with GITHUB_ENV and GITHUB_OUTPUT files of their own and
// GITHUB_ACTION_PATH at this repository, then do what a later step does with what it exported:
// call Plaid through it.

// actionRun is what one run of the action's script left: the variables it exported, its
// outputs, and what it printed.
type actionRun struct {
	env, outputs map[string]string
	stderr       string
	err          error
}

// runAction runs the script with inputs (INPUT_* variables, as action.yml passes them) and
// stops the emulator it started when the test ends, if it is still running.
func runAction(t *testing.T, inputs map[string]string, more ...string) actionRun {
	t.Helper()
	dir := t.TempDir()
	envFile, outFile := filepath.Join(dir, "github_env"), filepath.Join(dir, "github_output")
	for _, f := range []string{envFile, outFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, ".ci", "action", "start-emulator.sh"))
	cmd.Env = append(newUserDirs(t).env(), "GITHUB_ENV="+envFile, "GITHUB_OUTPUT="+outFile, "GITHUB_ACTION_PATH="+root,
		"RUNNER_TEMP="+filepath.Join(dir, "runner-temp"), "GOCACHE="+goEnv(t, "GOCACHE"), "GOMODCACHE="+goEnv(t, "GOMODCACHE"),
		"GOPATH="+goEnv(t, "GOPATH"), "GOFLAGS="+os.Getenv("GOFLAGS"), "GOPROXY=off")
	cmd.Env = append(cmd.Env, more...)
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := actionRun{err: cmd.Run(), stderr: stderr.String()}
	run.env, run.outputs = readKeyValues(t, envFile), readKeyValues(t, outFile)
	if pid, err := strconv.Atoi(run.env["PLAID_EMULATOR_PID"]); err == nil {
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	}
	return run
}

// goEnv is `go env NAME`: the script's go build shares the suite's caches.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// readKeyValues reads a GITHUB_ENV or GITHUB_OUTPUT file: NAME=value lines.
func readKeyValues(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// wantEmulatorAnswers fails unless a Plaid client configured only from the exported variables
// makes an Item, the Link script loads from PLAID_LINK_SCRIPT_URL, and the outputs agree.
func wantEmulatorAnswers(t *testing.T, run actionRun) {
	t.Helper()
	if run.err != nil {
		t.Fatalf("the action's script failed: %v\n%s", run.err, run.stderr)
	}
	env := run.env
	cfg := config.Config{ClientID: env["PLAID_CLIENT_ID"], Secret: env["PLAID_SECRET"], Env: config.Sandbox, APIURL: env["PLAID_API_URL"],
		Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "plaid-onboard"}
	c, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatalf("a Plaid client from the exported variables %v: %v", env, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
	defer cancel()
	if tok, err := c.SandboxPublicToken(ctx, "ins_109508"); err != nil || !strings.HasPrefix(tok, "public-sandbox-") {
		t.Errorf("/sandbox/public_token/create through PLAID_API_URL=%s: %q %v", env["PLAID_API_URL"], tok, err)
	}
	resp, err := http.Get(env["PLAID_LINK_SCRIPT_URL"])
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET PLAID_LINK_SCRIPT_URL=%s: %v %v", env["PLAID_LINK_SCRIPT_URL"], resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	if env["PLAID_ENV"] != "sandbox" || run.outputs["url"] != env["PLAID_API_URL"] || run.outputs["pid"] != env["PLAID_EMULATOR_PID"] ||
		run.outputs["client-id"] != env["PLAID_CLIENT_ID"] || run.outputs["link-script-url"] != env["PLAID_LINK_SCRIPT_URL"] {
		t.Errorf("exported %v but output %v", env, run.outputs)
	}
}

// wantStops sends SIGTERM to PLAID_EMULATOR_PID, as a job's step stopping it early does, and
// waits until the process is gone and its port closed.
func wantStops(t *testing.T, run actionRun) {
	t.Helper()
	pid, err := strconv.Atoi(run.env["PLAID_EMULATOR_PID"])
	if err != nil {
		t.Fatalf("PLAID_EMULATOR_PID %q is not a process id", run.env["PLAID_EMULATOR_PID"])
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("kill PLAID_EMULATOR_PID %d: %v", pid, err)
	}
	e2etest.Eventually(t, fmt.Sprintf("the emulator (pid %d) to exit on SIGTERM", pid), func() (bool, string) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		// Gone, or a zombie waiting for a parent that is not this test.
		gone := err != nil || strings.Contains(string(stat), ") Z ")
		return gone, string(stat)
	})
	wantPortClosed(t, run.env["PLAID_API_URL"])
}

// The action's default where its ref is not a release (a branch, a commit): plaid-onboard built
// from the action's own source. Host names and more flags pass through to the emulator.
func TestActionBuildsFromSourceAndExportsTheEmulator(t *testing.T) {
	t.Parallel()
	run := runAction(t, map[string]string{"PORT": "0", "HOSTS": "plaid-emulator\n  host.docker.internal \n", "ARGS": "--latency 1ms --products-enabled auth"},
		"GITHUB_ACTION_REF=main")
	if !strings.Contains(run.stderr, "building plaid-onboard from the action's source (main)") {
		t.Errorf("the script did not say it builds from source:\n%s", run.stderr)
	}
	wantEmulatorAnswers(t, run)
	port := run.env["PLAID_API_URL"][strings.LastIndex(run.env["PLAID_API_URL"], ":")+1:]
	for _, host := range []string{"plaid-emulator:" + port, "host.docker.internal:" + port} {
		a := hostileRequest{path: "/sandbox/public_token/create", host: host, body: createItemBody}.send(t, run.env["PLAID_API_URL"])
		if a.status != http.StatusOK {
			t.Errorf("Host %s from the hosts input: HTTP %d %s", host, a.status, a.raw)
		}
	}
	// --products-enabled auth came through: a link token for transactions is refused.
	a := hostileRequest{path: "/link/token/create", body: `{"client_name":"x","language":"en","country_codes":["US"],"user":{"client_user_id":"u"},"products":["transactions"]}`}.send(t, run.env["PLAID_API_URL"])
	if a.field("error_code") != "INVALID_PRODUCT" {
		t.Errorf("the args input did not reach the emulator (--products-enabled auth): HTTP %d %s", a.status, a.raw)
	}
	wantStops(t, run)
}

// A release tag of the action downloads that release's archive for the runner, checks it
// against the release's checksums.txt, and runs it; an archive that does not match is refused
// and nothing is started.
func TestActionDownloadsTheReleaseAndChecksIt(t *testing.T) {
	t.Parallel()
	bin, err := os.ReadFile(testBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	archiveName := "plaid-onboard_1.4.0_linux_" + runtime.GOARCH + ".tar.gz"
	archive := tarGz(t, "plaid-onboard", bin)
	sum := sha256.Sum256(archive)
	checksums := hex.EncodeToString(sum[:]) + "  " + archiveName + "\n"
	releases := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1.4.0/" + archiveName:
			w.Write(archive)
		case "/v1.4.0/checksums.txt":
			w.Write([]byte(checksums))
		case "/v1.4.1/" + strings.Replace(archiveName, "1.4.0", "1.4.1", 1):
			w.Write(archive)
		case "/v1.4.1/checksums.txt":
			w.Write([]byte(strings.Repeat("0", 64) + "  " + strings.Replace(archiveName, "1.4.0", "1.4.1", 1) + "\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer releases.Close()

	run := runAction(t, map[string]string{"PORT": "0"}, "GITHUB_ACTION_REF=v1.4.0", "PLAID_ONBOARD_RELEASES_URL="+releases.URL)
	if !strings.Contains(run.stderr, "downloading plaid-onboard 1.4.0 (linux/"+runtime.GOARCH+")") {
		t.Errorf("the script did not say it downloads the release:\n%s", run.stderr)
	}
	wantEmulatorAnswers(t, run)
	wantStops(t, run)

	bad := runAction(t, map[string]string{"PORT": "0", "VERSION": "1.4.1"}, "PLAID_ONBOARD_RELEASES_URL="+releases.URL)
	if bad.err == nil || !strings.Contains(bad.stderr, "does not match the release's checksums.txt") || len(bad.env) > 0 {
		t.Errorf("an archive that does not match its checksum: %v, exported %v\n%s", bad.err, bad.env, bad.stderr)
	}
}

// An emulator that cannot start (its port taken) fails the step, says why, exports nothing and
// leaves no process behind.
func TestActionFailsWhenTheEmulatorCannotStart(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	run := runAction(t, map[string]string{"PORT": port, "BINARY": testBinary(t)})
	if run.err == nil || !strings.Contains(run.stderr, "::error title=plaid-onboard emulator::plaid-onboard emulator --json --listen 127.0.0.1:"+port) ||
		!strings.Contains(run.stderr, "address already in use") || len(run.env) > 0 {
		t.Errorf("the port is taken: %v, exported %v\n%s", run.err, run.env, run.stderr)
	}
}

// tarGz is a .tar.gz holding one executable file.
func tarGz(t *testing.T, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	// No compression: the script's tar -xzf reads a stored gzip stream all the same, and
	// compressing the 30 MB binary cost this test about 20 s under -race.
	gz, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
