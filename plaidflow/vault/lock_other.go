//go:build !unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// lockStale is how old a lock file may get before it is taken as left by a crashed process: a
// holder keeps an Item's lock for at most itemLockWait.
const lockStale = itemLockWait + 30*time.Second

// tryLock tries once to take an exclusive lock on path where flock does not exist (Windows):
// the lock is the file itself, created exclusively (with holder in it) and removed on unlock,
// so it works across processes without cgo or extra dependencies. A file older than lockStale
// is from a crashed run and is taken over. When another holds it, unlock is nil and heldBy is
// what that one wrote.
func tryLock(path, holder string) (unlock func() error, heldBy string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, _ = f.WriteString(holder + "\n")
		f.Close()
		return func() error { return os.Remove(path) }, "", nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	st, serr := os.Stat(path)
	if serr == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > lockStale && os.Remove(path) == nil {
		return tryLock(path, holder)
	}
	if serr == nil && st.Mode().IsRegular() && st.Size() < 4096 {
		b, _ := os.ReadFile(path)
		heldBy = string(b)
	}
	return nil, heldBy, nil
}
