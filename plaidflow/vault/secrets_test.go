package vault

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// sessionBusAt is an environment whose only variable is the session bus address.
func sessionBusAt(addr string) func(string) string {
	return func(k string) string {
		if k == "DBUS_SESSION_BUS_ADDRESS" {
			return addr
		}
		return ""
	}
}

// TestKeyringStoreWithoutSessionBus: with no D-Bus session bus, the keyring is not asked at all
// (its D-Bus library would autolaunch daemons that outlive the program): every call says no
// keyring is reachable, and why.
func TestKeyringStoreWithoutSessionBus(t *testing.T) {
	env := map[string]string{"XDG_RUNTIME_DIR": t.TempDir()} // no bus socket there
	k := &KeyringStore{Getenv: func(key string) string { return env[key] }}
	asked := false
	err := k.do("read", "keys/sandbox", func() error { asked = true; return nil })
	if asked {
		t.Fatal("the keyring was asked although there is no session bus")
	}
	var ke *KeyringError
	if !errors.As(err, &ke) || !errors.Is(err, ErrKeyringUnavailable) || !errors.Is(err, ErrNoSessionBus) {
		t.Fatalf("err = %v, want a KeyringError saying there is no session bus", err)
	}
}

// TestKeyringStoreWithSessionBus: a session bus found where godbus finds one (the address, or
// the socket in the runtime directory) lets the call through.
func TestKeyringStoreWithSessionBus(t *testing.T) {
	k := &KeyringStore{Getenv: sessionBusAt("unix:path=/run/user/1000/bus")}
	asked := false
	if err := k.do("read", "keys/sandbox", func() error { asked = true; return nil }); err != nil || !asked {
		t.Fatalf("err = %v, asked = %v: want the keyring asked", err, asked)
	}
}

func TestKeyringStoreTimesOut(t *testing.T) {
	k := &KeyringStore{Timeout: 20 * time.Millisecond, Getenv: sessionBusAt("unix:path=/run/hung-bus")}
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	err := k.do("read", "x", func() error { <-release; return nil })
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no answer after") {
		t.Fatalf("err = %v, want a timeout reported as ErrKeyringUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("a hung keyring held the caller for %s", elapsed)
	}
}
