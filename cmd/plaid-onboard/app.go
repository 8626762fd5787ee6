package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// Exit codes, the same for every command.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// app is one run of the program: its dependencies, the command that runs, and whether it got as
// far as running (an error before that is the command line's fault: a usage error). The flags
// are the commands' own (flags.go).
type app struct {
	d   deps
	ran bool
	// command is the running command's path under the root ("sandbox link"), for the transcript.
	command string
	// jsonDone is set when a command printed its one JSON document even though it fails (a
	// rotated token that could not be saved): no error document follows it.
	jsonDone bool
	// stdin reads the answers to questions asked on the terminal.
	stdin *bufio.Reader
	// dry is set when the command runs with --dry-run (openSession).
	dry *dryRun
}

// usageError is a mistake on the command line: exit status 2. It wraps the error so that what
// to do next (plaidflow.Explain) is still known.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef builds a usageError from a message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// run is the whole program; it returns the exit code.
func run(args []string, d deps) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, d)
}

func runContext(ctx context.Context, args []string, d deps) int {
	a := &app{d: d}
	root := newRootCmd(a)
	root.SetArgs(hoistFlags(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if cmd == nil {
		cmd = root
	}
	return a.exitCode(ctx, cmd, args, err)
}

// runE marks that the command line was understood and the command runs: from here on an error
// is a failure (exit 1), unless it says it is a usage error.
func (a *app) runE(f func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		_, a.command, _ = strings.Cut(cmd.CommandPath(), " ")
		err := f(cmd.Context(), args)
		if a.dry != nil {
			err = a.dry.finish(a, err)
		}
		return err
	}
}

// Error types of the JSON error document that are not Plaid's.
const (
	errorTypeUsage       = "USAGE"
	errorTypeInterrupted = "INTERRUPTED"
)

// exitCode prints err the way users need it and maps it to the exit status. With --json,
// stdout also gets exactly one JSON document, {"error": {...}}, with Plaid's field names.
func (a *app) exitCode(ctx context.Context, cmd *cobra.Command, args []string, err error) int {
	if err == nil {
		return exitOK
	}
	jsonOut := (jsonOn(cmd) || jsonRequested(args)) && !a.jsonDone
	var ue usageError
	var coded interface{ ExitCode() int } // a command whose failure has its own exit status (doctor)
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		fmt.Fprintln(a.d.Stderr, "interrupted")
		if jsonOut {
			writeErrorJSON(a.d.Stdout, plaidflow.Problem{ErrorType: errorTypeInterrupted, ErrorMessage: "interrupted"})
		}
		return exitInterrupted
	case errors.As(err, &ue) || !a.ran:
		fmt.Fprintf(a.d.Stderr, "error: %s\nRun '%s --help' for usage.\n", errorLines(err), cmd.CommandPath())
		if jsonOut {
			p := plaidflow.Explain(err)
			p.ErrorType = errorTypeUsage
			if p.Next == "" {
				p.Next = fmt.Sprintf("see '%s --help'", cmd.CommandPath())
			}
			writeErrorJSON(a.d.Stdout, p)
		}
		return exitUsage
	case errors.As(err, &coded):
		fmt.Fprintf(a.d.Stderr, "error: %s\n", errorLines(err))
		return coded.ExitCode()
	}
	plaidflow.WriteProblem(a.d.Stderr, err)
	if jsonOut {
		writeErrorJSON(a.d.Stdout, plaidflow.Explain(err))
	}
	return exitFailure
}

// errorLines is err's text for stderr: each line through sanitize.Line (an error may quote a
// file or an answer), keeping the lines and tab indents of cobra's suggestions ("Did you mean
// this?\n\tlink").
func errorLines(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		text := strings.TrimLeft(l, "\t")
		lines[i] = l[:len(l)-len(text)] + sanitize.Line(text, sanitize.Message)
	}
	return strings.Join(lines, "\n")
}

// jsonOn reports whether the command has --json and it is on.
func jsonOn(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup("json")
	return f != nil && f.Value.String() == "true"
}

// jsonRequested finds --json on a command line that could not be parsed, so even a usage error
// answers a script in JSON.
func jsonRequested(args []string) bool {
	for _, arg := range args {
		switch arg {
		case "--":
			return false
		case "--json", "--json=true", "--json=1":
			return true
		}
	}
	return false
}
