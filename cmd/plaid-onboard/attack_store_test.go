package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEnvPassphraseFromDotEnv: a cloned repository's .env sets PLAID_ONBOARD_STORE=file
// and a PLAID_ONBOARD_PASSPHRASE its author knows, so that the user's keys and tokens would be
// written to a file the author can open. The program ignores both, says so, and never makes
// the encrypted store under that passphrase: without the user's own choice the demo keeps its
// file; with the user's PLAID_ONBOARD_STORE=file and no passphrase of theirs it refuses (no
// terminal to ask on); with theirs, the store it makes does not open with the .env's.
func TestAttackEnvPassphraseFromDotEnv(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	const known = "the-attacker-knows-this"
	writeDotEnv(t, dirs, "PLAID_ONBOARD_STORE=file", "PLAID_ONBOARD_PASSPHRASE="+known)
	keyFile := filepath.Join(dirs.config, "plaid-onboard", "secrets.key.age")
	env := noBusEnv(t, dirs)

	_, stderr, code := runBinary(t, dirs, env, "--demo", "sandbox", "link")
	if code != exitOK {
		t.Fatalf("--demo sandbox link: exit %d\n%s", code, stderr)
	}
	wantAll(t, "stderr", stderr, "ignored PLAID_ONBOARD_PASSPHRASE from ./.env", "ignored PLAID_ONBOARD_STORE from ./.env", "demo-secrets.json")
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("the .env made the encrypted store")
	}

	_, stderr, code = runBinary(t, dirs, append(env, "PLAID_ONBOARD_STORE=file"), "--demo", "sandbox", "link")
	if code == exitOK || !strings.Contains(stderr, "PLAID_ONBOARD_PASSPHRASE") {
		t.Errorf("the user's file store with only the .env's passphrase: exit %d, want a failure asking for the passphrase\n%s", code, stderr)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("the encrypted store was made with the .env's passphrase")
	}

	mine := append(env, "PLAID_ONBOARD_STORE=file", "PLAID_ONBOARD_PASSPHRASE=the user's own")
	runBinaryOK(t, dirs, mine, "--demo", "sandbox", "link")
	_, stderr, code = runBinary(t, dirs, append(env, "PLAID_ONBOARD_STORE=file", "PLAID_ONBOARD_PASSPHRASE="+known), "--demo", "auth", "first-platypus-bank-2")
	if code != exitFailure || !strings.Contains(stderr, "wrong passphrase") {
		t.Errorf("the store opened with the .env's passphrase: exit %d\n%s", code, stderr)
	}
}
