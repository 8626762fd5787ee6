// Package plaidflow is the Plaid side of plaid-onboard: configuration and keys, the plaid-go
// client, each step of the Auth flow in the order Plaid requires, decoded Plaid errors, and the
// vault that keeps keys and Items in the OS keyring. The TUI and the scripted commands both call
// these functions; nothing about Plaid is decided anywhere else.
package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Env is a Plaid environment. Plaid retired Development, so only two remain.
type Env string

const (
	Sandbox    Env = "sandbox"
	Production Env = "production"
)

// ParseEnv accepts the names users type ("sandbox", "Production", " prod ").
func ParseEnv(s string) (Env, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "sandbox":
		return Sandbox, nil
	case "production", "prod":
		return Production, nil
	case "development", "dev":
		return "", fmt.Errorf("plaid environment %q was retired by Plaid: use sandbox or production", s)
	}
	return "", fmt.Errorf("unknown plaid environment %q: use sandbox or production", s)
}

// Title is the environment's name as shown to people.
func (e Env) Title() string {
	if e == Production {
		return "Production"
	}
	return "Sandbox"
}

// Source says where a configuration value came from, so the UI can tell the user.
type Source string

const (
	SourceNone    Source = ""
	SourceFlag    Source = "flag"
	SourceEnviron Source = "environment"
	SourceDotEnv  Source = ".env"
	SourceKeyring Source = "keyring"
	SourceDemo    Source = "demo"
	SourceDefault Source = "default"
	// SourceRemembered is the profile `profiles use` chose for later runs.
	SourceRemembered Source = "profiles use"
	// SourceProfile is the profile's settings file (ProfileSettings).
	SourceProfile Source = "profile settings"
)

// Defaults for the values users rarely change.
const (
	defaultProducts    = "auth"
	defaultCountries   = "US"
	defaultClientName  = "plaid-onboard"
	DefaultLinkScript  = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"
	maxClientNameRunes = 30 // Plaid rejects longer client_name values.
)

// Config is everything the flow needs to talk to Plaid. The secret is kept here in memory only.
type Config struct {
	ClientID string
	Secret   string
	Env      Env

	ClientIDSource  Source
	SecretSource    Source
	EnvSource       Source
	CountriesSource Source

	// APIURL overrides Plaid's base URL (PLAID_API_URL): a fake, a proxy or a recorder.
	// APIURLSource says where it was set: a flag or the process environment, never .env.
	APIURL       string
	APIURLSource Source
	// LinkScriptURL is where the Link page loads the Link SDK from (PLAID_LINK_SCRIPT_URL).
	LinkScriptURL string

	Products     []string
	CountryCodes []string
	ClientName   string
	// RedirectURI is sent to /link/token/create when set; it must be registered in the Dashboard.
	// The Link page listens on its port (127.0.0.1 and ::1) and serves the OAuth return at its
	// path (CheckRedirectURI says which URIs can work).
	RedirectURI string
	// LinkPort is the Link page's port (--port); 0 picks a free one. With RedirectURI it is
	// the URI's port or 0.
	LinkPort int

	// Demo means every call goes to the built-in emulator; its Items live apart from real ones.
	Demo bool

	// Profile is the profile whose keys, Items and settings are in force ("default" when none
	// was chosen), ProfileSource where it was chosen.
	Profile       string
	ProfileSource Source
	// ProfilesInUse is true when other profiles than this one exist: only then is the profile
	// named on screen and on stderr (ProfileLabel), so one who never made a profile sees
	// nothing new, and one who has several never wonders which one acted.
	ProfilesInUse bool
	// Store is the --store this run was given, when it differs from what $PLAID_ONBOARD_STORE
	// alone would choose ("" otherwise): a command suggested to the run repeats it, since a
	// pasted command inherits the environment but not the flags.
	Store string
}

// ProfileLabel names the profile for a header or a first line ("profile acme"), or "" when no
// profile was ever made and the default one is the only one.
func (c Config) ProfileLabel() string {
	if c.Profile == "" || (!c.ProfilesInUse && c.Profile == "default") {
		return ""
	}
	return "profile " + c.Profile
}

// Overrides are the values given on the command line; empty means "not given".
type Overrides struct {
	ClientID, Secret, Env, APIURL, LinkScriptURL, Products, CountryCodes, ClientName, RedirectURI string
	// LinkPort is --port: the Link page's port (0: not given).
	LinkPort int
}

// LoadConfig resolves the configuration from, in order of precedence, flags, the process
// environment and a .env file (the quickstart's convention). Keys found nowhere stay empty; the
// caller may then look in the keyring with Vault.LoadKeys. The settings named in
// EnvironmentOnly are never taken from .env.
func LoadConfig(flags Overrides, getenv func(string) string, dotenv map[string]string) (Config, error) {
	return loadConfig(flags, getenv, dotenv, nil)
}

// loadConfig is LoadConfig with the profile's settings (ProfileSettings) under the .env.
func loadConfig(flags Overrides, getenv func(string) string, dotenv, settings map[string]string) (Config, error) {
	trusted := func(flag, name string) (string, Source) {
		if v := strings.TrimSpace(flag); v != "" {
			return v, SourceFlag
		}
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v, SourceEnviron
		}
		return "", SourceNone
	}
	pick := func(flag, name string) (string, Source) {
		if v, src := trusted(flag, name); src != SourceNone {
			return v, src
		}
		if v := strings.TrimSpace(dotenv[name]); v != "" {
			return v, SourceDotEnv
		}
		if v := strings.TrimSpace(settings[name]); v != "" && slices.Contains(profileSettings, name) {
			return v, SourceProfile
		}
		return "", SourceNone
	}

	var cfg Config
	cfg.ClientID, cfg.ClientIDSource = pick(flags.ClientID, "PLAID_CLIENT_ID")
	cfg.Secret, cfg.SecretSource = pick(flags.Secret, "PLAID_SECRET")

	envName, envSource := pick(flags.Env, "PLAID_ENV")
	env, err := ParseEnv(envName)
	if err != nil {
		return Config{}, err
	}
	if envSource == SourceNone {
		envSource = SourceDefault
	}
	cfg.Env, cfg.EnvSource = env, envSource

	cfg.APIURL, cfg.APIURLSource = trusted(flags.APIURL, envAPIURL)
	cfg.LinkScriptURL, _ = trusted(flags.LinkScriptURL, envLinkScriptURL)
	if cfg.LinkScriptURL == "" {
		cfg.LinkScriptURL = DefaultLinkScript
	}
	// A .env may set the redirect URI: CheckLinkPage accepts only plain http on a loopback
	// name, which the Link page itself then listens on (on 127.0.0.1 and ::1, refusing a port
	// another program holds), and Plaid accepts only a URI registered in the user's own
	// Dashboard. What returns there, an oauth_state_id, resumes only the Link session this
	// program opened. A hostile .env can choose the port or make Link fail, nothing more.
	cfg.RedirectURI, _ = pick(flags.RedirectURI, "PLAID_REDIRECT_URI")
	cfg.LinkPort = flags.LinkPort

	products, _ := pick(flags.Products, "PLAID_PRODUCTS")
	cfg.Products = splitList(products, defaultProducts, strings.ToLower)
	countries, countriesSource := pick(flags.CountryCodes, "PLAID_COUNTRY_CODES")
	cfg.CountriesSource = countriesSource
	cfg.CountryCodes = splitList(countries, defaultCountries, strings.ToUpper)

	cfg.ClientName, _ = pick(flags.ClientName, "PLAID_CLIENT_NAME")
	if cfg.ClientName == "" {
		cfg.ClientName = defaultClientName
	}
	if n := len([]rune(cfg.ClientName)); n > maxClientNameRunes {
		return Config{}, fmt.Errorf("client name %q is %d characters; Plaid allows at most %d", cfg.ClientName, n, maxClientNameRunes)
	}
	return cfg, nil
}

func splitList(s, def string, norm func(string) string) []string {
	if s == "" {
		s = def
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, norm(p))
		}
	}
	return out
}

// Namespace separates what the vault keeps: demo Items never mix with real Sandbox ones.
func (c Config) Namespace() string {
	if c.Demo {
		return "demo"
	}
	return string(c.Env)
}

// SandboxOnly is the one rule for the Sandbox shortcuts (/sandbox/... endpoints): nil in
// Sandbox and the demo, ErrSandboxOnly elsewhere.
func (c Config) SandboxOnly() error {
	if c.Env == Sandbox {
		return nil
	}
	return fmt.Errorf("the environment is %s: %w", c.Env.Title(), ErrSandboxOnly)
}

// HasKeys reports whether both keys are known.
func (c Config) HasKeys() bool { return c.ClientID != "" && c.Secret != "" }

// ErrSandboxOnly is returned by the Sandbox shortcuts outside Sandbox.
var ErrSandboxOnly = errors.New("this works only in the Plaid Sandbox (PLAID_ENV=sandbox)")

// ErrNoKeys means no client_id or secret was found anywhere.
var ErrNoKeys = errors.New("no plaid keys: set PLAID_CLIENT_ID and PLAID_SECRET (or a .env file), pass --client-id/--secret, or try --demo")

// CheckClientID reports a client_id that cannot be right, before Plaid is asked. Plaid's
// client_ids are 24 hexadecimal characters.
func CheckClientID(s string) error { return checkHexKey("client_id", s, 24) }

// CheckSecret reports a secret that cannot be right. Plaid's secrets are 30 hex characters.
func CheckSecret(s string) error { return checkHexKey("secret", s, 30) }

// checkHexKey reports a key, called name, that is not length lower-case hex characters.
func checkHexKey(name, s string, length int) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", name)
	case len(s) != length:
		return fmt.Errorf("%s should be %d hex characters (has %d)", name, length, len(s))
	case strings.Trim(s, "0123456789abcdef") != "":
		return fmt.Errorf("%s should be hex digits 0-9 and a-f only", name)
	}
	return nil
}

// CommandLine is the plaid-onboard command line that runs args in a profile ("" when profiles
// are not in use), store (Config.Store), mode and environment, so that a suggested command
// works when pasted. It is here, below both, so that present.Command and the API client's hints
// (which present imports) build suggestions the one way.
func CommandLine(profile, store string, demo bool, env Env, args string) string {
	cmd := "plaid-onboard "
	if profile != "" {
		cmd += "--profile " + profile + " "
	}
	if store != "" {
		cmd += "--store " + store + " "
	}
	switch {
	case demo:
		cmd += "--demo "
	case env == Production:
		cmd += "--env production "
	}
	return cmd + args
}
