package emulator

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scriptedCalls are the same calls made to each emulator of a seed test: Link's token, an Item
// through /sandbox/public_token/create (a user_custom one, whose balances and masks are left to
// chance), its exchange, its numbers, a processor token and a second Item.
func scriptedCalls(t *testing.T, s *Server) []string {
	t.Helper()
	var out []string
	call := func(path string, body map[string]any) map[string]any {
		a := rawCall(t, s, path, body)
		out = append(out, path+" "+string(a.body))
		if a.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", path, a.status, a.body)
		}
		return a.decode(t)
	}
	lt := call("/link/token/create", map[string]any{"client_name": "Seed test", "language": "en", "country_codes": []string{"US"},
		"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u1"}})
	// The stand-in Link's session, whose link_session_id the page reports to onSuccess and onExit.
	page := http.Header{"Content-Type": {"application/json"}, "Origin": {s.URL}}
	session := rawRequest(t, s, http.MethodPost, standInPath+"/session", page, mustJSON(map[string]any{"token": lt["link_token"]}))
	if session.status != http.StatusOK || !strings.Contains(string(session.body), `"link_session_id"`) {
		t.Fatalf("stand-in session: HTTP %d %s", session.status, session.body)
	}
	out = append(out, "stand-in session "+string(session.body))
	pub := call("/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"},
		"options": map[string]any{"override_username": "user_custom",
			"override_password": `{"override_accounts":[{"type":"depository","subtype":"checking"}]}`}})
	ex := call("/item/public_token/exchange", map[string]any{"public_token": pub["public_token"]})
	auth := call("/auth/get", map[string]any{"access_token": ex["access_token"]})
	acct := auth["accounts"].([]any)[0].(map[string]any)["account_id"]
	call("/processor/token/create", map[string]any{"access_token": ex["access_token"], "account_id": acct, "processor": "dwolla"})
	call("/sandbox/public_token/create", map[string]any{"institution_id": "ins_109509", "initial_products": []string{"auth"}})
	return out
}

// timestamps are the times in answers: two emulators do not answer in the same second.
var timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`)

func withoutTimes(calls []string) string {
	return timestamps.ReplaceAllString(strings.Join(calls, "\n"), `"TIME"`)
}

// Two emulators given the same seed and the same calls answer the same bytes (ids, tokens,
// request_ids, user_custom's chance balances); another seed answers otherwise.
func TestSeedMakesTheSameCallsAnswerTheSame(t *testing.T) {
	t.Parallel()
	a, b, other := NewServer(WithSeed(7)), NewServer(WithSeed(7)), NewServer(WithSeed(8))
	defer a.Close()
	defer b.Close()
	defer other.Close()
	first, second, third := withoutTimes(scriptedCalls(t, a)), withoutTimes(scriptedCalls(t, b)), withoutTimes(scriptedCalls(t, other))
	if first != second {
		t.Errorf("seed 7 answered differently the second time:\n%s\n---\n%s", first, second)
	}
	if first == third {
		t.Errorf("seeds 7 and 8 answered the same:\n%s", first)
	}
	plain1, plain2 := NewServer(), NewServer()
	defer plain1.Close()
	defer plain2.Close()
	if withoutTimes(scriptedCalls(t, plain1)) == withoutTimes(scriptedCalls(t, plain2)) {
		t.Error("two emulators without a seed answered the same ids")
	}
}

// A seeded emulator restarted from its state goes on with the seed's stream: the ids it makes
// next are new, not the first run's again.
func TestSeedResumesFromTheState(t *testing.T) {
	t.Parallel()
	first := NewServer(WithSeed(7))
	scriptedCalls(t, first)
	snap := first.Snapshot()
	first.Close()
	restarted := NewServer(WithSeed(7), WithSnapshot(snap))
	defer restarted.Close()
	fresh := NewServer(WithSeed(7))
	defer fresh.Close()
	again, new := strings.Join(scriptedCalls(t, restarted), "\n"), strings.Join(scriptedCalls(t, fresh), "\n")
	if again == new {
		t.Error("the restarted emulator handed out the first run's ids again")
	}
}

// Everything an Item is comes back from a snapshot written to a file: its accounts (user_custom
// ones with their IBANs), numbers, balances, verification, webhook, the tokens issued and the
// clock, so /auth/get answers the same bytes.
func TestSnapshotBringsBackTheWholeState(t *testing.T) {
	t.Parallel()
	first := NewServer()
	uk := okCall(t, first, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_117650", "initial_products": []string{"auth"},
		"options": map[string]any{"webhook": "http://127.0.0.1:9/hook", "override_username": "user_custom",
			"override_password": `{"override_accounts":[{"type":"depository","subtype":"checking","meta":{"name":"UK current"},"numbers":{"international_iban":"GB29NWBK60161331926819","international_bic":"NWBKGB2L","bacs_sort_code":"601613","account":"31926819"}}]}`}})
	ukTok := okCall(t, first, "/item/public_token/exchange", map[string]any{"public_token": uk["public_token"]})["access_token"]
	micro := okCall(t, first, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"},
		"options": map[string]any{"override_username": "user_good", "override_password": "microdeposits_good"}})
	microTok := okCall(t, first, "/item/public_token/exchange", map[string]any{"public_token": micro["public_token"]})["access_token"]
	link := okCall(t, first, "/link/token/create", map[string]any{"client_name": "Kept", "language": "en", "country_codes": []string{"US"},
		"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u1"}})["link_token"]
	unspent := okCall(t, first, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"}})["public_token"]
	first.advanceClock(3 * 60 * 1e9)
	before := map[string]string{}
	for _, tok := range []any{ukTok, microTok} {
		before[tok.(string)] = withoutRequestID(rawCall(t, first, "/auth/get", map[string]any{"access_token": tok}).body)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, first.Snapshot().Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	firstNow := first.now()
	first.Close()

	data, _ := os.ReadFile(file)
	snap, err := ParseSnapshot(file, data)
	if err != nil {
		t.Fatal(err)
	}
	later := NewServer(WithSnapshot(snap))
	defer later.Close()
	for tok, want := range before {
		if got := withoutRequestID(rawCall(t, later, "/auth/get", map[string]any{"access_token": tok}).body); got != want {
			t.Errorf("/auth/get after the restart:\n%s\nbefore:\n%s", got, want)
		}
	}
	if got := rawCall(t, later, "/link/token/get", map[string]any{"link_token": link}); got.status != http.StatusOK {
		t.Errorf("the live link token is gone: %s", got.body)
	}
	if got := rawCall(t, later, "/item/public_token/exchange", map[string]any{"public_token": unspent}); got.status != http.StatusOK {
		t.Errorf("the unspent public token is gone: %s", got.body)
	}
	if d := later.now().Sub(firstNow); d < 0 || d > 60*1e9 {
		t.Errorf("the clock moved by %s across the restart, want its advance kept", d)
	}
}

// okCall is rawCall for a call that must succeed.
func okCall(t *testing.T, s *Server, path string, body map[string]any) map[string]any {
	t.Helper()
	a := rawCall(t, s, path, body)
	if a.status != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", path, a.status, a.body)
	}
	return a.decode(t)
}

var requestIDField = regexp.MustCompile(`"request_id":"[A-Za-z0-9]+"`)

func withoutRequestID(b []byte) string {
	return requestIDField.ReplaceAllString(string(b), `"request_id":""`)
}

// A state file from a newer plaid-onboard, or a JSON file that is no state file, is refused
// with a message saying which and what to do, rather than read as an empty state.
func TestParseSnapshotRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		data string
		want string
	}{
		"newer":     {`{"format":"plaid-onboard emulator state","version":2,"items":[]}`, "newer plaid-onboard (state format version 2; this one reads versions 1 to 1)"},
		"not state": {`{"items":[]}`, "is not an emulator state file"},
		"damaged":   {`{"format":"plaid-onboard emulator state","version":1,"items":[],"surprise":1}`, "is damaged"},
	} {
		_, err := ParseSnapshot("s.json", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
		if name == "newer" && !errors.Is(err, ErrSnapshotVersion) {
			t.Errorf("newer: error %v is not ErrSnapshotVersion", err)
		}
	}
}

// POST /_emulator/state/save hands the state to the saver; without one it says how to get one.
func TestControlStateSave(t *testing.T) {
	t.Parallel()
	var saved []Snapshot
	s := NewServer(WithStateSaver(func(snap Snapshot) error { saved = append(saved, snap); return nil }))
	defer s.Close()
	mustAccessToken(t, s, "ins_109508")
	if a := rawRequest(t, s, http.MethodPost, "/_emulator/state/save", nil, nil); a.status != http.StatusOK || len(saved) != 1 || len(saved[0].Items) != 1 {
		t.Errorf("save: HTTP %d %s, %d saves", a.status, a.body, len(saved))
	}
	if a := rawRequest(t, s, http.MethodGet, "/_emulator/state/snapshot", nil, nil); a.status != http.StatusOK || !bytes.Contains(a.body, []byte(SnapshotFormat)) {
		t.Errorf("snapshot: HTTP %d %s", a.status, a.body)
	}
	plain := NewServer()
	defer plain.Close()
	if a := rawRequest(t, plain, http.MethodPost, "/_emulator/state/save", nil, nil); a.status != http.StatusConflict || !bytes.Contains(a.body, []byte("--state FILE")) {
		t.Errorf("save without a file: HTTP %d %s, want 409 naming --state", a.status, a.body)
	}
}

// The webhook signing key is the seed's: its kid is the same for the same seed, and differs
// for another seed.
func TestSeedPinsTheWebhookKey(t *testing.T) {
	t.Parallel()
	a, b, other := NewServer(WithSeed(7)), NewServer(WithSeed(7)), NewServer(WithSeed(8))
	defer a.Close()
	defer b.Close()
	defer other.Close()
	if a.webhooks().kid != b.webhooks().kid || !a.webhooks().key.Equal(b.webhooks().key) {
		t.Error("two emulators with seed 7 sign webhooks with different keys")
	}
	if a.webhooks().kid == other.webhooks().kid {
		t.Error("seeds 7 and 8 give the same kid")
	}
}
