package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// Exit codes, the same for every command.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// options are the flags every command accepts, before or after the command's name.
type options struct {
	demo        bool
	env         string
	clientID    string
	secret      string
	noBrowser   bool
	noSave      bool
	jsonOut     bool
	maskNumbers bool
	institution string
	help        bool
}

func (o *options) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.demo, "demo", false, "use the built-in offline Plaid emulator (no keys, no network)")
	fs.StringVar(&o.env, "env", "", "Plaid environment: sandbox or production (default $PLAID_ENV or sandbox)")
	fs.StringVar(&o.clientID, "client-id", "", "Plaid client_id (default $PLAID_CLIENT_ID, .env, keyring)")
	fs.StringVar(&o.secret, "secret", "", "Plaid secret (prefer $PLAID_SECRET: flags end up in shell history)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser; only print the Link page's URL")
	fs.BoolVar(&o.noSave, "no-save", false, "do not save the Item in the keyring")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON document on stdout")
	fs.BoolVar(&o.maskNumbers, "mask", false, "mask account numbers and IBANs except their last 4 characters")
	fs.StringVar(&o.institution, "institution", "", "sandbox link: the Sandbox institution id (default ins_109508)")
	fs.BoolVar(&o.help, "help", false, "show help")
	fs.BoolVar(&o.help, "h", false, "show help")
}

var usageText = `plaid-onboard: connect a bank account through Plaid from a terminal.

Usage:
  plaid-onboard [flags]                  the guided terminal UI
  plaid-onboard link [flags]             open Plaid Link in the browser, then print the numbers
  plaid-onboard sandbox link [flags]     Sandbox only: make an Item without a browser
  plaid-onboard auth [ITEM] [flags]      the numbers of a saved Item (id or name)
  plaid-onboard items [flags]            list saved Items
  plaid-onboard items remove ITEM        remove an Item at Plaid and forget it here
  plaid-onboard --version
` + commonFlagsHelp + `  sandbox link: --institution ID   (default ins_109508, First Platypus Bank)

Environment:
  PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV   keys and environment (also read from ./.env)
  PLAID_API_URL                              Plaid's base URL (a proxy, a recorder, a fake)
  PLAID_LINK_SCRIPT_URL                      where the Link page loads the Link SDK from
  PLAID_PRODUCTS (auth), PLAID_COUNTRY_CODES (US), PLAID_CLIENT_NAME, PLAID_REDIRECT_URI

Keys are looked up in this order: flags, environment, ./.env, the OS keyring.
Items (access tokens) are kept in the OS keyring, service "plaid-onboard".
Exit status: 0 ok, 1 failure (Plaid error, Link exit), 2 usage, 130 interrupted.
`

// commandHelp is each command's own --help; the flags every command takes are listed after it.
var commandHelp = map[string]string{
	"link": `Usage: plaid-onboard link [--json] [--no-browser] [--no-save] [--mask]

Creates a Link token, serves the Link page on 127.0.0.1 (a random port, or the port of
PLAID_REDIRECT_URI when it is http://localhost:PORT/oauth-return), opens your browser and
prints the page's URL on stderr. When you finish Link, it exchanges the public token, saves
the Item in the OS keyring, and prints the accounts with every number family Plaid returned.
Link's events are printed on stderr as they arrive. Exit status 1 if Link exits.
`,
	"sandbox": `Usage: plaid-onboard sandbox link [--institution ID] [--json] [--no-save] [--mask]

Sandbox only. Makes an Item without a browser (/sandbox/public_token/create with user_good),
then exchanges, saves and prints the numbers exactly as link does. Sandbox institutions:
ins_109508 First Platypus Bank (default, ACH), ins_43 Tartan-Dominion Bank of Canada (EFT),
ins_117650 Royal Bank of Plaid (IBAN and BACS).
`,
	"auth": `Usage: plaid-onboard auth [ITEM] [--json] [--mask]

Calls /auth/get for a saved Item and prints its accounts and numbers. ITEM is an item id or
the name shown by 'plaid-onboard items'; it may be left out when only one Item is saved.
`,
	"items": `Usage: plaid-onboard items [--json]
       plaid-onboard items remove ITEM

Lists the Items saved for the environment (names, ids, institutions, dates; no secrets), or
removes one: /item/remove at Plaid, then its access token is deleted from the keyring.
`,
}

const commonFlagsHelp = `
Flags (any command):
  --demo            use the built-in offline emulator: no keys, no network (not Plaid)
  --env ENV         sandbox (default) or production
  --client-id ID    Plaid client_id
  --secret SECRET   Plaid secret (prefer $PLAID_SECRET)
  --json            print one JSON document on stdout (Plaid's field names)
  --mask            mask account numbers and IBANs except their last 4 characters
  --no-browser      do not open a browser; only print the Link page's URL
  --no-save         do not save the Item in the keyring
`

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program; it returns the exit code.
func run(args []string, d deps) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, d)
}

func runContext(ctx context.Context, args []string, d deps) int {
	var opts options
	var showVersion bool
	fs := newFlagSet("plaid-onboard", &opts)
	fs.BoolVar(&showVersion, "version", false, "print the version")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return usage(d.Stderr, err)
	}
	switch {
	case showVersion:
		fmt.Fprintf(d.Stdout, "plaid-onboard %s\n", version)
		return exitOK
	case opts.help && len(rest) == 0:
		fmt.Fprint(d.Stdout, usageText)
		return exitOK
	}

	var cmd func(context.Context, deps, *options, []string) error
	switch {
	case len(rest) == 0:
		cmd = cmdTUI
	case rest[0] == "link":
		cmd = cmdLink
	case rest[0] == "sandbox":
		cmd = cmdSandbox
	case rest[0] == "auth":
		cmd = cmdAuth
	case rest[0] == "items":
		cmd = cmdItems
	case rest[0] == "help":
		fmt.Fprint(d.Stdout, usageText)
		return exitOK
	default:
		return usage(d.Stderr, usageError{fmt.Sprintf("unknown command %q", rest[0])})
	}
	var name string
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if opts.help {
		fmt.Fprint(d.Stdout, commandHelp[name]+commonFlagsHelp)
		return exitOK
	}
	return exitCode(ctx, d.Stderr, cmd(ctx, d, &opts, rest))
}

func newFlagSet(name string, opts *options) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts.register(fs)
	return fs
}

// parseInterleaved parses flags wherever they stand among the positional arguments, so
// `auth my-bank --json` and `--json auth my-bank` both work.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func usage(w io.Writer, err error) int {
	fmt.Fprintf(w, "error: %v\nRun 'plaid-onboard --help' for usage.\n", err)
	return exitUsage
}

// exitCode prints err the way users need it and maps it to the exit status. A Plaid error shows
// every field Plaid sent and what to do next.
func exitCode(ctx context.Context, w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "interrupted")
		return exitInterrupted
	}
	var ue usageError
	if errors.As(err, &ue) {
		return usage(w, err)
	}
	plaidflow.WriteProblem(w, err)
	return exitFailure
}

// expectArgs checks the number of positional arguments a command takes.
func expectArgs(args []string, max int, what string) error {
	if len(args) > max {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", what, strings.Join(args[max:], " "))}
	}
	return nil
}
