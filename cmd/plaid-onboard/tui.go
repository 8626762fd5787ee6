package main

import (
	"context"
)

// cmdTUI starts the terminal UI; without a terminal it explains what to run instead.
func cmdTUI(ctx context.Context, d deps, opts *options, args []string) error {
	if !d.Interactive || opts.jsonOut {
		return usageError{"the terminal UI needs a terminal; in scripts use `link`, `sandbox link` or `auth` (see --help)"}
	}
	return usageError{"the terminal UI is not built yet; use `link`, `sandbox link` or `auth`"}
}
