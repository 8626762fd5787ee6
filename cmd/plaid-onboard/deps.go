package main

import (
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// deps is everything the commands touch outside the process, built once here so tests can swap
// any of it: streams and terminal facts, the environment, the browser, the secret store, the
// config directory and the HTTP client for Plaid.
type deps struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Interactive is true when stdin and stdout are terminals: only then does the TUI start.
	Interactive bool
	Getenv      func(string) string
	Browser     linkpage.Browser
	// Secrets is the OS keyring in the program (secretStore picks the store a run uses).
	Secrets vault.SecretStore
	// AskPassphrase reads the encrypted store's passphrase from the terminal, unechoed; nil
	// when there is none to ask on (tests: then $PLAID_ONBOARD_PASSPHRASE is the only way).
	AskPassphrase func(prompt string) (string, error)
	ConfigDir     func() (string, error)
	// ScryptWorkFactor is scrypt's log2 cost for an encrypted store a run makes (0: age's
	// default). The in-process tests lower it; the program never does.
	ScryptWorkFactor int
	// StateDir keeps the last session's transcript (transcript.DefaultStateDir).
	StateDir   func() (string, error)
	WorkDir    string
	HTTPClient *http.Client
	Now        func() time.Time
}

func systemDeps() deps {
	wd, _ := os.Getwd()
	return deps{
		Stdin:         os.Stdin,
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Interactive:   term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:        os.Getenv,
		Browser:       linkpage.SystemBrowser{Getenv: os.Getenv},
		Secrets:       vault.NewKeyringStore(),
		AskPassphrase: askPassphraseOnTTY,
		ConfigDir:     vault.DefaultDir,
		StateDir:      func() (string, error) { return transcript.DefaultStateDir(os.Getenv) },
		WorkDir:       wd,
		HTTPClient:    plaidapi.NewHTTPClient(),
		Now:           time.Now,
	}
}
