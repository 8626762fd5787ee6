package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// newSandboxResetLoginCmd is `sandbox reset-login`: put a Sandbox Item into ITEM_LOGIN_REQUIRED.
func newSandboxResetLoginCmd(a *app) *cobra.Command {
	o := &callFlags{}
	return a.savedItemCmd(o, &cobra.Command{
		Use:   "reset-login ITEM",
		Short: "Make a Sandbox Item need a new login (ITEM_LOGIN_REQUIRED)",
		Long: `Sandbox only. Calls /sandbox/item/reset_login for a saved Item (its name or id): from then on
its product calls (auth, balances, processor-token) answer ITEM_LOGIN_REQUIRED, as when a user's
bank login expires, until Link in update mode repairs it: plaid-onboard link --update ITEM.`,
		Example: `  plaid-onboard sandbox reset-login first-platypus-bank
  plaid-onboard link --update first-platypus-bank`,
		Args: itemArg("to reset"),
	}, func(ctx context.Context, s *session, args []string) error {
		return a.runSandboxResetLogin(ctx, s, o, args[0])
	})
}

// resetDocument is `sandbox reset-login --json`.
type resetDocument struct {
	Environment string           `json:"environment"`
	Demo        bool             `json:"demo"`
	Item        string           `json:"item_id"`
	Name        string           `json:"item_name"`
	Health      plaidflow.Health `json:"health"`
}

func (a *app) runSandboxResetLogin(ctx context.Context, s *session, o *callFlags, ref string) error {
	it, err := s.flow.ResetLogin(ctx, ref)
	if errors.Is(err, config.ErrSandboxOnly) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	h := plaidflow.LastHealth(it, s.flow.Voice())
	fmt.Fprintf(a.d.Stderr, "Reset the login of %s (%s): its product calls now answer ITEM_LOGIN_REQUIRED.\nRepair it with: %s\n", it.Name, it.ItemID, h.Repair)
	return a.printResult(o.print.json, resetDocument{Environment: string(s.cfg.Env), Demo: s.cfg.Demo, Item: it.ItemID, Name: it.Name, Health: h}, nil)
}
