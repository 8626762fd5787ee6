package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// whoamiDocument is `whoami --json`: what a command run here would act as, and where each part
// came from. The secret is never in it, only whether one was found and where.
type whoamiDocument struct {
	Profile         string `json:"profile"`
	ProfileFrom     string `json:"profile_from"`
	Environment     string `json:"environment"`
	EnvironmentFrom string `json:"environment_from"`
	Demo            bool   `json:"demo"`
	ClientID        string `json:"client_id"`
	ClientIDFrom    string `json:"client_id_from"`
	SecretFound     bool   `json:"secret_found"`
	SecretFrom      string `json:"secret_from"`
	// Keyring is where secrets are kept, KeyringPrefix what this profile's entries start with.
	Keyring       string `json:"keyring"`
	KeyringPrefix string `json:"keyring_prefix"`
	// KeyringProblem says why the keyring cannot be used here ("" when it answered): a server
	// or container has none, and nothing would be saved.
	KeyringProblem string `json:"keyring_problem,omitempty"`
	// Store is where keys and Items are kept: the keyring, the encrypted file (--store file),
	// the demo's file, or none.
	Store vault.StoreInfo `json:"store"`
	Index string          `json:"index"`
	Items int             `json:"items"`
	// SettingsFile is the profile's settings file; Settings what it sets (names only).
	SettingsFile string   `json:"settings_file"`
	Settings     []string `json:"settings"`
}

func newWhoamiCmd(a *app) *cobra.Command {
	o := &keysJSONFlags{}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Say which profile, environment and keys a command here would use, and from where",
		Long: `Says what a command run here, with the same flags, would act as: the profile, the
environment, the client_id (with where each came from: a flag, the environment, ./.env, the
keyring, "profiles use", a default), whether a secret was found (never the secret), and the
keyring and index the profile keeps its keys and Items in. It reads the keyring for saved keys
and makes no Plaid call.`,
		Example: `  plaid-onboard whoami
  plaid-onboard --profile acme --env production whoami --json`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(context.Context, []string) error { return a.runWhoami(o) }),
	}
	addPlaidFlags(a, cmd, &o.keys)
	addProfileFlag(a, cmd, &o.keys)
	addJSONFlag(cmd, &o.json)
	return cmd
}

func (a *app) runWhoami(o *keysJSONFlags) error {
	p, err := chooseProfile(a.d, o.keys)
	if err != nil {
		return err
	}
	v, err := p.open(a.d, o.keys)
	if err != nil {
		return err
	}
	src, err := sources(a.d, p, o.keys, linkPageFlags{}, v)
	if err != nil {
		return err
	}
	cfg, notes, err := config.Resolve(src)
	if err != nil {
		return usageError{err}
	}
	if o.keys.demo {
		cfg = cfg.ForDemo(config.Emulator{ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret})
	}
	if n := p.newNote(); n != "" {
		notes = append(notes, n)
	}
	if n := othersKeysNote(cfg, v); n != "" {
		notes = append(notes, n)
	}
	for _, n := range notes {
		fmt.Fprintf(a.d.Stderr, "note: %s\n", n)
	}
	items, err := v.Items(cfg.Namespace())
	if err != nil {
		return err
	}
	prefix := ""
	if p.name != vault.DefaultProfile {
		prefix = p.name + "/"
	}
	doc := whoamiDocument{
		Profile: cfg.Profile, ProfileFrom: cfg.ProfileFrom(),
		Environment: string(cfg.Env), EnvironmentFrom: string(cfg.EnvSource), Demo: cfg.Demo,
		ClientID: cfg.ClientID, ClientIDFrom: string(cfg.ClientIDSource),
		SecretFound: cfg.Secret != "", SecretFrom: string(cfg.SecretSource),
		Keyring: a.d.Secrets.Describe(), KeyringPrefix: prefix + cfg.Namespace() + "/",
		Index: filepath.Join(v.Dir, "items.json"), Items: len(items),
		SettingsFile: filepath.Join(v.Dir, config.SettingsFile), Settings: config.SettingsUsed(src.Settings),
	}
	// A read of this profile's secret entry: it answers "not found" or the secret when the
	// keyring is there, a *KeyringError when it is not. A file store is not read (it would ask
	// for the passphrase only to say where it is).
	var ke *vault.KeyringError
	doc.Store = v.Info()
	if doc.Store.Kind == vault.StoreKeyring {
		if _, err := v.Secrets.Get(doc.KeyringPrefix + "secret"); errors.As(err, &ke) {
			doc.KeyringProblem = sanitize.Line(ke.Cause.Error(), sanitize.Field)
			doc.Store = vault.StoreInfo{Kind: vault.StoreNone, Description: doc.Keyring, Problem: doc.KeyringProblem}
		} else {
			doc.Store = v.Info() // the demo may have turned to its file
		}
	}
	return a.printResult(o.json, doc, func(w io.Writer) error {
		keyring := fmt.Sprintf("%s, entries %s…", doc.Keyring, doc.KeyringPrefix)
		if k := doc.Store.Kind; k != vault.StoreKeyring && k != vault.StoreNone {
			keyring = "not used by this run (see store)"
		}
		if doc.KeyringProblem != "" {
			keyring = fmt.Sprintf("%s: not reachable here, so nothing is saved: %s (%s)", doc.Keyring, doc.KeyringProblem, present.FileStoreHint())
		}
		from := func(v, src string) string {
			if v == "" {
				return "none found"
			}
			switch src {
			case "":
				return v
			case "default":
				return v + " (the default)"
			}
			return v + " (from " + src + ")"
		}
		secret := "none found"
		if doc.SecretFound {
			secret = "found, not shown (from " + doc.SecretFrom + ")"
		}
		env := from(cfg.Env.Title(), doc.EnvironmentFrom)
		if cfg.Demo {
			env = "the offline demo (--demo: the built-in emulator, not Plaid)"
		}
		present.WriteTable(w, [][]string{
			{"profile", from(doc.Profile, doc.ProfileFrom)},
			{"environment", env},
			{"client_id", from(doc.ClientID, doc.ClientIDFrom)},
			{"secret", secret},
			{"keyring", keyring},
			{"store", present.KeptIn(doc.Store)},
			{"index", fmt.Sprintf("%s (%d Items in %s)", doc.Index, doc.Items, environmentName(cfg))},
			{"settings", fmt.Sprintf("%s (%s)", doc.SettingsFile, orNone(strings.Join(doc.Settings, ", ")))},
		}, 99)
		return nil
	})
}
