package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// stateFlags are `emulator`'s flags for state that lasts: --state, --seed, --fixtures.
type stateFlags struct {
	stateFile   string
	seed        string
	fixturesDir string
}

func addStateFlags(cmd *cobra.Command, f *stateFlags) {
	cmd.Flags().StringVar(&f.stateFile, "state", "", "keep the whole state in FILE: loaded at start if it exists, saved on exit and on POST /_emulator/state/save")
	cmd.Flags().StringVar(&f.seed, "seed", "", "make every id and token a function of N and the calls (default: random)")
	cmd.Flags().StringVar(&f.fixturesDir, "fixtures", "", "declare the Items of the *.json fixture files in DIR at start (see the README)")
	_ = cmd.MarkFlagFilename("state", "json")
	_ = cmd.MarkFlagDirname("fixtures")
}

// maxStateFile bounds a state file read: thousands of Items fit in a few megabytes.
const maxStateFile = 64 << 20

// maxFixtureFile bounds a fixture file read (the emulator refuses larger ones itself).
const maxFixtureFile = 1 << 20

// emulatorState is what the flags resolved to: the options for the emulator, and what to say
// and do about them.
type emulatorState struct {
	opts     []emulator.Option
	loaded   bool // the state file was there
	restored int  // Items it held
	seed     *uint64
	fixtures []emulator.Fixture
}

// resolve reads the state file and the fixtures, so that a mistake in either stops the command
// before anything listens, named by file:line:column.
func (f *stateFlags) resolve() (*emulatorState, error) {
	st := &emulatorState{}
	if f.seed != "" {
		n, err := strconv.ParseUint(f.seed, 10, 64)
		if err != nil {
			return nil, usagef("--seed %q is not a whole number from 0 to %d", f.seed, uint64(1<<64-1))
		}
		st.seed = &n
		st.opts = append(st.opts, emulator.WithSeed(n))
	}
	if f.stateFile != "" {
		b, err := localfile.Read(f.stateFile, maxStateFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// A first run: the file is written on exit, into a folder that must be there, so
			// that a mistyped path is said now rather than when the state is lost.
			if info, derr := os.Stat(filepath.Dir(f.stateFile)); derr != nil || !info.IsDir() {
				return nil, usagef("--state %s: the folder %s is not there to save the state in", f.stateFile, filepath.Dir(f.stateFile))
			}
		case err != nil:
			return nil, fmt.Errorf("read the state file: %w", err)
		default:
			snap, err := emulator.ParseSnapshot(f.stateFile, b)
			if err != nil {
				return nil, usageError{err}
			}
			st.loaded, st.restored = true, len(snap.Items)
			st.opts = append(st.opts, emulator.WithSnapshot(snap))
		}
		path := f.stateFile
		st.opts = append(st.opts, emulator.WithStateSaver(func(snap emulator.Snapshot) error { return writeStateFile(path, snap) }))
	}
	if f.fixturesDir != "" {
		fx, err := readFixtures(f.fixturesDir)
		if err != nil {
			return nil, err
		}
		st.fixtures = fx
		st.opts = append(st.opts, emulator.WithFixtures(fx...))
	}
	return st, nil
}

// readFixtures parses every *.json file of dir, in name order.
func readFixtures(dir string) ([]emulator.Fixture, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usageError{fmt.Errorf("--fixtures %s: %w", dir, err)}
	}
	var out []emulator.Fixture
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := localfile.Read(path, maxFixtureFile)
		if err != nil {
			return nil, fmt.Errorf("read the fixture: %w", err)
		}
		fx, err := emulator.ParseFixture(path, b)
		if err != nil {
			return nil, usageError{err}
		}
		// The file's name, not its path, recognises the Item in a saved state: the same
		// fixtures reached from another folder are the same Items.
		fx.Source = e.Name()
		out = append(out, fx)
	}
	if len(out) == 0 {
		return nil, usagef("--fixtures %s holds no *.json fixture file", dir)
	}
	return out, nil
}

// writeStateFile replaces path with the snapshot at once (a temporary file in the same folder,
// then a rename), readable by this user only: it holds access tokens.
func writeStateFile(path string, snap emulator.Snapshot) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save the state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is there
	_, werr := tmp.Write(snap.Marshal())
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("save the state: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("save the state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the state: %w", err)
	}
	return nil
}

// summary is the banner's lines about state, seed and fixtures ("" when none was asked for).
func (st *emulatorState) summary(f *stateFlags) string {
	var b strings.Builder
	if f.stateFile != "" {
		restored := "not there yet"
		if st.loaded {
			restored = fmt.Sprintf("%d %s restored", st.restored, plural(st.restored, "Item", "Items"))
		}
		fmt.Fprintf(&b, "  state            %s (%s; saved on exit and on POST /_emulator/state/save)\n", sanitize.Line(f.stateFile, sanitize.Message), restored)
	}
	if st.seed != nil {
		fmt.Fprintf(&b, "  seed             %d (ids and tokens repeat for the same calls)\n", *st.seed)
	}
	if len(st.fixtures) > 0 {
		var names []string
		for _, fx := range st.fixtures {
			names = append(names, fx.Source)
		}
		slices.Sort(names)
		// File names are outside text: one could hold a terminal escape.
		fmt.Fprintf(&b, "  fixtures         %s: %s\n", sanitize.Line(f.fixturesDir, sanitize.Message), sanitize.Line(strings.Join(names, ", "), sanitize.Message))
	}
	return b.String()
}

// saveOnExit writes the state file after the emulator stopped, when --state asked for one.
func (st *emulatorState) saveOnExit(srv *emulator.Server, f *stateFlags) error {
	if f.stateFile == "" {
		return nil
	}
	return srv.SaveState()
}
