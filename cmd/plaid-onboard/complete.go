package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// completeItems offers the names of the saved Items of the profile and namespace in force (the
// command's --profile, --demo and --env, PLAID_PROFILE, PLAID_ENV) for the commands that take a saved Item. It reads the index only:
// a completion must not wait on the keyring or call Plaid.
func (a *app) completeItems(k *keyFlags) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return a.savedItemNames(*k, toComplete)
	}
}

// savedItemNames are the saved Items whose names start with toComplete, described by their bank.
func (a *app) savedItemNames(k keyFlags, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg, err := offlineConfig(a.d, k)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	base, err := a.d.ConfigDir()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	items, err := vault.OpenProfile(nil, base, cfg.Profile).Items(cfg.Namespace())
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, it := range items {
		if strings.HasPrefix(it.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(it.Name, it.InstitutionName))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
