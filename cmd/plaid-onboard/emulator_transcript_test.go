package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// recordSession runs `sandbox link --no-save --transcript` against an emulator whose next
// /auth/get fails with code, and returns the transcript, gzipped as a customer attaches it, and
// the session's entries as written.
func recordSession(t *testing.T, code string, wantExit int) (gz string, lines []map[string]any) {
	t.Helper()
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	if !srv.InjectError("/auth/get", 1, code) {
		t.Fatalf("the emulator has no %s", code)
	}
	path := filepath.Join(t.TempDir(), "session.jsonl")
	te.mustRun(t, wantExit, "sandbox", "link", "--no-save", "--transcript", path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	gz = path + ".gz"
	if err := os.WriteFile(gz, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return gz, readLines(t, path)
}

// replayEmulator runs `emulator --json --from-transcript FILE` in-process until the test ends.
func replayEmulator(t *testing.T, file string) emulatorInfo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	emu := startEmulator(t, ctx, false, "emulator", "--json", "--from-transcript", file)
	t.Cleanup(func() { cancel(); emu.wait(t) })
	var info emulatorInfo
	if err := json.Unmarshal([]byte(emu.firstLine), &info); err != nil || info.FromTranscript == nil {
		t.Fatalf("the --json line has no from_transcript: %v\n%s\nstderr: %s", err, emu.firstLine, emu.stderr)
	}
	return info
}

// plaidCall posts to the emulator with its keys, as any Plaid client does.
func plaidCall(t *testing.T, base, path string, body map[string]any) (int, map[string]any) {
	t.Helper()
	body["client_id"], body["secret"] = emulator.DemoClientID, emulator.DemoSecret
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// itemIDOf is the item_id the transcript's exchange recorded.
func itemIDOf(t *testing.T, lines []map[string]any) (string, []any) {
	t.Helper()
	id, accounts := "", []any(nil)
	for _, l := range lines {
		if l["endpoint"] == "/item/public_token/exchange" {
			id, _ = l["item_id"].(string)
		}
		if l["endpoint"] == "/auth/get" && l["account_ids"] != nil {
			accounts, _ = l["account_ids"].([]any)
		}
	}
	if id == "" {
		t.Fatalf("the transcript recorded no exchange: %v", lines)
	}
	return id, accounts
}

// A session the program recorded, where Plaid's first /auth/get failed with
// INTERNAL_SERVER_ERROR and the retry succeeded: the rebuilt Item keeps the transcript's item
// and account ids, its first /auth/get fails the same way and the second answers, as in the
// customer's session; what was made up is said.
func TestEmulatorFromTranscriptAnswersErrorsAtTheirCalls(t *testing.T) {
	t.Parallel()
	gz, lines := recordSession(t, "INTERNAL_SERVER_ERROR", exitOK)
	itemID, accountIDs := itemIDOf(t, lines)
	if len(accountIDs) == 0 {
		t.Fatalf("the retried /auth/get recorded no accounts: %v", lines)
	}
	info := replayEmulator(t, gz)
	rep := info.FromTranscript
	if len(rep.Items) != 1 || rep.Items[0].ItemID != itemID || !strings.Contains(rep.MadeUp, "balances") ||
		len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "1st call to /auth/get") {
		t.Fatalf("from_transcript = %+v", rep)
	}
	token := rep.Items[0].AccessToken
	status, ans := plaidCall(t, info.URL, "/auth/get", map[string]any{"access_token": token})
	if status != http.StatusInternalServerError || ans["error_code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("the 1st /auth/get answered %d %v, want INTERNAL_SERVER_ERROR as in the transcript", status, ans)
	}
	status, ans = plaidCall(t, info.URL, "/auth/get", map[string]any{"access_token": token})
	if status != http.StatusOK {
		t.Fatalf("the 2nd /auth/get answered %d %v", status, ans)
	}
	var got []any
	for _, a := range ans["accounts"].([]any) {
		got = append(got, a.(map[string]any)["account_id"])
	}
	if !slices.Equal(got, accountIDs) {
		t.Errorf("/auth/get's accounts are %v, want the transcript's %v", got, accountIDs)
	}
}

// The brief's case: a later /auth/get failed with ITEM_LOGIN_REQUIRED, so the rebuilt Item is in
// that state from that call on, for every data call and in /item/get, as a Plaid Item is until
// update mode repairs it.
func TestEmulatorFromTranscriptItemLoginRequiredStays(t *testing.T) {
	t.Parallel()
	gz, lines := recordSession(t, "ITEM_LOGIN_REQUIRED", exitFailure)
	itemID, _ := itemIDOf(t, lines)
	info := replayEmulator(t, gz)
	rep := info.FromTranscript
	if len(rep.Items) != 1 || rep.Items[0].ItemID != itemID {
		t.Fatalf("from_transcript = %+v", rep)
	}
	token := rep.Items[0].AccessToken
	if status, ans := plaidCall(t, info.URL, "/item/get", map[string]any{"access_token": token}); status != http.StatusOK || ans["item"].(map[string]any)["error"] != nil {
		t.Errorf("/item/get before the failing call: %d %v, want a healthy Item", status, ans)
	}
	for _, path := range []string{"/auth/get", "/accounts/get"} {
		if status, ans := plaidCall(t, info.URL, path, map[string]any{"access_token": token}); status != http.StatusBadRequest || ans["error_code"] != "ITEM_LOGIN_REQUIRED" {
			t.Errorf("%s: %d %v, want ITEM_LOGIN_REQUIRED", path, status, ans)
		}
	}
	_, ans := plaidCall(t, info.URL, "/item/get", map[string]any{"access_token": token})
	if e, _ := ans["item"].(map[string]any)["error"].(map[string]any); e["error_code"] != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("/item/get after it: %v, want item.error ITEM_LOGIN_REQUIRED", ans)
	}
}

// The text a person reads at start names the Item, its token, the error to come and what was
// made up; a file that is not a transcript is a usage error.
func TestEmulatorFromTranscriptSaysWhatItBuilt(t *testing.T) {
	t.Parallel()
	gz, _ := recordSession(t, "ITEM_LOGIN_REQUIRED", exitFailure)
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	rep, err := replayTranscript(srv, gz)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.write(&buf)
	wantAll(t, "the start-up lines", buf.String(), "From the transcript", "1 Item", "access_token  access-sandbox-",
		"Then the 1st call to /auth/get of Item", "answers ITEM_LOGIN_REQUIRED", "Made up: account and routing numbers")
	te := newTestEnv(t)
	// report reads the gzipped transcript as it is, too.
	if out := te.mustRun(t, exitOK, "report", gz); !strings.Contains(out, "ITEM_LOGIN_REQUIRED") {
		t.Errorf("report of the gzipped transcript:\n%s", out)
	}
	notTranscript := filepath.Join(t.TempDir(), "x.json")
	_ = os.WriteFile(notTranscript, []byte(`{"hello":1}`), 0o600)
	if code := te.run("emulator", "--from-transcript", notTranscript); code != exitUsage || !strings.Contains(te.stderr.String(), "not a plaid-onboard transcript") {
		t.Errorf("a file that is not a transcript: exit %d\n%s", code, te.stderr)
	}
}

// `--demo --from-transcript FILE`: the demo's emulator gets the transcript's Item, saved as a
// demo Item the terminal UI (and `items`) offers, answering its errors at the same calls;
// outside the demo the flag is refused with the command to use.
func TestDemoFromTranscript(t *testing.T) {
	t.Parallel()
	gz, lines := recordSession(t, "ITEM_LOGIN_REQUIRED", exitFailure)
	itemID, _ := itemIDOf(t, lines)
	te := newTestEnv(t)
	a := &app{d: te.d}
	s, err := newSession(te.d, sessionFlags{keys: keyFlags{demo: true}}, "test", true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if err := a.replayInDemo(s, gz); err != nil {
		t.Fatal(err)
	}
	wantAll(t, "stderr", te.stderr.String(), "From the transcript", "a session with Plaid", "Saved as the demo Item first-platypus-bank")
	saved, err := s.vault.FindItem(s.cfg.Namespace(), "first-platypus-bank")
	if err != nil || saved.ItemID != itemID {
		t.Fatalf("the demo's saved Item: %+v %v, want %s", saved, err, itemID)
	}
	token, _ := s.vault.AccessToken(s.cfg.Namespace(), itemID)
	if status, ans := plaidCall(t, s.cfg.APIURL, "/auth/get", map[string]any{"access_token": token}); ans["error_code"] != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("the demo's /auth/get: %d %v, want ITEM_LOGIN_REQUIRED as in the transcript", status, ans)
	}

	plain := newTestEnv(t)
	plain.useFakePlaid(t)
	ps, err := newSession(plain.d, sessionFlags{}, "test", true)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.close()
	if err := a.replayInDemo(ps, gz); err == nil || !strings.Contains(err.Error(), "emulator --from-transcript") {
		t.Errorf("outside the demo: %v", err)
	}
}

// Restarted with the same transcript and the --state file its first run wrote, the emulator
// starts: the state's Item wins (same access token, kept), which is said once, and the
// transcript's errors are scripted again from this start.
func TestEmulatorFromTranscriptRestartsOnItsState(t *testing.T) {
	t.Parallel()
	gz, lines := recordSession(t, "INTERNAL_SERVER_ERROR", exitOK)
	itemID, _ := itemIDOf(t, lines)
	state := filepath.Join(t.TempDir(), "state.json")
	start := func() (emulatorInfo, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		emu := startEmulator(t, ctx, false, "emulator", "--json", "--from-transcript", gz, "--state", state)
		var info emulatorInfo
		if err := json.Unmarshal([]byte(emu.firstLine), &info); err != nil || info.FromTranscript == nil {
			t.Fatalf("the --json line has no from_transcript: %v\n%s\nstderr: %s", err, emu.firstLine, emu.stderr)
		}
		return info, func() { cancel(); emu.wait(t) }
	}
	first, stop := start()
	stop() // writes the state file
	again, stop := start()
	t.Cleanup(stop)
	rep := again.FromTranscript
	if len(rep.Items) != 1 || !rep.Items[0].Kept || rep.Items[0].ItemID != itemID ||
		rep.Items[0].AccessToken != first.FromTranscript.Items[0].AccessToken {
		t.Fatalf("restarted on its state, from_transcript = %+v; want Item %s kept with the first run's token", rep, itemID)
	}
	said := 0
	for _, n := range rep.Notes {
		if strings.Contains(n, "the state wins") && strings.Contains(n, itemID) {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the notes %q should say once that the state's Item %s wins", rep.Notes, itemID)
	}
	status, ans := plaidCall(t, again.URL, "/auth/get", map[string]any{"access_token": rep.Items[0].AccessToken})
	if status != http.StatusInternalServerError || ans["error_code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("after the restart the 1st /auth/get answered %d %v, want the transcript's error again", status, ans)
	}
}
