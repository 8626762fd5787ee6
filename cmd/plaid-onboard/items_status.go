package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newItemsStatusCmd is `items status`: what Plaid says about a saved Item now.
func newItemsStatusCmd(a *app) *cobra.Command {
	o := &callFlags{}
	return a.savedItemCmd(o, &cobra.Command{
		Use:   "status ITEM",
		Short: "Ask Plaid how a saved Item is: health, products, consent, webhook",
		Long: `Calls /item/get for a saved Item (its name or id) and prints its health (the error code Plaid
holds for it and what that means), its billed_products (what Plaid bills for it, in Production)
and available_products, when the user's consent expires, and its webhook. When the Item is
unhealthy it says what to do next; a login that must be repaired is repaired with plaid-onboard
link --update ITEM. The health is recorded for plaid-onboard items. Exit status 0 even when the Item is unhealthy: the call succeeded.`,
		Example: `  plaid-onboard items status first-platypus-bank
  plaid-onboard --demo items status first-platypus-bank --json`,
		Args: itemArg("to check"),
	}, func(ctx context.Context, s *session, args []string) error {
		return a.runItemsStatus(ctx, s, o, args[0])
	})
}

func (a *app) runItemsStatus(ctx context.Context, s *session, o *callFlags, ref string) error {
	st, err := s.flow.ItemStatus(ctx, ref)
	if err != nil {
		return err
	}
	v := a.itemVerification(ctx, s, st)
	return a.printResult(o.print.json, statusDocument{ItemStatus: st, Verification: v}, func(w io.Writer) error {
		plaidflow.WriteStatus(w, st)
		return writeItemVerification(w, v)
	})
}
