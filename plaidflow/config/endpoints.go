package config

import (
	"fmt"
	"strings"
)

// The settings that say where the keys, the access tokens and the Link page's script come from
// or go to.
const (
	envAPIURL        = "PLAID_API_URL"
	envLinkScriptURL = "PLAID_LINK_SCRIPT_URL"
	// EnvProfile chooses the profile (ResolveProfile).
	EnvProfile = "PLAID_PROFILE"
	// StoreVar chooses where keys and Items are kept: "keyring" (the default) or "file", the
	// encrypted file store.
	StoreVar = "PLAID_ONBOARD_STORE"
	// PassphraseVar is the encrypted file store's passphrase, for runs with no terminal.
	PassphraseVar = "PLAID_ONBOARD_PASSPHRASE"
)

// EnvironmentOnly are the settings a .env file may not set, each with what it decides. A .env
// travels with a repository: whoever wrote it must not choose where the secret and the access
// tokens are sent, nor which script the user's trusted Link page runs. Only the person running
// the program sets these, in the process environment (or a flag).
var EnvironmentOnly = []struct{ Name, Decides string }{
	{envAPIURL, "where keys and access tokens are sent"},
	{envLinkScriptURL, "which script the Link page runs"},
	// A repository's .env choosing the profile would pick whose keys and Items a command
	// acts on, and could act on another team's without a word.
	{EnvProfile, "whose keys and Items are used"},
	// A passphrase from a repository's .env would make the user's encrypted store one its
	// author can open; and the store decides where the secret and tokens are written.
	{PassphraseVar, "the passphrase of the encrypted store"},
	{StoreVar, "where keys and Items are kept"},
}

// IgnoredInDotEnv says, one note each, which EnvironmentOnly settings a .env file (its values,
// as ReadDotEnv returns them) holds and the program therefore did not use.
func IgnoredInDotEnv(dotenv map[string]string) []string {
	var notes []string
	for _, s := range EnvironmentOnly {
		if strings.TrimSpace(dotenv[s.Name]) != "" {
			notes = append(notes, fmt.Sprintf("ignored %s from ./.env: %s can only be set in the environment (export %s=…)", s.Name, s.Decides, s.Name))
		}
	}
	return notes
}

// Destination says where calls with the secret and access tokens go, and why, when that is not
// Plaid's own host for the environment: one line to tell the user before the first call, or ""
// when the calls go to Plaid, or to the demo's own emulator, or nowhere (BaseURL refuses the
// URL).
func (c Config) Destination() string {
	if c.Demo || c.APIURL == "" {
		return ""
	}
	base, err := c.BaseURL()
	plaid := SandboxURL
	if c.Env == Production {
		plaid = ProductionURL
	}
	if err != nil || base == plaid {
		return ""
	}
	from := "PLAID_API_URL in the environment"
	if c.APIURLSource == SourceFlag {
		from = "given as a flag"
	}
	return fmt.Sprintf("sending Plaid calls, with the secret and access tokens, to %s (%s), not to Plaid's %s", base, from, strings.TrimPrefix(plaid, "https://"))
}
