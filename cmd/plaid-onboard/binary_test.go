package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryOut  []byte
)

// testBinary builds plaid-onboard once per test run and returns its path; the end-to-end tests
// run the real binary, as a user would.
func testBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plaid-onboard-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "plaid-onboard")
		cmd := exec.Command("go", "build", "-o", binaryPath, ".")
		binaryOut, binaryErr = cmd.CombinedOutput()
	})
	if binaryErr != nil {
		t.Fatalf("build plaid-onboard: %v\n%s", binaryErr, binaryOut)
	}
	return binaryPath
}
