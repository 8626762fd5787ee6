package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
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
	code := m.Run()
	if code == 0 {
		if err := settledLeaks(
			// go-keyring talks to the Secret Service over godbus's shared session-bus
			// connection, which godbus opens once and keeps for the life of the process by
			// design (dbus.SessionBus); its reader goroutines are the library's, not a leak.
			goleak.IgnoreTopFunction("github.com/godbus/dbus/v5.newConn.func1"),
			goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"),
		); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
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

// settledLeaks is goleak.Find given a few seconds, for goroutines that end by themselves
// shortly after a test (an idle keep-alive connection being closed); one still there after
// that is a leak.
func settledLeaks(opts ...goleak.Option) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
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
