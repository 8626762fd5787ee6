package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newBalancesCmd is `balances`: live balances of a saved Item.
func newBalancesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "balances ITEM",
		Short: "Fetch the live balances of a saved Item",
		Long: `Calls /accounts/balance/get for a saved Item (its name or id): Plaid asks the bank for the
balances now, unlike the cached balances that come with auth. Prints every account's available,
current and limit balances and the time they were fetched.`,
		Example: `  plaid-onboard balances first-platypus-bank
  plaid-onboard --demo balances first-platypus-bank --json`,
		Args:              itemArg("whose balances to fetch"),
		ValidArgsFunction: a.completeItems,
		RunE:              a.runE(a.runBalances),
	}
}

func (a *app) runBalances(ctx context.Context, args []string) error {
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	b, err := s.flow.Balances(ctx, args[0])
	if err != nil {
		return err
	}
	if a.opts.jsonOut {
		return printJSON(a.d.Stdout, b)
	}
	plaidflow.WriteBalances(a.d.Stdout, b)
	return nil
}
