package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newItemsRotateCmd is `items rotate`: a new access token for a saved Item.
func newItemsRotateCmd(a *app) *cobra.Command {
	o := &callFlags{}
	return a.savedItemCmd(o, &cobra.Command{
		Use:   "rotate ITEM",
		Short: "Rotate a saved Item's access token",
		Long: `Calls /item/access_token/invalidate for a saved Item (its name or id): Plaid kills the old
access token at once and returns a new one, which replaces the old one in the keyring. The token
is not printed. If the keyring refuses the new token after Plaid already invalidated the old one,
the new token would be lost: it is then printed once on stdout, with what happened on stderr,
and the exit status is 1. Keep it somewhere safe: it is the Item's only working token.

If Plaid's answer is lost on the way, it asks Plaid (/item/get with the old token) whether the
rotation happened and says which: nothing changed (rotate again), or the old token is dead and
the new one never arrived (then only Plaid Support can remove the Item). Exit status 1 either
way. Another plaid-onboard changing the same Item at the time is waited for, and named.`,
		Example: `  plaid-onboard items rotate first-platypus-bank
  plaid-onboard --demo items rotate first-platypus-bank --json`,
		Args: itemArg("whose token to rotate"),
	}, func(ctx context.Context, s *session, args []string) error {
		return a.runItemsRotate(ctx, s, o, args[0])
	})
}

// rotatedDocument is `items rotate --json`; new_access_token appears only when it could not be saved.
type rotatedDocument struct {
	Environment string             `json:"environment"`
	Demo        bool               `json:"demo"`
	Rotation    plaidflow.Rotation `json:"rotation"`
}

func (a *app) runItemsRotate(ctx context.Context, s *session, o *callFlags, ref string) error {
	rot, err := s.flow.RotateItem(ctx, ref)
	doc := rotatedDocument{Environment: string(s.cfg.Env), Demo: s.cfg.Demo, Rotation: rot}
	if errors.Is(err, plaidflow.ErrRotatedNotSaved) {
		fmt.Fprintf(a.d.Stderr, "Plaid rotated the access token of %s (%s) and the old one no longer works, but the keyring refused the new one.\nHere it is, shown this once (stdout). Keep it safe: it is the Item's only working token.\n", rot.Item.Name, rot.Item.ItemID)
		if o.print.json {
			_ = printJSON(a.d.Stdout, doc)
			a.jsonDone = true // stdout already holds the one JSON document, with the token
		} else {
			fmt.Fprintln(a.d.Stdout, rot.NewToken)
		}
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.d.Stderr, "Rotated the access token of %s (%s): the old one no longer works; the new one is in %s.\n", rot.Item.Name, rot.Item.ItemID, s.vault.Where())
	return a.printResult(o.print.json, doc, nil)
}
