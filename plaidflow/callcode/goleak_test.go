package callcode

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a leaked goroutine is a
// server, a watcher or a call that nobody stopped, and in the program it would pile up.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
