//go:build unix

package localfile

import (
	"os"
	"syscall"
)

// open opens path for reading without waiting: O_NONBLOCK makes opening a FIFO with no writer
// (or a device that waits for a carrier) return at once, so Read can refuse it. A regular
// file's reads ignore the flag.
func open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
