package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidtest"
)

// session is one run's resolved configuration and the things built from it.
type session struct {
	cfg   plaidflow.Config
	vault *plaidflow.Vault // nil with --no-save
	flow  *plaidflow.Flow  // nil when no keys were found (the TUI asks for them)
	// notes are things the user should know about how the session was set up (printed to stderr).
	notes []string
	close func()
}

// newSession resolves keys (flags > environment > .env > keyring), starts the offline emulator
// for --demo, and builds the Plaid client and flow. requireKeys is false only for the TUI, which
// asks for missing keys on its first screen.
func newSession(d deps, opts *options, requireKeys bool) (*session, error) {
	dotenv, err := plaidflow.ReadDotEnv(filepath.Join(d.WorkDir, ".env"))
	if err != nil {
		return nil, err
	}
	cfg, err := plaidflow.LoadConfig(plaidflow.Overrides{
		ClientID: opts.clientID,
		Secret:   opts.secret,
		Env:      opts.env,
	}, d.Getenv, dotenv)
	if err != nil {
		return nil, usageError{err.Error()}
	}

	s := &session{close: func() {}}
	if !opts.noSave {
		dir, err := d.ConfigDir()
		if err != nil {
			return nil, err
		}
		s.vault = plaidflow.NewVault(d.Secrets, dir)
	}

	if opts.demo {
		// The emulator speaks Plaid's API on loopback with its own keys; PLAID_API_URL and the
		// user's keys are ignored so a demo can never reach real Plaid.
		var opts []plaidtest.Option
		if s.vault != nil {
			opts = append(opts, plaidtest.WithItemResolver(demoItemResolver(s.vault)))
		}
		srv := plaidtest.NewServer(opts...)
		s.close = srv.Close
		cfg.Demo = true
		cfg.Env, cfg.EnvSource = plaidflow.Sandbox, plaidflow.SourceDemo
		cfg.ClientID, cfg.ClientIDSource = plaidtest.DemoClientID, plaidflow.SourceDemo
		cfg.Secret, cfg.SecretSource = plaidtest.DemoSecret, plaidflow.SourceDemo
		cfg.APIURL = srv.URL
		cfg.LinkScriptURL = srv.LinkScriptURL()
		// A demo should show every number family: offer US, Canadian and UK banks unless the
		// user chose the countries.
		if d.Getenv("PLAID_COUNTRY_CODES") == "" && dotenv["PLAID_COUNTRY_CODES"] == "" {
			cfg.CountryCodes = []string{"US", "CA", "GB"}
		}
	} else if !cfg.HasKeys() && s.vault != nil {
		s.loadSavedKeys(&cfg)
	}
	s.cfg = cfg

	if !cfg.HasKeys() {
		if requireKeys {
			s.close()
			return nil, plaidflow.ErrNoKeys
		}
		return s, nil
	}
	client, err := plaidflow.NewClient(cfg, d.HTTPClient)
	if err != nil {
		s.close()
		return nil, err
	}
	s.flow = plaidflow.NewFlow(client, s.vault)
	return s, nil
}

// loadSavedKeys fills in keys saved in the keyring for the chosen environment, without
// overriding a key that was given some other way.
func (s *session) loadSavedKeys(cfg *plaidflow.Config) {
	id, secret, err := s.vault.LoadKeys(cfg.Namespace())
	switch {
	case errors.Is(err, plaidflow.ErrKeyringUnavailable):
		s.notes = append(s.notes, fmt.Sprintf("note: could not read saved keys: %v", err))
		return
	case err != nil:
		return
	}
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientIDSource = id, plaidflow.SourceKeyring
	}
	if cfg.Secret == "" && (cfg.ClientID == id) {
		cfg.Secret, cfg.SecretSource = secret, plaidflow.SourceKeyring
	}
}

// demoItemResolver lets a new emulator answer for demo Items linked in earlier runs: their
// access tokens are in the keyring like real ones, and the emulator recognises a token only
// when the vault holds it.
func demoItemResolver(v *plaidflow.Vault) plaidtest.ItemResolver {
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
