package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// cmdItems lists the saved Items of the environment, or removes one.
func cmdItems(ctx context.Context, d deps, opts *options, args []string) error {
	if opts.noSave {
		return usageError{"items reads saved Items: --no-save makes no sense here"}
	}
	if len(args) > 0 && args[0] == "remove" {
		return cmdItemsRemove(ctx, d, opts, args[1:])
	}
	if err := expectArgs(args, 0, "items"); err != nil {
		return err
	}
	s, err := newSession(d, opts, false)
	if err != nil {
		return err
	}
	defer s.close()
	items, err := s.vault.Items(s.cfg.Namespace())
	if err != nil {
		return err
	}
	if opts.jsonOut {
		if items == nil {
			items = []plaidflow.SavedItem{}
		}
		return printJSON(d.Stdout, map[string]any{"environment": s.cfg.Namespace(), "items": items})
	}
	if s.cfg.Demo {
		fmt.Fprintln(d.Stderr, demoBanner)
	}
	if len(items) == 0 {
		fmt.Fprintf(d.Stderr, "No saved Items in %s yet. Link one with `plaid-onboard link`.\n", s.cfg.Namespace())
		return nil
	}
	tw := tabwriter.NewWriter(d.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tITEM ID\tINSTITUTION\tLINKED")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.Name, it.ItemID, it.InstitutionName, it.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func cmdItemsRemove(ctx context.Context, d deps, opts *options, args []string) error {
	if len(args) != 1 {
		return usageError{"usage: plaid-onboard items remove ITEM"}
	}
	s, err := openSession(d, opts)
	if err != nil {
		return err
	}
	defer s.close()
	item, err := s.flow.RemoveSaved(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(d.Stderr, "Removed %s (%s) at Plaid and from the keyring.\n", item.Name, item.ItemID)
	return nil
}
