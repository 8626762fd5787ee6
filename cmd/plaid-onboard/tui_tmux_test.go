package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// screenTimeout bounds each wait for the screen to show something: generous, because CI runs
// the suite on a busy 2-core machine, and a wait that times out fails the test.
const screenTimeout = 45 * time.Second

// waitUntil polls cond until it holds and returns what cond last saw; when timeout passes first
// it fails the test, saying what it waited for and what it saw. It is how these tests wait for
// something that sends no event (the contents of a terminal), instead of sleeping.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() (ok bool, seen string)) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, seen := cond()
		if ok {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; last seen:\n%s", timeout, what, seen)
		}
		<-tick.C
	}
}

// tmuxSession is the real binary running in a detached tmux pane, driven like a user would:
// keys in with send-keys, the screen read back with capture-pane. The server's socket is in the
// test's TempDir (tmux -S), so it is removed with it; tmux -L would leave one in /tmp/tmux-UID.
type tmuxSession struct {
	t        *testing.T
	socket   string
	target   string
	exitFile string // where the pane's shell writes the program's exit status
	home     string // the program's HOME, when startTUI started it
}

// tmuxExited is the tmux wait-for channel that the pane's shell signals once the program has
// exited and its status is written.
const tmuxExited = "program-exited"

// requireTmux skips or fails (see requireE2E) when tmux is missing.
func requireTmux(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("tmux")
	e2etest.Require(t, "tmux, to drive the terminal UI of the real binary (apt-get install tmux)", err == nil)
}

// startTmux runs command in a w×h pane. When command ends the shell writes its exit status to
// exitFile and signals tmuxExited; the pane stays open (remain-on-exit) so its last screen can
// be read.
func startTmux(t *testing.T, w, h int, command, exitFile string) *tmuxSession {
	t.Helper()
	requireTmux(t)
	s := &tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), target: "ui", exitFile: exitFile}
	script := command + "; echo $? > " + exitFile + "; tmux -S " + s.socket + " wait-for -S " + tmuxExited
	t.Cleanup(func() {
		// The pane's shell writes exitFile last, once the program has exited: wait for it a
		// while, so that nothing writes into the test's directories as they are removed (a
		// test that failed with the program still running waits the while, then kills it).
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(exitFile); err == nil {
				break
			}
		}
		exec.Command("tmux", "-S", s.socket, "kill-server").Run()
	})
	s.run("-f", "/dev/null", "new-session", "-d", "-s", s.target, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), script,
		";", "set-option", "-t", s.target, "remain-on-exit", "on")
	return s
}

// startTUI runs the built binary's terminal UI with args in a w×h tmux pane, with a home and a
// config directory of its own; env is more VAR=value words for its environment.
func startTUI(t *testing.T, w, h int, env, args string) *tmuxSession {
	t.Helper()
	e2etest.SkipIfShort(t, "builds and drives the binary")
	bin := testBinary(t)
	home := t.TempDir()
	cmd := "env HOME=" + home + " XDG_CONFIG_HOME=" + filepath.Join(home, ".config") + " TERM=xterm-256color " + env + " " + bin + " " + args
	s := startTmux(t, w, h, cmd, filepath.Join(home, "exit-code"))
	s.home = home
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", s.target}, keys...)...)
}

// screen is the pane's text; -J joins lines the terminal wrapped, so a line the program drew
// wider than the pane shows up as one long line.
func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.run("capture-pane", "-p", "-J", "-t", s.target)
}

func (s *tmuxSession) waitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	return waitUntil(s.t, screenTimeout, what+" on the screen", func() (bool, string) {
		scr := s.screen()
		return cond(scr), scr
	})
}

func (s *tmuxSession) waitForText(all ...string) string {
	s.t.Helper()
	return s.waitFor(strings.Join(all, ", "), func(scr string) bool {
		for _, a := range all {
			if !strings.Contains(scr, a) {
				return false
			}
		}
		return true
	})
}

// waitExited waits for the pane's shell to signal that the program exited, and fails the test
// if it has not within timeout.
func (s *tmuxSession) waitExited(timeout time.Duration) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tmux", "-S", s.socket, "wait-for", tmuxExited).CombinedOutput()
	if ctx.Err() != nil {
		s.t.Fatalf("the program did not exit within %s; the screen:\n%s", timeout, s.screen())
	}
	if err != nil {
		s.t.Fatalf("tmux wait-for %s: %v\n%s", tmuxExited, err, out)
	}
}

func TestTUIDemoInTmux(t *testing.T) {
	t.Parallel()
	// --no-save keeps the demo's Items out of the keyring of whoever runs the tests.
	s := startTUI(t, 100, 30, "NO_COLOR=", "--demo --no-browser --no-save")

	s.waitForText("OFFLINE DEMO · not Plaid", "The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("Link a bank account in your browser", "http://127.0.0.1:")
	s.keys("s")
	s.waitForText("Sandbox shortcut: make an Item without the browser", "us-checking-savings")
	s.keys("Enter")
	scr := s.waitForText("First Platypus Bank", "Plaid Checking", "011401533", "••••0000")
	if strings.Contains(scr, "1111222233330000") {
		t.Errorf("the account number shows before v:\n%s", scr)
	}
	s.keys("v")
	s.waitForText("1111222233330000")

	s.run("resize-window", "-t", s.target, "-x", "60", "-y", "20")
	scr = s.waitFor("the UI to redraw at 60×20", func(scr string) bool {
		lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
		return len(lines) >= 19 && strings.Contains(scr, "Plaid Checking") && strings.Contains(lines[len(lines)-1], "? help")
	})
	for i, line := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Errorf("line %d is %d columns wide in a 60-column pane (garbled by wrapping): %q", i+1, w, line)
		}
	}
	if lines := strings.Split(scr, "\n"); !strings.Contains(lines[0], "plaid-onboard") || !strings.Contains(lines[0], "OFFLINE DEMO") {
		t.Errorf("after resizing the header is not on the first line:\n%s", scr)
	}

	// How long the program takes to exit is from the key reaching the pane (send-keys has
	// returned) to the shell writing the exit status (the file's mtime), so that the time the
	// test itself takes to notice on a busy machine does not count.
	s.keys("C-c")
	sent := time.Now()
	s.waitExited(screenTimeout)
	if b, err := os.ReadFile(s.exitFile); err != nil {
		t.Errorf("the exit status: %v", err)
	} else if code := strings.TrimSpace(string(b)); code != "130" {
		t.Errorf("exit status after ctrl+c is %s, want 130", code)
	}
	if fi, err := os.Stat(s.exitFile); err != nil {
		t.Errorf("the exit status: %v", err)
	} else if took := fi.ModTime().Sub(sent); took > 3*time.Second {
		t.Errorf("the program took %s to exit after ctrl+c", took.Round(time.Millisecond))
	}
	if scr := s.screen(); strings.Contains(scr, "Plaid Checking") {
		t.Errorf("the terminal was not restored after ctrl+c:\n%s", scr)
	}
}

// TestTUISIGTERMInTmux: SIGTERM (kill, a service manager, a closing IDE) ends the terminal UI
// like ctrl+c: the terminal is restored and the exit status is 130, not 0 as after a normal quit.
func TestTUISIGTERMInTmux(t *testing.T) {
	e2etest.SkipIfShort(t, "builds and drives the binary")
	requireTmux(t)
	bin := testBinary(t)
	home := t.TempDir()
	exitFile := filepath.Join(home, "exit-code")
	pidFile := filepath.Join(home, "pid")
	// sh writes its pid, then becomes the program (exec): the pid is the program's.
	cmd := "sh -c 'echo $$ > " + pidFile + "; exec env HOME=" + home + " XDG_CONFIG_HOME=" + filepath.Join(home, ".config") +
		" NO_COLOR= TERM=xterm-256color " + bin + " --demo --no-browser --no-save'"
	s := startTmux(t, 100, 30, cmd, exitFile)
	s.waitForText("OFFLINE DEMO · not Plaid", "The emulator accepted the demo keys")

	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the program's pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the program's pid file holds %q", b)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM to the program: %v", err)
	}
	s.waitExited(screenTimeout)
	if b, err := os.ReadFile(exitFile); err != nil {
		t.Errorf("the exit status: %v", err)
	} else if code := strings.TrimSpace(string(b)); code != "130" {
		t.Errorf("exit status after SIGTERM is %s, want 130 (interrupted), as after ctrl+c", code)
	}
	if scr := s.screen(); strings.Contains(scr, "Your Plaid API keys") {
		t.Errorf("the terminal was not restored after SIGTERM:\n%s", scr)
	}
}

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
	s.waitForText("Plaid Checking", "last request_id", "I copies both")
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
	entries, err := transcript.ReadTranscriptFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if entries[0].Command != "plaid-onboard (terminal UI)" || !entries[0].Demo {
		t.Errorf("session entry = %+v", entries[0])
	}
	ids := transcript.IDsOf(entries)
	if ids.ItemID == "" || len(ids.RequestIDs) < 4 {
		t.Errorf("the TUI's transcript ids = %+v, want the item_id and the request_ids", ids)
	}
	last := filepath.Join(s.home, ".local", "state", "plaid-onboard", transcript.LastTranscriptName)
	assertNoSecrets(t, map[string]string{"the client secret": emulator.DemoSecret, "the ACH account number": "1111222233330000"}, path, path+".md", last)
}

// TestTUIAutomatedMicrodepositsInTmux walks the Auth flow lab's slowest flow as a user would,
// with the real binary, the in-process emulator (--demo) and the real keyring: --flow
// automated-microdeposits, the Sandbox shortcut makes the Item, the status panel shows it
// pending with no numbers; A moves it to automatically_verified, the AUTH webhook arrives at the
// session's receiver verified, and the numbers show. NO_COLOR is on: the screen must still read.
// https://plaid.com/docs/auth/coverage/automated/
func TestTUIAutomatedMicrodepositsInTmux(t *testing.T) {
	t.Parallel()
	e2etest.SkipIfShort(t, "builds and drives the binary")
	requireTmux(t)
	requireKeyring(t)
	bin := testBinary(t)
	dirs := newUserDirs(t)
	exitFile := filepath.Join(dirs.home, "exit-code")
	t.Cleanup(func() { forgetDemoItems(t, dirs) })
	cmd := "cd " + dirs.work + " && env HOME=" + dirs.home + " XDG_CONFIG_HOME=" + dirs.config +
		" DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS") + " NO_COLOR=1 TERM=xterm-256color " +
		bin + " --demo --no-browser --flow automated-microdeposits"
	s := startTmux(t, 120, 60, cmd, exitFile)

	s.waitForText("The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("Verified by Automated micro-deposits", "microdeposits_good", "Houndstooth Bank (ins_109512)")
	s.keys("s")
	scr := s.waitForText("pending_automatic_verification", "(this session's receiver)", "A verify (Sandbox)")
	if strings.Contains(scr, "011401533") {
		t.Fatalf("numbers shown while the account is pending:\n%s", scr)
	}
	s.keys("A")
	s.waitForText("automatically_verified", "webhook ✓ AUTH AUTOMATICALLY_VERIFIED", "011401533")
	s.keys("T")
	s.waitForText("Timeline", "/sandbox/item/set_verification_status → HTTP 200", "pending_automatic_verification → automatically_verified")
	s.keys("q")
	s.waitExited(screenTimeout)
	if b, err := os.ReadFile(exitFile); err != nil || strings.TrimSpace(string(b)) != "0" {
		t.Errorf("exit status after q: %q %v", b, err)
	}
}

// forgetDemoItems deletes from the keyring the access tokens of the demo Items a test saved.
func forgetDemoItems(t *testing.T, dirs userDirs) {
	b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json"))
	if err != nil {
		return
	}
	for _, m := range regexp.MustCompile(`"item_id":\s*"([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
		_ = keyring.Delete(vault.KeyringService, "demo/item/"+m[1])
	}
}

// TestTUIFlagsAreCheckedFirst: a mistyped --flow, a --public-url that is not a URL and a port
// out of range are usage errors (exit 2) that say what is wrong, before anything starts.
func TestTUIFlagsAreCheckedFirst(t *testing.T) {
	dirs := newUserDirs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--flow", "automated-microdeposit"}, "did you mean automated-microdeposits?"},
		{[]string{"--demo", "--public-url", "ftp://example.com"}, `--public-url "ftp://example.com" is not an http(s) URL`},
		{[]string{"--demo", "--webhook-port", "70000"}, "--webhook-port 70000 is not a port"},
	} {
		_, stderr, code := runBinary(t, dirs, dirs.env(), tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("plaid-onboard %s: exit %d, want 2 saying %q; stderr:\n%s", strings.Join(tc.args, " "), code, tc.want, stderr)
		}
	}
}
