package main

import (
	"context"
	"path/filepath"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"

	"github.com/plaid-onboard/plaid-onboard/tui"
)

// cmdTUI starts the terminal UI; without a terminal it explains what to run instead.
func cmdTUI(ctx context.Context, d deps, opts *options, args []string) error {
	if !d.Interactive || opts.jsonOut {
		return usageError{"the terminal UI needs a terminal; in scripts use `link`, `sandbox link` or `auth` (see --help)"}
	}
	if err := expectArgs(args, 0, "plaid-onboard"); err != nil {
		return err
	}
	s, err := newSession(d, opts, false)
	if err != nil {
		return err
	}
	defer s.close()
	// tui.Run returns nil (exit 0), tui.ErrInterrupted (wraps context.Canceled: exit 130) or
	// the failure the user quit after (exit 1, printed with its Plaid details by exitCode).
	// The keys screen resolves the keys again from the same places when the environment changes.
	dotenv, _ := plaidflow.ReadDotEnv(filepath.Join(d.WorkDir, ".env")) // newSession read it already
	sources := plaidflow.Sources{
		Flags:  plaidflow.Overrides{ClientID: opts.clientID, Secret: opts.secret, Env: opts.env},
		Getenv: d.Getenv, DotEnv: dotenv, Vault: s.vault,
	}
	return tui.Run(ctx, tui.Deps{
		In:         d.Stdin,
		Out:        d.Stdout,
		Config:     s.cfg,
		Sources:    sources,
		Vault:      s.vault,
		Mask:       opts.maskNumbers,
		HTTPClient: d.HTTPClient,
		Browser:    d.Browser,
		NoBrowser:  opts.noBrowser,
		Now:        d.Now,
		Getenv:     d.Getenv,
		Notes:      s.notes,
	})
}
