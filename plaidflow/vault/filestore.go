package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"filippo.io/age"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// The file stores keep what the keyring would keep (the client secret, access tokens) in one
// file per profile, for machines with no Secret Service: a server, a container, WSL. The
// encrypted store (FileStore) is for real keys and is chosen by the user; the plain one
// (DemoFileStore) holds only the offline demo's tokens, which open nothing outside its emulator.
// Both read, change and write the whole file under a lock file next to it, so two runs saving
// at once both keep their entries, and write it atomically with mode 0600.

// Names of the stores' files in a profile's directory.
const (
	// encryptedStoreFile holds the entries, encrypted with age to the store's own X25519 key.
	encryptedStoreFile = "secrets.age"
	// encryptedKeyFile holds that X25519 key, encrypted with age's scrypt recipient under the
	// user's passphrase: the passphrase is stretched once per run, not once per read or write,
	// and `age -d secrets.key.age > key; age -d -i key secrets.age` opens the store by hand.
	encryptedKeyFile = "secrets.key.age"
	// demoStoreFile holds the demo's tokens in plain JSON.
	demoStoreFile = "demo-secrets.json"
	// maxStoreFile bounds what is read: a few hundred bytes an entry.
	maxStoreFile = 16 << 20
)

var (
	// ErrWrongPassphrase means the passphrase does not open the encrypted store's key.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrCorruptStore means a store file is there but cannot be read as one: it is left as it
	// is, and nothing is written over it.
	ErrCorruptStore = errors.New("the file is damaged")
)

// StoreFileError is a store file that could not be opened: a wrong passphrase
// (ErrWrongPassphrase), a damaged file (ErrCorruptStore), or the file system's refusal.
type StoreFileError struct {
	Path string
	Err  error
}

// Error implements error.
func (e *StoreFileError) Error() string {
	switch {
	case errors.Is(e.Err, ErrWrongPassphrase):
		return fmt.Sprintf("the encrypted store %s: %v (PLAID_ONBOARD_PASSPHRASE or the one typed does not open it)", e.Path, e.Err)
	case errors.Is(e.Err, ErrCorruptStore):
		return fmt.Sprintf("the store %s cannot be read: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("the store %s: %v", e.Path, e.Err)
}

// Unwrap gives the cause.
func (e *StoreFileError) Unwrap() error { return e.Err }

// entriesFile is the document a store file holds (encrypted or not).
type entriesFile struct {
	Version int               `json:"version"`
	Entries map[string]string `json:"entries"`
}

// mapFile is the part both file stores share: entries in one file, changed under its lock.
type mapFile struct {
	path string
	// seal and open turn the document into the file's bytes and back.
	seal func([]byte) ([]byte, error)
	open func([]byte) ([]byte, error)
	mu   sync.Mutex
}

func (m *mapFile) lockPath() string { return m.path + ".lock" }

// load reads the entries; a missing file is an empty store.
func (m *mapFile) load() (map[string]string, error) {
	b, err := localfile.Read(m.path, maxStoreFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, &StoreFileError{Path: m.path, Err: err}
	}
	plain, err := m.open(b)
	if err != nil {
		return nil, &StoreFileError{Path: m.path, Err: err}
	}
	var doc entriesFile
	if err := json.Unmarshal(plain, &doc); err != nil || doc.Entries == nil {
		return nil, &StoreFileError{Path: m.path, Err: fmt.Errorf("%w: it holds no entries", ErrCorruptStore)}
	}
	return doc.Entries, nil
}

func (m *mapFile) get(key string) (string, error) {
	entries, err := m.load()
	if err != nil {
		return "", err
	}
	v, ok := entries[key]
	if !ok {
		return "", fmt.Errorf("read %s from %s: %w", key, m.path, ErrSecretNotFound)
	}
	return v, nil
}

// change applies fn to the entries under the lock file, re-reading them there so what another
// run wrote meanwhile is kept, and writes them back atomically.
func (m *mapFile) change(doing string, fn func(map[string]string) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ensureDir(filepath.Dir(m.path)); err != nil {
		return &StoreFileError{Path: m.path, Err: err}
	}
	unlock, err := waitLock(context.Background(), m.lockPath(), doing, indexLockWait, nil)
	if err != nil {
		return &StoreFileError{Path: m.path, Err: err}
	}
	defer func() { _ = unlock() }()
	entries, err := m.load()
	if err != nil {
		return err
	}
	if err := fn(entries); err != nil {
		return err
	}
	plain, err := json.Marshal(entriesFile{Version: 1, Entries: entries})
	if err != nil {
		return err
	}
	sealed, err := m.seal(plain)
	if err != nil {
		return &StoreFileError{Path: m.path, Err: err}
	}
	if err := writeFileAtomic(m.path, sealed); err != nil {
		return &StoreFileError{Path: m.path, Err: err}
	}
	return nil
}

func (m *mapFile) set(key, value string) error {
	return m.change("writing "+filepath.Base(m.path), func(e map[string]string) error {
		e[key] = value
		return nil
	})
}

func (m *mapFile) delete(key string) error {
	return m.change("writing "+filepath.Base(m.path), func(e map[string]string) error {
		if _, ok := e[key]; !ok {
			return fmt.Errorf("delete %s from %s: %w", key, m.path, ErrSecretNotFound)
		}
		delete(e, key)
		return nil
	})
}

// keys lists the entries' names, sorted (tests, and a profile's removal).
func (m *mapFile) keys() ([]string, error) {
	entries, err := m.load()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(entries))
	for k := range entries {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// PassphraseFunc gives the encrypted store's passphrase: create is true when the store is being
// made, so the user is asked twice.
type PassphraseFunc func(create bool) (string, error)

// FileStore is the encrypted file store: entries encrypted with age (filippo.io/age) to an
// X25519 key of the store's own, itself encrypted under the user's passphrase with age's
// scrypt recipient. The passphrase is asked for once per run, at the first read or write.
type FileStore struct {
	dir        string
	passphrase PassphraseFunc
	// workFactor is scrypt's log2 cost when the key file is made (0: age's default).
	workFactor int

	unlockMu sync.Mutex
	identity *age.X25519Identity
	file     mapFile
}

// NewFileStore is the encrypted store of the profile directory dir. Nothing is read, and no
// passphrase asked for, until the first Get, Set or Delete (or Unlock).
func NewFileStore(dir string, passphrase PassphraseFunc) *FileStore {
	s := &FileStore{dir: dir, passphrase: passphrase}
	s.file = mapFile{path: filepath.Join(dir, encryptedStoreFile), seal: s.seal, open: s.open}
	return s
}

// SetWorkFactor sets scrypt's log2 cost for the key file this store makes (0: age's default,
// about a second). Opening a key file costs what its maker chose, whatever this says. Only
// tests lower it, so that making a store does not cost each test a second of CPU.
func (s *FileStore) SetWorkFactor(logN int) { s.workFactor = logN }

// EncryptedStorePath is where the encrypted store of the profile directory dir keeps its entries.
func EncryptedStorePath(dir string) string { return filepath.Join(dir, encryptedStoreFile) }

// Path is the file the entries are in.
func (s *FileStore) Path() string { return s.file.path }

func (s *FileStore) keyPath() string { return filepath.Join(s.dir, encryptedKeyFile) }

// Exists reports whether the store was made already (its key file is there): Unlock then asks
// for the passphrase once, else twice.
func (s *FileStore) Exists() bool {
	_, err := localfile.Read(s.keyPath(), maxStoreFile)
	return err == nil
}

// Describe implements SecretStore.
func (s *FileStore) Describe() string { return "the encrypted file " + s.file.path }

// Get implements SecretStore.
func (s *FileStore) Get(key string) (string, error) {
	if err := s.Unlock(); err != nil {
		return "", err
	}
	return s.file.get(key)
}

// Set implements SecretStore.
func (s *FileStore) Set(key, value string) error {
	if err := s.Unlock(); err != nil {
		return err
	}
	return s.file.set(key, value)
}

// Delete implements SecretStore.
func (s *FileStore) Delete(key string) error {
	if err := s.Unlock(); err != nil {
		return err
	}
	return s.file.delete(key)
}

// Unlock asks for the passphrase and opens the store's key, making both when the store does
// not exist yet; a second call does nothing. A wrong passphrase is a *StoreFileError naming
// the key file, with ErrWrongPassphrase.
func (s *FileStore) Unlock() error {
	s.unlockMu.Lock()
	defer s.unlockMu.Unlock()
	if s.identity != nil {
		return nil
	}
	sealed, err := localfile.Read(s.keyPath(), maxStoreFile)
	if errors.Is(err, fs.ErrNotExist) {
		return s.create()
	}
	if err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	pass, err := s.askPassphrase(false)
	if err != nil {
		return err
	}
	id, err := openKey(sealed, pass)
	if err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	s.identity = id
	return nil
}

func (s *FileStore) askPassphrase(create bool) (string, error) {
	if s.passphrase == nil {
		return "", errors.New("the encrypted store needs a passphrase: set PLAID_ONBOARD_PASSPHRASE or run in a terminal")
	}
	pass, err := s.passphrase(create)
	if err != nil {
		return "", fmt.Errorf("the passphrase of %s: %w", s.file.path, err)
	}
	if pass == "" {
		return "", fmt.Errorf("the passphrase of %s is empty", s.file.path)
	}
	return pass, nil
}

// create makes the store's key under the passphrase. Under the store's lock: two runs making
// the store at once would otherwise each write a key, and one's entries would be unreadable.
func (s *FileStore) create() error {
	if err := ensureDir(s.dir); err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	pass, err := s.askPassphrase(true)
	if err != nil {
		return err
	}
	unlock, err := waitLock(context.Background(), s.file.lockPath(), "creating "+encryptedKeyFile, indexLockWait, nil)
	if err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	defer func() { _ = unlock() }()
	if sealed, err := localfile.Read(s.keyPath(), maxStoreFile); err == nil {
		id, err := openKey(sealed, pass) // made by another run meanwhile
		if err != nil {
			return &StoreFileError{Path: s.keyPath(), Err: err}
		}
		s.identity = id
		return nil
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return err
	}
	if s.workFactor > 0 {
		r.SetWorkFactor(s.workFactor)
	}
	sealed, err := encrypt([]byte(id.String()+"\n"), r)
	if err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	if err := writeFileAtomic(s.keyPath(), sealed); err != nil {
		return &StoreFileError{Path: s.keyPath(), Err: err}
	}
	s.identity = id
	return nil
}

// openKey decrypts the key file with the passphrase.
func openKey(sealed []byte, pass string) (*age.X25519Identity, error) {
	sid, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, err
	}
	plain, err := decrypt(sealed, sid)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, err
	}
	id, err := age.ParseX25519Identity(string(bytes.TrimSpace(plain)))
	if err != nil {
		return nil, fmt.Errorf("%w: it holds no age key", ErrCorruptStore)
	}
	return id, nil
}

func (s *FileStore) seal(plain []byte) ([]byte, error) {
	return encrypt(plain, s.identity.Recipient())
}

func (s *FileStore) open(sealed []byte) ([]byte, error) {
	plain, err := decrypt(sealed, s.identity)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, fmt.Errorf("%w: it was not encrypted to the key in %s", ErrCorruptStore, s.keyPath())
	}
	return plain, err
}

func ensureDir(dir string) error { return os.MkdirAll(dir, 0o700) }

func encrypt(plain []byte, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// decrypt opens an age file; anything but a wrong key is a damaged file.
func decrypt(sealed []byte, id age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptStore, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptStore, err)
	}
	return plain, nil
}
