package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Interrupts at each stage: SIGINT (ctrl+c) and SIGTERM reach `link` and the terminal UI while
// each stage is held at the emulator (a hold fault: no sleeps), and each time the program exits
// 130 as the README says, the Link page's port is closed, and the vault agrees with the
// emulator: every Item whose token Plaid handed out is in the keyring and the index, and
// nothing else is. The terminal UI also leaves the alternate screen and shows the cursor.

var interruptSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}

// signalName is SIGINT or SIGTERM, as a user reads it (Signal.String says "interrupt").
func signalName(sig syscall.Signal) string {
	if sig == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}

// waitHeld waits until n calls are held at the emulator.
func waitHeld(t *testing.T, srv *emulator.Server, n int, what string) {
	t.Helper()
	waitUntil(t, e2etest.Timeout, what+" to be held at the emulator", func() (bool, string) {
		return emulatortest.Held(srv) == n, fmt.Sprintf("%d calls held", emulatortest.Held(srv))
	})
}

// checkVaultAgrees: the Items at the emulator (exchanged, not removed) are exactly those of the
// index, each with its token in the real keyring.
func checkVaultAgrees(t *testing.T, srv *emulator.Server, dirs userDirs, wantItems int) {
	t.Helper()
	atEmulator := emulatortest.ItemIDs(srv)
	var inIndex []string
	if b, err := os.ReadFile(filepath.Join(dirs.config, "plaid-onboard", "items.json")); err == nil {
		var ix struct {
			Items []vault.SavedItem `json:"items"`
		}
		if err := json.Unmarshal(b, &ix); err != nil {
			t.Fatalf("items.json: %v", err)
		}
		for _, it := range ix.Items {
			inIndex = append(inIndex, it.ItemID)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	slices.Sort(inIndex)
	if len(atEmulator) != wantItems || !slices.Equal(atEmulator, inIndex) {
		t.Errorf("Items at the emulator %v, in items.json %v; want the same %d", atEmulator, inIndex, wantItems)
	}
	for _, id := range atEmulator {
		t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+id) })
		if tok, err := keyring.Get(vault.KeyringService, "sandbox/item/"+id); err != nil || !strings.HasPrefix(tok, "access-sandbox-") {
			t.Errorf("Item %s is not in the keyring: %q, %v", id, tok, err)
		}
	}
}

// TestE2ELinkInterruptedAtEachStage: `link` gets SIGINT or SIGTERM before its page opens (the
// Link token is held), with Link open, during the exchange (held, then released: the exchange
// finishes and its Item is saved), and while the numbers are fetched.
func TestE2ELinkInterruptedAtEachStage(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	for _, sig := range interruptSignals {
		for _, stage := range []string{"before the page", "Link open", "exchange", "numbers"} {
			t.Run(signalName(sig)+" "+stage, func(t *testing.T) {
				t.Parallel() // an emulator, a home and a process of its own
				srv := emulator.NewServer()
				defer srv.Close()
				dirs := newUserDirs(t)
				held := map[string]string{"before the page": "/link/token/create", "exchange": "/item/public_token/exchange", "numbers": "/auth/get"}[stage]
				if held != "" {
					if err := srv.AddFault(emulator.FaultSpec{Path: held, Kind: emulator.FaultHold, Count: 1}); err != nil {
						t.Fatal(err)
					}
				}
				p := startLink(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()))
				url, items := "", 0
				if stage == "before the page" {
					waitHeld(t, srv, 1, "/link/token/create")
				} else {
					url = p.waitURL(t)
				}
				if stage == "exchange" || stage == "numbers" {
					ctx, frame := openLink(t, url)
					steps := linkFirstPlatypus(frame)
					p.drive(t, ctx, steps...)
					waitHeld(t, srv, 1, held)
					items = 1
				}
				if err := p.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if stage == "exchange" {
					// The program says why it does not stop at once, then Plaid answers.
					waitUntil(t, e2etest.Timeout, "stderr to say the exchange is awaited", func() (bool, string) {
						s := p.stderrText()
						return strings.Contains(s, "interrupted: waiting for Plaid's answer to the exchange"), s
					})
					srv.ReleaseHeld()
				}
				code := p.wait(t)
				stderr := p.stderrText()
				if code != exitInterrupted || !strings.Contains(stderr, "interrupted") {
					t.Errorf("exit %d, want 130 saying it was interrupted\n%s", code, stderr)
				}
				if stage == "before the page" && strings.Contains(stderr, "Link is at") {
					t.Errorf("a page was served after the interrupt:\n%s", stderr)
				}
				if url != "" {
					wantPortClosed(t, url)
				}
				if stage == "exchange" && !strings.Contains(stderr, "Saved the Item") {
					t.Errorf("stderr does not say the Item was saved:\n%s", stderr)
				}
				checkVaultAgrees(t, srv, dirs, items)
			})
		}
	}
}

// tmuxUI is the terminal UI in tmux, whose pane stays alive after the program exits until the
// test has read the terminal's state (alternate screen, cursor) from tmux.
type tmuxUI struct {
	*tmuxSession
	pid      int
	codeFile string
}

func startTmuxUI(t *testing.T, dirs userDirs, env []string, args ...string) *tmuxUI {
	t.Helper()
	pidFile := filepath.Join(dirs.home, "pid")
	u := &tmuxUI{codeFile: filepath.Join(dirs.home, "exit-code")}
	var envs []string
	for _, kv := range env {
		envs = append(envs, shellQuote(kv))
	}
	// sh writes its pid, then becomes the program (exec). After it exits, the pane's shell
	// records the status, says so on a tmux channel, and waits until the test has looked.
	cmd := "sh -c " + shellQuote("echo $$ > "+pidFile+"; cd "+shellQuote(dirs.work)+"; exec env -i "+strings.Join(envs, " ")+
		" TERM=xterm-256color "+testBinary(t)+" --no-browser "+strings.Join(args, " ")) +
		"; echo $? > " + u.codeFile + "; tmux wait-for -S ui-exited; tmux wait-for terminal-read"
	u.tmuxSession = startTmux(t, 120, 40, cmd, filepath.Join(dirs.home, "shell-exit"))
	b := waitUntil(t, screenTimeout, "the program's pid", func() (bool, string) {
		b, err := os.ReadFile(pidFile)
		return err == nil && strings.HasSuffix(string(b), "\n"), string(b)
	})
	pid, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		t.Fatal(err)
	}
	u.pid = pid
	return u
}

// exited waits for the program to exit and returns its status and the terminal's state as
// tmux sees it: whether the alternate screen is on, and whether the cursor is shown.
func (u *tmuxUI) exited(t *testing.T) (code string, altScreen, cursor bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), screenTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "tmux", "-S", u.socket, "wait-for", "ui-exited").CombinedOutput(); err != nil {
		t.Fatalf("the program did not exit within %s (%v %s); the screen:\n%s", screenTimeout, err, out, u.screen())
	}
	state := strings.Fields(u.run("display-message", "-p", "-t", u.target, "#{alternate_on} #{cursor_flag}"))
	u.run("wait-for", "-S", "terminal-read")
	b, err := os.ReadFile(u.codeFile)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b)), len(state) == 2 && state[0] == "1", len(state) == 2 && state[1] == "1"
}

var linkURLOnScreen = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

// TestE2ETUIInterruptedAtEachStage: the terminal UI gets SIGINT or SIGTERM on the keys screen,
// with Link open, while working (the numbers held at the emulator) and on the results.
func TestE2ETUIInterruptedAtEachStage(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	requireTmux(t)
	for _, sig := range interruptSignals {
		for _, stage := range []string{"keys", "Link", "working", "results"} {
			t.Run(signalName(sig)+" "+stage, func(t *testing.T) {
				t.Parallel()
				srv := emulator.NewServer()
				defer srv.Close()
				dirs := newUserDirs(t)
				if stage == "working" {
					if err := srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultHold, Count: 1}); err != nil {
						t.Fatal(err)
					}
				}
				u := startTmuxUI(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()))
				u.waitForText("Plaid accepted the keys")
				url, items := "", 0
				if stage != "keys" {
					u.keys("Enter")
					u.waitForText("Save them in the OS keyring")
					u.keys("n")
					// The URL itself, not any loopback address: the footer also names the emulator's.
					url = linkURLOnScreen.FindString(u.waitFor("the Link page's address", func(scr string) bool { return linkURLOnScreen.MatchString(scr) }))
					if resp, err := http.Get(url); err != nil {
						t.Fatalf("the Link page %s is not up: %v", url, err)
					} else {
						resp.Body.Close()
					}
				}
				switch stage {
				case "working":
					u.keys("s")
					u.waitForText("Sandbox shortcut: make an Item without the browser")
					u.keys("Enter")
					waitHeld(t, srv, 1, "/auth/get")
					items = 1
				case "results":
					u.keys("s")
					u.waitForText("Sandbox shortcut: make an Item without the browser")
					u.keys("Enter")
					u.waitForText("First Platypus Bank", "Plaid Checking", "011401533")
					items = 1
				}
				if err := syscall.Kill(u.pid, sig); err != nil {
					t.Fatal(err)
				}
				code, alt, cursor := u.exited(t)
				if code != "130" {
					t.Errorf("exit status %s, want 130", code)
				}
				if alt || !cursor {
					t.Errorf("the terminal is not restored: alternate screen on %v, cursor shown %v; the screen:\n%s", alt, cursor, u.screen())
				}
				if scr := u.screen(); strings.Contains(scr, "✓ Keys ─") || strings.Contains(scr, "Your Plaid API keys") {
					t.Errorf("the UI is still on the screen:\n%s", scr)
				}
				if url != "" {
					wantPortClosed(t, url)
				}
				checkVaultAgrees(t, srv, dirs, items)
			})
		}
	}
}

// waitForExit waits for a run started in the background, failing loudly when it hangs.
func waitForExit(t *testing.T, done <-chan int, what string) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not end within 30s", what)
		return -1
	}
}

// TestInterruptDuringExchangeKeepsTheItem: ctrl+c (or SIGTERM) while
// /item/public_token/exchange is in flight does not lose the Item Plaid is creating: the
// exchange finishes, the Item is saved in the keyring, and the program exits 130.
func TestInterruptDuringExchangeKeepsTheItem(t *testing.T) {
	t.Parallel()
	const exchange = "/item/public_token/exchange"
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	// Given Plaid takes a while to answer the exchange,
	if err := srv.AddFault(emulator.FaultSpec{Path: exchange, Kind: emulator.FaultLatency, Latency: 500 * time.Millisecond, Count: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	done := make(chan int, 1)
	go func() { done <- te.runContext(ctx, "sandbox", "link") }()

	// when the user interrupts while the exchange is at Plaid,
	emulatortest.WaitForRequest(t, srv, exchange)
	interrupt()
	code := waitForExit(t, done, "sandbox link, interrupted during the exchange")

	// then the program says it was interrupted, with exit status 130,
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (interrupted)\n%s", code, exitInterrupted, te.stderr)
	}
	// and the Item Plaid made is in the vault, with its access token.
	dir, _ := te.d.ConfigDir()
	vlt := vault.NewVault(te.store, dir)
	items, err := vlt.Items(string(config.Sandbox))
	if err != nil || len(items) != 1 {
		t.Fatalf("saved Items = %v (err %v), want the one Plaid created during the interrupt\n%s", items, err, te.stderr)
	}
	if tok, err := vlt.AccessToken(string(config.Sandbox), items[0].ItemID); err != nil || !strings.HasPrefix(tok, "access-") {
		t.Errorf("the saved Item's access token = %q (err %v), want it in the keyring", tok, err)
	}
	if !strings.Contains(te.stderr.String(), "Saved the Item") {
		t.Errorf("stderr does not say the Item was saved:\n%s", te.stderr)
	}
}
