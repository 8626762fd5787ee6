package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// newProfilesCmd is `profiles`: the named sets of keys, Items and settings (one per Plaid team
// or client), and which one later runs use.
func newProfilesCmd(a *app) *cobra.Command {
	return groupCmd(a, "profiles", "List, choose and remove profiles (one set of keys and Items per Plaid team)",
		`A profile keeps its own keys, Items and settings: one per Plaid team, client or demo. Every
command that uses saved keys or Items acts in one: --profile NAME, else $PLAID_PROFILE, else the
one "profiles use" chose, else "default" (where everything saved before profiles existed is).`,
		newProfilesListCmd(a), newProfilesUseCmd(a), newProfilesRemoveCmd(a))
}

// profileSummary is one profile as `profiles list` shows it: from its index, never the keyring.
type profileSummary struct {
	Name  string `json:"name"`
	InUse bool   `json:"in_use"`
	// Items counts the saved Items of each environment ("sandbox": 2).
	Items           map[string]int `json:"items"`
	KeyEnvironments []string       `json:"key_environments"`
	Directory       string         `json:"directory"`
	Error           string         `json:"error,omitempty"`
}

// profilesDocument is `profiles list --json`.
type profilesDocument struct {
	InUse     string           `json:"in_use"`
	InUseFrom string           `json:"in_use_from"`
	Profiles  []profileSummary `json:"profiles"`
}

func newProfilesListCmd(a *app) *cobra.Command {
	var json bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the profiles, the one in use marked",
		Long: `Lists the profiles, the one in use marked with *, each with its saved Items per environment
and the environments it has saved keys for. It reads the indexes only: no keyring, no Plaid.`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(context.Context, []string) error { return a.runProfilesList(json) }),
	}
	addJSONFlag(cmd, &json)
	return cmd
}

func (a *app) runProfilesList(json bool) error {
	p, err := chooseProfile(a.d, keyFlags{})
	if err != nil {
		return err
	}
	names, err := vault.Profiles(p.base)
	if err != nil {
		return err
	}
	doc := profilesDocument{InUse: p.name, InUseFrom: profileFrom(p.source)}
	if p.isNew {
		names = append(names, p.name) // PLAID_PROFILE may name one not made yet
	}
	for _, n := range names {
		sum := profileSummary{Name: n, InUse: n == p.name, Items: map[string]int{}, Directory: vault.ProfileDir(p.base, n)}
		c, err := vault.OpenProfile(nil, p.base, n).Contents()
		if err != nil {
			sum.Error = err.Error()
		}
		sum.KeyEnvironments = c.KeyNamespaces
		for _, it := range c.Items {
			sum.Items[it.Namespace]++
		}
		doc.Profiles = append(doc.Profiles, sum)
	}
	return a.printResult(json, doc, func(w io.Writer) error {
		rows := [][]string{{"", "PROFILE", "ITEMS", "KEYS SAVED FOR"}}
		for _, s := range doc.Profiles {
			mark := ""
			if s.InUse {
				mark = "*"
			}
			var items []string
			for _, ns := range []string{"sandbox", "production", "demo"} {
				if n := s.Items[ns]; n > 0 {
					items = append(items, fmt.Sprintf("%d %s", n, ns))
				}
			}
			if s.Error != "" {
				items = []string{"unreadable index (run a command with --profile " + s.Name + " to see why)"}
			}
			rows = append(rows, []string{mark, s.Name, orNone(strings.Join(items, ", ")), orNone(strings.Join(s.KeyEnvironments, ", "))})
		}
		present.WriteTable(w, rows, 99)
		fmt.Fprintf(a.d.Stderr, "In use: %s (from %s).\n", doc.InUse, doc.InUseFrom)
		return nil
	})
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// profileFrom says where a profile was chosen, as config.Config.ProfileFrom does.
func profileFrom(src config.Source) string { return config.Config{ProfileSource: src}.ProfileFrom() }

// profileUsed is `profiles use --json`.
type profileUsed struct {
	Profile string `json:"profile"`
	New     bool   `json:"new"`
	// RememberedIn is the file that keeps the choice ("" for the default profile: the file
	// is removed).
	RememberedIn string `json:"remembered_in"`
}

func newProfilesUseCmd(a *app) *cobra.Command {
	var json bool
	cmd := &cobra.Command{
		Use:   "use NAME",
		Short: "Use this profile from now on (made if new)",
		Long: `Makes NAME the profile later runs use when neither --profile nor $PLAID_PROFILE names one.
The choice is kept in a small file in the config directory (not the keyring). A profile that
does not exist yet is made, empty, and said so: its keys are asked for or saved on first use.
"profiles use default" goes back to the default profile.`,
		Example: `  plaid-onboard profiles use acme
  plaid-onboard profiles use default`,
		Args:              profileArg,
		ValidArgsFunction: a.completeProfileArg,
		RunE:              a.runE(func(_ context.Context, args []string) error { return a.runProfilesUse(json, args[0]) }),
	}
	addJSONFlag(cmd, &json)
	return cmd
}

// profileArg is the Args of `profiles use|remove`: one profile's name.
func profileArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("`%s` takes the profile's name (`plaid-onboard profiles list` lists them)", cmd.CommandPath())
	}
	return nil
}

// profileNamed checks the profile argument and finds the config directory it lives under.
func (a *app) profileNamed(arg string) (name, base string, err error) {
	if name, err = vault.ProfileName(arg); err != nil {
		return "", "", usageError{err}
	}
	if base, err = a.d.ConfigDir(); err != nil {
		return "", "", fmt.Errorf("find the config directory: %w", err)
	}
	return name, base, nil
}

// completeProfileArg completes the one profile argument of `profiles use|remove`.
func (a *app) completeProfileArg(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.completeProfiles(cmd, args, toComplete)
}

func (a *app) runProfilesUse(json bool, arg string) error {
	name, base, err := a.profileNamed(arg)
	if err != nil {
		return err
	}
	out := profileUsed{Profile: name, New: !vault.ProfileExists(base, name)}
	if out.New {
		if err := vault.CreateProfile(base, name); err != nil {
			return err
		}
	}
	if err := vault.Remember(base, name); err != nil {
		return err
	}
	if name != vault.DefaultProfile {
		out.RememberedIn = vault.RememberedPath(base)
	}
	if out.New {
		fmt.Fprintf(a.d.Stderr, "Made profile %s: nothing is saved in it yet; its keys are asked for, or saved, on first use.\n", name)
	}
	fmt.Fprintf(a.d.Stderr, "Using profile %s from now on (unless --profile or %s says otherwise).\n", name, config.EnvProfile)
	if env := strings.TrimSpace(a.d.Getenv(config.EnvProfile)); env != "" && env != name {
		fmt.Fprintf(a.d.Stderr, "note: %s=%s is set in this shell and wins over this choice here: unset it to use %s.\n", config.EnvProfile, present.Name(env), name)
	}
	return a.printResult(json, out, nil)
}

// profileRemoved is `profiles remove --json`.
type profileRemoved struct {
	Profile string `json:"profile"`
	// KeyringEntries are the keyring entries deleted (service plaid-onboard).
	KeyringEntries []string `json:"removed_keyring_entries"`
	Directory      string   `json:"removed_directory"`
	// InUse is the profile later runs use now: the default one when the removed profile was
	// the one `profiles use` chose.
	InUse string `json:"in_use"`
}

type profilesRemoveOptions struct {
	json, yes bool
	keys      keyFlags // --store only: where the profile's secrets are
}

func newProfilesRemoveCmd(a *app) *cobra.Command {
	o := &profilesRemoveOptions{}
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Delete a profile's saved keys, index and files (refused while it has Items)",
		Long: `Deletes a profile: the entries its index names in the keyring or the encrypted file store
(its saved secrets, its demo Items' tokens), then its directory (index, settings.env, lock files, the demo's Item states). It asks first (--yes
does not ask; without a terminal --yes is needed, else exit status 2), and says what it removes.

It refuses, with exit status 1, while the profile has Items other than demo ones: they may be
alive at Plaid, and their access tokens are the only way to remove them there. Remove each with
"plaid-onboard --profile NAME items remove ITEM" first (the message lists the commands).

Keyring entries that no index names (left by hand, or by an older program) cannot be found
by it: "secret-tool search --all service plaid-onboard" lists every entry on Linux. The default
profile cannot be removed.`,
		Example: `  plaid-onboard profiles remove acme
  plaid-onboard profiles remove acme --yes --json`,
		Args:              profileArg,
		ValidArgsFunction: a.completeProfileArg,
		RunE:              a.runE(func(_ context.Context, args []string) error { return a.runProfilesRemove(o, args[0]) }),
	}
	addJSONFlag(cmd, &o.json)
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask: remove the profile")
	addStoreFlag(a, cmd, &o.keys)
	return cmd
}

func (a *app) runProfilesRemove(o *profilesRemoveOptions, arg string) error {
	name, base, err := a.profileNamed(arg)
	if err != nil {
		return err
	}
	switch {
	case name == vault.DefaultProfile:
		return errors.New("the default profile cannot be removed: it is where everything saved without a profile lives (remove its Items with `plaid-onboard items remove`)")
	case !vault.ProfileExists(base, name):
		return fmt.Errorf("there is no profile %s (`plaid-onboard profiles list` lists them)", name)
	}
	// Its demo Items' tokens may be in the demo's file (no keyring here): look there too.
	k := o.keys
	k.demo = true
	store, err := secretStore(a.d, profileChoice{name: name, base: base}, k)
	if err != nil {
		return err
	}
	v := vault.OpenProfile(store, base, name)
	v.OnLockWait = func(holder string) { fmt.Fprintln(a.d.Stderr, vault.Waiting(holder)) }
	c, err := v.Contents()
	if err != nil {
		return err
	}
	if live := c.Live(); len(live) > 0 {
		return a.profileHasItems(name, live)
	}
	fmt.Fprintf(a.d.Stderr, "Removing profile %s deletes:\n", name)
	for _, k := range c.KeyringEntries {
		if v.Info().Kind == vault.StoreKeyring {
			fmt.Fprintf(a.d.Stderr, "  the keyring entry %s (service %s)\n", k, vault.KeyringService)
		} else {
			fmt.Fprintf(a.d.Stderr, "  the entry %s in %s\n", k, v.Secrets.Describe())
		}
	}
	fmt.Fprintf(a.d.Stderr, "  the directory %s (its index, settings, lock files and demo state)\n", c.Dir)
	if !o.yes {
		if !a.d.Interactive {
			return usagef("`profiles remove` asks before removing, and there is no terminal to ask on: add --yes to remove profile %s", name)
		}
		if !a.confirm(fmt.Sprintf("Remove profile %s?", name)) {
			fmt.Fprintln(a.d.Stderr, "Nothing removed.")
			return nil
		}
	}
	removed, err := v.RemoveProfile()
	var has *vault.ProfileHasItemsError
	if errors.As(err, &has) {
		return a.profileHasItems(name, has.Items) // linked by another run meanwhile
	}
	if err != nil {
		return err
	}
	out := profileRemoved{Profile: name, KeyringEntries: removed, Directory: c.Dir, InUse: vault.DefaultProfile}
	if removed == nil {
		out.KeyringEntries = []string{}
	}
	if remembered, rerr := vault.RememberedProfile(base); rerr == nil && remembered == name {
		if err := vault.Remember(base, vault.DefaultProfile); err != nil {
			return err
		}
		fmt.Fprintf(a.d.Stderr, "Profile %s was the one in use: the default profile is in use again.\n", name)
	} else if rerr == nil && remembered != "" {
		out.InUse = remembered
	}
	fmt.Fprintf(a.d.Stderr, "Removed profile %s (%s and its directory).\n", name, removedEntries(len(removed), v))
	return a.printResult(o.json, out, nil)
}

// removedEntries says how many secrets a removal deleted and from where: the keyring, or the
// store that held them (the encrypted file, the demo's file).
func removedEntries(n int, v *vault.Vault) string {
	if v.Info().Kind == vault.StoreKeyring {
		return plural(n, "1 keyring entry", fmt.Sprintf("%d keyring entries", n))
	}
	return plural(n, "1 entry", fmt.Sprintf("%d entries", n)) + " in " + v.Secrets.Describe()
}

// profileHasItems refuses a removal that would leave Items alive at Plaid with no token
// anywhere, saying on stderr how to remove each first.
func (a *app) profileHasItems(profile string, live []vault.SavedItem) error {
	w := a.d.Stderr
	fmt.Fprintf(w, "Profile %s still has %d Item(s) that may be alive at Plaid. Removing the profile would delete their access tokens, the only way to remove them there: they would stay linked, and billed. Remove each first:\n", profile, len(live))
	for _, it := range live {
		env := ""
		if it.Namespace != string(config.Sandbox) {
			env = " --env " + it.Namespace
		}
		fmt.Fprintf(w, "  plaid-onboard --profile %s%s items remove %s\n", profile, env, present.Name(it.Name))
	}
	fmt.Fprintln(w, "then run `profiles remove` again.")
	return fmt.Errorf("profile %s still has Items that may be alive at Plaid: nothing was removed", profile)
}
