package plaidflow_test

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// TestLocalFileFailuresAreNotTheNetworks: the operating system's errors satisfy net.Error, so
// a full disk or an unreadable index used to be explained as "Plaid could not be reached". A
// local file's failure names the file and what to do; a more specific explanation (a rotated
// token that could not be saved) still wins.
func TestLocalFileFailuresAreNotTheNetworks(t *testing.T) {
	index := "/home/u/.config/plaid-onboard/items.json"
	cases := []struct {
		name string
		err  error
		want []string
	}{
		{"full disk", fmt.Errorf("save the item: %w", &fs.PathError{Op: "write", Path: index, Err: syscall.ENOSPC}), []string{index, "full"}},
		{"unreadable index", fmt.Errorf("read item index: %w", &fs.PathError{Op: "open", Path: index, Err: syscall.EACCES}), []string{index, "permissions"}},
		{"index is a directory", fmt.Errorf("read item index: %w", &fs.PathError{Op: "read", Path: index, Err: syscall.EISDIR}), []string{index, "directory"}},
		{"rename refused", &os.LinkError{Op: "rename", Old: index + ".tmp", New: index, Err: syscall.EROFS}, []string{index, "read-only"}},
		{"rotated, then the save failed", fmt.Errorf("%w: %w", plaidflow.ErrRotatedNotSaved, &fs.PathError{Op: "write", Path: index, Err: syscall.ENOSPC}), []string{"new access token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plaidflow.Explain(c.err)
			for _, w := range c.want {
				if !strings.Contains(p.Next, w) {
					t.Errorf("next = %q, want it to say %q", p.Next, w)
				}
			}
			if strings.Contains(p.Next, "could not be reached") || strings.Contains(p.Next, "check the network") {
				t.Errorf("next blames the network: %q", p.Next)
			}
		})
	}
}
