package config

import (
	"errors"
	"fmt"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Sources are the places keys and settings are looked up, in this order: flags, the process
// environment, a .env file, then the keys saved in the keyring for the chosen environment.
type Sources struct {
	Flags  Overrides
	Getenv func(string) string
	// DotEnv is the .env file's values (ReadDotEnv); nil when there is none.
	DotEnv map[string]string
	// Vault is asked for saved keys when the other places gave none; nil skips the keyring.
	Vault *vault.Vault
	// Profile is the profile in force, already chosen (cmd chooses it first: the vault is
	// the profile's), with where it was chosen and whether other profiles exist; Resolve
	// copies it into the Config.
	Profile       string
	ProfileSource Source
	ProfilesInUse bool
	// Store is the --store a suggested command repeats (Config.Store).
	Store string
	// Settings are the profile's settings file (ReadProfileSettings): below .env, above the
	// defaults.
	Settings map[string]string
	// again is set by For: the notes about the .env were given when the sources were first
	// resolved, and are not repeated each time the user switches environments.
	again bool
}

// Resolve is the whole key resolution: LoadConfig's flags > environment > .env, then the
// keyring for the chosen environment when a key is still missing. A key found on the way is
// never overridden by the keyring. notes are things the user should know (a .env setting was
// ignored, the keyring did not answer); they are not errors, since the user may still type the
// keys.
func Resolve(src Sources) (cfg Config, notes []string, err error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg, err = loadConfig(src.Flags, getenv, src.DotEnv, src.Settings)
	if err != nil {
		return Config{}, nil, err
	}
	cfg.Profile, cfg.ProfileSource, cfg.ProfilesInUse = src.Profile, src.ProfileSource, src.ProfilesInUse
	cfg.Store = src.Store
	if !src.again {
		notes = append(IgnoredInDotEnv(src.DotEnv), IgnoredInSettings(src.Settings)...)
	}
	if cfg.HasKeys() || src.Vault == nil {
		return cfg, notes, nil
	}
	id, secret, err := src.Vault.LoadKeys(cfg.Namespace())
	switch {
	case errors.Is(err, vault.ErrKeyringUnavailable):
		return cfg, append(notes, fmt.Sprintf("could not read saved keys: %v", err)), nil
	case err != nil:
		return cfg, notes, nil // nothing saved for this environment
	}
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientIDSource = id, SourceKeyring
	}
	// The saved secret belongs to the saved client_id: never pair it with another one.
	if cfg.Secret == "" && cfg.ClientID == id {
		cfg.Secret, cfg.SecretSource = secret, SourceKeyring
	}
	return cfg, notes, nil
}

// For is the same sources with the environment chosen: the terminal UI re-resolves with it when
// the user switches environments, so the keys saved for that one are found the same way.
func (src Sources) For(env Env) Sources {
	src.Flags.Env = string(env)
	src.again = true
	return src
}

// Emulator is what the demo's built-in Plaid emulator answers on and with.
type Emulator struct {
	URL, LinkScriptURL, ClientID, Secret string
}

// ForDemo points cfg at the offline emulator with its own keys: PLAID_API_URL and the user's
// keys are dropped so a demo can never reach real Plaid. A demo shows every number family, so
// it offers US, Canadian and UK banks unless the user chose the countries.
func (c Config) ForDemo(e Emulator) Config {
	c.Demo = true
	c.Env, c.EnvSource = Sandbox, SourceDemo
	c.ClientID, c.ClientIDSource = e.ClientID, SourceDemo
	c.Secret, c.SecretSource = e.Secret, SourceDemo
	c.APIURL, c.APIURLSource = e.URL, SourceDemo
	c.LinkScriptURL = e.LinkScriptURL
	if c.CountriesSource == SourceNone {
		c.CountryCodes = []string{"US", "CA", "GB"}
		c.CountriesSource = SourceDemo
	}
	return c
}
