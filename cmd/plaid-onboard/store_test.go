package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// promptsFrom makes te answer passphrase prompts with answers, in order, recording the prompts.
func promptsFrom(te *testEnv, answers ...string) *[]string {
	var asked []string
	te.d.AskPassphrase = func(prompt string) (string, error) {
		asked = append(asked, prompt)
		if len(answers) == 0 {
			return "", os.ErrClosed
		}
		a := answers[0]
		answers = answers[1:]
		return a, nil
	}
	return &asked
}

// With --store file and no PLAID_ONBOARD_PASSPHRASE, the passphrase is asked on the terminal:
// twice when the store is made (two different answers make nothing), once a run afterwards.
func TestFileStorePassphraseIsAskedOnceARunTwiceToCreate(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	base, _ := te.d.ConfigDir()
	keyFile := filepath.Join(base, "secrets.key.age")

	asked := promptsFrom(te, "one", "two")
	te.mustRun(t, exitFailure, "--demo", "sandbox", "link", "--store", "file")
	wantAll(t, "stderr", te.stderr.String(), "the two passphrases differ")
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("two different passphrases made a store")
	}
	if len(*asked) != 2 {
		t.Errorf("asked %q, want a new passphrase and its confirmation", *asked)
	}

	asked = promptsFrom(te, "same", "same")
	te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--store", "file")
	if len(*asked) != 2 || !strings.Contains((*asked)[0], "New passphrase") {
		t.Errorf("making the store asked %q", *asked)
	}
	wantAll(t, "stderr", te.stderr.String(), "Creating the encrypted store", "Saved the Item · in the encrypted file")

	asked = promptsFrom(te, "same")
	te.mustRun(t, exitOK, "--demo", "auth", "--store", "file")
	if len(*asked) != 1 || !strings.Contains((*asked)[0], filepath.Join(base, "secrets.age")) {
		t.Errorf("a later run asked %q, want once, naming the store", *asked)
	}
	if got := te.store.Keys(); len(got) != 0 {
		t.Errorf("the keyring got %v although the run uses the file store", got)
	}
}

// A store that is neither keyring nor file is a usage error, from the flag or the environment,
// and the flag's values complete.
func TestStoreFlagValues(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.mustRun(t, exitUsage, "items", "--store", "vault")
	wantAll(t, "stderr", te.stderr.String(), `--store "vault": the store is keyring or file`)
	te.environ["PLAID_ONBOARD_STORE"] = "cloud"
	te.mustRun(t, exitUsage, "whoami")
	wantAll(t, "stderr", te.stderr.String(), `PLAID_ONBOARD_STORE "cloud"`)
	delete(te.environ, "PLAID_ONBOARD_STORE")
	out := te.mustRun(t, exitOK, "__complete", "auth", "--store", "")
	wantAll(t, "completions", out, "keyring\t", "file\t")
}

// A profile whose Items are in the encrypted store is removed with its entries there: the
// removal names the file, not the keyring.
func TestProfilesRemoveWithTheFileStore(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.environ["PLAID_ONBOARD_PASSPHRASE"] = "pw"
	te.mustRun(t, exitOK, "--profile", "acme", "--demo", "sandbox", "link", "--store", "file")
	te.mustRun(t, exitOK, "profiles", "remove", "acme", "--yes", "--store", "file")
	base, _ := te.d.ConfigDir()
	store := "in the encrypted file " + filepath.Join(base, "profiles", "acme", "secrets.age")
	wantAll(t, "stderr", te.stderr.String(), store)
	if last := lastLine(te.stderr.String()); !strings.Contains(last, store) || strings.Contains(last, "keyring") {
		t.Errorf("the last line %q should say the entries were %s, not in the keyring", last, store)
	}
	if _, err := os.Stat(filepath.Join(base, "profiles", "acme")); !os.IsNotExist(err) {
		t.Errorf("the profile's folder (and its store) is still there: %v", err)
	}
}

// A command suggested to a run given --store file carries it: pasted, it finds the Items in
// the encrypted file, not in an empty keyring. $PLAID_ONBOARD_STORE is inherited by the pasted
// command, so a flag that only repeats it is not repeated.
func TestSuggestedCommandsCarryTheStoreFlag(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	te.environ["PLAID_ONBOARD_PASSPHRASE"] = "pw"
	out := te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--store", "file")
	wantAll(t, "output", out+te.stderr.String(), "plaid-onboard --store file --demo auth ")

	te.environ["PLAID_ONBOARD_STORE"] = "file"
	out = te.mustRun(t, exitOK, "--demo", "sandbox", "link", "--store", "file")
	if all := out + te.stderr.String(); strings.Contains(all, "--store") || !strings.Contains(all, "plaid-onboard --demo auth ") {
		t.Errorf("with %s=file, the suggestion should not repeat the flag:\n%s", "PLAID_ONBOARD_STORE", all)
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
