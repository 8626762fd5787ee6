package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// ErrCorruptIndex means items.json is not an index this program can read (a crash of another
// tool, a hand edit, a full disk): nothing is linked or saved until it is repaired or removed.
var ErrCorruptIndex = errors.New("the item index is corrupt")

// CorruptIndexError is a corrupt items.json with where a copy of it was kept, so the user can
// move it aside without losing the Item ids and names it holds.
type CorruptIndexError struct {
	Path string
	// Backup is the copy (items.json.corrupt-<time>); "" when it could not be written.
	Backup string
	Err    error
}

// Error implements error.
func (e *CorruptIndexError) Error() string {
	s := fmt.Sprintf("%v: %s: %v", ErrCorruptIndex, e.Path, e.Err)
	if e.Backup != "" {
		s += "; a copy is kept in " + e.Backup
	}
	return s
}

// Unwrap lets errors.Is find ErrCorruptIndex.
func (e *CorruptIndexError) Unwrap() []error { return []error{ErrCorruptIndex, e.Err} }

// Recovery says how to get going again; the Items' tokens are still in the keyring.
func (e *CorruptIndexError) Recovery() string {
	copyNote := "copy it somewhere first"
	if e.Backup != "" {
		copyNote = "a copy is kept in " + e.Backup
	}
	return fmt.Sprintf("repair %s by hand, or remove it to start a new index (%s; the access tokens of the Items it listed stay in the OS keyring under the service %q, named <env>/item/<item_id>); or run with --no-save meanwhile", e.Path, copyNote, KeyringService)
}

// corrupt builds the error for an index that does not decode, keeping a copy of its bytes
// next to it (once per content: a second run that finds it still corrupt makes no new copy).
func (v *Vault) corrupt(b []byte, cause error) error {
	e := &CorruptIndexError{Path: v.indexPath(), Err: cause}
	prefix := v.indexPath() + ".corrupt-"
	if old, _ := filepath.Glob(prefix + "*"); len(old) > 0 {
		for _, o := range old {
			if ob, err := localfile.Read(o, maxIndexFile); err == nil && bytes.Equal(ob, b) {
				e.Backup = o
				return e
			}
		}
	}
	name := prefix + v.now().UTC().Format("20060102T150405.000000000Z")
	if err := os.WriteFile(name, b, 0o600); err == nil {
		e.Backup = name
	}
	return e
}

// check finds what decodes as JSON but is no index, which the next write would otherwise
// replace with an index of the new Item alone: `null`, an entry without its namespace or id
// (a null entry is one), keys without their namespace. b is the file as read.
func (ix *index) check(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	for i, it := range ix.Items {
		if it.Namespace == "" || it.ItemID == "" {
			return fmt.Errorf("items[%d] has no namespace or item_id", i)
		}
	}
	for i, k := range ix.Keys {
		if k.Namespace == "" {
			return fmt.Errorf("keys[%d] has no namespace", i)
		}
	}
	for i, r := range ix.Retired {
		if r.Namespace == "" || r.Name == "" {
			return fmt.Errorf("retired_names[%d] has no namespace or name", i)
		}
	}
	return nil
}
