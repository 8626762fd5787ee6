package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// Each command declares the flags it honours: its own in its file, and those several commands
// share through the add…Flag helpers below. A command that does not call a helper does not have
// its flags, so cobra refuses them (exit 2): a flag that would do nothing is never ignored.
// Flags typed before the command's name reach it all the same (hoistFlags).

// keyFlags say which Plaid and which keys.
type keyFlags struct {
	demo        bool   // --demo (addEnvFlags)
	env         string // --env (addEnvFlags)
	clientID    string // --client-id (addKeyFlags)
	secret      string // --secret (addKeyFlags), or the line --secret-stdin read
	secretStdin bool   // --secret-stdin (addSecretStdinFlag)
	profile     string // --profile (addProfileFlag)
	store       string // --store (addStoreFlag, with --profile)
}

// sessionFlags are what a session with Plaid is built from (newSession).
type sessionFlags struct {
	keys       keyFlags
	noSave     bool          // --no-save (addNoSaveFlag)
	transcript string        // --transcript (addTranscriptFlag)
	page       linkPageFlags // --redirect-uri, --port (addLinkPageFlags)
	dryRun     bool          // --dry-run (addDryRunFlags)
	lang       string        // --lang, the language of --dry-run's code
}

// printFlags say how a result is printed.
type printFlags struct {
	json bool // --json (addJSONFlag)
	mask bool // --mask (addMaskFlag)
}

// sharedFlag is the annotation of a flag declared by a helper here: help lists such flags
// under "Global Flags", as the same flag on every command that has it.
const sharedFlag = "plaid-onboard/shared"

// shared marks the named flags of cmd as declared by a helper; holders says which commands
// have them, for the error of one that does not (flagError).
func shared(cmd *cobra.Command, holders string, names ...string) {
	for _, n := range names {
		_ = cmd.Flags().SetAnnotation(n, sharedFlag, []string{"true"})
		_ = cmd.Flags().SetAnnotation(n, flagHolders, []string{holders})
	}
}

// addCheck runs check before the command, after the checks added before it: a helper refuses
// what its flags cannot mean before anything runs.
func addCheck(cmd *cobra.Command, check func(cmd *cobra.Command) error) {
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if prev != nil {
			if err := prev(cmd, args); err != nil {
				return err
			}
		}
		return check(cmd)
	}
}

// addEnvFlags gives cmd --demo and --env: which Plaid it talks to, or whose Items it reads.
func addEnvFlags(cmd *cobra.Command, k *keyFlags) {
	f := cmd.Flags()
	f.BoolVar(&k.demo, "demo", false, "use the built-in offline Plaid emulator: no keys, no network (not Plaid)")
	f.StringVar(&k.env, "env", "", "Plaid environment: sandbox or production (default $PLAID_ENV, else sandbox)")
	shared(cmd, "only the commands that use Plaid or its saved Items have it", "demo", "env")
	addCheck(cmd, func(cmd *cobra.Command) error {
		if !k.demo || !cmd.Flags().Changed("env") {
			return nil
		}
		env, err := config.ParseEnv(k.env)
		if err != nil {
			return usageError{err}
		}
		if env != config.Sandbox {
			return usagef("--demo emulates the Sandbox: --env %s means nothing with it", k.env)
		}
		return nil
	})
}

// addKeyFlags gives cmd --client-id and --secret.
func addKeyFlags(cmd *cobra.Command, k *keyFlags) {
	f := cmd.Flags()
	f.StringVar(&k.clientID, "client-id", "", "Plaid client_id (default $PLAID_CLIENT_ID, ./.env, the keyring)")
	f.StringVar(&k.secret, "secret", "", "Plaid secret: other local users can read it with ps while the program runs, and it stays in shell history; prefer $PLAID_SECRET or --secret-stdin")
	shared(cmd, "only the commands that use Plaid keys have it", "client-id", "secret")
	addCheck(cmd, func(cmd *cobra.Command) error {
		if k.demo && (cmd.Flags().Changed("client-id") || cmd.Flags().Changed("secret")) {
			return errDemoKeys
		}
		return nil
	})
}

var errDemoKeys = usagef("--demo brings its own keys (the emulator's): drop --client-id and --secret, or drop --demo to use yours")

// addSecretStdinFlag gives cmd --secret-stdin; the secret is read before the command runs.
func addSecretStdinFlag(a *app, cmd *cobra.Command, k *keyFlags) {
	cmd.Flags().BoolVar(&k.secretStdin, "secret-stdin", false, "read the Plaid secret from stdin (one line), where ps cannot show it")
	shared(cmd, "only the commands that use Plaid keys have it", "secret-stdin")
	addCheck(cmd, func(cmd *cobra.Command) error {
		switch {
		case !k.secretStdin:
			return nil
		case k.demo:
			return errDemoKeys
		case cmd.Flags().Changed("secret"):
			return usagef("--secret and --secret-stdin both give the secret: use one (--secret-stdin keeps it out of `ps`)")
		}
		secret, err := a.readSecretStdin()
		k.secret = secret
		return err
	})
}

// addPlaidFlags gives cmd every flag that says which Plaid and which keys: the flags of a
// command that talks to Plaid on its own.
func addPlaidFlags(a *app, cmd *cobra.Command, k *keyFlags) {
	addSecretStdinFlag(a, cmd, k) // its checks first: a stdin secret with --demo is a key given with it
	addKeyFlags(cmd, k)
	addEnvFlags(cmd, k)
}

// addTranscriptFlag gives cmd --transcript: a command that calls Plaid records its session.
// A path that cannot be written is refused before anything runs.
func addTranscriptFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "transcript", "", "write the session's timeline (Plaid calls, Link events, steps; redacted) to this file as JSON Lines, and a Markdown summary to PATH.md")
	shared(cmd, "it makes no Plaid call, so there is no session to record", "transcript")
	addCheck(cmd, func(*cobra.Command) error { return checkTranscriptPath(*path) })
}

// addJSONFlag gives cmd --json: it prints its result as one JSON document.
func addJSONFlag(cmd *cobra.Command, json *bool) {
	addSwitch(cmd, json, "json", "print one JSON document on stdout (Plaid's field names)", "it prints no Plaid result")
}

// addMaskFlag gives cmd --mask: it prints account numbers.
func addMaskFlag(cmd *cobra.Command, mask *bool) {
	addSwitch(cmd, mask, "mask", "show only the last 4 characters of account numbers and IBANs", "only the commands that print account numbers have it")
}

// addNoBrowserFlag gives cmd --no-browser: it opens the Link page in a browser.
func addNoBrowserFlag(cmd *cobra.Command, noBrowser *bool) {
	addSwitch(cmd, noBrowser, "no-browser", "do not open a browser; only print the Link page's URL", "only the commands that open a browser have it")
}

// addNoSaveFlag gives cmd --no-save: it makes an Item to save.
func addNoSaveFlag(cmd *cobra.Command, noSave *bool) {
	addSwitch(cmd, noSave, "no-save", "do not save the new Item (in the keyring, or the --store chosen)", "only the commands that make an Item to save have it")
}

// addSwitch declares a shared on/off flag.
func addSwitch(cmd *cobra.Command, p *bool, name, usage, holders string) {
	cmd.Flags().BoolVar(p, name, false, usage)
	shared(cmd, holders, name)
}

// readSecretStdin takes the secret from the first line of stdin for --secret-stdin: unlike
// --secret, it never appears in the process's command line, which every local user can read.
func (a *app) readSecretStdin() (string, error) {
	line, err := a.input().ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", usagef("--secret-stdin: read the secret from stdin: %w", err)
	}
	secret := strings.TrimSpace(line)
	if secret == "" {
		return "", usagef("--secret-stdin: stdin gave no secret (one line is read, e.g. `pass plaid/secret | plaid-onboard --secret-stdin link`)")
	}
	return secret, nil
}

// input is the one reader of stdin: a later question reads the line after the secret.
func (a *app) input() *bufio.Reader {
	if a.stdin == nil {
		a.stdin = bufio.NewReader(a.d.Stdin)
	}
	return a.stdin
}

// callFlags are the flags of a command that calls Plaid and prints what it answered.
type callFlags struct {
	session sessionFlags
	print   printFlags
}

// keysJSONFlags are the flags of a command that reads what is saved here without calling Plaid
// (items, items rename, report): whose Items or session, by the keys or the environment, and
// --json.
type keysJSONFlags struct {
	keys keyFlags
	json bool
}

// addCallFlags gives cmd the flags of a command that calls Plaid: which Plaid and which keys,
// --transcript and --json.
func addCallFlags(a *app, cmd *cobra.Command, o *callFlags) {
	addEmulatorCallFlags(a, cmd, o)
	addDryRunFlags(cmd, &o.session)
}

// addEmulatorCallFlags gives cmd the call flags but --dry-run: for a command whose work is done
// by the emulator's control API (webhooks trigger, webhooks sign), which no Plaid has, so there
// is no Plaid request to show instead of sending it.
func addEmulatorCallFlags(a *app, cmd *cobra.Command, o *callFlags) {
	addTranscriptFlag(cmd, &o.session.transcript)
	addPlaidFlags(a, cmd, &o.session.keys)
	addProfileFlag(a, cmd, &o.session.keys)
	addJSONFlag(cmd, &o.print.json)
}

// savedItemCmd finishes cmd, a command about a saved Item that needs only the call flags: its
// argument completes from the saved Items, and run gets the session the flags open (its notes
// and the demo banner already on stderr), closed when run returns.
func (a *app) savedItemCmd(o *callFlags, cmd *cobra.Command, run func(ctx context.Context, s *session, args []string) error) *cobra.Command {
	cmd.ValidArgsFunction = a.completeItems(&o.session.keys)
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		s, err := a.openSession(o.session)
		if err != nil {
			return err
		}
		defer s.close()
		return run(ctx, s, args)
	})
	addCallFlags(a, cmd, o)
	return cmd
}
