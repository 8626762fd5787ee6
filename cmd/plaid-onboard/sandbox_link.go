package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newSandboxLinkCmd is `sandbox link`: an Item without a browser, for scripts and CI.
func newSandboxLinkCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Make a Sandbox Item without a browser, then print its numbers",
		Long: `Sandbox only. Makes an Item without a browser (/sandbox/public_token/create with user_good),
then exchanges, saves and prints the numbers exactly as link does. Sandbox institutions:
ins_109508 First Platypus Bank (default, ACH), ins_43 Tartan-Dominion Bank of Canada (EFT),
ins_117650 Royal Bank of Plaid (IBAN and BACS).`,
		Example: `  plaid-onboard sandbox link
  plaid-onboard sandbox link --institution ins_117650 --json --mask
  plaid-onboard --demo sandbox link --no-save`,
		Args: maxArgs(0, "no arguments (the institution is --institution ID)"),
		RunE: a.runE(a.runSandboxLink),
	}
	cmd.Flags().StringVar(&a.opts.flow, "flow", "", "an Auth verification flow instead of Instant Auth (see below); "+
		"automated-microdeposits is made here, the others need Link")
	cmd.Long += "\n\nAuth verification flows (--flow):\n" + flowHelp()
	_ = cmd.RegisterFlagCompletionFunc("flow", cobra.FixedCompletions(plaidflow.AuthFlowNames(), cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().StringVar(&a.opts.institution, "institution", "", "the Sandbox institution id (default "+plaidflow.DefaultSandboxInstitution+", First Platypus Bank)")
	return cmd
}

// runSandboxLink runs the Sandbox journey: sandbox public token, exchange, save, numbers.
func (a *app) runSandboxLink(ctx context.Context, _ []string) error {
	if a.opts.flow != "" {
		return a.runSandboxLinkFlow(ctx)
	}
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	j, err := s.flow.SandboxJourney(a.opts.institution)
	if errors.Is(err, plaidflow.ErrSandboxOnly) {
		return usageError{fmt.Errorf("sandbox link: %w", err)}
	}
	if err != nil {
		return err
	}
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	return a.reportNew(j, res)
}
