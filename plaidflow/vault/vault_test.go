package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestVault(t *testing.T) (*Vault, *MemoryStore) {
	t.Helper()
	store := NewMemoryStore()
	v := NewVault(store, filepath.Join(t.TempDir(), "plaid-onboard"))
	v.now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
	return v, store
}

func TestVaultKeepsTokensOutOfTheIndex(t *testing.T) {
	v, store := newTestVault(t)
	if err := v.SaveKeys("sandbox", "client-123", "secret-abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-1", InstitutionName: "First Platypus Bank"}, "access-sandbox-xyz"); err != nil {
		t.Fatal(err)
	}

	b, err := os.ReadFile(filepath.Join(v.Dir, "items.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"secret-abc", "access-sandbox-xyz"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("items.json contains the secret %q:\n%s", secret, b)
		}
	}
	info, err := os.Stat(filepath.Join(v.Dir, "items.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("items.json mode = %o, want 600", perm)
	}
	if got := len(store.Keys()); got != 2 {
		t.Errorf("keyring holds %d entries (%v), want the secret and one access token", got, store.Keys())
	}

	id, secret, err := v.LoadKeys("sandbox")
	if err != nil || id != "client-123" || secret != "secret-abc" {
		t.Errorf("LoadKeys = %q, %q, %v", id, secret, err)
	}
	tok, err := v.AccessToken("sandbox", "item-1")
	if err != nil || tok != "access-sandbox-xyz" {
		t.Errorf("AccessToken = %q, %v", tok, err)
	}
}

func TestVaultNamesAndFindsItems(t *testing.T) {
	v, _ := newTestVault(t)
	for i, id := range []string{"item-a", "item-b"} {
		v.now = func() time.Time { return time.Date(2026, 11, 22, 10, i, 0, 0, time.UTC) }
		if _, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: id, InstitutionName: "First Platypus Bank"}, "tok-"+id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.SaveItem(SavedItem{Namespace: "demo", ItemID: "item-demo", InstitutionName: "First Platypus Bank"}, "tok-demo"); err != nil {
		t.Fatal(err)
	}

	items, err := v.Items("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Name != "first-platypus-bank" || items[1].Name != "first-platypus-bank-2" {
		t.Fatalf("items = %+v, want two sandbox items named first-platypus-bank and -2", items)
	}

	if _, err := v.FindItem("sandbox", ""); !errors.Is(err, ErrAmbiguousItem) {
		t.Errorf("FindItem with two saved and no name: err = %v, want ErrAmbiguousItem", err)
	}
	if it, err := v.FindItem("sandbox", "FIRST-platypus-bank-2"); err != nil || it.ItemID != "item-b" {
		t.Errorf("FindItem by name = %+v, %v", it, err)
	}
	if it, err := v.FindItem("sandbox", "item-a"); err != nil || it.ItemID != "item-a" {
		t.Errorf("FindItem by id = %+v, %v", it, err)
	}
	if _, err := v.FindItem("sandbox", "item-demo"); !errors.Is(err, ErrItemNotFound) {
		t.Errorf("a demo Item was found among sandbox ones: %v", err)
	}
	if it, err := v.FindItem("demo", ""); err != nil || it.ItemID != "item-demo" {
		t.Errorf("the only demo Item: %+v, %v", it, err)
	}
	if _, err := v.FindItem("production", ""); !errors.Is(err, ErrNoItems) {
		t.Errorf("empty namespace: err = %v, want ErrNoItems", err)
	}

	if err := v.RemoveItem("sandbox", "item-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AccessToken("sandbox", "item-a"); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("removed Item's token still readable: %v", err)
	}
	if it, err := v.FindItem("sandbox", ""); err != nil || it.ItemID != "item-b" {
		t.Errorf("after removal the only sandbox Item should be item-b: %+v, %v", it, err)
	}
}

// failingStore is a keyring that is not there.
type failingStore struct{}

func (failingStore) Get(string) (string, error) { return "", ErrKeyringUnavailable }
func (failingStore) Set(string, string) error   { return ErrKeyringUnavailable }
func (failingStore) Delete(string) error        { return ErrKeyringUnavailable }
func (failingStore) Describe() string           { return "a keyring that is not there" }

func TestVaultWithoutKeyringWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plaid-onboard")
	v := NewVault(failingStore{}, dir)
	_, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-1"}, "access-sandbox-xyz")
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("err = %v, want ErrKeyringUnavailable", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the vault wrote %s although the keyring failed: never fall back to a plain file", dir)
	}
}
