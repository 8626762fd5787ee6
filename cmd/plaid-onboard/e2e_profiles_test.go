package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// TestE2EProfilesSideBySide: two Plaid teams' keys live side by side in the real keyring, the
// default profile's saved the way plaid-onboard saved them before profiles existed. Each
// profile links with its own keys (each team's emulator accepts only its own), lists only its
// own Items, says who it is, is chosen by --profile, PLAID_PROFILE or `profiles use`, and is
// removed only once no Item of it can be alive at Plaid.
func TestE2EProfilesSideBySide(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	const (
		idA, secretA = "aaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		idB, secretB = "bbbbbbbbbbbbbbbbbbbbbbbb", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	teamA := emulator.NewServer(emulator.WithKeys(idA, secretA))
	defer teamA.Close()
	teamB := emulator.NewServer(emulator.WithKeys(idB, secretB))
	defer teamB.Close()
	dirs := newUserDirs(t)
	base := filepath.Join(dirs.config, "plaid-onboard")
	store := vault.NewKeyringStore()

	// The default profile's keys, written as plaid-onboard wrote them before profiles existed:
	// the keyring entry `sandbox/secret` and the client_id in the index in the config directory.
	if err := keyring.Set(vault.KeyringService, "sandbox/secret", secretA); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/secret") })
	if err := os.MkdirAll(base, 0o700); err != nil {
		t.Fatal(err)
	}
	oldIndex := `{"version": 1, "keys": [{"namespace": "sandbox", "client_id": "` + idA + `", "saved_at": "2026-11-01T10:00:00Z"}], "items": []}`
	if err := os.WriteFile(filepath.Join(base, "items.json"), []byte(oldIndex), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := vault.OpenProfile(store, base, "acme").SaveKeys("sandbox", idB, secretB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "acme/sandbox/secret") })
	envA, envB := dirs.env("PLAID_API_URL="+teamA.URL), dirs.env("PLAID_API_URL="+teamB.URL)
	// acme's own Link settings, in its settings file.
	if err := os.WriteFile(filepath.Join(base, "profiles", "acme", "settings.env"), []byte("PLAID_COUNTRY_CODES=US,CA\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var a, b plaidapi.Result
	stderr := runJSON(t, dirs, envA, &a, "sandbox", "link", "--json")
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+a.ItemID) })
	if !strings.Contains(stderr, "profile default · Sandbox") {
		t.Errorf("a run in the default profile, with another profile there, does not say so:\n%s", stderr)
	}
	stderr = runJSON(t, dirs, envB, &b, "--profile", "acme", "sandbox", "link", "--json")
	t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "acme/sandbox/item/"+b.ItemID) })
	if !strings.Contains(stderr, "profile acme · Sandbox") || !strings.Contains(stderr, "Next: plaid-onboard --profile acme auth "+b.ItemName) || b.Profile != "acme" {
		t.Errorf("a run in profile acme does not say so (profile %q in the JSON); stderr:\n%s", b.Profile, stderr)
	}
	// Another team's keys in the environment win over the profile's saved ones (flags >
	// environment > .env > keyring), and the run says so rather than act as that team unsaid.
	_, stderr, _ = runBinary(t, dirs, append(envA, "PLAID_CLIENT_ID="+idA), "--profile", "acme", "whoami")
	if !strings.Contains(stderr, "profile acme has other Sandbox keys saved, but the client_id in use comes from PLAID_CLIENT_ID in the environment") {
		t.Errorf("whoami in acme with another client_id in the environment does not warn:\n%s", stderr)
	}
	if tok, err := keyring.Get(vault.KeyringService, "acme/sandbox/item/"+b.ItemID); err != nil || !strings.HasPrefix(tok, "access-sandbox-") {
		t.Errorf("acme's Item is not under acme/ in the keyring: %q, %v", tok, err)
	}

	listed := func(env []string, args ...string) []string {
		t.Helper()
		var doc itemsDocument
		runJSON(t, dirs, env, &doc, append(args, "items", "--json")...)
		var ids []string
		for _, it := range doc.Items {
			ids = append(ids, it.ItemID)
		}
		return ids
	}
	if got := listed(envA); !slices.Equal(got, []string{a.ItemID}) {
		t.Errorf("default lists %v, want only %s", got, a.ItemID)
	}
	if got := listed(envB, "--profile", "acme"); !slices.Equal(got, []string{b.ItemID}) {
		t.Errorf("acme lists %v, want only %s", got, b.ItemID)
	}

	// whoami: by flag, by PLAID_PROFILE; the client_id from the profile's keyring entry.
	var who whoamiDocument
	runJSON(t, dirs, envA, &who, "whoami", "--json")
	if who.Profile != "default" || who.ClientID != idA || who.ClientIDFrom != "keyring" || !who.SecretFound || who.KeyringPrefix != "sandbox/" || who.Items != 1 || who.KeyringProblem != "" {
		t.Errorf("whoami in default: %+v", who)
	}
	runJSON(t, dirs, append(envB, "PLAID_PROFILE=acme"), &who, "whoami", "--json")
	if who.Profile != "acme" || who.ProfileFrom != "PLAID_PROFILE" || who.ClientID != idB || who.KeyringPrefix != "acme/sandbox/" || !slices.Equal(who.Settings, []string{"PLAID_COUNTRY_CODES"}) {
		t.Errorf("whoami with PLAID_PROFILE=acme: %+v", who)
	}

	// `profiles use` is remembered: a run without --profile acts in acme.
	runBinaryOK(t, dirs, envB, "profiles", "use", "acme")
	if got := listed(envB); !slices.Equal(got, []string{b.ItemID}) {
		t.Errorf("after `profiles use acme`, items lists %v, want acme's %s", got, b.ItemID)
	}
	var auth plaidapi.Result
	runJSON(t, dirs, envB, &auth, "auth", "--json")
	if auth.ItemID != b.ItemID {
		t.Errorf("auth after `profiles use acme` used %s, want acme's %s", auth.ItemID, b.ItemID)
	}

	// Removal refuses, even with --yes, while acme's Item may be alive at Plaid, saying how to
	// remove it; then it asks (no terminal: --yes is needed).
	_, stderr, code := runBinary(t, dirs, envB, "profiles", "remove", "acme", "--yes")
	if code != exitFailure || !strings.Contains(stderr, "\n  plaid-onboard --profile acme items remove "+b.ItemName+"\n") || !strings.Contains(stderr, "nothing was removed") {
		t.Errorf("profiles remove with a live Item: exit %d, want 1 naming the command that removes it\n%s", code, stderr)
	}
	if _, err := keyring.Get(vault.KeyringService, "acme/sandbox/item/"+b.ItemID); err != nil {
		t.Fatalf("a refused removal touched the live Item's token: %v", err)
	}
	runBinaryOK(t, dirs, envB, "items", "remove", b.ItemName, "--yes")
	if _, stderr, code := runBinary(t, dirs, envB, "profiles", "remove", "acme"); code != exitUsage || !strings.Contains(stderr, "add --yes") || !strings.Contains(stderr, "acme/sandbox/secret") {
		t.Errorf("profiles remove without a terminal or --yes: exit %d, want 2 saying what it would remove\n%s", code, stderr)
	}
	var removed profileRemoved
	runJSON(t, dirs, envB, &removed, "profiles", "remove", "acme", "--yes", "--json")
	if !slices.Equal(removed.KeyringEntries, []string{"acme/sandbox/secret"}) || removed.InUse != "default" {
		t.Errorf("profiles remove: %+v, want acme/sandbox/secret removed and default in use", removed)
	}
	if _, err := keyring.Get(vault.KeyringService, "acme/sandbox/secret"); err == nil {
		t.Error("acme's secret is still in the keyring")
	}

	// The default profile is untouched, and in use again: its Item still answers with its keys.
	runJSON(t, dirs, envA, &auth, "auth", "--json")
	if auth.ItemID != a.ItemID || len(auth.Numbers.ACH) == 0 {
		t.Errorf("the default profile's Item after acme's removal: %s", auth.ItemID)
	}
	var list profilesDocument
	runJSON(t, dirs, envA, &list, "profiles", "list", "--json")
	if list.InUse != "default" || len(list.Profiles) != 1 {
		t.Errorf("profiles list after the removal: %+v", list)
	}
}

// runBinaryOK runs plaid-onboard and fails the test unless it exits 0.
func runBinaryOK(t *testing.T, dirs userDirs, env []string, args ...string) string {
	t.Helper()
	stdout, stderr, code := runBinary(t, dirs, env, args...)
	if code != 0 {
		t.Fatalf("plaid-onboard %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// TestTUIHeaderNamesTheProfileInTmux: the terminal UI names the profile beside the environment,
// at 100×30 and at 60×20, without widening a line past the pane.
func TestTUIHeaderNamesTheProfileInTmux(t *testing.T) {
	t.Parallel()
	s := startTUI(t, 100, 30, "NO_COLOR=1", "--demo --no-browser --no-save --profile acme-demo-team")
	scr := s.waitForText("profile acme-demo-team", "OFFLINE DEMO · not Plaid")
	if first := strings.Split(scr, "\n")[0]; !strings.Contains(first, "profile acme-demo-team") {
		t.Errorf("the profile is not in the header's first line at 100×30:\n%s", scr)
	}
	s.run("resize-window", "-t", s.target, "-x", "60", "-y", "20")
	scr = s.waitFor("the header to redraw at 60×20", func(scr string) bool {
		first := strings.Split(scr, "\n")[0]
		return ansi.StringWidth(first) <= 60 && strings.Contains(first, "profile acme") && strings.Contains(first, "OFFLINE DEMO")
	})
	for i, line := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Errorf("line %d is %d columns wide in a 60-column pane: %q", i+1, w, line)
		}
	}
	s.keys("C-c")
	s.waitExited(screenTimeout)
}
