// Package doctor checks, in order, everything plaid-onboard needs (keys, Plaid's API, the keys
// accepted, the redirect URI, the keyring, a browser) and says, for each check that fails, what
// is wrong and what to fix. It decides; a front end prints its Report.
package doctor

import (
	"context"
	"net/http"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The checks, in the order they run. Each has its own exit status, so a script learns from the
// code alone which check failed first; they stay clear of 1 and 2 (the other commands' failure
// and usage codes) and of the shell's 126-127 and 128+N.
const (
	Keys         = "keys"
	API          = "api"
	KeysAccepted = "keys-accepted"
	RedirectURI  = "redirect-uri"
	Keyring      = "keyring"
	Browser      = "browser"
	// The Link settings checks of doctor --link (link.go).
	LinkProduct      = "link-product"
	LinkRedirectURI  = "link-redirect-uri"
	LinkAndroid      = "link-android-package-name"
	LinkInstitutions = "link-institutions"
)

var order = []struct {
	name string
	code int
}{
	{Keys, 10}, {API, 11}, {KeysAccepted, 12}, {RedirectURI, 13}, {Keyring, 14}, {Browser, 15},
	{LinkProduct, 16}, {LinkRedirectURI, 17}, {LinkAndroid, 18}, {LinkInstitutions, 19},
}

// ExitCode is the exit status that names a check, or 1 for a name that is not one.
func ExitCode(name string) int {
	for _, c := range order {
		if c.name == name {
			return c.code
		}
	}
	return 1
}

// Statuses of a check.
const (
	OK   = "ok"
	Fail = "fail"
	Skip = "skip" // not applicable here, or not possible until an earlier check passes
)

// DefaultTimeout bounds the Plaid calls of one run, retries included.
const DefaultTimeout = 20 * time.Second

// Check is one check's outcome.
type Check struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	ExitCode int      `json:"exit_code"`
	Summary  string   `json:"summary"`
	Details  []string `json:"details,omitempty"`
	// Fix says what to do when the check failed.
	Fix string `json:"fix,omitempty"`
	// Error is Plaid's error, with its request_id, when a Plaid call failed.
	Error *plaidflow.Problem `json:"error,omitempty"`
	// Setting is the value a Link settings check tried (a product, a redirect URI, a package
	// name).
	Setting string `json:"setting,omitempty"`
}

// Report is a whole run.
type Report struct {
	Environment string  `json:"environment"`
	Demo        bool    `json:"demo"`
	OK          bool    `json:"ok"`
	ExitCode    int     `json:"exit_code"`
	FirstFailed string  `json:"first_failed,omitempty"`
	Checks      []Check `json:"checks"`
	// PlaidCalls counts the calls to Plaid by endpoint, with --link (retries not counted).
	PlaidCalls map[string]int `json:"plaid_calls,omitempty"`
	// Store is where keys and Items are kept: the keyring, the encrypted file, the demo's
	// file, or none (the keyring did not answer).
	Store vault.StoreInfo `json:"store"`
}

// Deps is what the checks look at, built by the front end as it builds them for every command.
type Deps struct {
	// Sources are where keys are looked up (flags > environment > .env > keyring) for the vault
	// given, nil when there is none.
	Sources func(*vault.Vault) (config.Sources, error)
	// WorkDir holds the .env file.
	WorkDir string
	// Demo, for --demo, starts the built-in emulator and says how to stop it.
	Demo func() (config.Emulator, func())
	// Secrets is the store Items are saved in (the keyring, or a file store); ConfigDir holds
	// the Items index.
	Secrets   vault.SecretStore
	ConfigDir func() (string, error)
	// Profile is the profile whose keys and Items are checked (vault.OpenProfile).
	Profile string
	// HTTPClient calls Plaid; OnRetry hears of each retry.
	HTTPClient *http.Client
	OnRetry    func(plaidapi.Retry)
	// Notice hears, before the first Plaid call, where it goes when that is not Plaid's own
	// host (config.Config.Destination).
	Notice func(string)
	// Timeout bounds the Plaid calls (DefaultTimeout when 0).
	Timeout time.Duration
	// RedirectPort is the port the Link page would serve a redirect URI on, if it can serve it;
	// CheckListen says whether that port is free on 127.0.0.1 and ::1.
	RedirectPort func(uri string) (int, bool)
	CheckListen  func(uri string) error
	// Launcher names the program the Link page would be opened with; remote is true when the
	// program runs over SSH, where a browser would open on the wrong machine.
	Launcher func() (name string, remote bool, err error)
	Getenv   func(string) string
	// Link, for doctor --link, checks the Link settings one at a time instead of the redirect
	// URI, the keyring and the browser (link.go).
	Link *LinkSettings
}

// run is one run's state, shared by the checks that build on each other.
type run struct {
	d      Deps
	cfg    config.Config
	keysOK bool
	client *plaidapi.Client
	accept bool
	vault  *vault.Vault
	closer func()
	// base is the first Link token call's answer with --link (the first product alone), and
	// calls counts the Plaid calls by endpoint.
	base  error
	calls map[string]int
	// store is where Items are kept, as the keyring check found it.
	store vault.StoreInfo
}

// Run runs every check in order. When ctx ends, the checks still to run are skipped.
func Run(ctx context.Context, d Deps) Report {
	if d.Timeout <= 0 {
		d.Timeout = DefaultTimeout
	}
	r := &run{d: d, closer: func() {}, store: vault.InfoOf(d.Secrets)}
	defer func() { r.closer() }()
	checks := []Check{r.checkKeys()}
	api, accepted := r.checkPlaid(ctx)
	checks = append(checks, api, accepted)
	if d.Link != nil {
		checks = append(checks, r.checkLink(ctx)...)
	} else {
		checks = append(checks, r.checkRedirect(ctx), r.checkKeyring(), r.checkBrowser())
	}

	rep := Report{Environment: string(r.cfg.Env), Demo: r.cfg.Demo, OK: true, Checks: checks, PlaidCalls: r.calls, Store: r.store}
	if rep.Environment == "" {
		rep.Environment = string(config.Sandbox)
	}
	for i := range rep.Checks {
		c := &rep.Checks[i]
		c.ExitCode = ExitCode(c.Name)
		if c.Status == Fail && rep.OK {
			rep.OK, rep.FirstFailed, rep.ExitCode = false, c.Name, c.ExitCode
		}
	}
	return rep
}

// Failed lists the names of the checks that failed, in order.
func (rep Report) Failed() []string {
	var failed []string
	for _, c := range rep.Checks {
		if c.Status == Fail {
			failed = append(failed, c.Name)
		}
	}
	return failed
}

// fail marks c failed with what is wrong and what to do.
func (c *Check) fail(summary, fix string) Check {
	c.Status, c.Summary, c.Fix = Fail, summary, fix
	return *c
}

// set gives c its status and summary.
func (c *Check) set(status, summary string) Check {
	c.Status, c.Summary = status, summary
	return *c
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
