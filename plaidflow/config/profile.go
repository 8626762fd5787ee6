package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// ProfileFrom says, for people, where the profile in force was chosen: "--profile",
// "PLAID_PROFILE", "`profiles use`" or "default".
func (c Config) ProfileFrom() string {
	switch c.ProfileSource {
	case SourceFlag:
		return "--profile"
	case SourceEnviron:
		return EnvProfile
	case SourceRemembered:
		return "`profiles use`"
	}
	return "default"
}

// ResolveProfile chooses the profile in force: --profile, then PLAID_PROFILE (the process
// environment only, never .env: see EnvironmentOnly), then the one `profiles use` remembered,
// then the default one. The name is checked (vault.ProfileName) wherever it came from; on an
// error, src still says where the bad name came from.
// remembered reads what `profiles use` chose; it is read only when neither the flag nor the
// environment chose, so a damaged file never stops a run that names its profile.
func ResolveProfile(flag string, getenv func(string) string, remembered func() (string, error)) (name string, src Source, err error) {
	name, src = strings.TrimSpace(flag), SourceFlag
	if name == "" && getenv != nil {
		name, src = strings.TrimSpace(getenv(EnvProfile)), SourceEnviron
	}
	if name == "" && remembered != nil {
		if name, err = remembered(); err != nil {
			return "", SourceRemembered, err
		}
		src = SourceRemembered
	}
	if name == "" {
		return vault.DefaultProfile, SourceDefault, nil
	}
	checked, err := vault.ProfileName(name)
	if err != nil {
		from := map[Source]string{SourceFlag: "--profile", SourceEnviron: EnvProfile, SourceRemembered: "the profile `profiles use` chose"}[src]
		return "", src, fmt.Errorf("%s: %w", from, err)
	}
	return checked, src, nil
}

// SettingsFile is the name of a profile's settings file, in its directory
// (vault.ProfileDir): a team's environment, products, countries, Link name and redirect URI,
// in .env syntax.
const SettingsFile = "settings.env"

// profileSettings are what a profile's settings file may set: what differs between teams and
// is no secret. The keys are not among them: the secret belongs in the keyring, where the
// terminal UI saves it with its client_id; PLAID_API_URL and PLAID_LINK_SCRIPT_URL stay in the
// process environment (EnvironmentOnly), like everything else that decides where a secret goes.
var profileSettings = []string{"PLAID_ENV", "PLAID_PRODUCTS", "PLAID_COUNTRY_CODES", "PLAID_CLIENT_NAME", "PLAID_REDIRECT_URI"}

// ReadProfileSettings reads the settings file of a profile directory; none is no error.
func ReadProfileSettings(dir string) (map[string]string, error) {
	m, err := ReadDotEnv(filepath.Join(dir, SettingsFile))
	if err != nil {
		return nil, fmt.Errorf("profile settings %s: %w", filepath.Join(dir, SettingsFile), err)
	}
	return m, nil
}

// SettingsUsed are the names of what a settings file sets and may set, sorted.
func SettingsUsed(settings map[string]string) []string {
	out := []string{}
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		if strings.TrimSpace(settings[name]) != "" && slices.Contains(profileSettings, name) {
			out = append(out, name)
		}
	}
	return out
}

// IgnoredInSettings says, one note each, what a settings file sets that it may not.
func IgnoredInSettings(settings map[string]string) []string {
	var notes []string
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		if strings.TrimSpace(settings[name]) != "" && !slices.Contains(profileSettings, name) {
			notes = append(notes, fmt.Sprintf("ignored %s in the profile's %s: it may set only %s", name, SettingsFile, strings.Join(profileSettings, ", ")))
		}
	}
	return notes
}
