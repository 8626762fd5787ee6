package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// The Auth flows through Link: `link --flow FLOW` and `verify ITEM`, the second Link session of
// Same Day (and Instant) micro-deposits where the user enters the deposit's code.

// flowFlagHelp is the --flow flag's usage on `link`.
const flowFlagHelp = "verify the account with this Auth flow instead of Instant Auth: " +
	"instant-match, instant-microdeposits, automated-microdeposits, same-day-microdeposits, database-match, database-insights"

// linkFlowNames are the names `link --flow` takes: the six flows and Instant Auth itself.
func linkFlowNames() []string { return append(plaidflow.AuthFlowNames(), plaidflow.InstantAuth) }

// addLinkFlowFlag gives `link` its --flow flag.
func addLinkFlowFlag(cmd *cobra.Command, flow *string) {
	cmd.Flags().StringVar(flow, "flow", "", flowFlagHelp)
	_ = cmd.RegisterFlagCompletionFunc("flow", cobra.FixedCompletions(linkFlowNames(), cobra.ShellCompDirectiveNoFileComp))
	cmd.MarkFlagsMutuallyExclusive("flow", "update")
	cmd.Long += "\n\n--flow FLOW makes the Link token with the `auth` option that turns the flow on, and says on\n" +
		"stderr what to enter in Link for it in Sandbox. After Link, an account still pending\n" +
		"verification is no failure: its verification_status is printed (and in --json), the numbers\n" +
		"of verified accounts only, and what moves the pending one on (plaid-onboard verify ITEM for\n" +
		"Same Day micro-deposits). Flows, with what to enter in Link in Sandbox:\n" + linkFlowHelp()
	cmd.Example += "\n  plaid-onboard link --flow same-day-microdeposits --json\n  plaid-onboard verify first-platypus-bank"
}

// linkFlowHelp lists the flows for `link --help`: name, title, and the Sandbox inputs in Link.
func linkFlowHelp() string {
	var b strings.Builder
	for _, fl := range plaidflow.AuthFlows {
		fmt.Fprintf(&b, "  %-24s %s\n  %-24s %s\n", fl.Name, fl.Title, "", fl.LinkInputs())
	}
	return b.String()
}

// runLinkFlow is `link --flow FLOW`.
func (a *app) runLinkFlow(ctx context.Context, o *linkOptions) error {
	name := strings.ToLower(strings.TrimSpace(o.flow))
	var fl plaidflow.AuthFlow
	if name != plaidflow.InstantAuth {
		var err error
		if fl, err = plaidflow.FindAuthFlow(name); err != nil {
			return usagef("--flow: %w", err)
		}
	}
	s, openLink, err := a.openLinkSession(o.session, o.noBrowser)
	if err != nil {
		return err
	}
	defer s.close()
	if fl.Name != "" {
		where := "Sandbox"
		if s.cfg.Demo {
			where = "the offline demo"
		}
		fmt.Fprintf(a.d.Stderr, "%s: %s\nIn Link (%s): %s\n", fl.Title, fl.WhatBy(s.flow.Voice()), where, fl.LinkInputs())
		if fl.Username == "" && fl.Name != "instant-microdeposits" {
			fmt.Fprintln(a.d.Stderr, "No login: choose \"Link with account numbers\" under the list of banks.")
		}
	}
	j, err := s.flow.LinkJourneyFor(openLink, nil, name)
	if err != nil {
		return usageError{err}
	}
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	if err := a.reportNew(o.print, j, res); err != nil {
		return err
	}
	return a.reportVerification(o.print.json, res)
}

// reportVerification prints, after a flow's result, each account's verification_status (text
// output; the JSON has them) and on stderr what moves a pending account on.
func (a *app) reportVerification(json bool, res *plaidapi.Result) error {
	if !json {
		if err := writeFlowResult(a.d.Stdout, res); err != nil {
			return err
		}
	}
	if res.Next != "" {
		fmt.Fprintf(a.d.Stderr, "Next: %s\n", res.Next)
	}
	return nil
}

// writeFlowResult prints the auth method and each account's verification_status, with
// Database Insights' signals where there are some.
func writeFlowResult(w io.Writer, res *plaidapi.Result) error {
	fmt.Fprintf(w, "\nAuth method  %s\n", present.OrDash(res.AuthMethod))
	if err := writeVerification(w, res.Accounts); err != nil {
		return err
	}
	for _, acct := range res.Accounts {
		in := acct.VerificationInsights
		if in == nil {
			continue
		}
		score := "-"
		if in.NameMatchScore != nil {
			score = fmt.Sprint(*in.NameMatchScore)
		}
		fmt.Fprintf(w, "Insights ••%s  numbers match %t (verified %t) · account number format %s · name match score %s · previous administrative return %t\n",
			present.MaskLabel(acct), in.HasNumbersMatch, in.IsNumbersMatchVerified, in.AccountNumberFormat, score, in.HasPreviousAdministrativeReturn)
	}
	return nil
}

// verifyOptions are the flags of `verify`.
type verifyOptions struct {
	callFlags
	noBrowser bool
	account   string
}

// newVerifyCmd is `verify ITEM`: the micro-deposit code, entered in Link.
func newVerifyCmd(a *app) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify ITEM [--account ACCOUNT]",
		Short: "Enter a micro-deposit code in Link for a saved Item, then print its numbers",
		Long: `For an Item made with Same Day micro-deposits (plaid-onboard link --flow same-day-microdeposits), or
Instant micro-deposits left unfinished: its account is pending_manual_verification until the user
enters the code of the $0.01 deposit Plaid sent. This opens Link again, in update mode with a
Link token made from the Item's access token, on the page where the code is entered (in Sandbox
and the offline demo the code is ABC; three wrong codes fail the account: verification_failed).
Nothing is exchanged: the Item keeps its access token. Then it prints each account's
verification_status and the numbers of the verified ones (--json: the result document).

It refuses, before Link opens, an Item with no account pending manual verification.
--account (an account's id, mask or name) picks the account when several are pending.`,
		Example: `  plaid-onboard verify first-platypus-bank
  plaid-onboard verify first-platypus-bank --account 0000 --json
  plaid-onboard --demo verify first-platypus-bank --no-browser`,
		Args:              itemArg("whose micro-deposit code to enter"),
		ValidArgsFunction: a.completeItems(&o.session.keys),
		RunE: a.runE(func(ctx context.Context, args []string) error {
			return a.runVerify(ctx, args[0], o)
		}),
	}
	cmd.Flags().StringVar(&o.account, "account", "", "the account to verify: its id, mask or name (default the one pending manual verification)")
	addCallFlags(a, cmd, &o.callFlags)
	addMaskFlag(cmd, &o.print.mask)
	addNoBrowserFlag(cmd, &o.noBrowser)
	return cmd
}

// runVerify runs the verification journey: update-mode Link token, Link (the code), numbers.
func (a *app) runVerify(ctx context.Context, ref string, o *verifyOptions) error {
	s, openLink, err := a.openLinkSession(o.session, o.noBrowser)
	if err != nil {
		return err
	}
	defer s.close()
	j, err := s.flow.VerifyJourney(openLink, ref, o.account)
	if err != nil {
		return err
	}
	defer j.Close()
	res, err := j.RunAll(ctx, a.progress)
	if err != nil {
		return err
	}
	acct := j.VerifyAccount()
	fmt.Fprintf(a.d.Stderr, "%s ••%s is %s\n", acct.Name, present.MaskLabel(acct), acct.VerificationStatus)
	if err := a.report(o.print, res); err != nil {
		return err
	}
	return a.reportVerification(o.print.json, res)
}
