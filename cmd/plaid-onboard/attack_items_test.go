package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The hostile-input suite for saved Items: plaid-onboard processes changing the same Item at
// once (rotate, remove, rename, status), an index that cannot be written or is not an index,
// and answers lost on the way. Each drives the built binary against an in-test emulator (as if
// it were Plaid) and the real keyring. The invariant every interleaving must keep: an Item
// alive at Plaid has its entry in the index and a working access token in the keyring.

// addFault queues a fault at the emulator, failing the test when it is refused.
func addFault(t *testing.T, srv *emulator.Server, spec emulator.FaultSpec) {
	t.Helper()
	if err := srv.AddFault(spec); err != nil {
		t.Fatal(err)
	}
}

// heldRemoval starts `items remove ITEM --yes` with the next holds calls to /item/remove held
// at the emulator, and returns once the call is held: the run has read
// the token and sent it.
func heldRemoval(t *testing.T, srv *emulator.Server, dirs userDirs, env []string, ref string, holds int) *process {
	t.Helper()
	addFault(t, srv, emulator.FaultSpec{Path: "/item/remove", Kind: emulator.FaultHold, Count: holds})
	p := startProcess(t, dirs, env, nil, "items", "remove", ref, "--yes")
	e2etest.Eventually(t, "the removal to be held at /item/remove", func() (bool, string) {
		return emulatortest.Held(srv) == 1, p.stderrText()
	})
	return p
}

// waitBlockedOrDone waits until p says it waits for another run (what a run that takes the
// Item's lock does), or ends, or has a call of its own held at the emulator (what a run that
// takes no lock does).
func waitBlockedOrDone(t *testing.T, srv *emulator.Server, p *process) {
	t.Helper()
	e2etest.Eventually(t, p.name+" to wait for the other run, end, or be held at Plaid", func() (bool, string) {
		select {
		case <-p.done:
			return true, ""
		default:
		}
		return strings.Contains(p.stderrText(), "Waiting for another plaid-onboard") || emulatortest.Held(srv) > 1, p.output()
	})
}

// assertEveryLiveItemReachable checks the invariant: every Item alive at the emulator is in
// items.json and its keyring token works (`items status ID` answers), and the index names no
// Item the emulator no longer has.
func assertEveryLiveItemReachable(t *testing.T, srv *emulator.Server, dirs userDirs, env []string) {
	t.Helper()
	srv.ClearFaults()
	alive := emulatortest.ItemIDs(srv)
	inIndex := indexItemIDs(t, dirs)
	for _, id := range alive {
		if !slices.Contains(inIndex, id) {
			t.Errorf("Item %s is alive at Plaid but not in items.json: nothing here can reach it", id)
			continue
		}
		if _, err := keyring.Get(vault.KeyringService, "sandbox/item/"+id); err != nil {
			t.Errorf("Item %s is alive at Plaid but its token is not in the keyring: %v", id, err)
			continue
		}
		if _, stderr, code := runBinary(t, dirs, env, "items", "status", id); code != 0 {
			t.Errorf("Item %s is alive at Plaid but its saved token does not work: exit %d\n%s", id, code, stderr)
		}
	}
	for _, id := range inIndex {
		if !slices.Contains(alive, id) {
			t.Errorf("items.json still lists %s, which Plaid no longer has", id)
		}
	}
}

// Given `items remove` held at /item/remove (it has read the token and sent it), when `items
// rotate` runs on the same Item, then the Item is not lost: the rotate waits for the removal
// and finds the Item gone, or the removal uses the new token; either way no Item stays alive
// at Plaid without its token and index entry here.
func TestAttackItemsHeldRemoveAndRotate(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	item, _ := sandboxLinked(t, dirs, env)
	remove := heldRemoval(t, srv, dirs, env, item.ItemID, 1)
	rotate := startProcess(t, dirs, env, nil, "items", "rotate", item.ItemID)
	waitBlockedOrDone(t, srv, rotate)
	srv.ReleaseHeld()
	removeCode, rotateCode := remove.wait(t), rotate.wait(t)
	t.Logf("remove: exit %d\n%s\nrotate: exit %d\n%s", removeCode, remove.output(), rotateCode, rotate.output())
	assertEveryLiveItemReachable(t, srv, dirs, env)
	if removeCode == 0 && strings.Contains(remove.stderrText(), "no longer knew") && len(emulatortest.ItemIDs(srv)) == 1 {
		t.Errorf("remove exited 0 saying Plaid no longer knew the Item, which is alive at Plaid")
	}
}

// Given two `items remove --yes` of one Item at once, then the second says the Item is already
// removed (and exits 0), never blames the keyring, and does not call Plaid with a dead token.
func TestAttackItemsDoubleRemove(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	item, _ := sandboxLinked(t, dirs, env)
	first := heldRemoval(t, srv, dirs, env, item.ItemName, 2)
	second := startProcess(t, dirs, env, nil, "items", "remove", item.ItemName, "--yes")
	waitBlockedOrDone(t, srv, second)
	srv.ClearFaults()
	srv.ReleaseHeld()
	first.wantExit(t, 0)
	second.wantExit(t, 0)
	out := second.stderrText()
	if !strings.Contains(out, "already removed") || strings.Contains(strings.ToLower(out), "keyring is") || strings.Contains(out, "No such interface") {
		t.Errorf("the second removal does not say the Item was already removed here:\n%s", out)
	}
	if n := emulatortest.Requests(srv, "/item/remove"); n != 1 {
		t.Errorf("/item/remove was called %d times for one Item; the second run should have seen it gone", n)
	}
	if ids := indexItemIDs(t, dirs); len(ids) != 0 {
		t.Errorf("items.json still lists %v", ids)
	}
}

// Given three Items and latency at Plaid (a removal takes effect a second after it is sent, a
// status read later than a rotation), when rotate, remove, rename and status of each run all
// at once as separate processes, then every Item still alive at Plaid is reachable from here,
// and no status of a live Item says Plaid no longer knows its token.
func TestAttackItemsRaceUnderLatency(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	var ids []string
	for range 3 {
		item, _ := sandboxLinked(t, dirs, env)
		ids = append(ids, item.ItemID)
	}
	addFault(t, srv, emulator.FaultSpec{Path: "/item/remove", Kind: emulator.FaultLatency, Latency: time.Second})
	addFault(t, srv, emulator.FaultSpec{Path: "/item/get", Kind: emulator.FaultLatency, Latency: 300 * time.Millisecond})

	type run struct {
		args   []string
		stderr string
		code   int
	}
	var runs []*run
	for i, id := range ids {
		for _, args := range [][]string{
			{"items", "remove", id, "--yes"},
			{"items", "rotate", id},
			{"items", "status", id},
			{"items", "rename", id, fmt.Sprintf("renamed-%d", i)},
		} {
			runs = append(runs, &run{args: args})
		}
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() { _, r.stderr, r.code = runBinary(t, dirs, env, r.args...) })
	}
	wg.Wait()
	alive := emulatortest.ItemIDs(srv)
	for _, r := range runs {
		t.Logf("%s: exit %d\n%s", strings.Join(r.args, " "), r.code, r.stderr)
		if r.args[1] == "status" && slices.Contains(alive, r.args[2]) && r.code != 0 {
			t.Errorf("status of %s, alive at Plaid, failed:\n%s", r.args[2], r.stderr)
		}
	}
	assertEveryLiveItemReachable(t, srv, dirs, env)
}

// blockIndexWrites makes items.json impossible to replace while it stays readable, as a full
// disk or a read-only directory does (the tests run as root, which ignores permissions): the
// lock every writer of the index takes is a directory. It returns the undo.
func blockIndexWrites(t *testing.T, dirs userDirs) func() {
	t.Helper()
	lock := filepath.Join(dirs.config, "plaid-onboard", "items.json.lock")
	if err := os.RemoveAll(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(lock, "blocked"), 0o700); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.RemoveAll(lock); err != nil {
			t.Fatal(err)
		}
	}
}

// Given an index that cannot be written, when `sandbox link` makes an Item, then it exits 1,
// leaves no access token in the keyring that no index names (an orphan `items` never shows),
// and says what happened without claiming anything untrue.
func TestAttackItemsLinkWithUnwritableIndex(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	if err := os.MkdirAll(filepath.Join(dirs.config, "plaid-onboard"), 0o700); err != nil {
		t.Fatal(err)
	}
	blockIndexWrites(t, dirs)
	stdout, stderr, code := runBinary(t, dirs, env, "sandbox", "link", "--json")
	if code != exitFailure {
		t.Fatalf("exit %d with an index that cannot be written, want 1\n%s", code, stderr)
	}
	var res plaidapi.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.ItemID == "" {
		t.Fatalf("no result on stdout: %v\n%s", err, stdout)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+res.ItemID) })
	if _, err := keyring.Get(vault.KeyringService, "sandbox/item/"+res.ItemID); err == nil {
		t.Errorf("the access token of %s stays in the keyring although no index names it:\n%s", res.ItemID, stderr)
	}
	wantAll(t, "stderr", stderr, "items.json", "could not be written", res.ItemID)
	if ids := emulatortest.ItemIDs(srv); len(ids) != 1 {
		t.Errorf("Items at the emulator: %v", ids)
	}
}

// Given a saved Item and an index that cannot be written, when `items remove` removes it at
// Plaid, then it exits 1 saying the Item is still listed and to run remove again once the index
// can be written; and that second remove cleans up saying Plaid already removed it, never that
// the Item "stays live and billed" for want of a token.
func TestAttackItemsRemoveWithUnwritableIndex(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	item, _ := sandboxLinked(t, dirs, env)
	unblock := blockIndexWrites(t, dirs)
	_, stderr, code := runBinary(t, dirs, env, "items", "remove", item.ItemName, "--yes")
	if code != exitFailure {
		t.Fatalf("remove with an index that cannot be written: exit %d, want 1\n%s", code, stderr)
	}
	wantAll(t, "stderr", stderr, "Removed", "still listed", "items remove")
	unblock()
	_, stderr, code = runBinary(t, dirs, env, "items", "remove", item.ItemName, "--yes")
	if code != 0 || strings.Contains(stderr, "Could NOT remove") || strings.Contains(stderr, "billed") {
		t.Errorf("the second remove, once the index can be written: exit %d\n%s", code, stderr)
	}
	if ids := indexItemIDs(t, dirs); len(ids) != 0 {
		t.Errorf("items.json still lists %v", ids)
	}
	if ids := emulatortest.ItemIDs(srv); len(ids) != 0 {
		t.Errorf("Items alive at the emulator: %v", ids)
	}
}

// Given an items.json that is valid JSON but not an index (null, a number, an array, entries
// without ids), when `sandbox link` runs, then it stops before any Plaid call as for any
// corrupt index: exit 1, a .corrupt copy kept, and the file itself left as it was.
func TestAttackItemsIndexOfTheWrongShape(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	for _, body := range []string{
		`null`, `42`, `[]`, `"items"`, `{"version":1,"items":{}}`,
		`{"version":1,"items":[null]}`, `{"version":1,"items":[{}]}`,
		`{"version":1,"items":[{"namespace":"sandbox","name":"x"}]}`,
		`{"version":1,"items":[{"item_id":"abc","name":"x"}]}`,
		`{"version":1,"keys":[{"client_id":"c"}]}`,
	} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			srv, dirs, env := emulatorEnv(t)
			index := filepath.Join(dirs.config, "plaid-onboard", "items.json")
			if err := os.MkdirAll(filepath.Dir(index), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(index, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runBinary(t, dirs, env, "sandbox", "link", "--json")
			var res plaidapi.Result
			if json.Unmarshal([]byte(stdout), &res) == nil && res.ItemID != "" {
				t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+res.ItemID) })
			}
			if code != exitFailure {
				t.Errorf("exit %d, want 1\n%s", code, stderr)
			}
			if n := emulatortest.Requests(srv, "/sandbox/public_token/create"); n != 0 {
				t.Errorf("Plaid was called %d times with an index that is not one", n)
			}
			if b, _ := os.ReadFile(index); string(b) != body {
				t.Errorf("items.json was rewritten: %q", b)
			}
			copies, _ := filepath.Glob(index + ".corrupt-*")
			if len(copies) != 1 {
				t.Errorf("copies of the corrupt index: %v", copies)
			}
			wantAll(t, "stderr", stderr, "corrupt")
		})
	}
}

// Given a rotation whose answer is lost after Plaid carried it out, when `items rotate` fails,
// then it does not just say "try again": it says the old token no longer works and the new one
// never arrived, names the Item and what to do; and when the call was lost before Plaid acted,
// it says the old token still works.
func TestAttackItemsRotateAnswerLost(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)
	// https://plaid.com/docs/api/items/#itemaccess_tokeninvalidate: the endpoint "returns a new
	// access_token and immediately invalidates the previous access_token".
	item, _ := sandboxLinked(t, dirs, env)
	addFault(t, srv, emulator.FaultSpec{Path: "/item/access_token/invalidate", Kind: emulator.FaultDrop, Count: 1})
	_, stderr, code := runBinary(t, dirs, env, "items", "rotate", item.ItemName)
	if code != exitFailure {
		t.Fatalf("rotate whose call was dropped: exit %d\n%s", code, stderr)
	}
	wantAll(t, "stderr (dropped before Plaid acted)", stderr, "still works")

	addFault(t, srv, emulator.FaultSpec{Path: "/item/access_token/invalidate", Kind: emulator.FaultDropAfter, Count: 1})
	_, stderr, code = runBinary(t, dirs, env, "items", "rotate", item.ItemName)
	if code != exitFailure {
		t.Fatalf("rotate whose answer was lost: exit %d\n%s", code, stderr)
	}
	wantAll(t, "stderr (answer lost after Plaid rotated)", stderr, "no longer works", "never arrived", item.ItemID, "Plaid Support")
	if strings.Contains(stderr, "next:           try again") {
		t.Errorf("a lost rotation says to try again:\n%s", stderr)
	}
	if out, _, _ := runBinary(t, dirs, env, "items"); !strings.Contains(out, "INVALID_ACCESS_TOKEN") {
		t.Errorf("items does not show the Item's token as dead:\n%s", out)
	}
}

// Given ten demo Items in Automated micro-deposits, when ten `--demo sandbox
// set-verification-status` run at once, then every one of them is verified afterwards.
func TestAttackItemsDemoVerificationAtOnce(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	dirs := newUserDirs(t)
	env := dirs.env()
	const n = 10
	items := make([]plaidflow.FlowItem, n)
	for i := range items {
		runJSON(t, dirs, env, &items[i], "--demo", "sandbox", "link", "--flow", "automated-microdeposits", "--json")
		t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "demo/item/"+items[i].ItemID) })
	}
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() {
			if _, stderr, code := runBinary(t, dirs, env, "--demo", "sandbox", "set-verification-status", it.ItemName, "--status", "automatically_verified"); code != 0 {
				t.Errorf("set-verification-status %s: exit %d\n%s", it.ItemName, code, stderr)
			}
		})
	}
	wg.Wait()
	for _, it := range items {
		out, stderr, code := runBinary(t, dirs, env, "--demo", "items", "status", it.ItemName, "--json")
		if code != 0 {
			t.Errorf("status %s: exit %d\n%s", it.ItemName, code, stderr)
			continue
		}
		if !strings.Contains(out, `"automatically_verified"`) {
			t.Errorf("%s is not verified after set-verification-status exited 0:\n%s", it.ItemName, out)
		}
	}
}
