package vault

import (
	"errors"
	"path/filepath"
	"sync"
)

// DemoFileStore keeps the offline demo's tokens in a plain file (mode 0600) where no keyring is
// reachable: they are the emulator's, and open nothing outside it, so encrypting them would
// only ask a passphrase of someone trying the program.
type DemoFileStore struct{ file mapFile }

// NewDemoFileStore is the demo's plain store in the profile directory dir.
func NewDemoFileStore(dir string) *DemoFileStore {
	same := func(b []byte) ([]byte, error) { return b, nil }
	return &DemoFileStore{file: mapFile{path: filepath.Join(dir, demoStoreFile), seal: same, open: same}}
}

// Path is the file the entries are in.
func (s *DemoFileStore) Path() string { return s.file.path }

// Describe implements SecretStore.
func (s *DemoFileStore) Describe() string {
	return s.file.path + " (the demo's tokens are the emulator's, not secrets)"
}

// Get implements SecretStore.
func (s *DemoFileStore) Get(key string) (string, error) { return s.file.get(key) }

// Set implements SecretStore.
func (s *DemoFileStore) Set(key, value string) error { return s.file.set(key, value) }

// Delete implements SecretStore.
func (s *DemoFileStore) Delete(key string) error { return s.file.delete(key) }

// Keys lists the entries' names.
func (s *DemoFileStore) Keys() ([]string, error) { return s.file.keys() }

// StoreKind says where a run keeps keys and Items, for people and for --json.
type StoreKind string

const (
	// StoreKeyring is the OS keyring, the default wherever there is one.
	StoreKeyring StoreKind = "keyring"
	// StoreFile is the encrypted file store (--store file, PLAID_ONBOARD_STORE=file).
	StoreFile StoreKind = "file"
	// StoreDemoFile is the demo's plain file, used when no keyring is reachable.
	StoreDemoFile StoreKind = "demo-file"
	// StoreMemory keeps nothing past the run.
	StoreMemory StoreKind = "memory"
	// StoreNone is a keyring that does not answer: nothing made in the run is kept.
	StoreNone StoreKind = "none"
)

// StoreInfo is where a run keeps keys and Items.
type StoreInfo struct {
	Kind StoreKind `json:"kind"`
	// Path is the file, for the file stores.
	Path string `json:"path,omitempty"`
	// Description is Describe's sentence.
	Description string `json:"description"`
	// Problem says why nothing is kept, for StoreNone.
	Problem string `json:"problem,omitempty"`
}

// InfoOf is what kind of store s is, without calling it.
func InfoOf(s SecretStore) StoreInfo {
	info := StoreInfo{Description: s.Describe()}
	switch s := s.(type) {
	case *FileStore:
		info.Kind, info.Path = StoreFile, s.Path()
	case *DemoFileStore:
		info.Kind, info.Path = StoreDemoFile, s.Path()
	case *MemoryStore:
		info.Kind = StoreMemory
	case *RunStore:
		return InfoOf(s.Current())
	default:
		info.Kind = StoreKeyring
	}
	return info
}

// RunStore is the store a run keeps secrets in, which may change once the run is under way:
// the demo turns to its plain file when the keyring does not answer, and the terminal UI turns
// to the encrypted file when the user asks for it. Callers keep one SecretStore (the Vault's)
// and never branch on which one is behind it.
type RunStore struct {
	// FileWorkFactor is scrypt's log2 cost when OpenFile makes the encrypted store (0: age's
	// default, about a second; tests lower it).
	FileWorkFactor int

	mu  sync.Mutex
	cur SecretStore
	// demoFile, when set, is where entries go once the keyring turns out not to answer.
	demoFile *DemoFileStore
}

// NewRunStore keeps secrets in s until told otherwise (Use).
func NewRunStore(s SecretStore) *RunStore { return &RunStore{cur: s} }

// NewDemoRunStore keeps the demo's secrets in keyring, or in the profile directory's plain
// demo file when the keyring is not reachable: at once when there is plainly none (no D-Bus
// session bus), else after the first call it does not answer.
func NewDemoRunStore(keyring SecretStore, dir string) *RunStore {
	r := &RunStore{cur: keyring, demoFile: NewDemoFileStore(dir)}
	if k, ok := keyring.(interface{ Unreachable() error }); ok && k.Unreachable() != nil {
		r.cur = r.demoFile
	}
	return r
}

// Current is the store in use now.
func (r *RunStore) Current() SecretStore {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

// Use makes s the store for the rest of the run.
func (r *RunStore) Use(s SecretStore) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur = s
}

// OpenFile opens (or makes) the encrypted store of the profile directory dir with pass, and
// makes it the store for the rest of the run: where no keyring answers, the terminal UI turns
// to it when the user asks. A wrong passphrase changes nothing.
func (r *RunStore) OpenFile(dir, pass string) (StoreInfo, error) {
	fs := NewFileStore(dir, func(bool) (string, error) { return pass, nil })
	fs.workFactor = r.FileWorkFactor
	if err := fs.Unlock(); err != nil {
		return StoreInfo{}, err
	}
	r.Use(fs)
	return InfoOf(fs), nil
}

// fellBack reports whether err from s moved the run to the demo's file, so the call is tried
// again there.
func (r *RunStore) fellBack(s SecretStore, err error) bool {
	if r.demoFile == nil || s == SecretStore(r.demoFile) || !errors.Is(err, ErrKeyringUnavailable) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur = r.demoFile
	return true
}

// Describe implements SecretStore.
func (r *RunStore) Describe() string { return r.Current().Describe() }

// Get implements SecretStore.
func (r *RunStore) Get(key string) (string, error) {
	s := r.Current()
	v, err := s.Get(key)
	if r.fellBack(s, err) {
		return r.demoFile.Get(key)
	}
	return v, err
}

// Set implements SecretStore.
func (r *RunStore) Set(key, value string) error {
	s := r.Current()
	err := s.Set(key, value)
	if r.fellBack(s, err) {
		return r.demoFile.Set(key, value)
	}
	return err
}

// Delete implements SecretStore.
func (r *RunStore) Delete(key string) error {
	s := r.Current()
	err := s.Delete(key)
	if r.fellBack(s, err) {
		return r.demoFile.Delete(key)
	}
	return err
}

// probeKey is an entry never written: reading it tells whether the keyring answers.
const probeKey = "plaid-onboard-probe/reachable"

// Probe says where keys and Items will be kept: for the keyring, it reads one entry to learn
// whether it answers (up to the keyring's timeout, so not in a UI's Update). The encrypted
// file store is not opened: no passphrase is asked for.
func Probe(s SecretStore) StoreInfo {
	info := InfoOf(s)
	if info.Kind != StoreKeyring {
		return info
	}
	_, err := s.Get(probeKey)
	if !errors.Is(err, ErrKeyringUnavailable) {
		return InfoOf(s) // a RunStore may have moved to the demo's file
	}
	info.Kind = StoreNone
	var ke *KeyringError
	if errors.As(err, &ke) {
		info.Problem = ke.Cause.Error()
	} else {
		info.Problem = err.Error()
	}
	return info
}

// Info says where the vault keeps keys and Items, without calling the store.
func (v *Vault) Info() StoreInfo { return InfoOf(v.Secrets) }
