package config

import (
	"fmt"
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
