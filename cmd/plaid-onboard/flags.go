package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// flagScope says which commands honour a global flag. The global flags are accepted before or
// after the command's name, but a flag that would do nothing for the command at hand is refused
// (exit 2) rather than silently ignored: someone who typed it expected it to do something.
type flagScope struct {
	flag string
	// commands are the command paths under the root that honour it; "" is the terminal UI.
	commands []string
	// except, when commands is empty, are the only command paths that refuse it.
	except []string
	why    string
}

var flagScopes = []flagScope{
	{flag: "json", commands: []string{"", "link", "sandbox link", "sandbox reset-login", "auth", "items", "items status",
		"items rename", "items remove", "items rotate", "balances", "processor-token", "emulator", "report",
		"webhooks listen", "sandbox set-verification-status", "sandbox fire-webhook", "scenarios", "doctor", "verify"},
		why: "it prints no Plaid result"},
	{flag: "mask", commands: []string{"", "link", "sandbox link", "auth", "verify"},
		why: "only link, sandbox link, auth, verify and the terminal UI show account numbers"},
	{flag: "no-browser", commands: []string{"", "link", "verify"},
		why: "only link, verify and the terminal UI open a browser"},
	{flag: "no-save", commands: []string{"", "link", "sandbox link"},
		why: "only link, sandbox link and the terminal UI make an Item to save; auth and items read saved ones"},
	{flag: "secret-stdin", except: []string{""},
		why: "the terminal UI reads stdin as the terminal: type or paste the secret on its first screen (it is not echoed)"},
	{flag: "demo", except: []string{"emulator"},
		why: "the emulator is what --demo runs inside the program; served on its own it takes --client-id and --secret for the keys it accepts"},
	{flag: "env", except: []string{"emulator"},
		why: "the emulator stands in for the Sandbox only"},
	transcriptScope,
}

// subPath is a command's path under the root: "sandbox link"; "" for the root itself.
func subPath(cmd *cobra.Command) string {
	_, rest, _ := strings.Cut(cmd.CommandPath(), " ")
	return rest
}

// allows reports whether cmd honours the flag.
func (s flagScope) allows(cmd *cobra.Command) bool {
	if len(s.commands) == 0 {
		return !slices.Contains(s.except, subPath(cmd))
	}
	return slices.Contains(s.commands, subPath(cmd))
}

// checkFlags refuses the combinations of flags that mean nothing. It runs before every command.
func (a *app) checkFlags(cmd *cobra.Command) error {
	flags := cmd.Flags()
	for _, s := range flagScopes {
		if flags.Changed(s.flag) && !s.allows(cmd) {
			return usagef("--%s means nothing for `%s`: %s", s.flag, cmd.CommandPath(), s.why)
		}
	}
	if err := checkTranscriptPath(a.opts.transcript); err != nil {
		return err
	}
	if a.opts.secretStdin && !a.opts.demo {
		if err := a.readSecretStdin(flags.Changed("secret")); err != nil {
			return err
		}
	}
	if !a.opts.demo {
		return nil
	}
	if flags.Changed("client-id") || flags.Changed("secret") || a.opts.secretStdin {
		return usagef("--demo brings its own keys (the emulator's): drop --client-id and --secret, or drop --demo to use yours")
	}
	if flags.Changed("env") {
		env, err := config.ParseEnv(a.opts.env)
		if err != nil {
			return usageError{err}
		}
		if env != config.Sandbox {
			return usagef("--demo emulates the Sandbox: --env %s means nothing with it", a.opts.env)
		}
	}
	return nil
}

// readSecretStdin takes the secret from the first line of stdin for --secret-stdin: unlike
// --secret, it never appears in the process's command line, which every local user can read.
func (a *app) readSecretStdin(secretFlag bool) error {
	if secretFlag {
		return usagef("--secret and --secret-stdin both give the secret: use one (--secret-stdin keeps it out of `ps`)")
	}
	if a.stdin == nil {
		a.stdin = bufio.NewReader(a.d.Stdin) // the one reader: a later question reads the next line
	}
	line, err := a.stdin.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return usagef("--secret-stdin: read the secret from stdin: %w", err)
	}
	a.opts.secret = strings.TrimSpace(line)
	if a.opts.secret == "" {
		return usagef("--secret-stdin: stdin gave no secret (one line is read, e.g. `pass plaid/secret | plaid-onboard --secret-stdin link`)")
	}
	return nil
}

// hideOutOfScopeFlags keeps a command's help from listing the global flags it refuses.
func hideOutOfScopeFlags(cmd *cobra.Command) {
	for _, s := range flagScopes {
		if f := cmd.Root().PersistentFlags().Lookup(s.flag); f != nil {
			f.Hidden = !s.allows(cmd)
		}
	}
}

// flagError turns a flag the command does not know into a usage error that helps: a flag of
// another command names that command; a misspelt one gets a suggestion.
func flagError(cmd *cobra.Command, err error) error {
	name, unknown := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !unknown {
		return usageError{err}
	}
	if owners := commandsWithFlag(cmd.Root(), name); len(owners) > 0 {
		return usagef("--%s is not a flag of `%s`: it belongs to %s", name, cmd.CommandPath(), strings.Join(owners, ", "))
	}
	if s := suggestFlags(cmd, name); len(s) > 0 {
		return usagef("unknown flag --%s for `%s`\n\nDid you mean this?\n\t--%s\n", name, cmd.CommandPath(), strings.Join(s, "\n\t--"))
	}
	return usagef("unknown flag --%s for `%s`", name, cmd.CommandPath())
}

// commandsWithFlag lists the commands that declare a flag of their own called name.
func commandsWithFlag(c *cobra.Command, name string) []string {
	var out []string
	if c.LocalNonPersistentFlags().Lookup(name) != nil {
		out = append(out, "`"+c.CommandPath()+"`")
	}
	for _, sub := range c.Commands() {
		out = append(out, commandsWithFlag(sub, name)...)
	}
	return out
}

// suggestFlags finds the command's flags close to typed, by the distance cobra uses for
// command suggestions (SuggestionsMinimumDistance) or by prefix.
func suggestFlags(cmd *cobra.Command, typed string) []string {
	maxDist := cmd.Root().SuggestionsMinimumDistance
	var out []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if plaidflow.EditDistance(typed, f.Name) <= maxDist || strings.HasPrefix(f.Name, typed) {
			out = append(out, f.Name)
		}
	})
	return out
}

// maxArgs is cobra.MaximumNArgs with a message that says what the arguments are.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("`%s` takes %s; unexpected %q", cmd.CommandPath(), what, strings.Join(args[n:], " "))
		}
		return nil
	}
}

// noSubcommand is the Args of a command that has subcommands and runs on its own with no
// arguments: a stray word is an unknown command, with cobra's suggestions.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for `%s`", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = cmd.Root().SuggestionsMinimumDistance
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t") + "\n"
	}
	return usagef("%s", msg)
}
