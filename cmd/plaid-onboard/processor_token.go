package main

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newProcessorTokenCmd is `processor-token`: a token for a payments partner instead of the numbers.
func newProcessorTokenCmd(a *app) *cobra.Command {
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
  plaid-onboard processor-token first-platypus-bank --account "Plaid Saving" --processor apex_clearing
  plaid-onboard --demo processor-token first-platypus-bank --account 0000 --processor stripe --json`,
		Args:              itemArg("whose account to tokenize"),
		ValidArgsFunction: a.completeItems,
		RunE:              a.runE(a.runProcessorToken),
	}
	f := cmd.Flags()
	f.StringVar(&a.opts.account, "account", "", "the account: its id, or a mask or name only one account has")
	f.StringVar(&a.opts.processor, "processor", "", "the partner: dwolla, apex_clearing, stripe, … (see above)")
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

func (a *app) runProcessorToken(ctx context.Context, args []string) error {
	if a.opts.account == "" || a.opts.processor == "" {
		return usagef("`processor-token` needs --account ACCOUNT and --processor NAME")
	}
	if _, err := plaidflow.CheckProcessor(a.opts.processor); err != nil {
		return usageError{err}
	}
	s, err := a.openSession()
	if err != nil {
		return err
	}
	defer s.close()
	pt, err := s.flow.ProcessorToken(ctx, args[0], a.opts.account, a.opts.processor)
	if errors.Is(err, plaidflow.ErrAccountNotFound) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if a.opts.jsonOut {
		return printJSON(a.d.Stdout, pt)
	}
	plaidflow.WriteProcessorToken(a.d.Stdout, pt)
	return nil
}
