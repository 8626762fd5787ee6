package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
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
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
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
		return len(lines) >= 19 && strings.Contains(scr, "Plaid Checking") && strings.Contains(lines[len(lines)-1], "? more")
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
