package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadReadsARegularFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "items.json")
	if err := os.WriteFile(path, []byte(`{"version":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Read(path, 13)
	if err != nil || string(b) != `{"version":1}` {
		t.Fatalf("Read = %q, %v; want the file's 13 bytes", b, err)
	}
	// Through a symbolic link, as a user's dotfiles often are.
	link := filepath.Join(t.TempDir(), "link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Skip(err)
	}
	if b, err := Read(link, 13); err != nil || len(b) != 13 {
		t.Fatalf("Read through a link = %q, %v", b, err)
	}
}

// TestReadRefuses: each way a path can fail to be a file of the size its use allows gives an
// *fs.PathError naming the path, saying what is there, and recognised by Advice.
func TestReadRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	large := filepath.Join(dir, "large")
	if err := os.WriteFile(large, make([]byte, 2<<10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		is         error
		says       string
	}{
		{"a directory", dir, ErrNotFile, "is a directory, not a file"},
		{"a missing file", filepath.Join(dir, "missing"), fs.ErrNotExist, "no such file"},
		{"one byte too many", large, ErrTooLarge, "larger than 2 KiB"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name, path string
			is         error
			says       string
		}{"a device", os.DevNull, ErrNotFile, "is a character device, not a file"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(c.path, 2<<10)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != c.path || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Read(%s) = %v; want an *fs.PathError for it that is %v and says %q", c.path, err, c.is, c.says)
			}
			if next, ok := Advice(err); !ok || !strings.Contains(next, c.path) {
				t.Errorf("Advice = %q, %v; want a next step naming %s", next, ok, c.path)
			}
		})
	}
}

func TestAdviceIgnoresOtherErrors(t *testing.T) {
	t.Parallel()
	if next, ok := Advice(errors.New("dial tcp: connection refused")); ok {
		t.Errorf("Advice took a network error for a file's: %q", next)
	}
}
