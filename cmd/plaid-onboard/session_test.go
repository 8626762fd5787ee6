package main

import (
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// askedStore is a keyring that records whether it was asked for anything.
type askedStore struct {
	*vault.MemoryStore
	asked bool
}

func (s *askedStore) Get(key string) (string, error) {
	s.asked = true
	return s.MemoryStore.Get(key)
}

// TestTerminalUISessionLeavesTheKeyringToTheUI: the terminal UI's session is set up without
// asking the keyring, which may hang for its whole timeout before the first frame; the UI gets
// the vault in its sources and looks the saved keys up itself, in the background.
func TestTerminalUISessionLeavesTheKeyringToTheUI(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	store := &askedStore{MemoryStore: vault.NewMemoryStore()}
	te.d.Secrets = store
	dir, _ := te.d.ConfigDir()
	if err := vault.NewVault(store, dir).SaveKeys("sandbox", "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"); err != nil {
		t.Fatal(err)
	}
	s, err := newSession(te.d, sessionFlags{}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if store.asked {
		t.Error("the keyring was asked before the terminal UI started")
	}
	if s.sources.Vault == nil {
		t.Error("the terminal UI got no vault to look the saved keys up in")
	}
}
