//go:build !unix

package transcript

import "os"

// openPrivate opens path for writing, created with mode 0600 and truncated. Without
// O_NOFOLLOW, writePrivate's Lstat is the check against symbolic links.
func openPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}
