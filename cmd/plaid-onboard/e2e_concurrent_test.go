package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// TestE2ETwoInstancesAtOnceLoseNoItem: two plaid-onboard processes run `--demo sandbox link`
// at the same time, round after round, on one config directory and the real keyring; every
// Item each one said it saved is in items.json afterwards.
func TestE2ETwoInstancesAtOnceLoseNoItem(t *testing.T) {
	requireKeyring(t)
	dirs := newUserDirs(t)
	env := dirs.env()
	const rounds, instances = 5, 2
	var saved []string
	for round := range rounds {
		var wg sync.WaitGroup
		outs := make([]string, instances)
		errs := make([]error, instances)
		for i := range instances {
			wg.Go(func() {
				stdout, stderr, code := runBinary(t, dirs, env, "--demo", "sandbox", "link", "--json")
				if code != 0 {
					errs[i] = fmt.Errorf("round %d instance %d: exit %d\n%s", round, i, code, stderr)
				}
				outs[i] = stdout
			})
		}
		wg.Wait()
		for i := range instances {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			var res plaidflow.Result
			if err := json.Unmarshal([]byte(outs[i]), &res); err != nil || !res.Storage.Saved {
				t.Fatalf("round %d instance %d: %v, storage %+v", round, i, err, res.Storage)
			}
			saved = append(saved, res.ItemID)
			t.Cleanup(func() { _ = keyring.Delete(plaidflow.KeyringService, "demo/item/"+res.ItemID) })
		}
	}
	b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ix struct {
		Items []plaidflow.SavedItem `json:"items"`
	}
	if err := json.Unmarshal(b, &ix); err != nil {
		t.Fatal(err)
	}
	inIndex := map[string]bool{}
	for _, it := range ix.Items {
		inIndex[it.ItemID] = true
	}
	for _, id := range saved {
		if !inIndex[id] {
			t.Errorf("Item %s was reported saved but is missing from items.json", id)
		}
	}
	if len(ix.Items) != rounds*instances {
		t.Errorf("items.json names %d Items, want %d", len(ix.Items), rounds*instances)
	}
}
