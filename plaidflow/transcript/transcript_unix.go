//go:build unix

package transcript

import (
	"os"
	"syscall"
)

// openPrivate opens path for writing, created with mode 0600 and truncated; O_NOFOLLOW makes a
// symbolic link put there after the check fail instead of being followed.
func openPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
}
