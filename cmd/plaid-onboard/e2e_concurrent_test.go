package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// TestE2EInstancesAtOnceLoseNoItem: two, then four plaid-onboard processes run `sandbox link`
// at the same time, 20 rounds each, against one emulator (as if it were Plaid), one config
// directory and the real keyring. Every run exits 0 and says it saved its Item, and afterwards
// the keyring's entries, the index's and the emulator's Items are the same set: no Item lost,
// none invented.
func TestE2EInstancesAtOnceLoseNoItem(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	for _, instances := range []int{2, 4} {
		t.Run(fmt.Sprintf("%d instances", instances), func(t *testing.T) {
			srv, dirs, env := emulatorEnv(t)
			const rounds = 20
			var saved []string
			for round := range rounds {
				var wg sync.WaitGroup
				outs := make([]string, instances)
				errs := make([]error, instances)
				for i := range instances {
					wg.Go(func() {
						stdout, stderr, code := runBinary(t, dirs, env, "sandbox", "link", "--json")
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
					var res plaidapi.Result
					if err := json.Unmarshal([]byte(outs[i]), &res); err != nil || !res.Storage.Saved {
						t.Fatalf("round %d instance %d: %v, storage %+v", round, i, err, res.Storage)
					}
					saved = append(saved, res.ItemID)
					t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+res.ItemID) })
				}
			}
			inIndex := indexItemIDs(t, dirs)
			atEmulator := emulatortest.ItemIDs(srv)
			inKeyring := 0
			for _, id := range atEmulator {
				if tok, err := keyring.Get(vault.KeyringService, "sandbox/item/"+id); err == nil && strings.HasPrefix(tok, "access-sandbox-") {
					inKeyring++
				} else {
					t.Errorf("Item %s exists at the emulator but its token is not in the keyring (%v)", id, err)
				}
			}
			slices.Sort(saved)
			if want := rounds * instances; len(atEmulator) != want || len(inIndex) != want || inKeyring != want ||
				!slices.Equal(saved, atEmulator) || !slices.Equal(inIndex, atEmulator) {
				t.Errorf("after %d runs: %d Items at the emulator, %d in items.json, %d tokens in the keyring, %d reported saved; want %d of each, the same Items",
					want, len(atEmulator), len(inIndex), inKeyring, len(saved), want)
			}
		})
	}
}

// indexItemIDs reads the Item ids of items.json, sorted.
func indexItemIDs(t *testing.T, dirs userDirs) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ix struct {
		Items []vault.SavedItem `json:"items"`
	}
	if err := json.Unmarshal(b, &ix); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(ix.Items))
	for _, it := range ix.Items {
		ids = append(ids, it.ItemID)
	}
	slices.Sort(ids)
	return ids
}

// TestE2ELinkPagesAtOnceNeverShareAPort: four `link` runs serve their Link pages at the same
// time, each on a port of its own, each page answering; an interrupt takes each one down.
func TestE2ELinkPagesAtOnceNeverShareAPort(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	const instances = 4
	procs := make([]*process, instances)
	for i := range procs {
		dirs := newUserDirs(t)
		procs[i] = startLink(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), "--no-save")
	}
	urls := map[string]bool{}
	for _, p := range procs {
		u := p.waitURL(t)
		if urls[u] {
			t.Fatalf("two Link pages at once at %s", u)
		}
		urls[u] = true
	}
	// Every page is up at once, and is its own (each has its own Link token and nonce).
	for u := range urls {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("the page at %s is not up: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the page at %s answers %s", u, resp.Status)
		}
	}
	for _, p := range procs {
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		if code := p.wait(t); code != exitInterrupted {
			t.Errorf("exit %d after ctrl+c, want 130\n%s", code, p.stderrText())
		}
	}
	for u := range urls {
		wantPortClosed(t, u)
	}
}
