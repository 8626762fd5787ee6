package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/callcode"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// codeOptions are the flags of `code`.
type codeOptions struct {
	keys    keyFlags
	lang    string
	postman string
}

// newCodeCmd is `code`: a session's Plaid calls as a program the user can run and build on.
func newCodeCmd(a *app) *cobra.Command {
	o := &codeOptions{}
	cmd := &cobra.Command{
		Use:   "code [TRANSCRIPT]",
		Short: "Print a session's Plaid calls as a program: curl, Go, Node or Python",
		Long: `Prints one runnable program that makes a session's Plaid calls again, in order, each answer
feeding the next: bash with curl and jq, Go on plaid-go v42, Node on Plaid's plaid package, or
Python on plaid-python (--lang). Each request body is the one the session sent (products,
country codes, options, the auth flow settings, webhook, redirect URI); the keys come from
PLAID_CLIENT_ID and PLAID_SECRET, access and public tokens are variables fed by the answers
that give them, and the host is the session's environment's, or PLAID_API_URL when set (so the
program runs against plaid-onboard emulator too). No secret and no token is ever in the program.

In Sandbox, Link becomes /sandbox/public_token/create with the same bank and products, and a
comment says what Link did (its events, the bank, the accounts chosen). In Production the
program stops for the public token: put the one Link gives you in PLAID_PUBLIC_TOKEN. A token
the session already held (a saved Item's access token) is read from PLAID_ACCESS_TOKEN.

With --postman DIR it writes a Postman collection and environment (format v2.1) there instead:
plaid-onboard.postman_collection.json and plaid-onboard.postman_environment.json, with the
variable names of Plaid's own Postman collection (env_url, client_id, secret_key,
public_token, access_token), each request's test script setting the tokens the next one sends.
Fill client_id and secret_key in the environment (env_url is the session's host), then run it
in Postman or with newman run COLLECTION -e ENVIRONMENT.

The program prints what it got (the accounts, account numbers masked to their last 4, routing
numbers), so you can compare it with the session.

TRANSCRIPT is a file written with --transcript PATH, - for stdin, or nothing for the last
session's. A transcript written before this version kept no request bodies: run the session
again to get its code.`,
		Example: `  plaid-onboard code                          # the last session, as curl
  plaid-onboard code --lang go > main.go
  plaid-onboard code session.jsonl --lang python > reproduce.py
  PLAID_API_URL=http://127.0.0.1:4010 bash <(plaid-onboard code)
  plaid-onboard code --postman ./postman &&
    newman run postman/plaid-onboard.postman_collection.json \
      -e postman/plaid-onboard.postman_environment.json \
      --env-var client_id=… --env-var secret_key=…`,
		Args: maxArgs(1, "one transcript file"),
		RunE: a.runE(func(_ context.Context, args []string) error { return a.runCode(o, args) }),
	}
	addPlaidFlags(a, cmd, &o.keys)
	addLangFlag(cmd, &o.lang, "the language of the program")
	cmd.Flags().StringVar(&o.postman, "postman", "", "write a Postman collection and environment (v2.1) into `DIR` instead of printing a program")
	_ = cmd.MarkFlagDirname("postman")
	return cmd
}

// addLangFlag is --lang, the language of generated code (what says what it is for), completed
// with the languages.
func addLangFlag(cmd *cobra.Command, lang *string, what string) {
	cmd.Flags().StringVar(lang, "lang", "curl", what+": "+strings.Join(callcode.Langs, ", "))
	_ = cmd.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions(callcode.Langs, cobra.ShellCompDirectiveNoFileComp))
}

// checkLang refuses a language the generator does not write, as a usage error.
func checkLang(lang string) error {
	for _, l := range callcode.Langs {
		if l == lang {
			return nil
		}
	}
	return usagef("--lang %q: choose one of %s", lang, strings.Join(callcode.Langs, ", "))
}

func (a *app) runCode(o *codeOptions, args []string) error {
	if err := checkLang(o.lang); err != nil {
		return err
	}
	entries, _, err := a.readTranscriptArg("code", args)
	if err != nil {
		return err
	}
	p, err := callcode.FromTranscript(entries, plaidflow.ScenarioConfig)
	if err != nil {
		return fmt.Errorf("make the session's code: %w", err)
	}
	if o.postman != "" {
		return a.writePostman(p, o.postman)
	}
	src, err := callcode.Generate(p, o.lang)
	if err != nil {
		return err
	}
	// A transcript holds no secret, but one written by hand could: the code is refused rather
	// than printed when it holds the secret in force or anything shaped like a token.
	red := &transcript.Redactor{}
	if cfg, err := offlineConfig(a.d, o.keys); err == nil {
		red.Learn("token", cfg.Secret)
	}
	if red.ID(src) != src {
		return fmt.Errorf("make the session's code: the transcript holds a secret or a token where a request value should be; it is not printed")
	}
	_, err = fmt.Fprint(a.d.Stdout, src)
	return err
}

// Names of the files --postman writes.
const (
	postmanCollectionFile  = "plaid-onboard.postman_collection.json"
	postmanEnvironmentFile = "plaid-onboard.postman_environment.json"
)

// writePostman writes the session's Postman collection and environment into dir (made 0700 if
// missing), each 0600, refusing a symbolic link where a file goes.
func (a *app) writePostman(p *callcode.Program, dir string) error {
	coll, env, err := callcode.Postman(p, "plaid-onboard session")
	if err != nil {
		return fmt.Errorf("make the Postman collection: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write the Postman collection: %w", err)
	}
	for name, data := range map[string][]byte{postmanCollectionFile: coll, postmanEnvironmentFile: env} {
		path := filepath.Join(dir, name)
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("write %s: it is not a regular file; refusing to write through it", path)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return fmt.Errorf("write the Postman collection: %w", err)
		}
	}
	fmt.Fprintf(a.d.Stderr, "Wrote %s and %s in %s: fill client_id and secret_key in the environment, then run it in Postman or with newman.\n",
		postmanCollectionFile, postmanEnvironmentFile, sanitize.Line(dir, sanitize.Message))
	return nil
}
