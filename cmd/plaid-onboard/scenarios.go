package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// newScenariosCmd is `scenarios`: the ready-made Sandbox Items `sandbox link --scenario` makes.
func newScenariosCmd(a *app) *cobra.Command {
	var json bool
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the ready-made Sandbox scenarios (for sandbox link --scenario)",
		Long: `Lists the Sandbox scenarios shipped with the program: Items in a state chosen ahead, for
reproducing what a user saw or for a demo. Each is a configuration of Sandbox's custom user
(user_custom, https://plaid.com/docs/sandbox/user-custom/) at a Sandbox institution, made with
plaid-onboard sandbox link --scenario NAME (or the s key in the terminal UI). They use only
documented fields, so they work in Plaid's Sandbox and in the emulator (--demo) alike.
No keys, no keyring, no Plaid call.`,
		Example: `  plaid-onboard scenarios
  plaid-onboard scenarios --json
  plaid-onboard sandbox link --scenario ca-eft`,
		Args: noSubcommand,
		RunE: a.runE(func(context.Context, []string) error { return a.runScenarios(json) }),
	}
	addJSONFlag(cmd, &json)
	return cmd
}

type scenariosDocument struct {
	Scenarios []plaidflow.Scenario `json:"scenarios"`
}

func (a *app) runScenarios(json bool) error {
	all, err := plaidflow.Scenarios()
	if err != nil {
		return fmt.Errorf("list scenarios: %w", err)
	}
	if json {
		return printJSON(a.d.Stdout, scenariosDocument{Scenarios: all})
	}
	tw := tabwriter.NewWriter(a.d.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tINSTITUTION\tACCOUNTS\tNUMBERS\tWHAT")
	for _, sc := range all {
		numbers := strings.Join(sc.Families, "+")
		if sc.ForceError != "" {
			numbers = "fails: " + sc.ForceError
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", sc.Name, sc.Institution, sc.Accounts, numbers, sc.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.d.Stderr, "Make one: plaid-onboard sandbox link --scenario NAME  (your own: --user-custom FILE)")
	return nil
}

// completeScenarios offers the scenario names to --scenario.
func completeScenarios(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	all, err := plaidflow.Scenarios()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, sc := range all {
		out = append(out, sc.Name+"\t"+sc.Title)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
