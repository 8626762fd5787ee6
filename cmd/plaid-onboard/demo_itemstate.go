package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// demoItemStates keeps the demo emulator's Item states (webhook, Auth flow) in one JSON file
// beside the index, so that each command of a demo sees what the previous ones did: the
// listener set as the webhook, an account pending automatic verification. It holds no secret:
// no token, no key, only URLs and statuses.
type demoItemStates struct {
	path string
	mu   sync.Mutex
}

func newDemoItemStates(dir string) *demoItemStates {
	return &demoItemStates{path: filepath.Join(dir, "demo-items.json")}
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
	return st, ok
}

// Save implements emulator.ItemStateStore. The file is replaced whole (write, then rename), so
// a reader in another process never sees half of it.
func (d *demoItemStates) Save(itemID string, st emulator.ItemState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.read()
	m[itemID] = st
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil || os.MkdirAll(filepath.Dir(d.path), 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(d.path), ".demo-items-*.json")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), d.path) != nil {
		_ = os.Remove(tmp.Name())
	}
}
