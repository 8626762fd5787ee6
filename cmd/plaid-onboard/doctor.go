package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/doctor"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// `doctor` runs the checks of package doctor and prints their report; the checks, their
// verdicts and their wording are the package's.

// doctorOptions are the flags of `doctor`.
type doctorOptions struct {
	keys    keyFlags
	json    bool
	timeout time.Duration
	link    doctorLinkFlags
}

// doctorLinkFlags are the flags of doctor --link: the Link settings to check.
type doctorLinkFlags struct {
	on                 bool
	redirectURI        string
	androidPackageName string
	products           string
	countryCodes       string
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
	o := &doctorOptions{}
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
  browser        a program to open the Link page with (xdg-open, open, the Windows shell),
                 and on Linux a display for it (DISPLAY or WAYLAND_DISPLAY, or BROWSER)

Checks that cannot run until an earlier one passes are skipped and say so. With --demo the
Plaid checks run against the built-in emulator. Plaid calls are bounded by --timeout.

With --link, doctor checks your app's Link settings against your Plaid Dashboard instead of the
redirect URI, keyring and browser: it creates a Link token the way Link is started, one setting
at a time, so that the setting Plaid refuses is the one just added, and says the exact fix:

  keys-accepted              a Link token with the base settings (the first product alone)
  link-product               each further product added in turn: one the team is not enabled
                             for (INVALID_PRODUCT) names the product and where to request it
  link-redirect-uri          the redirect URI (--redirect-uri, PLAID_REDIRECT_URI): to register
                             under Developers > API > Allowed redirect URIs; in Production an
                             http URI is refused before any call
  link-android-package-name  the package name (--android-package-name,
                             PLAID_ANDROID_PACKAGE_NAME): to register under Developers > API >
                             Allowed Android package names
  link-institutions          the institutions of the countries (--country-codes,
                             PLAID_COUNTRY_CODES) that support every product (--products,
                             PLAID_PRODUCTS): none means Link would offer no bank

It prints how many calls it made to Plaid (one /link/token/create per setting).

Exit status: 0 every check passed; otherwise the first failed check's:
  10 keys, 11 api, 12 keys-accepted, 13 redirect-uri, 14 keyring, 15 browser,
  16 link-product, 17 link-redirect-uri, 18 link-android-package-name, 19 link-institutions;
2 usage, 130 interrupted.`,
		Example: `  plaid-onboard doctor                       # the keys in force, Plaid, the keyring, the browser
  plaid-onboard doctor --env production      # the same for Production
  plaid-onboard doctor --json | jq '.checks[] | select(.status == "fail")'
  plaid-onboard --demo doctor                # against the offline emulator
  plaid-onboard doctor --link --redirect-uri https://app.example.com/oauth
  plaid-onboard doctor --link --android-package-name com.example.app
  plaid-onboard doctor --link --products auth,transactions --country-codes US,CA`,
		Args: maxArgs(0, "no arguments"),
		RunE: a.runE(func(ctx context.Context, _ []string) error {
			if o.timeout <= 0 {
				return usagef("--timeout must be positive (got %s)", o.timeout)
			}
			// A wrong --env is the command line's mistake, as for every command; a wrong
			// PLAID_ENV is the setup's, which the keys check reports.
			if o.keys.env != "" {
				if _, err := config.ParseEnv(o.keys.env); err != nil {
					return usageError{err}
				}
			}
			if !o.link.on {
				for name, v := range map[string]string{"redirect-uri": o.link.redirectURI, "android-package-name": o.link.androidPackageName,
					"products": o.link.products, "country-codes": o.link.countryCodes} {
					if v != "" {
						return usagef("--%s is a Link setting: add --link to check it", name)
					}
				}
			}
			return a.runDoctor(ctx, o)
		}),
	}
	addPlaidFlags(a, cmd, &o.keys)
	addProfileFlag(a, cmd, &o.keys)
	addJSONFlag(cmd, &o.json)
	f := cmd.Flags()
	f.DurationVar(&o.timeout, "timeout", doctor.DefaultTimeout, "give up on Plaid's answers after this long, retries included")
	f.BoolVar(&o.link.on, "link", false, "check the Link settings against the Plaid Dashboard, one Link token per setting")
	f.StringVar(&o.link.redirectURI, "redirect-uri", "", "with --link: your app's OAuth redirect URI (default $PLAID_REDIRECT_URI)")
	f.StringVar(&o.link.androidPackageName, "android-package-name", "", "with --link: your Android app's package name (default $PLAID_ANDROID_PACKAGE_NAME)")
	f.StringVar(&o.link.products, "products", "", "with --link: the products Link starts with, comma-separated, e.g. auth,transactions (default $PLAID_PRODUCTS, else auth)")
	f.StringVar(&o.link.countryCodes, "country-codes", "", "with --link: the countries, comma-separated, e.g. US,CA (default $PLAID_COUNTRY_CODES)")
	return cmd
}

// runDoctor runs every check in order, prints the report and returns doctorFailed when one failed.
func (a *app) runDoctor(ctx context.Context, o *doctorOptions) error {
	p, err := chooseProfile(a.d, o.keys)
	if err != nil {
		return err
	}
	dd := a.doctorDeps(o, p)
	rep := doctor.Run(ctx, dd)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.json {
		if err := printJSON(a.d.Stdout, rep); err != nil {
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

// doctorDeps are what the checks look at: the keys' sources, keyring, HTTP client, Link page and
// browser of every other command.
func (a *app) doctorDeps(o *doctorOptions, p profileChoice) doctor.Deps {
	d := a.d
	dd := doctor.Deps{
		Profile: p.name,
		Sources: func(v *vault.Vault) (config.Sources, error) {
			src, err := sources(d, p, o.keys, linkPageFlags{redirectURI: o.link.redirectURI}, v)
			src.Flags.Products, src.Flags.CountryCodes = o.link.products, o.link.countryCodes
			return src, err
		},
		WorkDir:      d.WorkDir,
		Secrets:      d.Secrets,
		ConfigDir:    d.ConfigDir,
		HTTPClient:   d.HTTPClient,
		OnRetry:      plaidapi.RetryPrinter(d.Stderr),
		Notice:       func(n string) { fmt.Fprintf(d.Stderr, "note: %s\n", n) },
		Timeout:      o.timeout,
		RedirectPort: linkpage.RedirectPort,
		CheckListen: func(uri string) error {
			return linkpage.CheckListen(linkpage.Options{RedirectURI: uri})
		},
		Launcher: func() (string, bool, error) {
			l, err := linkpage.SystemBrowser{Getenv: d.Getenv}.Launcher()
			return l, errors.Is(err, linkpage.ErrRemoteSession), err
		},
		Getenv: d.Getenv,
	}
	if o.link.on {
		name := o.link.androidPackageName
		if name == "" {
			name = strings.TrimSpace(d.Getenv("PLAID_ANDROID_PACKAGE_NAME"))
		}
		dd.Link = &doctor.LinkSettings{AndroidPackageName: name}
	}
	if o.keys.demo {
		dd.Demo = func() (config.Emulator, func()) {
			srv := emulator.NewServer()
			return config.Emulator{URL: srv.URL, LinkScriptURL: srv.LinkScriptURL(),
				ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret}, srv.Close
		}
	}
	return dd
}

// writeDoctorReport prints the report for people: one line per check, what was found under it,
// what to fix under a failure, and a last line a script can grep.
func writeDoctorReport(w io.Writer, rep doctor.Report) {
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
	mark := map[string]string{doctor.OK: "ok  ", doctor.Fail: "FAIL", doctor.Skip: "skip"}
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
	if len(rep.PlaidCalls) > 0 {
		wrapLine(w, "", "", describeCalls(rep.PlaidCalls), cols)
	}
	if rep.OK {
		fmt.Fprintln(w, "Every check passed.")
		return
	}
	failed := rep.Failed()
	fmt.Fprintf(w, "%d %s failed: %s. Exit status %d (%s, the first).\n",
		len(failed), plural(len(failed), "check", "checks"), strings.Join(failed, ", "), rep.ExitCode, rep.FirstFailed)
}

// describeCalls says how many calls doctor --link made to Plaid, by endpoint:
// "Plaid calls: 5 (/link/token/create ×4, /institutions/get ×1)."
func describeCalls(calls map[string]int) string {
	paths := make([]string, 0, len(calls))
	total := 0
	for p, n := range calls {
		paths = append(paths, p)
		total += n
	}
	// /link/token/create first: the calls ran in that order.
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = fmt.Sprintf("%s ×%d", p, calls[p])
	}
	return fmt.Sprintf("Plaid calls: %d (%s).", total, strings.Join(parts, ", "))
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
