package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testWorkFactor keeps scrypt cheap in tests (age's default takes about a second a run).
const testWorkFactor = 10

// newTestFileStore is the encrypted store of dir opened with pass; asked records each time the
// passphrase was asked for and whether it was to create the store.
func newTestFileStore(dir, pass string, asked *[]bool) *FileStore {
	var mu sync.Mutex
	s := NewFileStore(dir, func(create bool) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if asked != nil {
			*asked = append(*asked, create)
		}
		return pass, nil
	})
	s.workFactor = testWorkFactor
	return s
}

// filesHolding lists the files under dir whose bytes contain any of needles.
func filesHolding(t *testing.T, dir string, needles ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				out = append(out, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Given an encrypted store, when a secret and a token are saved and a later run opens it with
// the same passphrase, then it reads them back; the passphrase was asked once per run (as a new
// one the first time), both files have mode 0600, and neither value is anywhere in the folder
// in clear.
func TestFileStoreRoundTripKeepsNothingInClear(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret, token = "0123456789abcdef0123456789abcd", "access-sandbox-5c1d2a9e-7e1b-4b3c-9f0e-1a2b3c4d5e6f"
	var asked []bool
	s := newTestFileStore(dir, "correct horse", &asked)
	if err := s.Set("sandbox/secret", secret); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("sandbox/item/item-1", token); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !asked[0] {
		t.Errorf("making the store asked for the passphrase %v, want once, as a new one", asked)
	}

	asked = nil
	later := newTestFileStore(dir, "correct horse", &asked)
	for key, want := range map[string]string{"sandbox/secret": secret, "sandbox/item/item-1": token} {
		if got, err := later.Get(key); err != nil || got != want {
			t.Errorf("a later run reads %s: %q, %v", key, got, err)
		}
	}
	if err := later.Delete("sandbox/item/item-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := later.Get("sandbox/item/item-1"); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("a deleted entry: %v", err)
	}
	if err := later.Delete("sandbox/item/item-1"); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	if len(asked) != 1 || asked[0] {
		t.Errorf("opening the store asked for the passphrase %v, want once, as an existing one", asked)
	}

	for _, name := range []string{encryptedStoreFile, encryptedKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if err := later.Set("sandbox/item/item-2", token); err != nil {
		t.Fatal(err)
	}
	if leaked := filesHolding(t, dir, secret, token, "correct horse"); len(leaked) > 0 {
		t.Errorf("a secret, token or the passphrase is in clear in %v", leaked)
	}
}

// Given an encrypted store, when a run opens it with another passphrase, then every call fails
// with ErrWrongPassphrase in an error naming the key file, and nothing is written.
func TestFileStoreWrongPassphraseNamesTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := newTestFileStore(dir, "right", nil).Set("sandbox/secret", "s3cret-value-000000000000000000"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, encryptedStoreFile))
	wrong := newTestFileStore(dir, "wrong", nil)
	_, err := wrong.Get("sandbox/secret")
	var fe *StoreFileError
	if !errors.Is(err, ErrWrongPassphrase) || !errors.As(err, &fe) {
		t.Fatalf("Get with the wrong passphrase = %v, want a StoreFileError with ErrWrongPassphrase", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, encryptedKeyFile)) || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("the error does not name the file and the cause: %v", err)
	}
	if err := wrong.Set("sandbox/secret", "other"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Set with the wrong passphrase = %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, encryptedStoreFile)); string(after) != string(before) {
		t.Error("the store was rewritten by a run with the wrong passphrase")
	}
}

// Given a store whose entries file was damaged (cut short) or whose key file is not age, when
// a run reads or writes, then it is told the file is damaged, naming it, and the damaged file
// is not written over (it may still be recovered by hand).
func TestFileStoreCorruptFileIsRefusedAndKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newTestFileStore(dir, "pass", nil)
	if err := s.Set("sandbox/item/a", "access-sandbox-a"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, encryptedStoreFile)
	b, _ := os.ReadFile(path)
	cut := b[:len(b)-7]
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	reopened := newTestFileStore(dir, "pass", nil)
	_, err := reopened.Get("sandbox/item/a")
	if !errors.Is(err, ErrCorruptStore) || !strings.Contains(err.Error(), path) {
		t.Fatalf("reading a damaged store = %v, want ErrCorruptStore naming %s", err, path)
	}
	if err := reopened.Set("sandbox/item/b", "access-sandbox-b"); !errors.Is(err, ErrCorruptStore) {
		t.Errorf("writing to a damaged store = %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(cut) {
		t.Error("the damaged store was written over")
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, encryptedKeyFile), []byte("not an age file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newTestFileStore(other, "pass", nil).Get("x"); !errors.Is(err, ErrCorruptStore) {
		t.Errorf("a key file that is not age: %v", err)
	}
}

// Given no keyring (no D-Bus session bus), when the demo saves, then its tokens go to the plain
// demo file (mode 0600) and are read back from it; with a keyring that answers they stay there.
func TestDemoRunStoreUsesItsFileOnlyWithoutKeyring(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"XDG_RUNTIME_DIR": t.TempDir()} // no bus socket there
	noBus := &KeyringStore{Getenv: func(key string) string { return env[key] }}
	r := NewDemoRunStore(noBus, dir)
	if err := r.Set("demo/item/x", "access-sandbox-x"); err != nil {
		t.Fatalf("saving in the demo without a keyring: %v", err)
	}
	if got, err := r.Get("demo/item/x"); err != nil || got != "access-sandbox-x" {
		t.Errorf("read back: %q, %v", got, err)
	}
	info := InfoOf(r)
	if info.Kind != StoreDemoFile || info.Path != filepath.Join(dir, demoStoreFile) || !strings.Contains(r.Describe(), "not secrets") {
		t.Errorf("where the demo keeps Items: %+v, %q", info, r.Describe())
	}
	fi, err := os.Stat(info.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the demo file: %v, %v", fi, err)
	}

	mem := NewMemoryStore()
	withKeyring := NewDemoRunStore(mem, t.TempDir())
	if err := withKeyring.Set("demo/item/y", "access-sandbox-y"); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Get("demo/item/y"); err != nil || InfoOf(withKeyring).Kind != StoreMemory {
		t.Errorf("with a store that answers, the demo did not keep using it: %v", err)
	}
}

// Given a keyring that refuses once the run is under way (a locked one, a bus that stopped
// answering), when the demo saves, then it moves to its file and says so in Describe.
func TestDemoRunStoreFallsBackWhenTheKeyringStopsAnswering(t *testing.T) {
	t.Parallel()
	r := NewDemoRunStore(refusingStore{}, t.TempDir())
	if err := r.Set("demo/item/z", "tok"); err != nil {
		t.Fatal(err)
	}
	if got := Probe(r); got.Kind != StoreDemoFile {
		t.Errorf("after the fallback the store is %+v", got)
	}
	if got := Probe(refusingStore{}); got.Kind != StoreNone || got.Problem == "" {
		t.Errorf("a keyring that refuses, for real keys: %+v", got)
	}
}

// refusingStore is a keyring that does not answer.
type refusingStore struct{}

func (refusingStore) Get(string) (string, error) {
	return "", &KeyringError{Op: "read", Cause: errors.New("locked")}
}
func (refusingStore) Set(string, string) error {
	return &KeyringError{Op: "write", Cause: errors.New("locked")}
}
func (refusingStore) Delete(string) error {
	return &KeyringError{Op: "delete", Cause: errors.New("locked")}
}
func (refusingStore) Describe() string { return "the OS keyring" }
