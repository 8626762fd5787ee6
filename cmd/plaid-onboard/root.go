package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/tui"
)

// tuiOptions are the flags of the terminal UI, the root command.
type tuiOptions struct {
	session   sessionFlags
	print     printFlags
	noBrowser bool
	tui       tuiFlags
}

// newRootCmd builds the command tree: the root command itself is the terminal UI, and each
// command under it is one line here and one file, which declares its flags.
func newRootCmd(a *app) *cobra.Command {
	o := &tuiOptions{}
	root := &cobra.Command{
		Use:   "plaid-onboard",
		Short: "Connect a bank account through Plaid from a terminal",
		Long: `plaid-onboard connects a bank account through Plaid and shows what Plaid Auth returns for
it: every account with its balances and every number family (ACH, EFT, international, BACS).

Without a command, in a terminal, it starts the guided terminal UI: keys, Link in your
browser, exchange, numbers. In scripts, use the commands below; with --json they print one
JSON document on stdout (Plaid's field names) and progress on stderr.

Keys are looked up in this order: --client-id/--secret, PLAID_CLIENT_ID/PLAID_SECRET, ./.env,
the OS keyring. Items (access tokens) are kept in the OS keyring, service "plaid-onboard"; on a
machine with none, --store file keeps them in an encrypted file in the profile's folder (the
offline demo keeps its own in a plain file there: its tokens are the emulator's).
In scripts, give the secret on stdin, where ps cannot show it: every command that uses keys
takes --secret-stdin (pass plaid/secret | plaid-onboard --secret-stdin link); the terminal UI
asks for it on its first screen instead.

Environment, also read from ./.env:
  PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV   keys and environment
  PLAID_PRODUCTS (auth), PLAID_COUNTRY_CODES (US), PLAID_CLIENT_NAME, PLAID_REDIRECT_URI
Environment only (a ./.env line setting them is ignored, and said so):
  PLAID_API_URL                              Plaid's base URL (a proxy, a recorder, a fake)
  PLAID_LINK_SCRIPT_URL                      where the Link page loads the Link SDK from
  PLAID_PROFILE                              the profile: whose keys and Items (see profiles --help)
  PLAID_ONBOARD_STORE                        where keys and Items are kept: keyring or file
  PLAID_ONBOARD_PASSPHRASE                   the encrypted file's passphrase (else it is asked)

Exit status: 0 ok, 1 failure (a Plaid error, a Link exit, a wrong passphrase), 2 usage, 130
interrupted (ctrl+c, SIGINT or SIGTERM; an exchange already sent is finished and its Item saved
first).`,
		Example: `  plaid-onboard --demo                      # the terminal UI against the offline emulator
  plaid-onboard link                        # Link in the browser, then the numbers
  plaid-onboard sandbox link --json --mask  # a Sandbox Item without a browser, as JSON
  plaid-onboard auth first-platypus-bank    # the numbers of a saved Item
  plaid-onboard items                       # the saved Items, newest first, with their health
  plaid-onboard link --update my-bank       # repair an Item that needs a new login`,
		Version:       currentVersion(),
		RunE:          a.runE(func(ctx context.Context, args []string) error { return a.runTUI(ctx, o) }),
		SilenceErrors: true,
		SilenceUsage:  true,
		// The program's own completions are in its commands; cobra's `completion` adds the
		// scripts that load them.
		SuggestionsMinimumDistance: 2,
	}
	root.SetIn(a.d.Stdin)
	root.SetOut(a.d.Stdout)
	root.SetErr(a.d.Stderr)
	root.SetVersionTemplate("plaid-onboard {{.Version}}\n")

	root.SetUsageTemplate(usageTemplate(root))
	root.SetFlagErrorFunc(flagError)
	root.Annotations = map[string]string{withoutFlag + "secret-stdin": "the terminal UI reads stdin as the terminal: type or paste the secret on its first screen (it is not echoed)"}
	addTranscriptFlag(root, &o.session.transcript)
	addKeyFlags(root, &o.session.keys)
	addEnvFlags(root, &o.session.keys)
	addProfileFlag(a, root, &o.session.keys)
	addNoSaveFlag(root, &o.session.noSave)
	addLinkPageFlags(root, &o.session.page)
	addJSONFlag(root, &o.print.json)
	addMaskFlag(root, &o.print.mask)
	addNoBrowserFlag(root, &o.noBrowser)
	addTUIFlags(root, &o.tui)

	root.AddCommand(newLinkCmd(a), newSandboxCmd(a), newAuthCmd(a), newItemsCmd(a), newBalancesCmd(a), newProcessorTokenCmd(a), newEmulatorCmd(a), newReportCmd(a), newCodeCmd(a))
	root.AddCommand(newWebhooksCmd(a), newScenariosCmd(a))
	root.AddCommand(newDoctorCmd(a), newManCmd(a))
	root.AddCommand(newVerifyCmd(a))
	root.AddCommand(newProfilesCmd(a), newWhoamiCmd(a))
	wrapHelp(root)
	strictCompletion(a, root)
	return root
}

// completionShells are the shells cobra writes completion scripts for.
const completionShells = "bash, zsh, fish or powershell"

// strictCompletion makes `completion SHELL` for a shell cobra has no script for a usage error
// naming the shells it has: cobra would print the help and exit 0, and `source <(plaid-onboard
// completion tcsh)` would then run the help text as shell commands.
func strictCompletion(a *app, root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("no completion script for %q: plaid-onboard completion knows %s", args[0], completionShells)
			}
			return nil
		}
		c.RunE = a.runE(func(context.Context, []string) error {
			return usagef("`plaid-onboard completion` needs a shell: %s", completionShells)
		})
	}
}

// runTUI starts the terminal UI. It has no plain or JSON form, so without a terminal, or with
// --json, it says which commands to use instead.
func (a *app) runTUI(ctx context.Context, o *tuiOptions) error {
	if err := o.tui.check(); err != nil {
		return err
	}
	if o.print.json {
		return usagef("the terminal UI has no JSON form: for JSON, use `link`, `sandbox link`, `auth` or `items` with --json")
	}
	if !a.d.Interactive {
		return usagef("the terminal UI needs a terminal (stdin and stdout are not one): in scripts, use `link`, `sandbox link`, `auth` or `items` (see --help)")
	}
	s, err := newSession(a.d, o.session, a.command, false)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkLinkPage(s.cfg); err != nil {
		return err
	}
	if err := unlockFileStore(s.vault); err != nil {
		return err
	}
	if err := a.replayInDemo(s, o.tui.fromTranscript); err != nil { // emulator_transcript.go
		return err
	}
	// C on the timeline copies a call as code in the language last chosen with g.
	codeDir, _ := a.d.ConfigDir()
	codeLang := ""
	if codeDir != "" {
		codeLang = config.ReadCodeLang(codeDir)
	}
	// tui.Run returns nil (exit 0), tui.ErrInterrupted (wraps context.Canceled: exit 130) or
	// the failure the user quit after (exit 1, printed with its Plaid details by exitCode).
	return tui.Run(ctx, tui.Deps{
		In:         a.d.Stdin,
		Out:        a.d.Stdout,
		Config:     s.cfg,
		Sources:    s.sources,
		Vault:      s.vault,
		Mask:       o.print.mask,
		HTTPClient: a.d.HTTPClient,
		Browser:    a.d.Browser,
		NoBrowser:  o.noBrowser,
		Now:        a.d.Now,
		Getenv:     a.d.Getenv,
		Notes:      s.notes,
		Timeline:   s.timeline,
		// t saves here; the whole session is written here again when the UI closes.
		TranscriptPath:   o.session.transcript,
		CodeLang:         codeLang,
		ConfigDir:        codeDir,
		AuthFlow:         o.tui.flow,
		WebhookPublicURL: o.tui.publicURL,
		WebhookPort:      o.tui.webhookPort,
	})
}
