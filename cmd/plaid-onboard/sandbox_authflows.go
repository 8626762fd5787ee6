package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// The Auth flow lab's Sandbox commands: `sandbox link --flow`, `sandbox set-verification-status`
// and `sandbox fire-webhook`.

// flowHelp lists the flows for --help: name, what it is, and how Sandbox reaches it.
func flowHelp() string {
	var b strings.Builder
	for _, fl := range plaidflow.AuthFlows {
		how := "needs Link: " + fl.LinkInputs()
		if fl.WithoutLink {
			how = "made here: " + fl.LinkInputs()
		}
		fmt.Fprintf(&b, "  %-24s %s\n  %-24s %s\n", fl.Name, fl.Title, "", how)
	}
	return b.String()
}

// runSandboxLinkFlow is `sandbox link --flow FLOW`.
func (a *app) runSandboxLinkFlow(ctx context.Context, o *sandboxLinkOptions) error {
	fl, err := plaidflow.FindAuthFlow(o.flow)
	if err != nil {
		return usageError{err}
	}
	if o.institution != "" {
		return usagef("--flow %s brings its own institution (%s): drop --institution", fl.Name, fl.InstitutionID)
	}
	if !fl.WithoutLink {
		return usageError{&plaidflow.NeedsLinkError{Flow: fl}}
	}
	s, err := a.openSession(o.session)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(a.d.Stderr, "%s at %s (%s), login %s / %s\n", fl.Title, fl.InstitutionName, fl.InstitutionID, fl.Username, fl.Password)
	it, err := s.flow.SandboxFlowItem(ctx, fl.Name)
	if errors.Is(err, config.ErrSandboxOnly) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if err := a.printResult(o.print.json, it, func(w io.Writer) error { return writeFlowItem(w, it) }); err != nil {
		return err
	}
	if it.Next != "" {
		fmt.Fprintf(a.d.Stderr, "Next: %s\n", it.Next)
	}
	if err := it.NotSaved(); err != nil {
		a.jsonDone = o.print.json
		return err
	}
	return nil
}

// writeFlowItem prints an Auth flow's Item and its accounts' verification_status.
func writeFlowItem(w io.Writer, it *plaidflow.FlowItem) error {
	name := it.ItemName
	if name == "" {
		name = "(not saved)"
	}
	fmt.Fprintf(w, "Item %s  %s\nInstitution %s (%s)\nAuth method %s\n\n", it.ItemID, name,
		it.Institution.Name, it.Institution.ID, present.OrDash(it.AuthMethod))
	return writeVerification(w, it.Accounts)
}

// writeVerification prints each account with its verification_status.
func writeVerification(w io.Writer, accounts []plaidapi.Account) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tMASK\tVERIFICATION STATUS\tACCOUNT ID")
	for _, acct := range accounts {
		status := acct.VerificationStatus
		if status == "" {
			status = "- (Instant Auth: no verification needed)"
		}
		fmt.Fprintf(tw, "%s\t••%s\t%s\t%s\n", acct.Name, present.MaskLabel(acct), status, acct.ID)
	}
	return tw.Flush()
}

// setStatusFlags are the flags of `sandbox set-verification-status`.
type setStatusFlags struct {
	callFlags
	account, status string
}

// newSandboxSetVerificationStatusCmd is `sandbox set-verification-status`.
func newSandboxSetVerificationStatusCmd(a *app) *cobra.Command {
	f := &setStatusFlags{}
	cmd := &cobra.Command{
		Use:   "set-verification-status ITEM --status STATUS",
		Short: "Verify (or expire) an Automated micro-deposit account now",
		Long: `Sandbox only. Calls /sandbox/item/set_verification_status for an account of a saved Item made with
Automated micro-deposits (plaid-onboard sandbox link --flow automated-microdeposits), which
Plaid would otherwise verify in 1-2 business days. STATUS automatically_verified makes its numbers
available (plaid-onboard auth ITEM); verification_expired ends it. Either way Plaid sends the
AUTH webhook that says so (AUTOMATICALLY_VERIFIED or VERIFICATION_EXPIRED) to the Item's
webhook: watch it with plaid-onboard webhooks listen. --account (its id, mask or name) may be
left out when one account is pending.`,
		Example: `  plaid-onboard sandbox set-verification-status houndstooth-bank --status automatically_verified
  plaid-onboard sandbox set-verification-status houndstooth-bank --account 0000 \
      --status verification_expired --json`,
		Args:              itemArg("whose account to verify"),
		ValidArgsFunction: a.completeItems(&f.session.keys),
		RunE: a.runE(func(ctx context.Context, args []string) error {
			return a.runSetVerificationStatus(ctx, args[0], f)
		}),
	}
	addCallFlags(a, cmd, &f.callFlags)
	cmd.Flags().StringVar(&f.account, "account", "", "the account: its id, mask or name (default the one pending automatic verification)")
	cmd.Flags().StringVar(&f.status, "status", "", "automatically_verified or verification_expired")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(plaidflow.VerificationStatuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) runSetVerificationStatus(ctx context.Context, ref string, f *setStatusFlags) error {
	if f.status == "" {
		return usagef("--status is required: %s", strings.Join(plaidflow.VerificationStatuses, " or "))
	}
	valid := false
	for _, st := range plaidflow.VerificationStatuses {
		valid = valid || st == f.status
	}
	if !valid {
		return usagef("--status %q: Sandbox sets only %s", f.status, strings.Join(plaidflow.VerificationStatuses, " or "))
	}
	s, err := a.openSession(f.session)
	if err != nil {
		return err
	}
	defer s.close()
	ch, err := s.flow.SetVerificationStatus(ctx, ref, f.account, f.status)
	if errors.Is(err, config.ErrSandboxOnly) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	code := "AUTOMATICALLY_VERIFIED"
	next := s.flow.Command("auth " + ch.ItemName)
	if f.status == "verification_expired" {
		code, next = "VERIFICATION_EXPIRED", "link the account again"
	}
	fmt.Fprintf(a.d.Stderr, "%s ••%s of %s is now %s; %s sends AUTH %s to the Item's webhook.\nNext: %s\n",
		ch.Account.Name, present.MaskLabel(ch.Account), ch.ItemName, ch.Account.VerificationStatus, s.flow.Voice().WhoUpper(), code, next)
	return a.printResult(f.print.json, ch, func(w io.Writer) error { return writeVerification(w, ch.Accounts) })
}

// newSandboxFireWebhookCmd is `sandbox fire-webhook`.
func newSandboxFireWebhookCmd(a *app) *cobra.Command {
	o := &callFlags{}
	var typ string
	cmd := &cobra.Command{
		Use:   "fire-webhook ITEM CODE",
		Short: "Make Plaid send a test webhook for a saved Item",
		Long: `Sandbox only. Calls /sandbox/item/fire_webhook: Plaid sends the webhook CODE to the Item's
webhook URL (set when the Item was made, or by plaid-onboard webhooks listen). Codes:
  ` + strings.Join(plaidflow.WebhookCodes, ", ") + `
DEFAULT_UPDATE needs --type (AUTH, TRANSACTIONS, ...). An Item without a webhook is refused
with SANDBOX_WEBHOOK_INVALID.`,
		Example: `  plaid-onboard sandbox fire-webhook first-platypus-bank NEW_ACCOUNTS_AVAILABLE
  plaid-onboard sandbox fire-webhook first-platypus-bank DEFAULT_UPDATE --type AUTH --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("`%s` needs the Item (name or id) and the webhook code, e.g. NEW_ACCOUNTS_AVAILABLE", cmd.CommandPath())
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return plaidflow.WebhookCodes, cobra.ShellCompDirectiveNoFileComp
			}
			return a.completeItems(&o.session.keys)(cmd, args, toComplete)
		},
		RunE: a.runE(func(ctx context.Context, args []string) error {
			s, err := a.openSession(o.session)
			if err != nil {
				return err
			}
			defer s.close()
			fw, err := s.flow.FireWebhook(ctx, args[0], args[1], typ)
			if errors.Is(err, config.ErrSandboxOnly) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.d.Stderr, "Fired %s for %s (%s): Plaid sends it to the Item's webhook.\n", fw.WebhookCode, fw.ItemName, fw.ItemID)
			return a.printResult(o.print.json, fw, nil)
		}),
	}
	addCallFlags(a, cmd, o)
	cmd.Flags().StringVar(&typ, "type", "", "the webhook_type of a DEFAULT_UPDATE: AUTH, TRANSACTIONS, INVESTMENTS_TRANSACTIONS, HOLDINGS, LIABILITIES")
	return cmd
}
