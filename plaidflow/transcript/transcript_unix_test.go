//go:build unix

package transcript

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// TestWritePrivateNeverWaitsOnAFIFO: a FIFO put at the transcript's path after writePrivate's
// check (simulated by calling openPrivate's caller past it) must be refused, not waited on:
// opening a FIFO for writing blocks until a reader comes, deaf to ctrl+c.
func TestWritePrivateNeverWaitsOnAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.jsonl")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(what string) error {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			f, err := openPrivate(path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
				defer r.Close() // releases the blocked open
			}
			t.Fatalf("opening a FIFO %s for the transcript had not returned after 10s", what)
			return nil
		}
	}
	if err := open("with no reader"); err == nil {
		t.Error("openPrivate opened a FIFO with no reader")
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := writePrivate(path, []byte("{}\n")); !errors.Is(err, localfile.ErrNotFile) {
		t.Errorf("writePrivate to a FIFO with a reader = %v, want it refused as not a file", err)
	}
}
