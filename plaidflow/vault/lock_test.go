package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Given a lock another run holds, when a run waits past its deadline, then it gives up with
// who holds it (pid, what it does), never hanging; and what the lock file says is cleaned of
// control characters before it reaches a terminal.
func TestLockWaitEndsSayingWhoHoldsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := waitLock(context.Background(), path, "rotating the access token of checking", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var told []string
	_, err = waitLock(context.Background(), path, "removing checking", 100*time.Millisecond, func(h string) { told = append(told, h) })
	var busy *LockBusyError
	if !errors.As(err, &busy) {
		t.Fatalf("waiting past the deadline: %v, want a *LockBusyError", err)
	}
	want := fmt.Sprintf("pid %d, rotating the access token of checking", os.Getpid())
	if !strings.Contains(err.Error(), want) || len(told) != 1 || !strings.Contains(told[0], want) {
		t.Errorf("the wait does not say who holds the lock: %v; told %q", err, told)
	}
	if err := os.WriteFile(path, []byte("pid 1\x1b]0;owned\x07\u202e\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = waitLock(context.Background(), path, "removing checking", 10*time.Millisecond, nil)
	if s := err.Error(); strings.ContainsAny(s, "\x1b\x07\u202e") {
		t.Errorf("the holder reached the message raw: %q", s)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := waitLock(ctx, path, "removing checking", time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("an interrupted wait: %v", err)
	}
}
