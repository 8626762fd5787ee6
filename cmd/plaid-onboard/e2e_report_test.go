package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// reportOf runs `report PATH` and `report PATH --json` and returns the text, the JSON document
// and the transcript's session entry as written.
func reportOf(t *testing.T, dirs userDirs, path string) (string, reportDocument, map[string]any) {
	t.Helper()
	text := runBinaryOK(t, dirs, dirs.env(), "report", path)
	var doc reportDocument
	runJSON(t, dirs, dirs.env(), &doc, "report", path, "--json")
	return text, doc, readLines(t, path)[0]
}

// TestE2EReportSaysWhatWasForced: `--demo sandbox link --scenario business --force-error
// ITEM_LOCKED --transcript F`, then `report F`: the scenario, the forced error and the
// institution are in the transcript's session entry, in the report and in report --json, and
// the report opens saying the demo is not for Plaid Support. The failure's next step says no
// Item was made (force_error: https://plaid.com/docs/sandbox/user-custom/).
func TestE2EReportSaysWhatWasForced(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	path := filepath.Join(dirs.work, "t.jsonl")
	_, stderr, code := runBinary(t, dirs, dirs.env(), "--demo", "sandbox", "link", "--no-save",
		"--scenario", "business", "--force-error", "ITEM_LOGIN_REQUIRED", "--transcript", path)
	if code == 0 {
		t.Fatalf("a forced error made an Item:\n%s", stderr)
	}
	// error_message is Plaid's own ("use Link's update mode…"); the next step is the program's.
	_, next, _ := strings.Cut(stderr, "next:")
	next, _, _ = strings.Cut(next, "\n")
	if !strings.Contains(next, "no Item was made") || strings.Contains(next, "update") || !strings.Contains(next, "--force-error") {
		t.Errorf("the next step of a forced ITEM_LOGIN_REQUIRED at creation is %q, want no repair:\n%s", next, stderr)
	}
	text, doc, sess := reportOf(t, dirs, path)

	settings, _ := sess["settings"].(map[string]any)
	for k, want := range map[string]string{"scenario": "business", "force_error": "ITEM_LOGIN_REQUIRED", "institution_id": "ins_109508"} {
		if settings[k] != want {
			t.Errorf("transcript's settings[%s] = %v, want %s (all: %v)", k, settings[k], want, settings)
		}
	}
	for _, want := range []string{"**Scenario**: `business`", "**Forced error**: `ITEM_LOGIN_REQUIRED`", "**Institution**: `ins_109508`"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if s := doc.Settings; s == nil || s.Scenario != "business" || s.ForceError != "ITEM_LOGIN_REQUIRED" || s.Institution != "ins_109508" {
		t.Errorf("report --json settings = %+v", doc.Settings)
	}
	// The notice comes first: before the session's facts, where a support person starts reading.
	if head, _, _ := strings.Cut(text, "- **Program**"); !strings.Contains(head, "not for Plaid Support") {
		t.Errorf("the demo's report does not open saying it is not for Plaid Support:\n%s", text)
	}
	if !doc.Demo || doc.Notice != transcript.DemoNotice || !strings.Contains(doc.Summary, transcript.DemoNotice) {
		t.Errorf("report --json: demo %v, notice %q", doc.Demo, doc.Notice)
	}
	if md, err := os.ReadFile(path + ".md"); err != nil || !strings.Contains(string(md), "not for Plaid Support") || !strings.Contains(string(md), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("the summary beside the transcript lacks the notice or the forced error (%v):\n%s", err, md)
	}
}

// TestE2EReportNamesTheUserCustomFileAndFlow: a user_custom file is recorded by its name and the
// SHA-256 of its bytes, never its contents nor its folder; an Auth flow is recorded by name.
func TestE2EReportNamesTheUserCustomFileAndFlow(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	src := []byte(`{"override_accounts": [{"type": "depository", "subtype": "checking", "meta": {"name": "Private Name 77"}}]}`)
	custom := filepath.Join(dirs.work, "private-folder", "ticket-1234.json")
	if err := os.MkdirAll(filepath.Dir(custom), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(custom, src, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dirs.work, "custom.jsonl")
	if _, stderr, code := runBinary(t, dirs, dirs.env(), "--demo", "sandbox", "link", "--no-save", "--user-custom", custom,
		"--force-error", "ITEM_LOCKED", "--transcript", path); code == 0 || !strings.Contains(stderr, "ITEM_LOCKED") {
		t.Fatalf("exit %d, want the forced ITEM_LOCKED:\n%s", code, stderr)
	}
	text, doc, sess := reportOf(t, dirs, path)
	sum := sha256.Sum256(src)
	digest := hex.EncodeToString(sum[:])
	settings, _ := sess["settings"].(map[string]any)
	if settings["user_custom_file"] != "ticket-1234.json" || settings["user_custom_sha256"] != digest || settings["force_error"] != "ITEM_LOCKED" {
		t.Errorf("transcript's settings = %v, want the file's name, its SHA-256 %s and ITEM_LOCKED", settings, digest)
	}
	if !strings.Contains(text, "**user_custom file**: `ticket-1234.json` (SHA-256 `"+digest+"`)") || !strings.Contains(text, "**Forced error**: `ITEM_LOCKED`") {
		t.Errorf("report lacks the user_custom file, its digest or the forced error:\n%s", text)
	}
	if s := doc.Settings; s == nil || s.UserCustomFile != "ticket-1234.json" || s.UserCustomSHA256 != digest || s.ForceError != "ITEM_LOCKED" {
		t.Errorf("report --json settings = %+v", doc.Settings)
	}
	for _, p := range []string{path, path + ".md"} {
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "Private Name 77") || strings.Contains(string(b), "private-folder") {
			t.Errorf("%s holds the configuration's contents or the file's folder:\n%s", p, b)
		}
	}

	flowPath := filepath.Join(dirs.work, "flow.jsonl")
	runBinaryOK(t, dirs, dirs.env(), "--demo", "sandbox", "link", "--no-save", "--flow", "automated-microdeposits", "--transcript", flowPath)
	text, doc, sess = reportOf(t, dirs, flowPath)
	settings, _ = sess["settings"].(map[string]any)
	if settings["auth_flow"] != "automated-microdeposits" || !strings.Contains(text, "**Auth flow**: automated-microdeposits") || doc.Settings == nil || doc.Settings.AuthFlow != "automated-microdeposits" {
		t.Errorf("the Auth flow is not recorded and shown: transcript %v, report --json %+v, report:\n%s", settings, doc.Settings, text)
	}
}

// TestE2EReportOfSandboxHasNoDemoNotice: a session against Sandbox (here the emulator standing
// in for Plaid through PLAID_API_URL, as with a proxy) is for Plaid Support: its report has no
// demo notice, offers its ids to Plaid Support, and still says what was forced.
func TestE2EReportOfSandboxHasNoDemoNotice(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	dirs := newUserDirs(t)
	path := filepath.Join(dirs.work, "sandbox.jsonl")
	runBinaryOK(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), "sandbox", "link", "--no-save", "--scenario", "uk-bacs-iban", "--transcript", path)
	text, doc, _ := reportOf(t, dirs, path)
	if strings.Contains(text, "not for Plaid Support") || strings.Contains(text, "demo") || doc.Demo || doc.Notice != "" {
		t.Errorf("a Sandbox session's report carries the demo notice (notice %q):\n%s", doc.Notice, text)
	}
	if !strings.Contains(text, "## IDs for Plaid Support") || !strings.Contains(text, "**Scenario**: `uk-bacs-iban`") || doc.Settings == nil || doc.Settings.Scenario != "uk-bacs-iban" {
		t.Errorf("report of a Sandbox scenario (settings %+v):\n%s", doc.Settings, text)
	}
}
