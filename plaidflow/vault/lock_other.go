//go:build !unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// lockStale is how old a lock file may get before it is taken as left by a crashed process.
const lockStale = 30 * time.Second

// lockFile takes an exclusive lock on path where flock does not exist (Windows): the lock is
// the file itself, created exclusively and removed on unlock, so it works across processes
// without cgo or extra dependencies. A file older than lockStale is from a crashed run and is
// taken over. It gives up after a minute rather than hang the program.
func lockFile(path string) (unlock func() error, err error) {
	deadline := time.Now().Add(time.Minute)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() error { return os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if st, serr := os.Stat(path); serr == nil && time.Since(st.ModTime()) > lockStale {
			_ = os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock %s: held by another plaid-onboard for over a minute", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
