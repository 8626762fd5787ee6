package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	binaryErr  error
	binaryOut  []byte
)

// TestMain removes the binary that testBinary built once the package's tests are done: the
// binary is shared by every test, so no single test's TempDir can own it, and a directory left
// in $TMPDIR on every run fills CI machines. It also fails the run when a goroutine outlives
// the tests (goleak): the commands run in-process here, so a leak in a test is one in the
// program.
func TestMain(m *testing.M) {
	code := e2etest.Main(m,
		// go-keyring talks to the Secret Service over godbus's shared session-bus connection,
		// which godbus opens once and keeps for the life of the process by design
		// (dbus.SessionBus); its reader goroutines are the library's, not a leak.
		goleak.IgnoreTopFunction("github.com/godbus/dbus/v5.newConn.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"),
	)
	if binaryDir != "" {
		if err := os.RemoveAll(binaryDir); err != nil {
			fmt.Fprintf(os.Stderr, "remove the test binary: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// testBinary builds plaid-onboard once per test run and returns its path; the end-to-end tests
// run the real binary, as a user would.
func testBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "plaid-onboard-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "plaid-onboard")
		cmd := exec.Command("go", "build", "-o", binaryPath, ".")
		// As release builds are made: the program needs no C, and a static binary starts
		// about 1.5 ms sooner than one that loads libc (startup_test.go measures it).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		binaryOut, binaryErr = cmd.CombinedOutput()
	})
	if binaryErr != nil {
		t.Fatalf("build plaid-onboard: %v\n%s", binaryErr, binaryOut)
	}
	return binaryPath
}
