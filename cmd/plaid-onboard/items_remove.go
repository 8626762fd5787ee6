package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// newItemsRemoveCmd is `items remove`: the Item is removed at Plaid first, so its access
// token cannot outlive the entry forgotten here.
// removeOptions are the flags of `items remove`.
type removeOptions struct {
	callFlags
	yes bool // do not ask
}

func newItemsRemoveCmd(a *app) *cobra.Command {
	o := &removeOptions{}
	cmd := &cobra.Command{
		Use:   "remove ITEM",
		Short: "Remove an Item at Plaid and forget it here",
		Long: `Asks first, then calls /item/remove at Plaid for a saved Item (its name or id), then deletes
its access token from the keyring and its entry from the index. The access token stops working
at once and, in Production, Plaid stops billing for the Item. In the demo (--demo) the Item is
removed from the emulator.

If Plaid says the Item or its token is already gone, it is cleaned up here all the same, and
said so. If the access token is missing from the keyring, the Item can NOT be removed at Plaid
(it stays live there, and in Production billed): that is said plainly, the Item is forgotten here only when you
confirm it (--yes confirms), and the exit status is 1.

Another plaid-onboard changing the same Item at the time (a rotation, a removal) is waited for,
and named; an Item it removed meanwhile is said to be already removed (exit status 0). If the
index cannot be written after the removal at Plaid, the Item stays listed with its token, and
the message says to run remove again once it can.

Without a terminal it does not ask: it needs --yes, or refuses with exit status 2.`,
		Example: `  plaid-onboard items remove first-platypus-bank
  plaid-onboard --demo items remove first-platypus-bank --yes --json`,
		Args:              itemArg("to remove"),
		ValidArgsFunction: a.completeItems(&o.session.keys),
		RunE:              a.runE(func(ctx context.Context, args []string) error { return a.runItemsRemove(ctx, o, args[0]) }),
	}
	addCallFlags(a, cmd, &o.callFlags)
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask: remove (and, if its token is missing, forget) the Item")
	return cmd
}

// confirm asks a yes/no question on the terminal; without one it answers no.
func (a *app) confirm(question string) bool {
	if !a.d.Interactive {
		return false
	}
	fmt.Fprintf(a.d.Stderr, "%s [y/N] ", question)
	line, _ := a.input().ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// runItemsRemove removes one saved Item at Plaid and here.
func (a *app) runItemsRemove(ctx context.Context, o *removeOptions, ref string) error {
	if !o.yes && !a.d.Interactive {
		return usagef("`items remove` asks before removing, and there is no terminal to ask on: add --yes to remove %s", ref)
	}
	s, err := a.openSession(o.session)
	if err != nil {
		return err
	}
	defer s.close()
	if s.vault == nil {
		return errors.New("saving is off for this session (--no-save): no saved Item to remove")
	}
	item, err := s.vault.FindItem(s.cfg.Namespace(), ref)
	if err != nil {
		return err
	}
	if !o.yes && !a.confirm(plaidflow.RemoveQuestion(item, s.flow.Voice())) {
		fmt.Fprintln(a.d.Stderr, "Nothing removed.")
		return nil
	}
	r, err := s.flow.RemoveItem(ctx, item.ItemID)
	if errors.Is(err, plaidflow.ErrNotRemovedAtPlaid) {
		fmt.Fprintln(a.d.Stderr, r.Message())
		if o.yes || a.confirm(plaidflow.ForgetQuestion(item, s.flow.Voice())) {
			if r, err = s.flow.ForgetItem(item.ItemID); err != nil {
				return err
			}
			fmt.Fprintln(a.d.Stderr, r.Message())
		}
		return fmt.Errorf("remove %s: %w", item.Name, plaidflow.ErrNotRemovedAtPlaid)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.d.Stderr, r.Message())
	return a.printResult(o.print.json, removedDocument{Environment: string(s.cfg.Env), Demo: s.cfg.Demo, Removed: r.Item, Removal: r}, nil)
}

// removedDocument is `items remove --json`.
type removedDocument struct {
	Environment string            `json:"environment"`
	Demo        bool              `json:"demo"`
	Removed     vault.SavedItem   `json:"removed"`
	Removal     plaidflow.Removal `json:"removal"`
}
