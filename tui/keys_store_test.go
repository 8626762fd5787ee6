package tui

import (
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// lockedKeyring is an OS keyring that does not answer (no Secret Service on this machine).
type lockedKeyring struct{}

func (lockedKeyring) Describe() string { return "the OS keyring (service plaid-onboard)" }
func (lockedKeyring) Get(string) (string, error) {
	return "", &vault.KeyringError{Op: "read", Cause: vault.ErrNoSessionBus}
}
func (lockedKeyring) Set(string, string) error {
	return &vault.KeyringError{Op: "write", Cause: vault.ErrNoSessionBus}
}
func (lockedKeyring) Delete(string) error {
	return &vault.KeyringError{Op: "delete", Cause: vault.ErrNoSessionBus}
}

var ctrlS = tea.KeyMsg{Type: tea.KeyCtrlS}

// cheapScrypt keeps the store's scrypt work small in tests (age's default takes seconds under
// the race detector).
const cheapScrypt = 10

// shows waits until the screen, its lines joined and its spaces collapsed, holds s: a sentence
// wrapped at a space.
func shows(d *driver, s string) {
	d.t.Helper()
	d.until("the screen to show "+s, func() bool { return strings.Contains(strings.Join(strings.Fields(view(d.m)), " "), s) })
}

// Given no keyring, when the keys screen opens, then before anything is linked it says Items
// will not be kept, and why, and offers ctrl+s; the passphrase typed for a new store is masked
// and asked twice (a mismatch is refused); then the screen says Items will be kept in the
// encrypted file, and the run's saves go there.
func TestKeysScreenOffersTheFileStoreWithoutKeyring(t *testing.T) {
	_, deps := liveOnEmulator(t)
	dir := t.TempDir()
	run := vault.NewRunStore(lockedKeyring{})
	run.FileWorkFactor = cheapScrypt
	deps.Vault = vault.NewVault(run, dir)
	m, d := started(t, deps, 100, 30)

	d.screenShows("Items will not be kept: no OS keyring is reachable")
	if v := view(m); !strings.Contains(v, "ctrl+s keeps them in an encrypted file") || !strings.Contains(v, "D-Bus") {
		t.Fatalf("the offer or the reason is missing:\n%s", v)
	}
	d.send(ctrlS)
	path := filepath.Join(dir, "secrets.age")
	d.screenShows("New encrypted store")
	if v := view(m); !strings.Contains(v, path) {
		t.Fatalf("the prompt does not name %s:\n%s", path, v)
	}
	typeText(m, "hunter2 horse")
	d.send(press("enter")) // on to the confirmation
	typeText(m, "hunter2 house")
	d.send(press("enter"))
	d.screenShows("the two passphrases differ")
	typeText(m, "hunter2 horse")
	if v := view(m); strings.Contains(v, "hunter2") {
		t.Fatalf("the passphrase is shown:\n%s", v)
	}
	d.send(press("enter"))
	shows(d, "Items will be kept in the encrypted file: "+path)
	if err := deps.Vault.Secrets.Set("sandbox/item/x", "access-sandbox-x"); err != nil {
		t.Fatalf("saving after the switch: %v", err)
	}
	if got := vault.InfoOf(run); got.Kind != vault.StoreFile || got.Path != path {
		t.Errorf("the run's store after the switch: %+v", got)
	}
	if v := view(m); strings.Contains(v, "ctrl+s") {
		t.Errorf("ctrl+s is still offered once the file is in use:\n%s", v)
	}
	if got := m.c.voice().Command("auth x"); !strings.Contains(got, "--store file") {
		t.Errorf("a command suggested after the switch, %q, would look in the keyring: want --store file", got)
	}
}

// Given an encrypted store made earlier, when the user types the wrong passphrase, then the
// screen says so, naming the file, and asks once (not twice); esc leaves the keyring problem as
// it was.
func TestKeysScreenWrongPassphraseNamesTheFile(t *testing.T) {
	_, deps := liveOnEmulator(t)
	dir := t.TempDir()
	earlier := vault.NewRunStore(vault.NewMemoryStore())
	earlier.FileWorkFactor = cheapScrypt // opening costs what making cost: the file says
	if _, err := earlier.OpenFile(dir, "right"); err != nil {
		t.Fatal(err)
	}
	deps.Vault = vault.NewVault(vault.NewRunStore(lockedKeyring{}), dir)
	m, d := started(t, deps, 100, 30)
	d.screenShows("ctrl+s keeps them in an encrypted file")
	d.send(ctrlS)
	d.screenShows("Passphrase of the encrypted store")
	typeText(m, "wrong")
	d.send(press("enter"))
	d.screenShows("wrong passphrase")
	if v := view(m); !strings.Contains(v, filepath.Join(dir, "secrets.key.age")) {
		t.Errorf("the error does not name the file:\n%s", v)
	}
	d.send(press("esc"))
	d.screenShows("Items will not be kept")
	if m.keys.phase != phaseEdit {
		t.Errorf("esc did not leave the prompt")
	}
}

// With the keyring answering, the keys screen says Items go there and offers no file store; in
// the demo with no keyring it names the demo's file.
func TestKeysScreenSaysWhereItemsGo(t *testing.T) {
	_, deps := liveOnEmulator(t)
	deps.Vault = vault.NewVault(vault.NewRunStore(namedKeyring{vault.NewMemoryStore()}), t.TempDir())
	m, d := started(t, deps, 100, 30)
	d.screenShows("Items will be kept in the OS keyring")
	if v := view(m); strings.Contains(v, "ctrl+s") {
		t.Errorf("the file store is offered although the keyring answers:\n%s", v)
	}

	_, demo := demoOnEmulator(t)
	dir := t.TempDir()
	demo.Vault = vault.NewVault(vault.NewDemoRunStore(lockedKeyring{}, dir), dir)
	_, d = started(t, demo, 100, 30)
	shows(d, "Items will be kept in a plain file (the demo's tokens are the emulator's, not secrets): "+filepath.Join(dir, "demo-secrets.json"))
}

// namedKeyring is a keyring that answers, kept in memory.
type namedKeyring struct{ *vault.MemoryStore }

func (namedKeyring) Describe() string { return "the OS keyring (service plaid-onboard)" }
