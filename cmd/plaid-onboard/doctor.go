package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The doctor's checks, in the order they run. Each has its own exit status, so a script learns
// from the code alone which check failed first; they stay clear of 1 and 2 (the other commands'
// failure and usage codes) and of the shell's 126-127 and 128+N.
const (
	checkKeys         = "keys"
	checkAPI          = "api"
	checkKeysAccepted = "keys-accepted"
	checkRedirectURI  = "redirect-uri"
	checkKeyring      = "keyring"
	checkBrowser      = "browser"
)

var doctorOrder = []struct {
	name string
	code int
}{
	{checkKeys, 10}, {checkAPI, 11}, {checkKeysAccepted, 12}, {checkRedirectURI, 13}, {checkKeyring, 14}, {checkBrowser, 15},
}

// doctorExitCode is the exit status that names a check.
func doctorExitCode(name string) int {
	for _, c := range doctorOrder {
		if c.name == name {
			return c.code
		}
	}
	return exitFailure
}

// Statuses of a check.
const (
	statusOK   = "ok"
	statusFail = "fail"
	statusSkip = "skip" // not applicable here, or not possible until an earlier check passes
)

// defaultDoctorTimeout bounds the Plaid calls of one doctor run, retries included.
const defaultDoctorTimeout = 20 * time.Second

// doctorCheck is one check's outcome, as printed and as --json gives it.
type doctorCheck struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	ExitCode int      `json:"exit_code"`
	Summary  string   `json:"summary"`
	Details  []string `json:"details,omitempty"`
	// Fix says what to do when the check failed.
	Fix string `json:"fix,omitempty"`
	// Error is Plaid's error, with its request_id, when a Plaid call failed.
	Error *plaidflow.Problem `json:"error,omitempty"`
}

// doctorReport is the whole run: the --json document.
type doctorReport struct {
	Environment string        `json:"environment"`
	Demo        bool          `json:"demo"`
	OK          bool          `json:"ok"`
	ExitCode    int           `json:"exit_code"`
	FirstFailed string        `json:"first_failed,omitempty"`
	Checks      []doctorCheck `json:"checks"`
}

// doctorFailed is the error of a doctor run with a failed check: its exit status names the
// first one. The report said everything, so nothing more is printed for it.
type doctorFailed struct {
	check string
	code  int
}

func (e doctorFailed) Error() string {
	return fmt.Sprintf("doctor: the %s check failed (exit status %d)", e.check, e.code)
}

// ExitCode is the status the program exits with (see app.exitCode).
func (e doctorFailed) ExitCode() int { return e.code }

func newDoctorCmd(a *app) *cobra.Command {
	timeout := defaultDoctorTimeout
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the keys, Plaid, the redirect URI, the keyring and the browser, and say what to fix",
		Long: `doctor checks, in this order, everything plaid-onboard needs, and says what to fix for each
check that fails:

  keys           keys found for each environment (sandbox, production), where each came from
                 (flag, environment, .env, keyring), and well-formed (client_id 24 hex, secret 30)
  api            Plaid's API answers (PLAID_API_URL, or Plaid's host for the environment)
  keys-accepted  Plaid accepts the keys: a Link token is created, as the first step of Link
  redirect-uri   PLAID_REDIRECT_URI, when set: well-formed, http only on localhost (and never in
                 Production), its port free when the Link page is to serve it, accepted by Plaid
  keyring        the OS keyring answers and keeps a probe entry (written, read back, deleted),
                 and the Items index is readable
  browser        a program to open the Link page with (xdg-open, open, the Windows shell)

Checks that cannot run until an earlier one passes are skipped and say so. With --demo the
Plaid checks run against the built-in emulator. Plaid calls are bounded by --timeout.

Exit status: 0 every check passed; otherwise the first failed check's:
  10 keys, 11 api, 12 keys-accepted, 13 redirect-uri, 14 keyring, 15 browser;
2 usage, 130 interrupted.`,
		Example: `  plaid-onboard doctor                       # the keys in force, Plaid, the keyring, the browser
  plaid-onboard doctor --env production      # the same for Production
  plaid-onboard doctor --json | jq '.checks[] | select(.status == "fail")'
  plaid-onboard --demo doctor                # against the offline emulator`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(ctx context.Context, _ []string) error {
			if timeout <= 0 {
				return usagef("--timeout must be positive (got %s)", timeout)
			}
			// A wrong --env is the command line's mistake, as for every command; a wrong
			// PLAID_ENV is the setup's, which the keys check reports.
			if a.opts.env != "" {
				if _, err := config.ParseEnv(a.opts.env); err != nil {
					return usageError{err}
				}
			}
			return a.runDoctor(ctx, timeout)
		}),
	}
	cmd.Flags().DurationVar(&timeout, "timeout", defaultDoctorTimeout, "give up on Plaid's answers after this long, retries included")
	return cmd
}

// runDoctor runs every check in order, prints the report and returns doctorFailed when one failed.
func (a *app) runDoctor(ctx context.Context, timeout time.Duration) error {
	dr := &doctorRun{a: a, timeout: timeout}
	rep := dr.run(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if a.opts.jsonOut {
		enc := json.NewEncoder(a.d.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
		a.jsonDone = true
	} else {
		writeDoctorReport(a.d.Stdout, rep)
	}
	if rep.OK {
		return nil
	}
	return doctorFailed{check: rep.FirstFailed, code: rep.ExitCode}
}

// doctorRun is one run's state, shared by the checks that build on each other.
type doctorRun struct {
	a       *app
	timeout time.Duration

	cfg    config.Config
	keysOK bool
	client *plaidapi.Client
	accept bool
	vault  *vault.Vault
	closer func()
}

func (dr *doctorRun) run(ctx context.Context) doctorReport {
	dr.closer = func() {}
	defer func() { dr.closer() }()
	checks := []doctorCheck{dr.checkKeys()}
	api, accepted := dr.checkPlaid(ctx)
	checks = append(checks, api, accepted, dr.checkRedirect(ctx), dr.checkKeyring(), dr.checkBrowser())

	rep := doctorReport{Environment: string(dr.cfg.Env), Demo: dr.cfg.Demo, OK: true, Checks: checks}
	if rep.Environment == "" {
		rep.Environment = string(config.Sandbox)
	}
	for i := range rep.Checks {
		c := &rep.Checks[i]
		c.ExitCode = doctorExitCode(c.Name)
		if c.Status == statusFail && rep.OK {
			rep.OK, rep.FirstFailed, rep.ExitCode = false, c.Name, c.ExitCode
		}
	}
	return rep
}

// checkKeys resolves the keys as every command does (flags > environment > .env > keyring), for
// the environment in force and for the other one, and checks their format.
func (dr *doctorRun) checkKeys() doctorCheck {
	c := doctorCheck{Name: checkKeys}
	d, opts := dr.a.d, &dr.a.opts
	fail := func(summary, fix string) doctorCheck {
		c.Status, c.Summary, c.Fix = statusFail, summary, fix
		return c
	}
	if dir, err := d.ConfigDir(); err == nil {
		dr.vault = vault.NewVault(d.Secrets, dir)
	}
	src, err := sources(d, opts, dr.vault)
	if err != nil {
		return fail(err.Error(), "fix or remove the .env file in "+d.WorkDir)
	}
	cfg, notes, err := config.Resolve(src)
	if err != nil {
		return fail(err.Error(), "set PLAID_ENV (or --env) to sandbox or production")
	}
	if opts.demo {
		srv := emulator.NewServer()
		dr.closer = srv.Close
		cfg = cfg.ForDemo(config.Emulator{URL: srv.URL, LinkScriptURL: srv.LinkScriptURL(),
			ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret})
		dr.cfg, dr.keysOK = cfg, true
		c.Status, c.Summary = statusOK, "demo: the built-in emulator's keys (offline, not Plaid)"
		return c
	}
	dr.cfg = cfg
	c.Details = append(c.Details, notes...)
	inForce := describeKeys(cfg, true)
	c.Details = append(c.Details, inForce.line)
	other := config.Production
	if cfg.Env == config.Production {
		other = config.Sandbox
	}
	var otherKeys keyDescription
	if ocfg, _, err := config.Resolve(src.For(other)); err == nil {
		otherKeys = describeKeys(ocfg, false)
		if ocfg.HasKeys() && ocfg.ClientID == cfg.ClientID && ocfg.Secret == cfg.Secret {
			// PLAID_CLIENT_ID/PLAID_SECRET (flags, .env) name no environment: they serve
			// whichever is chosen, while Plaid gives each environment its own secret.
			otherKeys.line = fmt.Sprintf("%s: the same keys would be used (they are not per environment; Plaid's %s secret differs from the %s one)", other, other.Title(), cfg.Env.Title())
		}
		c.Details = append(c.Details, otherKeys.line)
	}
	// Bad keys for the other environment fail this check, but the Plaid checks, which use the
	// environment in force, can still run.
	dr.keysOK = inForce.problem == ""
	switch {
	case inForce.problem != "":
		return fail(inForce.problem, inForce.fix)
	case otherKeys.problem != "" && otherKeys.found:
		return fail(otherKeys.problem, otherKeys.fix)
	}
	c.Status, c.Summary = statusOK, fmt.Sprintf("%s keys found and well-formed", cfg.Env.Title())
	return c
}

// keyDescription is what the keys check says about one environment's keys.
type keyDescription struct {
	line    string // "sandbox (in force): client_id 5f3a…c9d1 from environment, secret from .env"
	found   bool   // any key was found
	problem string
	fix     string
}

// describeKeys says where an environment's keys came from and whether they can be right. The
// secret is never shown, not even in part; the client_id is not a secret, but its middle is
// left out all the same.
func describeKeys(cfg config.Config, inForce bool) keyDescription {
	env := string(cfg.Env)
	label := env
	if inForce {
		label += fmt.Sprintf(" (in force, %s)", sourceWord(cfg.EnvSource))
	}
	var kd keyDescription
	kd.found = cfg.ClientID != "" || cfg.Secret != ""
	id := "client_id missing"
	if cfg.ClientID != "" {
		id = fmt.Sprintf("client_id %s from %s", abbreviate(cfg.ClientID), sourceWord(cfg.ClientIDSource))
	}
	secret := "secret missing"
	if cfg.Secret != "" {
		secret = fmt.Sprintf("secret (%d characters) from %s", len(cfg.Secret), sourceWord(cfg.SecretSource))
	}
	kd.line = fmt.Sprintf("%s: %s, %s", label, id, secret)
	where := "set PLAID_CLIENT_ID and PLAID_SECRET (or put them in ./.env, or save them from the terminal UI)"
	if !inForce {
		where = fmt.Sprintf("the keys found for %s are the ones %s would use: fix them, or leave them unset until you use %s", env, "--env "+env, env)
	}
	switch {
	case !kd.found && !inForce:
		kd.line = fmt.Sprintf("%s: no keys (needed only with --env %s)", label, env)
	case cfg.ClientID == "" || cfg.Secret == "":
		missing := "no secret"
		switch {
		case cfg.ClientID == "" && cfg.Secret == "":
			missing = "no client_id and no secret"
		case cfg.ClientID == "":
			missing = "no client_id"
		}
		kd.problem = fmt.Sprintf("%s for %s", missing, env)
		kd.fix = where + "; the keys are in the Plaid Dashboard, Developers > Keys (https://dashboard.plaid.com/developers/keys)"
	default:
		if err := config.CheckClientID(cfg.ClientID); err != nil {
			kd.problem = fmt.Sprintf("%s: the %s (from %s)", env, err, sourceWord(cfg.ClientIDSource))
		} else if err := config.CheckSecret(cfg.Secret); err != nil {
			kd.problem = fmt.Sprintf("%s: the %s (from %s)", env, err, sourceWord(cfg.SecretSource))
		}
		if kd.problem != "" {
			kd.fix = "copy the keys again from the Plaid Dashboard, Developers > Keys, without spaces or quotes; " + where
		} else {
			kd.line += ": well-formed"
		}
	}
	return kd
}

// sourceWord names where a value came from, as a user would say it.
func sourceWord(s config.Source) string {
	switch s {
	case config.SourceFlag:
		return "a flag"
	case config.SourceEnviron:
		return "the environment"
	case config.SourceDotEnv:
		return "./.env"
	case config.SourceKeyring:
		return "the keyring"
	case config.SourceDefault:
		return "the default"
	case config.SourceDemo:
		return "the demo"
	}
	return "nowhere"
}

// abbreviate shows the first and last four characters of a long value.
func abbreviate(s string) string {
	if len(s) <= 10 {
		return s
	}
	return s[:4] + "…" + s[len(s)-4:]
}

// checkPlaid creates a Link token through plaid-go, which answers two checks at once: anything
// Plaid-shaped that comes back proves the API reachable, and only a token proves the keys good.
func (dr *doctorRun) checkPlaid(ctx context.Context) (api, accepted doctorCheck) {
	api = doctorCheck{Name: checkAPI}
	accepted = doctorCheck{Name: checkKeysAccepted}
	if !dr.keysOK {
		api.Status, api.Summary = statusSkip, "not checked: fix the keys first"
		accepted.Status, accepted.Summary = statusSkip, "not checked: fix the keys first"
		return api, accepted
	}
	base, err := dr.cfg.BaseURL()
	if err != nil {
		api.Status, api.Summary, api.Fix = statusFail, err.Error(), "set PLAID_API_URL to an https URL (http only on 127.0.0.1 or localhost), or unset it to use Plaid"
		accepted.Status, accepted.Summary = statusSkip, "not checked: Plaid's API is not reachable"
		return api, accepted
	}
	// No redirect URI for this call (CreateLinkToken would send the configured one): a URI the
	// Dashboard does not list must fail the redirect-uri check, not read as bad keys.
	keysOnly := dr.cfg
	keysOnly.RedirectURI = ""
	client, err := plaidapi.NewClient(keysOnly, dr.a.d.HTTPClient)
	if err != nil {
		api.Status, api.Summary, api.Fix = statusFail, err.Error(), "check PLAID_API_URL"
		accepted.Status, accepted.Summary = statusSkip, "not checked: Plaid's API is not reachable"
		return api, accepted
	}
	client.OnRetry = plaidapi.RetryPrinter(dr.a.d.Stderr)
	dr.client = client
	api.Details = []string{"at " + base}

	callCtx, cancel := context.WithTimeout(ctx, dr.timeout)
	defer cancel()
	start := time.Now()
	tok, err := client.CreateLinkToken(callCtx, plaidapi.LinkTokenOptions{})
	took := time.Since(start).Round(time.Millisecond)
	if ctx.Err() != nil {
		api.Status, api.Summary = statusSkip, "interrupted"
		accepted.Status, accepted.Summary = statusSkip, "interrupted"
		return api, accepted
	}
	if err == nil {
		dr.accept = true
		api.Status, api.Summary = statusOK, fmt.Sprintf("%s answered in %s", dr.answerer(), took)
		accepted.Status = statusOK
		accepted.Summary = fmt.Sprintf("a Link token was created (request_id %s)", tok.RequestID)
		return api, accepted
	}
	p := plaidflow.Explain(err)
	pe, plaidAnswered := plaidapi.AsError(err)
	if !plaidAnswered || pe.Type == "API_ERROR" || pe.Type == "RATE_LIMIT_EXCEEDED" || pe.HTTPStatus == 429 || pe.HTTPStatus >= 500 {
		api.Status, api.Error = statusFail, &p
		api.Summary = fmt.Sprintf("no usable answer from %s after %s: %v", dr.answerer(), took, err)
		if plaidAnswered {
			api.Summary = fmt.Sprintf("no usable answer from %s after %s: HTTP %d %s", dr.answerer(), took, pe.HTTPStatus, pe.Code)
		}
		api.Fix = p.Next
		if api.Fix == "" || !plaidAnswered {
			api.Fix = "check the network, any proxy (HTTPS_PROXY) and PLAID_API_URL; https://status.plaid.com says whether Plaid is down"
		}
		accepted.Status, accepted.Summary = statusSkip, "not checked: Plaid's API is not reachable"
		return api, accepted
	}
	api.Status, api.Summary = statusOK, fmt.Sprintf("%s answered in %s", dr.answerer(), took)
	accepted.Status, accepted.Error = statusFail, &p
	accepted.Summary = fmt.Sprintf("Plaid refused to create a Link token: %s", pe.Code)
	accepted.Fix = p.Next
	if accepted.Fix == "" {
		accepted.Fix = "read Plaid's error above; the keys, products (PLAID_PRODUCTS) and countries (PLAID_COUNTRY_CODES) must be enabled for your client in the Dashboard"
	}
	return api, accepted
}

// answerer is who answers the API calls, as the report names it.
func (dr *doctorRun) answerer() string {
	switch {
	case dr.cfg.Demo:
		return "the emulator"
	case dr.cfg.APIURL != "":
		return "the API at PLAID_API_URL"
	}
	return "Plaid"
}

// checkRedirect checks PLAID_REDIRECT_URI the way Plaid and the Link page will use it.
func (dr *doctorRun) checkRedirect(ctx context.Context) doctorCheck {
	c := doctorCheck{Name: checkRedirectURI}
	uri := dr.cfg.RedirectURI
	if uri == "" {
		c.Status, c.Summary = statusSkip, "PLAID_REDIRECT_URI is not set: Link opens OAuth banks in a pop-up, which needs none"
		return c
	}
	fail := func(summary, fix string) doctorCheck {
		c.Status, c.Summary, c.Fix = statusFail, summary, fix
		return c
	}
	// The same rules link and the terminal UI apply before they serve the page.
	if err := config.CheckRedirectURI(dr.cfg.Env, uri); err != nil {
		return fail("PLAID_REDIRECT_URI: "+err.Error(), "set PLAID_REDIRECT_URI to the exact URI registered in the Plaid Dashboard (Developers > API > Allowed redirect URIs), e.g. http://localhost:8765/oauth-return, or unset it")
	}
	port, ok := linkpage.RedirectPort(uri)
	if err := linkpage.CheckListen(linkpage.Options{RedirectURI: uri}); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("the Link page cannot serve %s", uri)
		}
		return fail(err.Error(), fmt.Sprintf("stop what listens on port %d (`ss -ltnp 'sport = :%d'` names it), or register and use another port", port, port))
	}
	c.Details = append(c.Details, fmt.Sprintf("port %d is free on 127.0.0.1 and ::1: the Link page will serve the OAuth return there", port))
	if !dr.accept {
		c.Status, c.Summary = statusSkip, "well-formed; whether Plaid accepts it is not checked until the keys are accepted"
		return c
	}
	callCtx, cancel := context.WithTimeout(ctx, dr.timeout)
	defer cancel()
	if _, err := dr.client.CreateLinkToken(callCtx, plaidapi.LinkTokenOptions{RedirectURI: uri}); err != nil {
		if ctx.Err() != nil {
			c.Status, c.Summary = statusSkip, "interrupted"
			return c
		}
		p := plaidflow.Explain(err)
		c.Error = &p
		return fail("Plaid refused the redirect URI: "+err.Error(),
			"register "+uri+" exactly (scheme, host, port, path, trailing slash) in the Plaid Dashboard under Developers > API > Allowed redirect URIs, or unset PLAID_REDIRECT_URI")
	}
	c.Status, c.Summary = statusOK, uri+" is well-formed and Plaid accepts it"
	return c
}

// checkKeyring writes, reads back and deletes a probe entry in the keyring Items are saved in,
// and reads the Items index.
func (dr *doctorRun) checkKeyring() doctorCheck {
	c := doctorCheck{Name: checkKeyring}
	store := dr.a.d.Secrets
	fail := func(summary, fix string) doctorCheck {
		c.Status, c.Summary, c.Fix = statusFail, summary, fix
		return c
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	key := "doctor-probe/" + hex.EncodeToString(b[:])
	value := "probe-" + hex.EncodeToString(b[:])
	keyringFix := func(err error) string {
		if errors.Is(err, vault.ErrNoSessionBus) {
			return "no D-Bus session bus, so no Secret Service: log in to a desktop session, or run inside `dbus-run-session` with gnome-keyring unlocked (`echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets`); or pass --no-save (Items are then not kept)"
		}
		return "unlock the OS keyring (the login keyring, Keychain, Credential Manager) and run doctor again; or pass --no-save (Items are then not kept)"
	}
	if err := store.Set(key, value); err != nil {
		return fail("cannot write to "+store.Describe()+": "+err.Error(), keyringFix(err))
	}
	got, err := store.Get(key)
	derr := store.Delete(key)
	switch {
	case err != nil:
		return fail("wrote a probe entry but cannot read it back: "+err.Error(), keyringFix(err))
	case got != value:
		return fail("the keyring gave back something else than was written", "the keyring is broken or shared with another program under service "+vault.KeyringService+": check it with `secret-tool search --all service plaid-onboard`")
	case derr != nil:
		return fail("cannot delete the probe entry "+key+": "+derr.Error(), "remove it by hand (service "+vault.KeyringService+", key "+key+") and check the keyring's permissions")
	}
	c.Details = append(c.Details, "a probe entry was written, read back and deleted")
	if dr.vault != nil {
		if err := dr.vault.Check(); err != nil {
			p := plaidflow.Explain(err)
			return fail(err.Error(), p.Next)
		}
		items, _ := dr.vault.Items(dr.cfg.Namespace())
		c.Details = append(c.Details, fmt.Sprintf("the Items index is readable: %d %s saved in %s", len(items), plural(len(items), "Item", "Items"), dr.cfg.Namespace()))
	}
	c.Status, c.Summary = statusOK, store.Describe()+" is reachable and writable"
	return c
}

// checkBrowser finds the program `link` would open the Link page with.
func (dr *doctorRun) checkBrowser() doctorCheck {
	c := doctorCheck{Name: checkBrowser}
	launcher, err := linkpage.SystemBrowser{Getenv: dr.a.d.Getenv}.Launcher()
	switch {
	case errors.Is(err, linkpage.ErrRemoteSession):
		c.Status, c.Summary = statusFail, "running over SSH: a browser would open on this machine, not yours"
		c.Fix = "open the Link URL that link prints on your own machine (pass --no-browser), or set BROWSER to a command that opens it here"
	case err != nil:
		c.Status, c.Summary = statusFail, err.Error()
		c.Fix = "install xdg-utils (e.g. apt-get install xdg-utils) for xdg-open, or pass --no-browser and open the Link URL yourself"
	default:
		c.Status, c.Summary = statusOK, "the Link page opens with "+launcher
		if b := dr.a.d.Getenv("BROWSER"); b != "" {
			c.Details = append(c.Details, "BROWSER="+b+" (xdg-open uses it)")
		}
	}
	return c
}

// writeDoctorReport prints the report for people: one line per check, what was found under it,
// what to fix under a failure, and a last line a script can grep.
func writeDoctorReport(w io.Writer, rep doctorReport) {
	title := config.Env(rep.Environment).Title()
	if rep.Demo {
		title = "offline demo (the built-in emulator, not Plaid)"
	}
	fmt.Fprintf(w, "plaid-onboard doctor: %s\n\n", title)
	cols := terminalWidth(w)
	width := 0
	for _, c := range rep.Checks {
		width = max(width, len(c.Name))
	}
	mark := map[string]string{statusOK: "ok  ", statusFail: "FAIL", statusSkip: "skip"}
	indent := strings.Repeat(" ", 4+2+width+2)
	for _, c := range rep.Checks {
		wrapLine(w, fmt.Sprintf("%s  %-*s  ", mark[c.Status], width, c.Name), indent, c.Summary, cols)
		for _, d := range c.Details {
			wrapLine(w, indent, indent+"  ", d, cols)
		}
		if c.Error != nil {
			for _, f := range c.Error.Fields() {
				if f[0] == "next" {
					continue // said as the fix
				}
				wrapLine(w, indent, indent+"  ", f[0]+": "+f[1], cols)
			}
		}
		if c.Fix != "" {
			wrapLine(w, indent, indent+"     ", "fix: "+c.Fix, cols)
		}
	}
	fmt.Fprintln(w)
	if rep.OK {
		fmt.Fprintln(w, "Every check passed.")
		return
	}
	var failed []string
	for _, c := range rep.Checks {
		if c.Status == statusFail {
			failed = append(failed, c.Name)
		}
	}
	fmt.Fprintf(w, "%d %s failed: %s. Exit status %d (%s, the first).\n",
		len(failed), plural(len(failed), "check", "checks"), strings.Join(failed, ", "), rep.ExitCode, rep.FirstFailed)
}

// terminalWidth is the width of the terminal w writes to, or 0 when it is not one: people get
// lines wrapped under their column, while a pipe or a file gets each fact on one line to grep.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// wrapLine writes first and then text, broken at spaces so that no line is wider than cols;
// the lines after the first start with indent. cols 0 writes one line.
func wrapLine(w io.Writer, first, indent, text string, cols int) {
	line, lineLen := first, utf8.RuneCountInString(first)
	empty := true // nothing of text on this line yet
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if cols > 0 && !empty && lineLen+1+n > cols {
			fmt.Fprintln(w, line)
			line, lineLen, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line, lineLen = line+" ", lineLen+1
		}
		line, lineLen, empty = line+word, lineLen+n, false
	}
	fmt.Fprintln(w, line)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
