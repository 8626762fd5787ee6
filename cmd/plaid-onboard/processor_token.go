package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newProcessorTokenCmd is `processor-token`: a token for a payments partner instead of the numbers.
// processorTokenOptions are the flags of `processor-token`.
type processorTokenOptions struct {
	callFlags
	account   string
	processor string
}

func newProcessorTokenCmd(a *app) *cobra.Command {
	o := &processorTokenOptions{}
	cmd := &cobra.Command{
		Use:   "processor-token ITEM --account ACCOUNT --processor NAME",
		Short: "Make a processor token for a payments partner (Dwolla, Apex, Stripe, …)",
		Long: `Makes a token that lets a payments partner read one account of a saved Item from Plaid, so
your app never handles the account and routing numbers. ACCOUNT is an account id, or a mask or
name that matches exactly one account of the Item. NAME is one of Plaid's processors
(/processor/token/create): dwolla, apex_clearing, and the rest of Plaid's list (a near miss is
refused with the closest names). For stripe it calls /processor/stripe/bank_account_token/create
and prints the btok_ token. Then it says what to do with the token, from the partner's guide.

Processors: ` + strings.Join(plaidflow.ProcessorNames(), ", "),
		Example: `  plaid-onboard processor-token first-platypus-bank --account 0000 --processor dwolla
  plaid-onboard processor-token my-bank --account "Plaid Saving" --processor apex_clearing
  plaid-onboard --demo processor-token first-platypus-bank --account 0000 --processor stripe --json`,
		Args:              itemArg("whose account to tokenize"),
		ValidArgsFunction: a.completeItems(&o.session.keys),
		RunE:              a.runE(func(ctx context.Context, args []string) error { return a.runProcessorToken(ctx, o, args[0]) }),
	}
	addCallFlags(a, cmd, &o.callFlags)
	f := cmd.Flags()
	f.StringVar(&o.account, "account", "", "the account: its id, or a mask or name only one account has")
	f.StringVar(&o.processor, "processor", "", "the partner: dwolla, apex_clearing, stripe, … (see above)")
	_ = cmd.RegisterFlagCompletionFunc("processor", func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, p := range plaidflow.ProcessorNames() {
			if strings.HasPrefix(p, toComplete) {
				out = append(out, p)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func (a *app) runProcessorToken(ctx context.Context, o *processorTokenOptions, ref string) error {
	if o.account == "" || o.processor == "" {
		return usagef("`processor-token` needs --account ACCOUNT and --processor NAME")
	}
	if _, err := plaidflow.CheckProcessor(o.processor); err != nil {
		return usageError{err}
	}
	s, err := a.openSession(o.session)
	if err != nil {
		return err
	}
	defer s.close()
	pt, err := s.flow.ProcessorToken(ctx, ref, o.account, o.processor)
	if errors.Is(err, plaidflow.ErrAccountNotFound) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	return a.printResult(o.print.json, pt, func(w io.Writer) error {
		plaidflow.WriteProcessorToken(w, pt)
		return nil
	})
}
