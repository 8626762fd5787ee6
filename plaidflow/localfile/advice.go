package localfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Advice recognises an error on a local file (an *fs.PathError, or an *os.LinkError from a
// rename) and says what to do about it, naming the file; ok is false for any other error. It
// exists because the operating system's errors also satisfy net.Error: without it a full disk
// or an unreadable index read as "Plaid could not be reached".
func Advice(err error) (next string, ok bool) {
	path := ""
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		path = pe.Path
	case errors.As(err, &le):
		path = le.New
	default:
		return "", false
	}
	switch {
	case errors.Is(err, ErrNotFile):
		return "a file was expected at " + path + ": move what is there aside (or give the path of a regular file) and try again", true
	case errors.Is(err, ErrTooLarge):
		return "check that " + path + " is the file meant: it is larger than the program reads there", true
	case errors.Is(err, fs.ErrNotExist):
		return "check the path " + path + ": nothing is there", true
	case errors.Is(err, fs.ErrPermission):
		return "check the permissions of " + path + " and of its folders (ls -l): this user must be able to read and write them", true
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the disk (or quota) holding " + path + " is full: free some space and try again", true
	case errors.Is(err, syscall.EROFS):
		return path + " is on a read-only file system: make it writable, or point the program elsewhere (XDG_CONFIG_HOME, XDG_STATE_HOME)", true
	case errors.Is(err, syscall.EISDIR):
		return "a file was expected at " + path + ", but it is a directory: move it aside and try again", true
	case errors.Is(err, syscall.ENOTDIR):
		return "a part of " + path + " is a file where a folder was expected: move it aside and try again", true
	case errors.Is(err, syscall.ELOOP):
		return path + " is a loop of symbolic links: fix or remove the link", true
	}
	return "a local file, " + path + ", could not be used (this is not a network problem): check the file, its folder and the disk", true
}
