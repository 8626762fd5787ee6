//go:build !unix

package localfile

import "os"

// open opens path for reading. Outside Unix a path names no FIFO that blocks its opener (a
// Windows named pipe lives under \\.\pipe\, and Read refuses it by its mode).
func open(path string) (*os.File, error) {
	return os.Open(path)
}
