package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// demoState keeps the offline demo's whole emulator state (its Items with their accounts,
// numbers, balances, verification and webhooks) in one file of the profile's data folder, so
// that each demo command sees what the previous ones made: the accounts of a scenario linked in
// one run, the same account ids in the next. The access tokens are not in it: the demo keeps
// them in the keyring like real ones, and the emulator finds a token's Item through the vault
// (demoItemResolver).
//
// Several demo commands may run at once (a `webhooks listen`, a TUI, a few `sandbox link`), each
// with its own emulator. Each saves after every change, under a lock file, as a read-merge-write:
// it writes back only the Items it changed (or removed) since it last read or wrote them, so
// the Items another process made or changed meanwhile are kept.
type demoState struct {
	path string
	mu   sync.Mutex
	// base is each Item as this process last read or wrote it: what its emulator's changes are
	// measured against.
	base map[string][]byte
}

// demoStateFile is the file's name in the profile's data folder.
const demoStateFile = "demo-emulator.json"

func newDemoState(dir string) *demoState {
	return &demoState{path: filepath.Join(dir, demoStateFile), base: map[string][]byte{}}
}

// read returns the file's state; a missing or damaged file is an empty state (it is demo
// state: a damaged one loses only the demo's accounts, which the next run makes anew).
func (d *demoState) read() emulator.Snapshot {
	b, err := localfile.Read(d.path, maxStateFile)
	if err != nil {
		return emulator.Snapshot{}
	}
	snap, err := emulator.ParseSnapshot(d.path, b)
	if err != nil {
		return emulator.Snapshot{}
	}
	return snap
}

// start is the state the demo emulator starts from, noted as this process's base.
func (d *demoState) start() emulator.Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	snap := d.read()
	for _, it := range snap.Items {
		d.base[it.ID] = itemBytes(it)
	}
	return snap
}

// lookup finds an Item another process saved since this one started.
func (d *demoState) lookup(itemID string) (emulator.ItemSnapshot, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, it := range d.read().Items {
		if it.ID == itemID {
			d.base[it.ID] = itemBytes(it)
			return it, true
		}
	}
	return emulator.ItemSnapshot{}, false
}

// save merges the emulator's state into the file. A lock that stays busy (another demo process
// hung while saving) loses this change, as a damaged file would: it is demo state.
func (d *demoState) save(ours emulator.Snapshot) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ours = ours.WithoutSecrets()
	return vault.WithFileLock(d.path+".lock", "saving the demo emulator's state", func() error {
		merged := mergeDemoState(d.base, ours, d.read())
		if err := writeStateFile(d.path, merged); err != nil { // emulator_state.go: temp + rename, 0600
			return err
		}
		clear(d.base)
		for _, it := range ours.Items {
			d.base[it.ID] = itemBytes(it)
		}
		return nil
	})
}

// mergeDemoState applies to theirs (the file now) what ours changed from base (the Items as this
// process last saw them): an Item ours added or changed replaces the file's, one ours removed
// goes, and every other Item of the file stays as it is.
func mergeDemoState(base map[string][]byte, ours, theirs emulator.Snapshot) emulator.Snapshot {
	out := ours
	out.Items = nil
	ourItems := map[string]bool{}
	changed := map[string]emulator.ItemSnapshot{}
	for _, it := range ours.Items {
		ourItems[it.ID] = true
		if b, seen := base[it.ID]; !seen || !bytes.Equal(b, itemBytes(it)) {
			changed[it.ID] = it
		}
	}
	for _, it := range theirs.Items {
		_, sawIt := base[it.ID]
		switch {
		case changed[it.ID].ID != "":
			out.Items = append(out.Items, changed[it.ID])
			delete(changed, it.ID)
		case sawIt && !ourItems[it.ID]:
			// Removed here (`items remove`): gone from the file too.
		default:
			out.Items = append(out.Items, it)
		}
	}
	for _, it := range ours.Items { // new here, in this process's order
		if c, ok := changed[it.ID]; ok {
			out.Items = append(out.Items, c)
		}
	}
	if out.Items == nil {
		out.Items = []emulator.ItemSnapshot{}
	}
	return out
}

// itemBytes is an Item's snapshot as bytes, to tell whether it changed.
func itemBytes(it emulator.ItemSnapshot) []byte {
	snap := emulator.Snapshot{Items: []emulator.ItemSnapshot{it}}
	return snap.Marshal()
}

// demoEmulatorOptions are the options that give the demo emulator its shared state.
func demoEmulatorOptions(v *vault.Vault, stderr func(string)) []emulator.Option {
	d := newDemoState(v.Dir)
	var warn sync.Once
	return []emulator.Option{
		emulator.WithSnapshot(d.start()),
		emulator.WithItemResolver(demoItemResolver(v)),
		emulator.WithItemLookup(d.lookup),
		emulator.WithLoginRequired(demoLoginRequired(v)),
		emulator.WithStateChanged(func(s *emulator.Server) {
			if err := d.save(s.Snapshot()); err != nil {
				// Once a run: the demo goes on, and its next run starts from the last state saved.
				warn.Do(func() {
					stderr(fmt.Sprintf("the demo's state could not be saved to %s (%v): the next demo run will not see this run's changes", d.path, err))
				})
			}
		}),
	}
}
