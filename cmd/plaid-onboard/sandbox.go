package main

import (
	"context"

	"github.com/spf13/cobra"
)

// newSandboxCmd groups the Sandbox-only shortcuts; on its own it is a usage error.
func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Plaid Sandbox shortcuts (no browser)",
		Long:  `Commands that exist only in the Plaid Sandbox (and the offline demo).`,
		Args:  noSubcommand,
		RunE: a.runE(func(context.Context, []string) error {
			return usagef("`plaid-onboard sandbox` needs a command: sandbox link, sandbox reset-login, sandbox set-verification-status, sandbox fire-webhook")
		}),
	}
	cmd.AddCommand(newSandboxLinkCmd(a), newSandboxResetLoginCmd(a))
	cmd.AddCommand(newSandboxSetVerificationStatusCmd(a), newSandboxFireWebhookCmd(a))
	return cmd
}
