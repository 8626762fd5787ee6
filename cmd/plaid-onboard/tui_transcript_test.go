package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// TestTUITranscriptInTmux: the terminal UI with --transcript, driven in tmux: the ids show under
// the results, T opens the timeline, t saves the transcript where --transcript says (the screen
// says so), and quitting writes the whole session there again and as the last session, redacted.
func TestTUITranscriptInTmux(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tui.jsonl")
	s := startTUI(t, 100, 30, "XDG_STATE_HOME= NO_COLOR=1", "--demo --no-browser --no-save --transcript "+path)

	s.waitForText("The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("Link a bank account in your browser", "last request_id")
	s.keys("s")
	s.waitForText("Sandbox shortcut: make an Item without the browser")
	s.keys("Enter") // the default Item
	s.waitForText("Plaid Checking", "last request_id", "Y copies")
	s.keys("T")
	s.waitForText("Timeline", "/auth/get → HTTP 200")
	s.keys("t")
	s.waitForText("Saved the transcript")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("t did not write %s with mode 0600: %v %v", path, fi, err)
	}
	s.keys("q")
	s.waitExited(screenTimeout)
	if b, _ := os.ReadFile(s.exitFile); strings.TrimSpace(string(b)) != "0" {
		t.Errorf("exit status %q after q", b)
	}
	entries, err := plaidflow.ReadTranscriptFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if entries[0].Command != "plaid-onboard (terminal UI)" || !entries[0].Demo {
		t.Errorf("session entry = %+v", entries[0])
	}
	ids := plaidflow.IDsOf(entries)
	if ids.ItemID == "" || len(ids.RequestIDs) < 4 {
		t.Errorf("the TUI's transcript ids = %+v, want the item_id and the request_ids", ids)
	}
	last := filepath.Join(s.home, ".local", "state", "plaid-onboard", plaidflow.LastTranscriptName)
	assertNoSecrets(t, map[string]string{"the client secret": emulator.DemoSecret, "the ACH account number": "1111222233330000"}, path, path+".md", last)
}
