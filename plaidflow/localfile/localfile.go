// Package localfile reads the files a user or another program may have put in the program's
// way: a transcript given to report, the Item index, .env, a user_custom configuration. A FIFO
// there would block the read until someone writes to it (and open(2) blocked in the kernel
// ignores ctrl+c), a device such as /dev/zero never ends, and a huge file fills memory: so
// anything but a regular file is refused before a byte is read, and a file larger than its use
// allows is refused instead of read.
//
// It imports nothing of this module, so that any package may use it.
package localfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// ErrNotFile is wrapped by the error for a path that names something other than a regular file
// (a FIFO, a device, a socket, a directory).
var ErrNotFile = errors.New("not a file")

// ErrTooLarge is wrapped by the error for a file larger than the limit its use allows.
var ErrTooLarge = errors.New("file too large")

// NotFileError says what a path names instead of a regular file.
type NotFileError struct{ Mode fs.FileMode }

// Error implements error.
func (e *NotFileError) Error() string { return "is " + kind(e.Mode) + ", not a file" }

// Unwrap lets errors.Is find ErrNotFile.
func (e *NotFileError) Unwrap() error { return ErrNotFile }

// TooLargeError is a file larger than Limit bytes.
type TooLargeError struct{ Limit int64 }

// Error implements error.
func (e *TooLargeError) Error() string { return "larger than " + size(e.Limit) }

// Unwrap lets errors.Is find ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Read returns the content of the regular file at path, at most limit bytes: each caller sets
// the limit its file's use allows (generous for what the program writes, small for what a
// person writes by hand). Every error is an
// *fs.PathError naming path: the operating system's own (no such file, permission denied), or
// one wrapping a *NotFileError or a *TooLargeError. Whether the path is a regular file is asked
// of the opened descriptor, not of the path, so nothing can be swapped in between.
func Read(path string, limit int64) ([]byte, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: &NotFileError{Mode: fi.Mode()}}
	}
	if fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	// The file may grow after Stat: read one byte past the limit to see it.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	return b, nil
}

// kind names what a file mode is, in words a person recognises.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// size is n bytes in the largest unit that divides it, as people write limits.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
