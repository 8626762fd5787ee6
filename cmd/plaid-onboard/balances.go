package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newBalancesCmd is `balances`: live balances of a saved Item.
func newBalancesCmd(a *app) *cobra.Command {
	o := &callFlags{}
	return a.savedItemCmd(o, &cobra.Command{
		Use:   "balances ITEM",
		Short: "Fetch the live balances of a saved Item",
		Long: `Calls /accounts/balance/get for a saved Item (its name or id): Plaid asks the bank for the
balances now, unlike the cached balances that come with auth. Prints every account's available,
current and limit balances and the time they were fetched.`,
		Example: `  plaid-onboard balances first-platypus-bank
  plaid-onboard --demo balances first-platypus-bank --json`,
		Args: itemArg("whose balances to fetch"),
	}, func(ctx context.Context, s *session, args []string) error { return a.runBalances(ctx, s, o, args[0]) })
}

func (a *app) runBalances(ctx context.Context, s *session, o *callFlags, ref string) error {
	b, err := s.flow.Balances(ctx, ref)
	if err != nil {
		return err
	}
	return a.printResult(o.print.json, b, func(w io.Writer) error {
		plaidflow.WriteBalances(w, b)
		return nil
	})
}
