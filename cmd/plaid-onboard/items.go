package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// newItemsCmd is `items`: the saved Items, read from the index without the keyring. Its flags
// say whose Items (the environment) and how to print them.
func newItemsCmd(a *app) *cobra.Command {
	o := &keysJSONFlags{}
	cmd := &cobra.Command{
		Use:   "items",
		Short: "List the Items saved for the environment, newest first",
		Long: `Lists the Items saved for the environment, newest first: name, item id, institution,
environment, created, last used and last known health (from the last call that reached Plaid;
"unknown" until one did). Never a token. It reads the index only: no keyring, no Plaid call.
Demo Items are listed only with --demo.

An Item whose last known health is ITEM_LOGIN_REQUIRED, PENDING_EXPIRATION or
PENDING_DISCONNECT is repaired with Link in update mode: plaid-onboard link --update ITEM.`,
		Example: `  plaid-onboard items
  plaid-onboard --env production items --json
  plaid-onboard items status first-platypus-bank
  plaid-onboard items remove first-platypus-bank`,
		Args: noSubcommand,
		RunE: a.runE(func(context.Context, []string) error { return a.runItems(o) }),
	}
	addEnvFlags(cmd, &o.keys)
	addProfileFlag(a, cmd, &o.keys)
	addJSONFlag(cmd, &o.json)
	cmd.AddCommand(newItemsStatusCmd(a), newItemsRenameCmd(a), newItemsRemoveCmd(a), newItemsRotateCmd(a))
	return cmd
}

// itemsDocument is `items --json`. environment and demo mean what they mean in every other
// JSON document: the Plaid environment, and whether the offline emulator stood in for it.
type itemsDocument struct {
	// Profile is the profile whose Items these are ("default" when none was chosen).
	Profile     string            `json:"profile"`
	Environment string            `json:"environment"`
	Demo        bool              `json:"demo"`
	Items       []vault.SavedItem `json:"items"`
}

// runItems lists the Items of the namespace in force.
func (a *app) runItems(o *keysJSONFlags) error {
	cfg, err := offlineConfig(a.d, o.keys)
	if err != nil {
		return err
	}
	base, err := a.d.ConfigDir()
	if err != nil {
		return fmt.Errorf("find the config directory: %w", err)
	}
	// Listing reads the index only: no keyring, no Plaid.
	items, err := vault.OpenProfile(a.d.Secrets, base, cfg.Profile).ItemsNewestFirst(cfg.Namespace())
	if err != nil {
		return fmt.Errorf("list saved items: %w", err)
	}
	if l := actingIn(cfg); l != "" {
		fmt.Fprintln(a.d.Stderr, l)
	}
	if cfg.Demo { // no call was made: nothing answered
		fmt.Fprintln(a.d.Stderr, present.DemoListBanner)
	}
	if o.json {
		if items == nil {
			items = []vault.SavedItem{}
		}
		return printJSON(a.d.Stdout, itemsDocument{Profile: cfg.Profile, Environment: string(cfg.Env), Demo: cfg.Demo, Items: items})
	}
	if len(items) == 0 {
		where := environmentName(cfg)
		if l := cfg.ProfileLabel(); l != "" {
			where += " (" + l + ")"
		}
		fmt.Fprintf(a.d.Stderr, "No saved Items in %s yet. Link one with `%s`.\n", where, present.VoiceOf(cfg).Command("link"))
		return nil
	}
	plaidflow.WriteItems(a.d.Stdout, items, cfg.Namespace(), present.VoiceOf(cfg))
	return nil
}

// environmentName names where Items live, for people: "Sandbox", "the offline demo".
func environmentName(cfg config.Config) string {
	if cfg.Demo {
		return "the offline demo"
	}
	return cfg.Env.Title()
}

// itemArg is the Args of the commands that take exactly one saved Item.
func itemArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("`%s` needs the Item %s: its name or id (`plaid-onboard items` lists them)", cmd.CommandPath(), what)
		}
		return maxArgs(1, "one Item (its name or id)")(cmd, args)
	}
}
