package vault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// saveItems saves n Items named after who in v, as one run of `sandbox link` after another.
func saveItems(v *vault.Vault, who string, n int) error {
	for i := range n {
		id := fmt.Sprintf("item-%s-%d", who, i)
		if _, err := v.SaveItem(vault.SavedItem{Namespace: "sandbox", ItemID: id, InstitutionName: "First Platypus Bank"}, "access-sandbox-"+id); err != nil {
			return err
		}
	}
	return nil
}

// Given several Vaults on one config directory (each opens the lock file itself, as separate
// processes do), when they all save Items at once, then the index names every Item.
func TestVaultsSavingAtOnceKeepEveryItem(t *testing.T) {
	dir := t.TempDir()
	store := vault.NewMemoryStore()
	const vaults, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, vaults)
	for w := range vaults {
		v := vault.NewVault(store, dir)
		wg.Go(func() { errs <- saveItems(v, strconv.Itoa(w), each) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	items, err := vault.NewVault(store, dir).Items("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != vaults*each {
		t.Fatalf("the index names %d Items, want %d: saves of one Vault overwrote another's", len(items), vaults*each)
	}
	names := map[string]bool{}
	for _, it := range items {
		if names[it.Name] {
			t.Errorf("two Items are named %q", it.Name)
		}
		names[it.Name] = true
	}
}

// helperDirEnv, when set, makes TestHelperProcessSavesItems a child process of
// TestProcessesSavingAtOnceKeepEveryItem that saves Items in that directory.
const helperDirEnv = "PLAIDFLOW_TEST_SAVE_ITEMS_DIR"

// TestHelperProcessSavesItems is not a test of its own: run by
// TestProcessesSavingAtOnceKeepEveryItem as a separate process, it saves Items into the index
// of the directory it is given; otherwise it has nothing to do.
func TestHelperProcessSavesItems(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		return
	}
	n, _ := strconv.Atoi(os.Getenv(helperDirEnv + "_N"))
	var store vault.SecretStore = vault.NewMemoryStore()
	if pass := os.Getenv(helperDirEnv + "_PASSPHRASE"); pass != "" {
		store = vault.NewCheapFileStore(dir, pass)
	}
	if err := saveItems(vault.NewVault(store, dir), os.Getenv(helperDirEnv+"_WHO"), n); err != nil {
		t.Fatal(err)
	}
}

// Given separate processes on one config directory, when they save Items at once, then the
// index names every Item: the lock holds across processes, not only within one.
func TestProcessesSavingAtOnceKeepEveryItem(t *testing.T) {
	dir := t.TempDir()
	const procs, each = 3, 20
	runSavingProcesses(t, dir, procs, each)
	items, err := vault.NewVault(vault.NewMemoryStore(), dir).Items("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != procs*each {
		t.Fatalf("the index names %d Items, want %d: one process's saves overwrote another's", len(items), procs*each)
	}
}

// Given separate processes saving Items at once into one encrypted file store (made by
// whichever comes first), then the file holds every Item's token and the index names them all:
// the store's read-modify-write is locked across processes like the index's.
func TestProcessesSavingIntoTheFileStoreKeepEveryItem(t *testing.T) {
	dir := t.TempDir()
	const procs, each = 2, 8
	runSavingProcesses(t, dir, procs, each, helperDirEnv+"_PASSPHRASE=pass phrase")
	v := vault.NewVault(vault.NewCheapFileStore(dir, "pass phrase"), dir)
	items, err := v.Items("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != procs*each {
		t.Fatalf("the index names %d Items, want %d", len(items), procs*each)
	}
	for _, it := range items {
		if tok, err := v.AccessToken("sandbox", it.ItemID); err != nil || tok != "access-sandbox-"+it.ItemID {
			t.Errorf("the token of %s in the file store: %q, %v: one process's write lost another's", it.ItemID, tok, err)
		}
	}
}

// runSavingProcesses runs procs copies of TestHelperProcessSavesItems at once, each saving each
// Items into dir, with env added to theirs.
func runSavingProcesses(t *testing.T, dir string, procs, each int, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	outs := make([][]byte, procs)
	errs := make([]error, procs)
	for p := range procs {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcessSavesItems$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperDirEnv+"_N="+strconv.Itoa(each), helperDirEnv+"_WHO=p"+strconv.Itoa(p))
		cmd.Env = append(cmd.Env, env...)
		wg.Go(func() { outs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for p := range procs {
		if errs[p] != nil {
			t.Fatalf("process %d: %v (deadline: %v)\n%s", p, errs[p], ctx.Err(), outs[p])
		}
	}
}

// Given an items.json that is not JSON, when a command checks the vault, then it is told the
// index is corrupt and how to recover, a copy of the file is kept (once, however often it is
// found), and saving an Item writes no orphan token to the keyring.
func TestCorruptIndexIsFoundFirstAndKept(t *testing.T) {
	dir := t.TempDir()
	garbage := []byte(`{"version": 1, "items": [{"item_id": "it`)
	index := filepath.Join(dir, "items.json")
	if err := os.WriteFile(index, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	store := vault.NewMemoryStore()
	v := vault.NewVault(store, dir)

	err := v.Check()
	var ce *vault.CorruptIndexError
	if !errors.As(err, &ce) || !errors.Is(err, vault.ErrCorruptIndex) {
		t.Fatalf("Check() = %v, want a CorruptIndexError", err)
	}
	backup, rerr := os.ReadFile(ce.Backup)
	if rerr != nil || string(backup) != string(garbage) || !strings.HasPrefix(filepath.Base(ce.Backup), "items.json.corrupt-") {
		t.Fatalf("backup %q: %q, %v", ce.Backup, backup, rerr)
	}
	p := plaidflow.Explain(err)
	for _, want := range []string{"remove it", index, ce.Backup, "--no-save"} {
		if !strings.Contains(p.Next, want) {
			t.Errorf("next step %q does not say %q", p.Next, want)
		}
	}

	if _, err := v.SaveItem(vault.SavedItem{Namespace: "sandbox", ItemID: "item-1"}, "access-sandbox-1"); !errors.Is(err, vault.ErrCorruptIndex) {
		t.Fatalf("SaveItem on a corrupt index = %v", err)
	}
	if _, err := store.Get("sandbox/item/item-1"); !errors.Is(err, vault.ErrSecretNotFound) {
		t.Errorf("the token went to the keyring although the index could not name it: %v", err)
	}
	if err := v.Check(); err == nil {
		t.Fatal("the corrupt index passed a second check")
	}
	copies, _ := filepath.Glob(index + ".corrupt-*")
	if len(copies) != 1 {
		t.Errorf("copies of one corrupt index: %v", copies)
	}
}
