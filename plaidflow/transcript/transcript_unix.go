//go:build unix

package transcript

import (
	"os"
	"syscall"
)

// openPrivate opens path for writing, created with mode 0600 and truncated; O_NOFOLLOW makes a
// symbolic link put there after the check fail instead of being followed, and O_NONBLOCK a FIFO
// with no reader fail instead of waiting for one (writePrivate refuses one with a reader).
func openPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
}
