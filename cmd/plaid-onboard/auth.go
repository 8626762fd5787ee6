package main

import (
	"context"

	"github.com/spf13/cobra"
)

// newAuthCmd is `auth`: the numbers of an Item saved by an earlier run.
func newAuthCmd(a *app) *cobra.Command {
	o := &callFlags{}
	cmd := a.savedItemCmd(o, &cobra.Command{
		Use:   "auth [ITEM]",
		Short: "Print the accounts and numbers of a saved Item",
		Long: `Calls /auth/get for a saved Item and prints its accounts and numbers. ITEM is an item id or
the name shown by 'plaid-onboard items'; it may be left out when only one Item is saved.`,
		Example: `  plaid-onboard auth
  plaid-onboard auth first-platypus-bank --json --mask
  plaid-onboard --env production auth my-bank`,
		Args: maxArgs(1, "one Item (its name or id)"),
	}, func(ctx context.Context, s *session, args []string) error { return a.runAuth(ctx, s, o, args) })
	addMaskFlag(cmd, &o.print.mask)
	return cmd
}

// runAuth runs the saved journey: the numbers of an Item linked in an earlier run.
func (a *app) runAuth(ctx context.Context, s *session, o *callFlags, args []string) error {
	ref := ""
	if len(args) == 1 {
		ref = args[0]
	}
	j := s.flow.SavedJourney(ref)
	defer j.Close()
	res, err := j.RunAll(ctx, nil)
	if err != nil {
		return err
	}
	return a.report(o.print, res)
}
