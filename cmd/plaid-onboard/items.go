package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newItemsCmd is `items`: the saved Items, read from the index without the keyring.
func newItemsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "items",
		Short: "List the Items saved for the environment",
		Long: `Lists the Items saved for the environment (names, ids, institutions, dates; no secrets),
read from the index next to the keyring. Demo Items are listed only with --demo.`,
		Example: `  plaid-onboard items
  plaid-onboard --env production items --json
  plaid-onboard items remove first-platypus-bank`,
		Args: noSubcommand,
		RunE: a.runE(a.runItems),
	}
	cmd.AddCommand(newItemsRemoveCmd(a))
	return cmd
}

// itemsDocument is `items --json`. environment and demo mean what they mean in every other
// JSON document: the Plaid environment, and whether the offline emulator stood in for it.
type itemsDocument struct {
	Environment string                `json:"environment"`
	Demo        bool                  `json:"demo"`
	Items       []plaidflow.SavedItem `json:"items"`
}

// runItems lists the Items of the namespace in force.
func (a *app) runItems(_ context.Context, _ []string) error {
	cfg, err := offlineConfig(a.d, &a.opts)
	if err != nil {
		return err
	}
	dir, err := a.d.ConfigDir()
	if err != nil {
		return fmt.Errorf("find the config directory: %w", err)
	}
	// Listing reads the index only: no keyring, no Plaid.
	items, err := plaidflow.NewVault(a.d.Secrets, dir).Items(cfg.Namespace())
	if err != nil {
		return fmt.Errorf("list saved items: %w", err)
	}
	if cfg.Demo {
		fmt.Fprintln(a.d.Stderr, plaidflow.DemoBanner)
	}
	if a.opts.jsonOut {
		if items == nil {
			items = []plaidflow.SavedItem{}
		}
		return printJSON(a.d.Stdout, itemsDocument{Environment: string(cfg.Env), Demo: cfg.Demo, Items: items})
	}
	if len(items) == 0 {
		fmt.Fprintf(a.d.Stderr, "No saved Items in %s yet. Link one with `plaid-onboard link`.\n", environmentName(cfg))
		return nil
	}
	tw := tabwriter.NewWriter(a.d.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tITEM ID\tINSTITUTION\tLINKED")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.Name, it.ItemID, it.InstitutionName, it.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// environmentName names where Items live, for people: "Sandbox", "the offline demo".
func environmentName(cfg plaidflow.Config) string {
	if cfg.Demo {
		return "the offline demo"
	}
	return cfg.Env.Title()
}
