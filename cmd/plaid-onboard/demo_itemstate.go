package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// demoItemStates keeps the demo emulator's Item states (webhook, Auth flow) in one JSON file
// beside the index, so that each command of a demo sees what the previous ones did: the
// listener set as the webhook, an account pending automatic verification. It holds no secret:
// no token, no key, only URLs and statuses.
//
// Several demo commands may run at once (a `webhooks listen` and a few `sandbox
// set-verification-status`), each with its own emulator: a save is a read-modify-write of the
// file under a lock file, and writes back only what this process changed since it loaded the
// Item, so a change another process made meanwhile (to another Item, or to another account of
// the same one) is kept.
type demoItemStates struct {
	path string
	mu   sync.Mutex
	// loaded is each Item's state as this process last read or wrote it: what its emulator's
	// changes are measured against.
	loaded map[string]emulator.ItemState
}

func newDemoItemStates(dir string) *demoItemStates {
	return &demoItemStates{path: filepath.Join(dir, "demo-items.json"), loaded: map[string]emulator.ItemState{}}
}

// maxDemoItemStates bounds the demo state read: a few URLs and statuses an Item.
const maxDemoItemStates = 16 << 20

func (d *demoItemStates) read() map[string]emulator.ItemState {
	m := map[string]emulator.ItemState{}
	if b, err := localfile.Read(d.path, maxDemoItemStates); err == nil {
		_ = json.Unmarshal(b, &m) // a damaged file only loses demo state
	}
	return m
}

// Load implements emulator.ItemStateStore.
func (d *demoItemStates) Load(itemID string) (emulator.ItemState, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.read()[itemID]
	d.loaded[itemID] = st
	return st, ok
}

// Save implements emulator.ItemStateStore. The file is replaced whole (write, then rename), so
// a reader in another process never sees half of it. A lock that stays busy (another demo
// process hung while saving) loses this change, as a damaged file would: it is demo state.
func (d *demoItemStates) Save(itemID string, st emulator.ItemState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_ = vault.WithFileLock(d.path+".lock", "saving demo Item states", func() error {
		m := d.read()
		merged := mergeItemState(d.loaded[itemID], st, m[itemID])
		m[itemID] = merged
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(d.path), ".demo-items-*.json")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(b)
		cerr := tmp.Close()
		if werr != nil || cerr != nil || os.Rename(tmp.Name(), d.path) != nil {
			_ = os.Remove(tmp.Name())
			return os.ErrInvalid
		}
		d.loaded[itemID] = merged
		return nil
	})
}

// mergeItemState applies to theirs (the file's state now) what ours changed from base (the
// state this process loaded): fields and accounts it did not touch keep the file's values.
func mergeItemState(base, ours, theirs emulator.ItemState) emulator.ItemState {
	out := theirs
	if ours.Webhook != base.Webhook {
		out.Webhook = ours.Webhook
	}
	if ours.AuthMethod != base.AuthMethod {
		out.AuthMethod = ours.AuthMethod
	}
	out.Status = mergeChanged(base.Status, ours.Status, theirs.Status)
	out.Manual = mergeChanged(base.Manual, ours.Manual, theirs.Manual)
	return out
}

// mergeChanged applies to theirs the keys ours set, changed or deleted relative to base.
func mergeChanged[V comparable](base, ours, theirs map[string]V) map[string]V {
	out := maps.Clone(theirs)
	if out == nil {
		out = map[string]V{}
	}
	for k, v := range ours {
		if b, ok := base[k]; !ok || b != v {
			out[k] = v
		}
	}
	for k := range base {
		if _, ok := ours[k]; !ok {
			delete(out, k)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
