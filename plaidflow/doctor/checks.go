package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// checkKeys resolves the keys as every command does (flags > environment > .env > keyring), for
// the environment in force and for the other one, and checks their format.
func (r *run) checkKeys() Check {
	c := Check{Name: Keys}
	if dir, err := r.d.ConfigDir(); err == nil {
		r.vault = vault.OpenProfile(r.d.Secrets, dir, r.d.Profile)
	}
	src, err := r.d.Sources(r.vault)
	if err != nil {
		return c.fail(err.Error(), "fix or remove the .env file in "+r.d.WorkDir)
	}
	cfg, notes, err := config.Resolve(src)
	if err != nil {
		return c.fail(err.Error(), "set PLAID_ENV (or --env) to sandbox or production")
	}
	if r.d.Demo != nil {
		emu, stop := r.d.Demo()
		r.closer = stop
		r.cfg, r.keysOK = cfg.ForDemo(emu), true
		return c.set(OK, "demo: the built-in emulator's keys (offline, not Plaid)")
	}
	r.cfg = cfg
	if l := cfg.ProfileLabel(); l != "" {
		c.Details = append(c.Details, fmt.Sprintf("%s (from %s)", l, cfg.ProfileFrom()))
	}
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
	r.keysOK = inForce.problem == ""
	switch {
	case inForce.problem != "":
		return c.fail(inForce.problem, inForce.fix)
	case otherKeys.problem != "" && otherKeys.found:
		return c.fail(otherKeys.problem, otherKeys.fix)
	}
	return c.set(OK, fmt.Sprintf("%s keys found and well-formed", cfg.Env.Title()))
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
		if inForce && !kd.found {
			// A newcomer with no keys yet can still see the whole program, offline.
			demo := present.VoiceOf(cfg)
			demo.Demo = true
			kd.fix += ". No keys yet? The offline demo needs none: " + demo.Command("") + "(the terminal UI) or " + demo.Command("doctor")
		}
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

// Summaries of a Plaid check that could not run.
const (
	notCheckedKeys = "not checked: fix the keys first"
	notCheckedAPI  = "not checked: Plaid's API is not reachable"
	interrupted    = "interrupted"
)

// checkPlaid creates a Link token, which answers two checks at once: anything Plaid-shaped that
// comes back proves the API reachable, and only a token proves the keys good.
func (r *run) checkPlaid(ctx context.Context) (api, accepted Check) {
	api = Check{Name: API}
	accepted = Check{Name: KeysAccepted}
	if !r.keysOK {
		return api.set(Skip, notCheckedKeys), accepted.set(Skip, notCheckedKeys)
	}
	base, err := r.cfg.BaseURL()
	if err != nil {
		return api.fail(err.Error(), "set PLAID_API_URL to an https URL (http only on 127.0.0.1 or localhost), or unset it to use Plaid"),
			accepted.set(Skip, notCheckedAPI)
	}
	// No redirect URI for this call (CreateLinkToken would send the configured one): a URI the
	// Dashboard does not list must fail the redirect-uri check, not read as bad keys.
	keysOnly := r.cfg
	keysOnly.RedirectURI = ""
	client, err := plaidapi.NewClient(keysOnly, r.d.HTTPClient)
	if err != nil {
		return api.fail(err.Error(), "check PLAID_API_URL"), accepted.set(Skip, notCheckedAPI)
	}
	client.OnRetry = r.d.OnRetry
	r.client = client
	api.Details = []string{"at " + base}
	if where := r.cfg.Destination(); where != "" && r.d.Notice != nil {
		r.d.Notice(where)
	}

	callCtx, cancel := context.WithTimeout(ctx, r.d.Timeout)
	defer cancel()
	start := time.Now()
	tok, err := r.createLinkToken(callCtx, r.baseOptions())
	took := time.Since(start).Round(time.Millisecond)
	r.base = err
	switch {
	case ctx.Err() != nil:
		return api.set(Skip, interrupted), accepted.set(Skip, interrupted)
	case err == nil:
		r.accept = true
		return api.set(OK, fmt.Sprintf("%s answered in %s", r.answerer(), took)),
			accepted.set(OK, fmt.Sprintf("a Link token was created%s (request_id %s)", r.baseSaid(), tok.RequestID))
	}
	p := plaidflow.Explain(err)
	if unavailable(p) {
		api.Error = &p
		summary := fmt.Sprintf("no usable answer from %s after %s: %v", r.answerer(), took, err)
		fix := p.Next
		if answered(p) {
			summary = fmt.Sprintf("no usable answer from %s after %s: HTTP %d %s", r.answerer(), took, p.HTTPStatus, p.ErrorCode)
		}
		if fix == "" || !answered(p) {
			fix = "check the network, any proxy (HTTPS_PROXY) and PLAID_API_URL; https://status.plaid.com says whether Plaid is down"
		}
		return api.fail(summary, fix), accepted.set(Skip, notCheckedAPI)
	}
	if r.d.Link != nil && refusedProduct(p) {
		// Plaid checks the keys first: a refused product is the link-product check's.
		r.accept = true
		return api.set(OK, fmt.Sprintf("%s answered in %s", r.answerer(), took)),
			accepted.set(OK, fmt.Sprintf("Plaid accepted the keys and refused the product %s (see %s)", r.cfg.Products[0], LinkProduct))
	}
	accepted.Error = &p
	fix := p.Next
	if fix == "" {
		fix = "read Plaid's error above; the keys, products (PLAID_PRODUCTS) and countries (PLAID_COUNTRY_CODES) must be enabled for your client in the Dashboard"
	}
	return api.set(OK, fmt.Sprintf("%s answered in %s", r.answerer(), took)),
		accepted.fail(fmt.Sprintf("Plaid refused to create a Link token: %s", p.ErrorCode), fix)
}

// answered reports whether an HTTP answer came back, Plaid's or not: a call that reached nobody
// has no status.
func answered(p plaidflow.Problem) bool {
	return p.HTTPStatus != 0 && p.ErrorType != plaidflow.ErrorTypeNetwork
}

// unavailable reports whether a failed call says nothing of the keys: nothing answered, or
// Plaid (or what stands in the way) could not serve the request now.
func unavailable(p plaidflow.Problem) bool {
	return !answered(p) || p.ErrorType == "API_ERROR" || p.ErrorType == "RATE_LIMIT_EXCEEDED" ||
		p.HTTPStatus == 429 || p.HTTPStatus >= 500
}

// answerer is who answers the API calls, as the report names it.
func (r *run) answerer() string {
	switch {
	case r.cfg.Demo:
		return "the emulator"
	case r.cfg.APIURL != "":
		return "the API at PLAID_API_URL"
	}
	return "Plaid"
}

// checkRedirect checks PLAID_REDIRECT_URI the way Plaid and the Link page will use it.
func (r *run) checkRedirect(ctx context.Context) Check {
	c := Check{Name: RedirectURI}
	uri := r.cfg.RedirectURI
	if uri == "" {
		return c.set(Skip, "PLAID_REDIRECT_URI is not set: Link opens OAuth banks in a pop-up, which needs none")
	}
	// The same rules link and the terminal UI apply before they serve the page.
	if err := config.CheckRedirectURI(r.cfg.Env, uri); err != nil {
		return c.fail("PLAID_REDIRECT_URI: "+err.Error(), "set PLAID_REDIRECT_URI to the exact URI registered in the Plaid Dashboard (Developers > API > Allowed redirect URIs), e.g. http://localhost:8765/oauth-return, or unset it")
	}
	port, ok := r.d.RedirectPort(uri)
	if err := r.d.CheckListen(uri); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("the Link page cannot serve %s", uri)
		}
		return c.fail(err.Error(), fmt.Sprintf("stop what listens on port %d (`ss -ltnp 'sport = :%d'` names it), or register and use another port", port, port))
	}
	c.Details = append(c.Details, fmt.Sprintf("port %d is free on 127.0.0.1 and ::1: the Link page will serve the OAuth return there", port))
	if !r.accept {
		return c.set(Skip, "well-formed; whether Plaid accepts it is not checked until the keys are accepted")
	}
	callCtx, cancel := context.WithTimeout(ctx, r.d.Timeout)
	defer cancel()
	if _, err := r.client.CreateLinkToken(callCtx, plaidapi.LinkTokenOptions{RedirectURI: uri}); err != nil {
		if ctx.Err() != nil {
			return c.set(Skip, interrupted)
		}
		p := plaidflow.Explain(err)
		c.Error = &p
		return c.fail("Plaid refused the redirect URI: "+err.Error(),
			"register "+uri+" exactly (scheme, host, port, path, trailing slash) in the Plaid Dashboard under Developers > API > Allowed redirect URIs, or unset PLAID_REDIRECT_URI")
	}
	return c.set(OK, uri+" is well-formed and Plaid accepts it")
}

// checkKeyring writes, reads back and deletes a probe entry in the keyring Items are saved in,
// and reads the Items index.
func (r *run) checkKeyring() Check {
	c := Check{Name: Keyring}
	store := r.d.Secrets
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
		return c.fail("cannot write to "+store.Describe()+": "+err.Error(), keyringFix(err))
	}
	got, err := store.Get(key)
	derr := store.Delete(key)
	switch {
	case err != nil:
		return c.fail("wrote a probe entry but cannot read it back: "+err.Error(), keyringFix(err))
	case got != value:
		return c.fail("the keyring gave back something else than was written", "the keyring is broken or shared with another program under service "+vault.KeyringService+": check it with `secret-tool search --all service plaid-onboard`")
	case derr != nil:
		return c.fail("cannot delete the probe entry "+key+": "+derr.Error(), "remove it by hand (service "+vault.KeyringService+", key "+key+") and check the keyring's permissions")
	}
	c.Details = append(c.Details, "a probe entry was written, read back and deleted")
	if r.vault != nil {
		if err := r.vault.Check(); err != nil {
			return c.fail(err.Error(), plaidflow.Explain(err).Next)
		}
		items, _ := r.vault.Items(r.cfg.Namespace())
		c.Details = append(c.Details, fmt.Sprintf("the Items index is readable: %d %s saved in %s", len(items), plural(len(items), "Item", "Items"), r.cfg.Namespace()))
	}
	return c.set(OK, store.Describe()+" is reachable and writable")
}

// checkBrowser finds the program `link` would open the Link page with.
func (r *run) checkBrowser() Check {
	c := Check{Name: Browser}
	launcher, remote, err := r.d.Launcher()
	switch {
	case remote:
		return c.fail("running over SSH: a browser would open on this machine, not yours",
			"open the Link URL that link prints on your own machine (pass --no-browser), or set BROWSER to a command that opens it here")
	case err != nil:
		return c.fail(err.Error(), "install xdg-utils (e.g. apt-get install xdg-utils) for xdg-open, or pass --no-browser and open the Link URL yourself")
	}
	if b := r.d.Getenv("BROWSER"); b != "" {
		c.Details = append(c.Details, "BROWSER="+b+" (xdg-open uses it)")
	}
	if noDisplay(r.d.Getenv) {
		return c.fail("no graphical display here (DISPLAY and WAYLAND_DISPLAY are not set): "+launcher+" has no browser to open the Link page in",
			"pass --no-browser and open the Link URL that link prints in a browser, or set BROWSER to a command that opens URLs here")
	}
	return c.set(OK, "the Link page opens with "+launcher)
}

// noDisplay reports a Linux or BSD session with no display to open a browser on (a server, a
// container): xdg-open is there, but the link page could not be opened with it. WSL opens the
// Windows browser (wslview) without one, and BROWSER says the user chose the program.
func noDisplay(getenv func(string) string) bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return false
	}
	for _, v := range []string{"DISPLAY", "WAYLAND_DISPLAY", "WSL_DISTRO_NAME", "BROWSER"} {
		if getenv(v) != "" {
			return false
		}
	}
	return true
}
