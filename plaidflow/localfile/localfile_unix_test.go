//go:build unix

package localfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadRefusesAFIFOAtOnce: opening a FIFO without O_NONBLOCK waits for a writer, forever
// and deaf to signals; Read returns at once, whether or not a writer holds it open.
func TestReadRefusesAFIFOAtOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(what string) {
		t.Helper()
		done := make(chan error, 1)
		go func() { _, err := Read(path, 1<<20); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotFile) || !strings.Contains(err.Error(), path+": is a FIFO (named pipe), not a file") {
				t.Fatalf("Read of a FIFO %s = %v; want it refused as a FIFO", what, err)
			}
		case <-time.After(10 * time.Second):
			// The goroutine stays blocked in open(2); opening the write end releases it.
			if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			t.Fatalf("Read of a FIFO %s had not returned after 10s: it waits for a writer", what)
		}
	}
	read("with no writer")
	// A writer that never writes: the read end must not wait for data either.
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	read("with a silent writer")
}

// TestAdviceForWriteFailures: the failures of writing the index (a full disk, a read-only
// file system, a rename refused) each name the file and say what to do.
func TestAdviceForWriteFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want string
	}{
		{&os.PathError{Op: "write", Path: "/cfg/.items-1.json", Err: syscall.ENOSPC}, "full"},
		{&os.PathError{Op: "open", Path: "/cfg/.items-1.json", Err: syscall.EROFS}, "read-only"},
		{&os.PathError{Op: "open", Path: "/cfg/items.json", Err: syscall.EACCES}, "permissions"},
		{&os.LinkError{Op: "rename", Old: "/cfg/.items-1.json", New: "/cfg/items.json", Err: syscall.EXDEV}, "/cfg/items.json"},
	} {
		next, ok := Advice(c.err)
		if !ok || !strings.Contains(next, c.want) || strings.Contains(next, "network") && !strings.Contains(next, "not a network") {
			t.Errorf("Advice(%v) = %q, %v; want it to say %q", c.err, next, ok, c.want)
		}
	}
}
