package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// hoistFlags moves the flags typed before a command's name to just after it: in
// `plaid-onboard --demo sandbox link`, --demo is sandbox link's flag, and only sandbox link
// knows it. cobra finds a command by stepping over the flags before its name, which needs every
// command on the way to know whether each flag takes a value; here the whole tree answers.
// The completion request (`__complete WORDS… PARTIAL`) is hoisted in its words, its last one,
// the word being completed, staying last.
func hoistFlags(root *cobra.Command, args []string) []string {
	if len(args) > 1 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		words := hoistFlags(root, args[1:len(args)-1])
		return slices.Concat(args[:1], words, args[len(args)-1:])
	}
	takesValue := valueFlags(root)
	cur := root
	var path, moved []string
	i := 0
	for i < len(args) && args[i] != "--" {
		arg := args[i]
		i++
		if name, ok := strings.CutPrefix(arg, "-"); ok && name != "" {
			moved = append(moved, arg)
			if !strings.Contains(arg, "=") && takesValue(strings.TrimPrefix(name, "-")) && i < len(args) {
				moved = append(moved, args[i])
				i++
			}
			continue
		}
		next := subcommand(cur, arg)
		if next == nil {
			i--
			break
		}
		path, cur = append(path, arg), next
	}
	if len(path) == 0 || len(moved) == 0 {
		return args
	}
	return slices.Concat(path, moved, args[i:])
}

// valueFlags reports whether a flag typed by name (or one-letter shorthand) takes a value.
// A flag no command has is taken to, as cobra does.
func valueFlags(root *cobra.Command) func(name string) bool {
	bools := map[string]bool{"help": true, "h": true, "version": true, "v": true}
	valued := map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			m := valued
			if f.NoOptDefVal != "" {
				m = bools
			}
			m[f.Name] = true
			if f.Shorthand != "" {
				m[f.Shorthand] = true
			}
		})
	})
	return func(name string) bool { return valued[name] || !bools[name] }
}

// subcommand is c's command called name, or nil.
func subcommand(c *cobra.Command, name string) *cobra.Command {
	for _, sub := range c.Commands() {
		if sub.Name() == name || sub.HasAlias(name) {
			return sub
		}
	}
	return nil
}

// walkCommands calls f for c and every command under it.
func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, f)
	}
}

// flagHolders is the annotation of a shared flag that says which commands have it, for the
// error of one that does not. A command may say more in its own Annotations, keyed by
// withoutFlag and the flag's name.
const (
	flagHolders = "plaid-onboard/holders"
	withoutFlag = "without --"
)

// flagError turns a flag the command does not have into a usage error that helps: a flag of
// other commands says which; a misspelt one gets a suggestion.
func flagError(cmd *cobra.Command, err error) error {
	name, unknown := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !unknown {
		return usageError{err}
	}
	notOurs := fmt.Sprintf("--%s is not a flag of `%s`", name, cmd.CommandPath())
	if why := cmd.Annotations[withoutFlag+name]; why != "" {
		return usagef("%s: %s", notOurs, why)
	}
	owners, holders := commandsWithFlag(cmd.Root(), name)
	switch {
	case holders != "" && len(owners) <= 4:
		return usagef("%s: %s (%s)", notOurs, holders, strings.Join(owners, ", "))
	case holders != "":
		return usagef("%s: %s", notOurs, holders)
	case len(owners) > 0:
		return usagef("%s: it belongs to %s", notOurs, strings.Join(owners, ", "))
	}
	if s := suggestFlags(cmd, name); len(s) > 0 {
		return usagef("unknown flag --%s for `%s`\n\nDid you mean this?\n\t--%s\n", name, cmd.CommandPath(), strings.Join(s, "\n\t--"))
	}
	return usagef("unknown flag --%s for `%s`", name, cmd.CommandPath())
}

// commandsWithFlag lists the commands that have a flag called name, and what its helper says
// about the commands that have it.
func commandsWithFlag(root *cobra.Command, name string) (owners []string, holders string) {
	walkCommands(root, func(c *cobra.Command) {
		if f := c.LocalNonPersistentFlags().Lookup(name); f != nil {
			owners = append(owners, "`"+c.CommandPath()+"`")
			if h := f.Annotations[flagHolders]; len(h) > 0 {
				holders = h[0]
			}
		}
	})
	return owners, holders
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

// ownFlags are the flags of c alone, its help's "Flags"; nil when there are none to show. The
// root's are all its own: it is the terminal UI, and the shared flags are its flags too.
func ownFlags(c *cobra.Command) *pflag.FlagSet {
	return flagsWhere(c, func(f *pflag.Flag) bool { return !c.HasParent() || f.Annotations[sharedFlag] == nil })
}

// sharedFlags are the flags c has from the helpers of flags.go, its help's "Global Flags".
func sharedFlags(c *cobra.Command) *pflag.FlagSet {
	return flagsWhere(c, func(f *pflag.Flag) bool { return c.HasParent() && f.Annotations[sharedFlag] != nil })
}

func flagsWhere(c *cobra.Command, keep func(*pflag.Flag) bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.Name(), pflag.ContinueOnError)
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && keep(f) {
			fs.AddFlag(f)
		}
	})
	if !fs.HasFlags() {
		return nil
	}
	return fs
}

func init() {
	cobra.AddTemplateFunc("ownFlags", ownFlags)
	cobra.AddTemplateFunc("sharedFlags", sharedFlags)
}

// usageTemplate is cobra's, with the flags a helper gave the command listed apart, as
// "Global Flags": the same flag, meaning the same thing, on every command that has it. The
// flags' descriptions are wrapped to helpColumns (100) under their own column.
func usageTemplate(root *cobra.Command) string {
	const cobras = `{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}`
	const ours = `{{with ownFlags .}}

Flags:
{{.FlagUsagesWrapped 100 | trimTrailingWhitespaces}}{{end}}{{with sharedFlags .}}

Global Flags:
{{.FlagUsagesWrapped 100 | trimTrailingWhitespaces}}{{end}}`
	return strings.Replace(root.UsageTemplate(), cobras, ours, 1)
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

// groupCmd is a command that only holds others (sandbox, webhooks): on its own, or with a flag
// of one of them, it says which commands it holds.
func groupCmd(a *app, use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: noSubcommand}
	cmd.AddCommand(subs...)
	needsCommand := func() error {
		var names []string
		for _, sub := range subs {
			names = append(names, use+" "+sub.Name())
		}
		return usagef("`plaid-onboard %s` needs a command: %s", use, strings.Join(names, ", "))
	}
	cmd.RunE = a.runE(func(_ context.Context, _ []string) error { return needsCommand() })
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c == cmd && strings.HasPrefix(err.Error(), "unknown flag: --") {
			return needsCommand()
		}
		return flagError(c, err)
	})
	return cmd
}
