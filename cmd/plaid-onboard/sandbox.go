package main

import (
	"github.com/spf13/cobra"
)

// newSandboxCmd groups the Sandbox-only shortcuts; on its own it is a usage error.
func newSandboxCmd(a *app) *cobra.Command {
	return groupCmd(a, "sandbox", "Plaid Sandbox shortcuts (no browser)",
		`Commands that exist only in the Plaid Sandbox (and the offline demo).`,
		newSandboxLinkCmd(a), newSandboxResetLoginCmd(a), newSandboxSetVerificationStatusCmd(a), newSandboxFireWebhookCmd(a))
}
