//go:build unix

package vault

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// tryLock tries once to take an exclusive advisory lock on path (created if missing). Each call
// opens the file anew, so two Vaults in one process exclude each other like two processes do.
// It returns unlock when the lock is taken, writing holder in the file for the runs that wait;
// when another holds it, unlock is nil and holder is what that one wrote.
func tryLock(path, holder string) (unlock func() error, heldBy string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", err // a *PathError: "open <path>: <why>"
	}
	// Reading a FIFO or a device planted as the lock would block or never end.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, "", fmt.Errorf("lock %s: not a regular file", path)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		b := make([]byte, 256)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		return nil, string(b[:n]), nil
	}
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(holder+"\n"), 0)
	}
	return func() error {
		uerr := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		if cerr := f.Close(); uerr == nil {
			uerr = cerr
		}
		return uerr
	}, "", nil
}
