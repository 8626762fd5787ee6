package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// exampleFixtures is the README's example fixture folder, shipped with the emulator's tests.
func exampleFixtures(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "plaidflow", "emulator", "testdata", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// nodeStateRun is what testdata/node/state.js prints.
type nodeStateRun struct {
	LinkedAccessToken string         `json:"linked_access_token"`
	FixtureAuth       map[string]any `json:"fixture_auth"`
	LinkedAuth        map[string]any `json:"linked_auth"`
	PendingAuth       map[string]any `json:"pending_auth"`
}

// runStateScript runs state.js against the emulator.
func runStateScript(t *testing.T, node string, info emulatorInfo, args ...string) nodeStateRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
	defer cancel()
	script := exec.CommandContext(ctx, node, append([]string{"state.js", info.URL, info.ClientID, info.Secret, "access-sandbox-acme-checking"}, args...)...)
	script.Dir = nodeDir
	out, err := script.Output()
	if err != nil {
		var stderrText string
		if ee, ok := err.(*exec.ExitError); ok {
			stderrText = string(ee.Stderr)
		}
		t.Fatalf("node state.js: %v\nstdout: %s\nstderr: %s", err, out, stderrText)
	}
	var got nodeStateRun
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node's output is not the expected JSON: %v\n%s", err, out)
	}
	return got
}

// stopEmulator sends SIGTERM, as a CI runner does at the end of a job, and waits for exit 0.
func stopEmulator(t *testing.T, emu *binaryEmulator) {
	t.Helper()
	if err := emu.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-emu.exited:
		if err != nil {
			t.Fatalf("the emulator after SIGTERM: %v, want exit 0; stderr:\n%s", err, emu.stderr.String())
		}
	case <-time.After(e2etest.Timeout):
		t.Fatalf("the emulator did not stop within %s of SIGTERM", e2etest.Timeout)
	}
}

// TestEmulatorStateWithPlaidNodeClient is a team's test suite with Plaid's Node client: the
// emulator started with the example fixtures, a seed and a state file answers /auth/get for the
// fixture's token at once; stopped with SIGTERM and started again from the state file, it
// answers the same for the fixture's Item and for an Item the first run linked.
func TestEmulatorStateWithPlaidNodeClient(t *testing.T) {
	t.Parallel()
	node := requireNode(t)
	stateFile := filepath.Join(t.TempDir(), "emulator-state.json")
	args := []string{"--fixtures", exampleFixtures(t), "--seed", "7", "--state", stateFile}

	first := startEmulatorBinary(t, args...)
	before := runStateScript(t, node, first.info)
	stopEmulator(t, first)
	if info, err := os.Stat(stateFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file after SIGTERM: %v (mode %v), want one readable by this user only", err, info)
	}

	if accts, _ := before.FixtureAuth["accounts"].([]any); len(accts) != 2 ||
		accts[0].(map[string]any)["name"] != "Acme Operating" {
		t.Errorf("the fixture's /auth/get from Node: %v, want its two accounts", before.FixtureAuth)
	}
	if before.PendingAuth["error_code"] != "PRODUCT_NOT_READY" {
		t.Errorf("the pending micro-deposit fixture's /auth/get from Node: %v, want PRODUCT_NOT_READY", before.PendingAuth)
	}
	if !strings.HasPrefix(before.LinkedAccessToken, "access-sandbox-") || before.LinkedAuth["item"] == nil {
		t.Fatalf("the Item linked from Node: %+v", before)
	}

	again := startEmulatorBinary(t, args...)
	after := runStateScript(t, node, again.info, before.LinkedAccessToken)
	stopEmulator(t, again)
	if !reflect.DeepEqual(before.FixtureAuth, after.FixtureAuth) {
		t.Errorf("the fixture's /auth/get after the restart:\n%v\nbefore:\n%v", after.FixtureAuth, before.FixtureAuth)
	}
	if !reflect.DeepEqual(before.LinkedAuth, after.LinkedAuth) {
		t.Errorf("the linked Item's /auth/get after the restart:\n%v\nbefore:\n%v", after.LinkedAuth, before.LinkedAuth)
	}
}

// A mistake in a fixture stops `emulator` before it listens, with exit status 2 and the file,
// line and column.
func TestEmulatorFixtureErrorNamesTheLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{\n  \"state\": \"sleeping\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t)
	te.mustRun(t, exitUsage, "emulator", "--fixtures", dir)
	wantAll(t, "stderr", te.stderr.String(), filepath.Join(dir, "broken.json")+":2:12: state \"sleeping\"")
}

// A --state path whose folder is not there is refused at start, not when the state is saved.
func TestEmulatorRefusesAStateFileItCannotWrite(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitUsage, "emulator", "--state", filepath.Join(t.TempDir(), "missing", "state.json"))
	wantAll(t, "stderr", te.stderr.String(), "is not there to save the state in")
}

// A state file written by a newer plaid-onboard is refused with exit status 2 and what to do.
func TestEmulatorRefusesANewerStateFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, []byte(`{"format":"plaid-onboard emulator state","version":99,"items":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t)
	te.mustRun(t, exitUsage, "emulator", "--state", file)
	wantAll(t, "stderr", te.stderr.String(), "written by a newer plaid-onboard (state format version 99")
}
