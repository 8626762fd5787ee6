package vault

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Profile names become directories and keyring prefixes: only safe, typeable names pass, in
// one spelling, and an environment's name is refused as the likely mistake it is.
func TestProfileNames(t *testing.T) {
	for in, want := range map[string]string{"acme": "acme", " Acme ": "acme", "team_2-eu": "team_2-eu", "default": "default", strings.Repeat("a", 40): strings.Repeat("a", 40)} {
		if got, err := ProfileName(in); err != nil || got != want {
			t.Errorf("ProfileName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "../x", "a/b", `a\b`, ".hidden", "-x", "a b", "a\x1b[31m", "a\nb", "é", strings.Repeat("a", 41), "sandbox", "Production", "demo", "development"} {
		if got, err := ProfileName(in); err == nil {
			t.Errorf("ProfileName(%q) = %q, want refused", in, got)
		}
	}
}

// The default profile keeps the names entries had before profiles existed; another profile's
// entries, index and locks are its own, and each lists only its own Items.
func TestProfilesKeepKeysItemsAndLocksApart(t *testing.T) {
	base := t.TempDir()
	store := NewMemoryStore()
	def, acme := OpenProfile(store, base, DefaultProfile), OpenProfile(store, base, "acme")
	for _, v := range []*Vault{def, acme} {
		if err := v.SaveKeys("sandbox", "client-"+v.Profile, "secret-"+v.Profile); err != nil {
			t.Fatal(err)
		}
		if _, err := v.SaveItem(SavedItem{Namespace: "sandbox", ItemID: "item-" + v.Profile, InstitutionName: "Bank"}, "access-"+v.Profile); err != nil {
			t.Fatal(err)
		}
	}
	keys := store.Keys()
	slices.Sort(keys)
	want := []string{"acme/sandbox/item/item-acme", "acme/sandbox/secret", "sandbox/item/item-default", "sandbox/secret"}
	if !slices.Equal(keys, want) {
		t.Errorf("keyring entries %v, want %v", keys, want)
	}
	for _, v := range []*Vault{def, acme} {
		items, err := v.Items("sandbox")
		if err != nil || len(items) != 1 || items[0].ItemID != "item-"+v.Profile {
			t.Errorf("profile %s lists %+v (%v), want only its own Item", v.Profile, items, err)
		}
		if id, secret, err := v.LoadKeys("sandbox"); err != nil || id != "client-"+v.Profile || secret != "secret-"+v.Profile {
			t.Errorf("profile %s loads keys %q/%q (%v), want its own", v.Profile, id, secret, err)
		}
	}
	if got, want := acme.lockPath(), filepath.Join(base, "profiles", "acme", "items.json.lock"); got != want {
		t.Errorf("acme's index lock is %s, want %s", got, want)
	}
	if def.lockPath() == acme.lockPath() || filepath.Dir(def.itemLockPath("sandbox", "x")) == filepath.Dir(acme.itemLockPath("sandbox", "x")) {
		t.Error("two profiles share a lock: one would wait for the other for nothing")
	}
	if got, _ := Profiles(base); !slices.Equal(got, []string{"default", "acme"}) {
		t.Errorf("Profiles = %v, want [default acme]", got)
	}
}

// `profiles use` is remembered in a small file; the default one by removing it; a file that
// does not hold a profile name is an error, not a silent default.
func TestRememberedProfile(t *testing.T) {
	base := t.TempDir()
	if got, err := RememberedProfile(base); got != "" || err != nil {
		t.Fatalf("nothing remembered: %q, %v", got, err)
	}
	if err := Remember(base, "acme"); err != nil {
		t.Fatal(err)
	}
	if got, err := RememberedProfile(base); got != "acme" || err != nil {
		t.Errorf("remembered %q, %v; want acme", got, err)
	}
	if err := Remember(base, DefaultProfile); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(RememberedPath(base)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the default profile is remembered by removing the file: %v", err)
	}
	if err := os.WriteFile(RememberedPath(base), []byte("../../etc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RememberedProfile(base); !errors.Is(err, ErrBadProfile) {
		t.Errorf("a damaged file: %v, want ErrBadProfile", err)
	}
}

// Removing a profile never orphans a live Item's token: it is refused while Items other than
// the demo's are indexed; otherwise the saved keys' and demo Items' entries and the directory go.
func TestRemoveProfileRefusesLiveItems(t *testing.T) {
	base := t.TempDir()
	store := NewMemoryStore()
	acme := OpenProfile(store, base, "acme")
	if err := acme.SaveKeys("sandbox", "c", "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := acme.SaveItem(SavedItem{Namespace: "demo", ItemID: "d1"}, "access-demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := acme.SaveItem(SavedItem{Namespace: "production", ItemID: "p1"}, "access-prod"); err != nil {
		t.Fatal(err)
	}
	_, err := acme.RemoveProfile()
	var has *ProfileHasItemsError
	if !errors.As(err, &has) || len(has.Items) != 1 || has.Items[0].ItemID != "p1" {
		t.Fatalf("remove with a live Item: %v, want refused naming p1", err)
	}
	if tok, err := acme.AccessToken("production", "p1"); err != nil || tok != "access-prod" {
		t.Fatalf("the refused removal touched the live Item's token: %q, %v", tok, err)
	}
	if err := acme.RemoveItem("production", "p1"); err != nil {
		t.Fatal(err)
	}
	removed, err := acme.RemoveProfile()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if want := []string{"acme/demo/item/d1", "acme/sandbox/secret"}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if len(store.Keys()) != 0 {
		t.Errorf("left in the keyring: %v", store.Keys())
	}
	if ProfileExists(base, "acme") {
		t.Error("the profile's directory is still there")
	}
	if _, err := OpenProfile(store, base, DefaultProfile).RemoveProfile(); err == nil {
		t.Error("the default profile was removed")
	}
}
