package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Where a run keeps keys and Items: the OS keyring by default; the encrypted file store when
// --store file or PLAID_ONBOARD_STORE=file asks for it (machines with no Secret Service); in the
// offline demo, its plain file when no keyring is reachable. Every command gets the store from
// here, and the vault hides which one it is.

const (
	storeKeyring = "keyring"
	storeFile    = "file"
)

// addStoreFlag gives cmd --store: where saved keys and Items are kept. Every command with
// --profile has it.
func addStoreFlag(a *app, cmd *cobra.Command, k *keyFlags) {
	cmd.Flags().StringVar(&k.store, "store", "", "where keys and Items are kept: keyring, or file (encrypted, for machines with none) (default $"+config.StoreVar+", else keyring)")
	shared(cmd, "only the commands that use saved keys or Items have it", "store")
	_ = cmd.RegisterFlagCompletionFunc("store", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{
			cobra.CompletionWithDesc(storeKeyring, "the OS keyring (the default)"),
			cobra.CompletionWithDesc(storeFile, "an encrypted file, passphrase asked once a run"),
		}, cobra.ShellCompDirectiveNoFileComp
	})
	addCheck(cmd, func(*cobra.Command) error {
		_, _, err := storeKind(k.store, a.d.Getenv)
		return err
	})
}

// storeKind is the store asked for: --store, else $PLAID_ONBOARD_STORE, else the keyring;
// from says which.
func storeKind(flag string, getenv func(string) string) (kind, from string, err error) {
	kind, from = strings.ToLower(strings.TrimSpace(flag)), "--store"
	if kind == "" {
		kind, from = strings.ToLower(strings.TrimSpace(getenv(config.StoreVar))), config.StoreVar
	}
	switch kind {
	case "":
		return storeKeyring, "default", nil
	case storeKeyring, storeFile:
		return kind, from, nil
	}
	return "", "", usagef("%s %q: the store is keyring or file", from, kind)
}

// storeToRepeat is the --store a command suggested to this run must carry: the flag's store
// when it is not the one $PLAID_ONBOARD_STORE alone would choose, since the pasted command
// inherits the environment but not the flag.
func storeToRepeat(flag string, getenv func(string) string) (string, error) {
	kind, from, err := storeKind(flag, getenv)
	if err != nil || from != "--store" {
		return "", err
	}
	if inherited, _, _ := storeKind("", getenv); inherited == kind {
		return "", nil
	}
	return kind, nil
}

// secretStore is where this run keeps the profile p's secrets, wrapped so the terminal UI can
// turn to the encrypted file for the rest of the run. In the demo, the keyring gives way to the
// demo's plain file when it is not reachable.
func secretStore(d deps, p profileChoice, k keyFlags) (*vault.RunStore, error) {
	kind, _, err := storeKind(k.store, d.Getenv)
	if err != nil {
		return nil, err
	}
	dir := vault.ProfileDir(p.base, p.name)
	var run *vault.RunStore
	switch {
	case kind == storeFile:
		run = vault.NewRunStore(fileStore(d, dir))
	case k.demo:
		run = vault.NewDemoRunStore(d.Secrets, dir)
	default:
		run = vault.NewRunStore(d.Secrets)
	}
	run.FileWorkFactor = d.ScryptWorkFactor // the TUI's ctrl+s makes its store with it
	return run, nil
}

// fileStore is the encrypted store in dir, whose passphrase comes from $PLAID_ONBOARD_PASSPHRASE
// or is asked on the terminal, once a run (twice, to confirm, when the store is made).
func fileStore(d deps, dir string) *vault.FileStore {
	path := vault.EncryptedStorePath(dir)
	s := vault.NewFileStore(dir, func(create bool) (string, error) {
		if pass := d.Getenv(config.PassphraseVar); pass != "" {
			if create {
				fmt.Fprintf(d.Stderr, "Creating the encrypted store %s (passphrase from %s)\n", path, config.PassphraseVar)
			}
			return pass, nil
		}
		if d.AskPassphrase == nil {
			return "", fmt.Errorf("no terminal to ask it on: set %s", config.PassphraseVar)
		}
		if !create {
			return d.AskPassphrase("Passphrase for " + path + ": ")
		}
		fmt.Fprintf(d.Stderr, "Creating the encrypted store %s: choose a passphrase (it cannot be recovered).\n", path)
		first, err := d.AskPassphrase("New passphrase: ")
		if err != nil {
			return "", err
		}
		second, err := d.AskPassphrase("Same passphrase again: ")
		if err != nil {
			return "", err
		}
		if first != second {
			return "", errors.New("the two passphrases differ: nothing was created")
		}
		return first, nil
	})
	s.SetWorkFactor(d.ScryptWorkFactor)
	return s
}

// askPassphraseOnTTY reads a passphrase from the controlling terminal without echo, prompting on
// it: stdin may be a pipe (--secret-stdin) while a person sits at the terminal.
func askPassphraseOnTTY(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal to ask it on (set %s): %w", config.PassphraseVar, err)
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("read the passphrase: %w", err)
	}
	return string(b), nil
}

// unlockFileStore asks for the encrypted store's passphrase now, when the run uses it: the
// terminal UI takes the terminal over, so it cannot be asked for later, at the first save.
func unlockFileStore(v *vault.Vault) error {
	if v == nil {
		return nil
	}
	run, ok := v.Secrets.(*vault.RunStore)
	if !ok {
		return nil
	}
	if fs, ok := run.Current().(*vault.FileStore); ok {
		return fs.Unlock()
	}
	return nil
}

// otherStoreNote is said when this run uses the keyring by default while the profile has an
// encrypted file store: Items saved there are listed (the index is shared) but their tokens
// are not in the keyring, and a command pasted without --store would not find them.
func otherStoreNote(d deps, p profileChoice, k keyFlags) string {
	kind, from, err := storeKind(k.store, d.Getenv)
	if err != nil || kind != storeKeyring || from != "default" {
		return ""
	}
	dir := vault.ProfileDir(p.base, p.name)
	if !vault.NewFileStore(dir, nil).Exists() {
		return ""
	}
	return fmt.Sprintf("this profile also has an encrypted file store (%s); this run uses the OS keyring: add --store file (or set %s=file) for the Items kept there", vault.EncryptedStorePath(dir), config.StoreVar)
}
