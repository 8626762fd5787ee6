package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// The offline demo keeps its whole emulator state between runs: a scenario's Item linked in one
// run comes back in the next with the same accounts (the GB29 NWBK… IBAN, not user_good's),
// and an account id printed by one run works in the next.
func TestDemoKeepsItsStateBetweenRuns(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--scenario", "uk-bacs-iban", "--json")
	linked := te.jsonDocument(t)
	te.mustRun(t, exitOK, "--demo", "auth", "royal-bank-of-plaid", "--json")
	later := te.jsonDocument(t)
	ids := func(doc map[string]any) (out []string) {
		for _, n := range doc["numbers"].(map[string]any)["international"].([]any) {
			m := n.(map[string]any)
			out = append(out, m["account_id"].(string)+" "+m["iban"].(string))
		}
		return out
	}
	first, second := ids(linked), ids(later)
	if len(first) == 0 || !slices.Equal(first, second) || !strings.Contains(strings.Join(second, " "), "GB29NWBK60161331926819") {
		t.Fatalf("the next run's IBANs %v, want the scenario's %v (GB29 NWBK…) with the same account ids", second, first)
	}
	accountID, _, _ := strings.Cut(first[0], " ")
	te.mustRun(t, exitOK, "--demo", "processor-token", "royal-bank-of-plaid", "--account", accountID, "--processor", "dwolla", "--json")
	if doc := te.jsonDocument(t); doc["processor_token"] == "" {
		t.Errorf("processor token for the account of the earlier run: %v", doc)
	}
	if info, err := os.Stat(filepath.Join(te.stateDirFor(t), demoStateFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the demo state file: %v (mode %v), want it private to the user", err, info)
	}
	data, _ := os.ReadFile(filepath.Join(te.stateDirFor(t), demoStateFile))
	if strings.Contains(string(data), "access-sandbox-") {
		t.Error("the demo state file holds an access token; they belong in the keyring")
	}
}

// stateDirFor is the folder the demo keeps its state in for te: the default profile's.
func (te *testEnv) stateDirFor(t *testing.T) string {
	t.Helper()
	var found string
	state, _ := te.d.StateDir()
	config, _ := te.d.ConfigDir()
	root := state + " or " + config
	for _, dir := range []string{state, config} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == demoStateFile {
				found = filepath.Dir(p)
			}
			return nil
		})
	}
	if found == "" {
		t.Fatalf("no %s under %s", demoStateFile, root)
	}
	return found
}

// Two demo processes at once, each with its own emulator started from the same file: each
// saves its own Items, and neither loses the other's, whatever order they save in; an Item one
// removes is gone, and the other's change to its own Item stays.
func TestTwoDemoProcessesKeepEachOthersItems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	procA, procB := newDemoState(dir), newDemoState(dir)
	emuA := emulator.NewServer(emulator.WithSnapshot(procA.start()), emulator.WithStateChanged(func(s *emulator.Server) { _ = procA.save(s.Snapshot()) }))
	defer emuA.Close()
	emuB := emulator.NewServer(emulator.WithSnapshot(procB.start()), emulator.WithStateChanged(func(s *emulator.Server) { _ = procB.save(s.Snapshot()) }))
	defer emuB.Close()

	var wg sync.WaitGroup
	tokens := make([][]string, 2)
	errs := make([]error, 2)
	for i, emu := range []*emulator.Server{emuA, emuB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				tok, err := demoLinkItem(emu)
				if err != nil {
					errs[i] = err
					return
				}
				tokens[i] = append(tokens[i], tok)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := len(newDemoState(dir).read().Items); got != 6 {
		t.Fatalf("the file holds %d Items after two processes linked 3 each, want 6", got)
	}
	postJSON(t, emuA, "/item/remove", map[string]any{"access_token": tokens[0][0]})
	postJSON(t, emuB, "/item/webhook/update", map[string]any{"access_token": tokens[1][0], "webhook": "http://127.0.0.1:9/b"})
	items := newDemoState(dir).read().Items
	hooked := slices.IndexFunc(items, func(it emulator.ItemSnapshot) bool { return it.Webhook != nil && *it.Webhook == "http://127.0.0.1:9/b" })
	if len(items) != 5 || hooked < 0 {
		t.Errorf("after A removed one Item and B set a webhook on one of its own: %d Items, webhook kept: %v", len(items), hooked >= 0)
	}
}

// demoLinkItem makes an Item through /sandbox/public_token/create and its exchange, returning
// its access token.
func demoLinkItem(emu *emulator.Server) (string, error) {
	pub, err := tryPostJSON(emu, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"}})
	if err != nil {
		return "", err
	}
	ex, err := tryPostJSON(emu, "/item/public_token/exchange", map[string]any{"public_token": pub["public_token"]})
	if err != nil {
		return "", err
	}
	return ex["access_token"].(string), nil
}

// postJSON calls the emulator's API with the demo keys and returns the answer, failing the test
// unless it is a success.
func postJSON(t *testing.T, emu *emulator.Server, path string, body map[string]any) map[string]any {
	t.Helper()
	out, err := tryPostJSON(emu, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tryPostJSON(emu *emulator.Server, path string, body map[string]any) (map[string]any, error) {
	body["client_id"], body["secret"] = emulator.DemoClientID, emulator.DemoSecret
	b, _ := json.Marshal(body)
	resp, err := http.Post(emu.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d %v %v", path, resp.StatusCode, out, err)
	}
	return out, nil
}

// TestE2EDemoProcessesAtOnceKeepEachOthersItems: two `--demo sandbox link` processes at once,
// three rounds, each with its own emulator, one config directory and the real keyring. Every
// Item comes back in a later run with the accounts it was made with (same account ids): no
// process's save lost another's Item.
func TestE2EDemoProcessesAtOnceKeepEachOthersItems(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	dirs := newUserDirs(t)
	env := dirs.env()
	type linked struct{ itemID, accounts string }
	var made []linked
	for round := range 3 {
		var wg sync.WaitGroup
		outs := make([]string, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				stdout, stderr, code := runBinary(t, dirs, env, "--demo", "sandbox", "link", "--json")
				if code != 0 {
					errs[i] = fmt.Errorf("round %d, process %d: exit %d\n%s", round, i, code, stderr)
				}
				outs[i] = stdout
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		for _, out := range outs {
			var doc map[string]any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("round %d: %v\n%s", round, err, out)
			}
			made = append(made, linked{doc["item_id"].(string), accountIDs(doc)})
		}
	}
	for _, m := range made {
		stdout, stderr, code := runBinary(t, dirs, env, "--demo", "auth", m.itemID, "--json")
		if code != 0 {
			t.Errorf("--demo auth %s: exit %d\n%s", m.itemID, code, stderr)
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if got := accountIDs(doc); got != m.accounts {
			t.Errorf("Item %s in a later run has accounts %s, want the ones it was linked with, %s", m.itemID, got, m.accounts)
		}
	}
}

// accountIDs are the account ids of a --json Auth result, in order.
func accountIDs(doc map[string]any) string {
	var ids []string
	accts, _ := doc["accounts"].([]any)
	for _, a := range accts {
		ids = append(ids, a.(map[string]any)["account_id"].(string))
	}
	return strings.Join(ids, ",")
}
