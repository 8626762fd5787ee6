package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// newItemsRenameCmd is `items rename`: a name people can type, unique in the environment. It
// changes the index only, but finds the Items of the environment the keys are for.
func newItemsRenameCmd(a *app) *cobra.Command {
	o := &keysJSONFlags{}
	cmd := &cobra.Command{
		Use:   "rename ITEM NAME",
		Short: "Give a saved Item another name",
		Long: `Renames a saved Item (its name or id). Names are unique per environment (compared without
case), are 1 to 64 letters, digits, '.', '_' or '-', and cannot be another Item's id. The names
of removed Items are never given to new Items automatically; choosing one here is allowed and
said. Only the index changes: no keyring, no Plaid call.`,
		Example: `  plaid-onboard items rename first-platypus-bank checking
  plaid-onboard items rename checking savings --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("`%s` takes the Item (its name or id) and its new name", cmd.CommandPath())
			}
			return nil
		},
		ValidArgsFunction: a.completeItems(&o.keys),
		RunE:              a.runE(func(_ context.Context, args []string) error { return a.runItemsRename(o, args) }),
	}
	addPlaidFlags(a, cmd, &o.keys)
	addProfileFlag(a, cmd, &o.keys)
	addJSONFlag(cmd, &o.json)
	return cmd
}

func (a *app) runItemsRename(o *keysJSONFlags, args []string) error {
	s, err := a.openSession(sessionFlags{keys: o.keys})
	if err != nil {
		return err
	}
	defer s.close()
	r, err := s.flow.RenameItem(args[0], args[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(a.d.Stderr, "Renamed %s (%s) to %s.\n", r.OldName, r.Item.ItemID, r.Item.Name)
	if r.ReusedRemovedName != "" {
		fmt.Fprintf(a.d.Stderr, "note: %s was the name of a removed Item (%s); from now on it means %s.\n", r.Item.Name, r.ReusedRemovedName, r.Item.ItemID)
	}
	return a.printResult(o.json, r, nil)
}
