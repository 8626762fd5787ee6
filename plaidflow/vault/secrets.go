package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name every keyring entry is filed under
// (`secret-tool search --all service plaid-onboard` lists them).
const KeyringService = "plaid-onboard"

// keyringTimeout bounds each keyring call: a hung D-Bus or an unanswered unlock prompt must not
// hang the app.
const keyringTimeout = 5 * time.Second

var (
	// ErrSecretNotFound means the store has no entry under that key.
	ErrSecretNotFound = errors.New("not found in the keyring")
	// ErrKeyringUnavailable means no OS keyring answered (no Secret Service, locked, timed out).
	ErrKeyringUnavailable = errors.New("no OS keyring is reachable")
)

// SecretStore keeps secrets (the client secret, access tokens). The program uses the OS keyring;
// unit tests use MemoryStore; the end-to-end tests use the real keyring on a private D-Bus.
type SecretStore interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
	// Describe says where secrets go, for the user ("the OS keyring (service plaid-onboard)").
	Describe() string
}

// KeyringStore is the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager
// on Windows) through go-keyring, with a timeout on each call.
type KeyringStore struct {
	Timeout time.Duration
	// Getenv reads the environment when looking for the D-Bus session bus (nil: os.Getenv).
	Getenv func(string) string
}

// NewKeyringStore returns the OS keyring with the default timeout.
func NewKeyringStore() *KeyringStore { return &KeyringStore{Timeout: keyringTimeout} }

// Describe implements SecretStore.
func (k *KeyringStore) Describe() string {
	return "the OS keyring (service " + KeyringService + ")"
}

// Get implements SecretStore.
func (k *KeyringStore) Get(key string) (string, error) {
	var v string
	err := k.do("read", key, func() error {
		var err error
		v, err = keyring.Get(KeyringService, key)
		return err
	})
	return v, err
}

// Set implements SecretStore.
func (k *KeyringStore) Set(key, value string) error {
	return k.do("write", key, func() error { return keyring.Set(KeyringService, key, value) })
}

// Delete implements SecretStore.
func (k *KeyringStore) Delete(key string) error {
	return k.do("delete", key, func() error { return keyring.Delete(KeyringService, key) })
}

// do runs one keyring call with a deadline. go-keyring has no context, so a call that outlives
// its deadline is left to finish in the background; its result is dropped.
func (k *KeyringStore) do(verb, key string, call func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = keyringTimeout
	}
	if err := k.sessionBus(); err != nil {
		return &KeyringError{Op: verb + " " + key, Cause: err}
	}
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		switch {
		case err == nil:
			return nil
		case errors.Is(err, keyring.ErrNotFound):
			return fmt.Errorf("keyring %s %s: %w", verb, key, ErrSecretNotFound)
		default:
			return &KeyringError{Op: verb + " " + key, Cause: err}
		}
	case <-time.After(timeout):
		return &KeyringError{Op: verb + " " + key, Cause: fmt.Errorf("no answer after %s", timeout)}
	}
}

// ErrNoSessionBus means there is no D-Bus session bus to find the Secret Service on (a bare SSH
// login, a container, cron). Its text has no parentheses: callers put a cause in parentheses,
// and "(no bus (… not set))" reads badly.
var ErrNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// sessionBus checks, where the keyring is the Secret Service on D-Bus, that a session bus is
// there before go-keyring is asked. Without one, godbus runs `dbus-launch --autolaunch`, which
// starts a dbus-daemon (and, through D-Bus activation, a gnome-keyring-daemon) that outlive the
// program: every run would leave two more daemons behind. It looks where godbus looks:
// $DBUS_SESSION_BUS_ADDRESS, then the bus socket in the user's runtime directory.
func (k *KeyringStore) sessionBus() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "ios" {
		return nil // Keychain and Credential Manager need no bus
	}
	getenv := k.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return ErrNoSessionBus
}

// KeyringError is a keyring that did not answer or refused; errors.Is(err,
// ErrKeyringUnavailable) holds for it.
type KeyringError struct {
	Op    string
	Cause error
}

func (e *KeyringError) Error() string {
	return fmt.Sprintf("keyring %s: %v: %v", e.Op, ErrKeyringUnavailable, e.Cause)
}

// Is makes errors.Is(err, ErrKeyringUnavailable) true.
func (e *KeyringError) Is(target error) bool { return target == ErrKeyringUnavailable }

// Unwrap gives the keyring library's own error.
func (e *KeyringError) Unwrap() error { return e.Cause }

// MemoryStore keeps secrets in memory only: for tests, and for a session the user chose not to
// save when no keyring is reachable.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]string{}} }

// Describe implements SecretStore.
func (s *MemoryStore) Describe() string { return "memory only (gone when the program exits)" }

// Get implements SecretStore.
func (s *MemoryStore) Get(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", fmt.Errorf("memory read %s: %w", key, ErrSecretNotFound)
	}
	return v, nil
}

// Set implements SecretStore.
func (s *MemoryStore) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// Delete implements SecretStore.
func (s *MemoryStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; !ok {
		return fmt.Errorf("memory delete %s: %w", key, ErrSecretNotFound)
	}
	delete(s.m, key)
	return nil
}

// Keys lists what the store holds (tests check nothing else was written).
func (s *MemoryStore) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for k := range s.m {
		out = append(out, k)
	}
	return out
}
