package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Given items.json that decodes but is not an index (README "Where data is stored"), then
// every read fails as for a corrupt index, with a copy kept, and no save writes over it.
func TestIndexOfTheWrongShapeIsCorrupt(t *testing.T) {
	for _, body := range []string{`null`, ` null `, `[]`, `7`, `{"items":[null]}`, `{"items":[{"name":"x"}]}`,
		`{"items":[{"namespace":"sandbox"}]}`, `{"keys":[{"client_id":"c"}]}`, `{"retired_names":[{"name":"x"}]}`} {
		v, store := newTestVault(t)
		if err := os.MkdirAll(v.Dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(v.indexPath(), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Items("sandbox"); !errors.Is(err, ErrCorruptIndex) {
			t.Errorf("%s: Items = %v, want a corrupt index", body, err)
		}
		if _, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-1"}, "access-sandbox-1"); !errors.Is(err, ErrCorruptIndex) {
			t.Errorf("%s: SaveItem = %v, want a corrupt index", body, err)
		}
		if b, _ := os.ReadFile(v.indexPath()); string(b) != body || len(store.Keys()) != 0 {
			t.Errorf("%s: the save wrote the index (%q) or the keyring (%v)", body, b, store.Keys())
		}
	}
	// What this program writes for an empty index is one.
	v, _ := newTestVault(t)
	if err := os.MkdirAll(v.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v.indexPath(), []byte(`{"version":1,"keys":null,"items":null}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Items("sandbox"); err != nil {
		t.Errorf("an empty index: %v", err)
	}
}

// stickyStore refuses to delete, as a keyring that stopped answering does.
type stickyStore struct{ *MemoryStore }

func (stickyStore) Delete(string) error { return errors.New("the keyring stopped answering") }

// blockIndex makes the index impossible to write (its lock is a directory) while it reads.
func blockIndex(t *testing.T, v *Vault) {
	t.Helper()
	if err := os.RemoveAll(v.lockPath()); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(v.lockPath(), "x"), 0o700); err != nil {
		t.Fatal(err)
	}
}

// Given an index that cannot be written, when an Item is saved, then its token is taken back
// out of the keyring (no token stays where no index names it); and when even that fails, the
// error names the keyring entry left behind.
func TestSaveItemLeavesNoOrphanTokenWhenTheIndexCannotBeWritten(t *testing.T) {
	v, store := newTestVault(t)
	blockIndex(t, v)
	_, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-1"}, "access-sandbox-1")
	var we *IndexWriteError
	if !errors.As(err, &we) || we.LeftInKeyring != "" || len(store.Keys()) != 0 {
		t.Errorf("SaveItem = %v; keyring %v, want an *IndexWriteError and an empty keyring", err, store.Keys())
	}

	sticky := stickyStore{NewMemoryStore()}
	v.Secrets = sticky
	_, err = v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-2"}, "access-sandbox-2")
	if !errors.As(err, &we) || we.LeftInKeyring != "sandbox/item/item-2" {
		t.Errorf("SaveItem with a keyring that will not delete = %v, want the entry left named", err)
	}
}

// Given a removal, then the index entry goes first and the keyring entry only while it holds
// the token the removal was about: an index that cannot be written leaves both (a second
// removal can finish), and a token rotated meanwhile leaves both (the Item may be alive).
func TestRemoveItemForgetsIndexFirstAndOnlyTheTokenItWasAbout(t *testing.T) {
	v, store := newTestVault(t)
	if _, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-1"}, "access-old"); err != nil {
		t.Fatal(err)
	}
	if err := v.SetAccessToken("sandbox", "item-1", "access-new"); err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveItemWithToken("sandbox", "item-1", "access-old"); !errors.Is(err, ErrTokenChanged) {
		t.Errorf("removing with a token rotated since: %v, want ErrTokenChanged", err)
	}
	if _, err := v.FindItem("sandbox", "item-1"); err != nil {
		t.Errorf("forgotten although its token changed: %v", err)
	}

	blockIndex(t, v)
	var we *IndexWriteError
	if err := v.RemoveItemWithToken("sandbox", "item-1", "access-new"); !errors.As(err, &we) {
		t.Errorf("removing with an index that cannot be written: %v", err)
	}
	if tok, err := store.Get("sandbox/item/item-1"); err != nil || tok != "access-new" {
		t.Errorf("the token went although the index still lists the Item: %q %v", tok, err)
	}
	if err := os.RemoveAll(v.lockPath()); err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveItemWithToken("sandbox", "item-1", "access-new"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.FindItem("sandbox", "item-1"); err == nil || len(store.Keys()) != 0 {
		t.Errorf("after the removal: index %v, keyring %v", err, store.Keys())
	}
}
