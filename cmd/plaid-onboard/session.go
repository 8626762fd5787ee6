package main

import (
	"fmt"
	"path/filepath"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// session is one run's resolved configuration and the things built from it.
type session struct {
	cfg   config.Config
	vault *vault.Vault    // nil with --no-save
	flow  *plaidflow.Flow // nil when no keys were found (the TUI asks for them)
	// sources are where the keys were looked up; the terminal UI looks again when the user
	// switches environments.
	sources config.Sources
	// notes are things the user should know about how the session was set up (printed to stderr).
	notes []string
	// timeline records the session for its transcript; close writes it.
	timeline *transcript.Timeline
	close    func()

	// emu is the demo's emulator, nil outside the demo.
	emu *emulator.Server
}

// sources are the places keys are looked up for this run (config.Resolve's order), with the
// profile p they belong to (chooseProfile, found once per run). The keyring is left out with
// --no-save and in the demo, which brings its own keys.
func sources(d deps, p profileChoice, k keyFlags, page linkPageFlags, vlt *vault.Vault) (config.Sources, error) {
	dotenv, err := config.ReadDotEnv(filepath.Join(d.WorkDir, ".env"))
	if err != nil {
		return config.Sources{}, err
	}
	src := config.Sources{
		Flags: config.Overrides{ClientID: k.clientID, Secret: k.secret, Env: k.env,
			RedirectURI: page.redirectURI, LinkPort: page.port},
		Getenv: d.Getenv,
		DotEnv: dotenv,
		Vault:  vlt,
	}
	p.into(&src)
	if src.Store, err = storeToRepeat(k.store, d.Getenv); err != nil {
		return config.Sources{}, err
	}
	if src.Settings, err = config.ReadProfileSettings(vault.ProfileDir(p.base, p.name)); err != nil {
		return config.Sources{}, err
	}
	if k.demo {
		src.Vault = nil
	}
	return src, nil
}

// newSession resolves keys, starts the offline emulator for --demo, and builds the Plaid client
// and flow. requireKeys is false only for the TUI, which asks for missing keys on its first
// screen. command names the session in its transcript.
func newSession(d deps, opts sessionFlags, command string, requireKeys bool) (*session, error) {
	s := &session{close: func() {}}
	p, err := chooseProfile(d, opts.keys)
	if err != nil {
		return nil, err
	}
	if !opts.noSave {
		if s.vault, err = p.open(d, opts.keys); err != nil {
			return nil, err
		}
		if requireKeys {
			// A command says why it waits for another run; the terminal UI shows its spinner.
			s.vault.OnLockWait = func(holder string) { fmt.Fprintln(d.Stderr, vault.Waiting(holder)) }
		}
		// A corrupt index found after the exchange would leave an Item at Plaid and a token in
		// the keyring that nothing names: stop before any call.
		if err := s.vault.Check(); err != nil {
			return nil, err
		}
	}
	src, err := sources(d, p, opts.keys, opts.page, s.vault)
	if err != nil {
		return nil, err
	}
	resolveFrom := src
	if !requireKeys {
		// The terminal UI looks in the keyring itself, after its first frame: a keyring that
		// does not answer must not keep the screen blank for its whole timeout.
		resolveFrom.Vault = nil
	}
	cfg, notes, err := config.Resolve(resolveFrom)
	if err != nil {
		return nil, usageError{err}
	}
	s.sources, s.notes = src, notes
	if n := p.newNote(); n != "" {
		s.notes = append(s.notes, n)
	}
	if n := othersKeysNote(cfg, s.vault); n != "" {
		s.notes = append(s.notes, n)
	}
	if n := otherStoreNote(d, p, opts.keys); n != "" && s.vault != nil {
		s.notes = append(s.notes, n)
	}
	if opts.keys.demo {
		var emuOpts []emulator.Option
		if s.vault != nil {
			emuOpts = append(emuOpts, demoEmulatorOptions(s.vault, func(msg string) { fmt.Fprintln(d.Stderr, msg) })...) // demo_state.go
		}
		emuOpts = append(emuOpts, emulator.WithDemoWebhookKey())
		srv := emulator.NewServer(emuOpts...)
		s.close, s.emu = srv.Close, srv
		cfg = cfg.ForDemo(config.Emulator{
			URL:           srv.URL,
			LinkScriptURL: srv.LinkScriptURL(),
			ClientID:      emulator.DemoClientID,
			Secret:        emulator.DemoSecret,
		})
	}
	s.cfg = cfg
	// Said before any call, once per run: the secret and tokens go somewhere not Plaid's.
	if where := cfg.Destination(); where != "" {
		s.notes = append(s.notes, where)
	}
	s.timeline = newTimeline(d, command, cfg)
	closeEmu := s.close
	s.close = func() {
		if !opts.dryRun { // a dry run is no session: the last one's transcript stays
			writeTranscripts(d, opts.transcript, s.timeline)
		}
		closeEmu()
	}

	if !cfg.HasKeys() {
		if requireKeys {
			s.close()
			return nil, config.ErrNoKeys
		}
		return s, nil
	}
	client, err := plaidapi.NewClient(cfg, d.HTTPClient)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("set up the plaid client: %w", err)
	}
	client.OnRetry = plaidapi.RetryPrinter(d.Stderr) // "retrying /auth/get in 1.2s (HTTP 503, attempt 2 of 4)"
	client.Timeline = s.timeline
	s.flow = plaidflow.NewFlow(client, s.vault)
	s.flow.OnExchangeInterrupted = func() {
		fmt.Fprintf(d.Stderr, "interrupted: waiting for Plaid's answer to the exchange (at most %s), so that the Item it creates is saved\n", plaidflow.ExchangeTimeout)
	}
	return s, nil
}

// offlineConfig is the configuration in force (profile, environment, demo, namespace) found
// without the keyring, the emulator or Plaid: what `items` and the completions need.
func offlineConfig(d deps, k keyFlags) (config.Config, error) {
	p, err := chooseProfile(d, k)
	if err != nil {
		return config.Config{}, err
	}
	src, err := sources(d, p, k, linkPageFlags{}, nil)
	if err != nil {
		return config.Config{}, err
	}
	cfg, _, err := config.Resolve(src)
	if err != nil {
		return config.Config{}, usageError{err}
	}
	if k.demo {
		cfg = cfg.ForDemo(config.Emulator{})
	}
	return cfg, nil
}

// demoItemResolver lets a new emulator answer for demo Items linked in earlier runs: their
// access tokens are in the keyring like real ones, and the emulator recognises a token only
// when the vault holds it.
func demoItemResolver(v *vault.Vault) emulator.ItemResolver {
	return func(accessToken string) (string, string, bool) {
		items, err := v.Items("demo")
		if err != nil {
			return "", "", false
		}
		for _, it := range items {
			if tok, err := v.AccessToken("demo", it.ItemID); err == nil && tok == accessToken {
				return it.ItemID, it.InstitutionID, true
			}
		}
		return "", "", false
	}
}

// demoLoginRequired keeps a demo Item's reset-login across runs: a new emulator brings the Item
// back needing a new login when the index last recorded ITEM_LOGIN_REQUIRED for it, so the
// repair with `link --update` can be walked through in separate commands, as with Sandbox.
func demoLoginRequired(v *vault.Vault) func(string) bool {
	return func(itemID string) bool {
		items, err := v.Items("demo")
		if err != nil {
			return false
		}
		for _, it := range items {
			if it.ItemID == itemID {
				return it.Health == "ITEM_LOGIN_REQUIRED"
			}
		}
		return false
	}
}
