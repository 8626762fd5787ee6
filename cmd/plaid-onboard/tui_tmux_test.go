package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// tmuxSession is the real binary running in a detached tmux pane, driven like a user would:
// keys in with send-keys, the screen read back with capture-pane.
type tmuxSession struct {
	t      *testing.T
	socket string
	target string
}

func startTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: skipping the terminal UI test that drives the real binary")
	}
	b := make([]byte, 6)
	rand.Read(b)
	s := &tmuxSession{t: t, socket: "plaid-onboard-test-" + hex.EncodeToString(b), target: "ui"}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.run("-f", "/dev/null", "new-session", "-d", "-s", s.target, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), command)
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
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
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := s.screen()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
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

func TestTUIDemoInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and drives the binary")
	}
	bin := testBinary(t)
	home := t.TempDir()
	exitFile := filepath.Join(home, "exit-code")
	// --no-save keeps the demo's Items out of the keyring of whoever runs the tests.
	cmd := "env HOME=" + home + " XDG_CONFIG_HOME=" + filepath.Join(home, ".config") + " NO_COLOR= TERM=xterm-256color " +
		bin + " --demo --no-browser --no-save; echo $? > " + exitFile + "; sleep 30"
	s := startTmux(t, 100, 30, cmd)

	s.waitForText("OFFLINE DEMO · not Plaid", "The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("Link a bank account in your browser", "http://127.0.0.1:")
	s.keys("s")
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

	start := time.Now()
	s.keys("C-c")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(exitFile)
		if err == nil && len(b) > 0 {
			if code := strings.TrimSpace(string(b)); code != "130" {
				t.Errorf("exit status after ctrl+c is %s, want 130", code)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not exit after ctrl+c; the screen:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the program took %s to exit after ctrl+c", took.Round(time.Millisecond))
	}
	if scr := s.screen(); strings.Contains(scr, "Plaid Checking") {
		t.Errorf("the terminal was not restored after ctrl+c:\n%s", scr)
	}
}
