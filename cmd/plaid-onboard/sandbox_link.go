package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// newSandboxLinkCmd is `sandbox link`: an Item without a browser, for scripts and CI.
func newSandboxLinkCmd(a *app) *cobra.Command {
	o := &sandboxLinkOptions{}
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Make a Sandbox Item without a browser, then print its numbers",
		Long: `Sandbox only. Makes an Item without a browser (/sandbox/public_token/create with user_good),
then exchanges, saves and prints the numbers exactly as link does. Sandbox institutions:
ins_109508 First Platypus Bank (default, ACH), ins_43 Tartan-Dominion Bank of Canada (EFT),
ins_117650 Royal Bank of Plaid (IBAN and BACS).

--scenario NAME makes the Item of a ready-made scenario (plaid-onboard scenarios lists them);
--user-custom FILE makes it from a user_custom configuration of your own
(https://plaid.com/docs/sandbox/user-custom/): accounts, balances, numbers of every family,
owners, force_error. The file is checked against Plaid's documented schema and limits before
any call; an error names the file, line and field. --force-error CODE makes the Item's
creation fail with that error, alone or on top of either.`,
		Example: `  plaid-onboard sandbox link
  plaid-onboard sandbox link --institution ins_117650 --json --mask
  plaid-onboard sandbox link --scenario uk-bacs-iban
  plaid-onboard sandbox link --user-custom ticket-1234.json --json
  plaid-onboard sandbox link --scenario us-checking-savings --force-error ITEM_LOCKED
  plaid-onboard --demo sandbox link --no-save`,
		Args: maxArgs(0, "no arguments (the institution is --institution ID)"),
		RunE: a.runE(func(ctx context.Context, _ []string) error { return a.runSandboxLink(ctx, o) }),
	}
	addCallFlags(a, cmd, &o.callFlags)
	addNoSaveFlag(cmd, &o.session.noSave)
	addMaskFlag(cmd, &o.print.mask)
	cmd.Flags().StringVar(&o.flow, "flow", "", "an Auth verification flow instead of Instant Auth (see below); "+
		"automated-microdeposits is made here, the others need Link")
	cmd.Long += "\n\nAuth verification flows (--flow):\n" + flowHelp()
	_ = cmd.RegisterFlagCompletionFunc("flow", cobra.FixedCompletions(plaidflow.AuthFlowNames(), cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().StringVar(&o.institution, "institution", "", "the Sandbox institution id (default "+plaidapi.DefaultSandboxInstitution+", First Platypus Bank; a scenario brings its own)")
	cmd.Flags().StringVar(&o.scenario, "scenario", "", "make the Item of the ready-made scenario `NAME` (plaid-onboard scenarios lists them)")
	cmd.Flags().StringVar(&o.userCustom, "user-custom", "", "make the Item from a user_custom configuration `FILE` (JSON)")
	cmd.Flags().StringVar(&o.forceError, "force-error", "", "make the Item's creation fail with this `CODE`, one of Plaid's force_error values: "+strings.Join(usercustom.ForceErrors(), " "))
	cmd.RegisterFlagCompletionFunc("scenario", completeScenarios)
	cmd.RegisterFlagCompletionFunc("force-error", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return usercustom.ForceErrors(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// sandboxLinkOptions are the flags of `sandbox link`.
type sandboxLinkOptions struct {
	callFlags
	flow        string // --flow (sandbox_authflows.go)
	institution string
	// scenario, userCustom and forceError choose the Sandbox login.
	scenario, userCustom, forceError string
}

// sandboxUser turns the flags into the Sandbox login and its institution, checking the
// configuration before anything is sent: nil is user_good.
func (o *sandboxLinkOptions) sandboxUser() (user *plaidflow.SandboxUser, institution string, err error) {
	switch {
	case o.scenario != "":
		sc, err := plaidflow.FindScenario(o.scenario)
		if err != nil {
			return nil, "", usageError{fmt.Errorf("--scenario: %w", err)}
		}
		user, institution = sc.User(), sc.Institution
	case o.userCustom != "":
		if user, err = plaidflow.LoadUserCustom(o.userCustom); err != nil {
			return nil, "", usageError{fmt.Errorf("--user-custom: %w", err)}
		}
	}
	if o.forceError != "" {
		if user, err = user.WithForceError(o.forceError); err != nil {
			return nil, "", usageError{err}
		}
	}
	return user, institution, nil
}

// runSandboxLink runs the Sandbox journey: sandbox public token, exchange, save, numbers.
func (a *app) runSandboxLink(ctx context.Context, o *sandboxLinkOptions) error {
	// Each of these chooses the Sandbox login: two at once would make an Item neither describes.
	var chosen []string
	for _, f := range []struct{ flag, value string }{{"--flow", o.flow}, {"--scenario", o.scenario}, {"--user-custom", o.userCustom}} {
		if f.value != "" {
			chosen = append(chosen, f.flag)
		}
	}
	if len(chosen) > 1 {
		return usagef("%s each choose the Sandbox user: pick one", strings.Join(chosen, " and "))
	}
	if o.flow != "" && o.forceError != "" {
		return usagef("--force-error goes with the default user, --scenario or --user-custom, not --flow (the flow's login is Plaid's own)")
	}
	if o.flow != "" {
		return a.runSandboxLinkFlow(ctx, o)
	}
	user, institution, err := o.sandboxUser()
	if err != nil {
		return err
	}
	if o.institution != "" {
		institution = o.institution
	}
	s, err := a.openSession(o.session)
	if err != nil {
		return err
	}
	defer s.close()
	j, err := s.flow.SandboxJourneyAs(institution, user)
	if errors.Is(err, config.ErrSandboxOnly) {
		return usageError{fmt.Errorf("sandbox link: %w", err)}
	}
	if err != nil {
		return err
	}
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.reportNew(o.print, j, res)
}
