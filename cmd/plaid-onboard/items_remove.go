package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newItemsRemoveCmd is `items remove`: the Item is removed at Plaid first, so its access
// token cannot outlive the entry forgotten here.
func newItemsRemoveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ITEM",
		Short: "Remove an Item at Plaid and forget it here",
		Long: `Calls /item/remove at Plaid for a saved Item (its name or id), then deletes its access token
from the keyring and its entry from the index. The access token stops working at once.`,
		Example: `  plaid-onboard items remove first-platypus-bank
  plaid-onboard --demo items remove first-platypus-bank --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("`%s` needs the Item to remove: its name or id (`plaid-onboard items` lists them)", cmd.CommandPath())
			}
			return maxArgs(1, "one Item (its name or id)")(cmd, args)
		},
		ValidArgsFunction: a.completeItems,
		RunE:              a.runE(a.runItemsRemove),
	}
}

// removedDocument is `items remove --json`.
type removedDocument struct {
	Environment string              `json:"environment"`
	Demo        bool                `json:"demo"`
	Removed     plaidflow.SavedItem `json:"removed"`
}

// runItemsRemove removes one saved Item at Plaid and here.
func (a *app) runItemsRemove(ctx context.Context, args []string) error {
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	item, err := s.flow.RemoveSaved(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(a.d.Stderr, "Removed %s (%s) at Plaid and from the keyring.\n", item.Name, item.ItemID)
	if a.opts.jsonOut {
		return printJSON(a.d.Stdout, removedDocument{Environment: string(s.cfg.Env), Demo: s.cfg.Demo, Removed: item})
	}
	return nil
}
