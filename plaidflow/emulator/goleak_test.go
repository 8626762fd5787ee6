package emulator

import (
	"os"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// TestMain fails the package's tests when a goroutine outlives them (e2etest.Main), and stops
// the Chromium the browser tests share.
func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m))
}
