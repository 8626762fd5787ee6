package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// profileChoice is the profile a run acts in and how it was chosen.
type profileChoice struct {
	name   string
	source config.Source
	// base is the config directory, under which every profile lives (vault.OpenProfile).
	base string
	// inUse is true when profiles were made: then the profile is named wherever the run
	// says what it did (config.Config.ProfileLabel).
	inUse bool
	// isNew is a profile with no directory yet: nothing is saved in it, which a misspelt
	// --profile also looks like.
	isNew bool
}

// chooseProfile finds the profile in force for k: --profile, PLAID_PROFILE, what `profiles
// use` remembered, the default one.
func chooseProfile(d deps, k keyFlags) (profileChoice, error) {
	base, err := d.ConfigDir()
	if err != nil {
		return profileChoice{}, fmt.Errorf("find the config directory: %w", err)
	}
	name, src, err := config.ResolveProfile(k.profile, d.Getenv, func() (string, error) { return vault.RememberedProfile(base) })
	switch {
	case err != nil && src == config.SourceRemembered:
		return profileChoice{}, err // a damaged file, not the command line
	case err != nil:
		return profileChoice{}, usageError{err}
	}
	names, _ := vault.Profiles(base)
	return profileChoice{
		name: name, source: src, base: base,
		inUse: name != vault.DefaultProfile || len(names) > 1,
		isNew: !vault.ProfileExists(base, name),
	}, nil
}

// open is the profile's vault: its index, and its secrets in the store k asks for
// (secretStore).
func (p profileChoice) open(d deps, k keyFlags) (*vault.Vault, error) {
	store, err := secretStore(d, p, k)
	if err != nil {
		return nil, err
	}
	return vault.OpenProfile(store, p.base, p.name), nil
}

// into records the profile in the sources, so the Config resolved from them names it.
func (p profileChoice) into(src *config.Sources) {
	src.Profile, src.ProfileSource, src.ProfilesInUse = p.name, p.source, p.inUse
}

// newNote is said when the profile has nothing saved yet.
func (p profileChoice) newNote() string {
	if !p.isNew {
		return ""
	}
	return fmt.Sprintf("profile %s is new: nothing is saved in it yet (`plaid-onboard profiles list` shows the profiles)", p.name)
}

// othersKeysNote warns when profiles are in use and the client_id in force came from a flag,
// the environment or ./.env while the profile has other keys saved: `--profile acme` in a
// directory whose .env holds another team's keys would otherwise act as that team, unsaid.
func othersKeysNote(cfg config.Config, v *vault.Vault) string {
	switch {
	case v == nil || cfg.Demo || cfg.ProfileLabel() == "" || cfg.ClientID == "":
		return ""
	case cfg.ClientIDSource == config.SourceKeyring:
		return ""
	}
	saved, err := v.SavedClientID(cfg.Namespace())
	if err != nil || saved == "" || saved == cfg.ClientID {
		return ""
	}
	from := map[config.Source]string{config.SourceFlag: "--client-id", config.SourceEnviron: "PLAID_CLIENT_ID in the environment", config.SourceDotEnv: "./.env"}[cfg.ClientIDSource]
	return fmt.Sprintf("profile %s has other %s keys saved, but the client_id in use comes from %s, which wins over saved keys: this run acts as that client_id's team", cfg.Profile, cfg.Env.Title(), from)
}

// actingIn is the first line of a command's stderr when profiles are in use: which profile
// and environment it acts in, so two teams' Items are never confused. "" when none was made.
func actingIn(cfg config.Config) string {
	label := cfg.ProfileLabel()
	if label == "" {
		return ""
	}
	return fmt.Sprintf("%s · %s", label, environmentName(cfg))
}

// addProfileFlag gives cmd --profile: whose keys, Items and settings it uses, and --store:
// where they are kept. Its argument completes from the profiles there are.
func addProfileFlag(a *app, cmd *cobra.Command, k *keyFlags) {
	cmd.Flags().StringVar(&k.profile, "profile", "", "the profile whose keys and Items to use (default $PLAID_PROFILE, else the one 'profiles use' chose, else default)")
	shared(cmd, "only the commands that use saved keys or Items have it", "profile")
	_ = cmd.RegisterFlagCompletionFunc("profile", a.completeProfiles)
	addStoreFlag(a, cmd, k)
}

// completeProfiles offers the profiles there are, for --profile and `profiles use|remove`.
func (a *app) completeProfiles(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	base, err := a.d.ConfigDir()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	names, err := vault.Profiles(base)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
