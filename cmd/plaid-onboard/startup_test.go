//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/charmbracelet/x/ansi"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// Start-up against the floor: the same work done by the smallest program that can do it, built
// here from source and run side by side with plaid-onboard, interleaved, many times, comparing
// medians (one run delayed by another process moves neither median much). The programs are
// built without the race detector, as plaid-onboard is (testBinary), so the comparison is of
// what users run.

const helloWorldSource = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// minimalTeaSource is the smallest Bubble Tea program with the options plaid-onboard's TUI
// uses (alternate screen): one frame, then it waits for a key.
const minimalTeaSource = `package main

import (
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

type model struct{}

func (model) Init() tea.Cmd { return nil }
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}
func (model) View() string { return "minimal first frame\n" }

func main() {
	if _, err := tea.NewProgram(model{}, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// buildProgram builds one Go file into dir with this module's dependencies (the same Bubble
// Tea as plaid-onboard), and returns the binary's path.
func buildProgram(t *testing.T, dir, name, source string) string {
	t.Helper()
	src := filepath.Join(dir, name+".go")
	if err := os.WriteFile(src, []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// sideBySide runs a and b alternately, runs times each after one warm-up of each (the page
// cache), and returns their medians.
func sideBySide(t *testing.T, runs int, a, b func() time.Duration) (time.Duration, time.Duration) {
	t.Helper()
	a()
	b()
	var as, bs []time.Duration
	for i := range runs {
		if i%2 == 0 {
			as, bs = append(as, a()), append(bs, b())
		} else {
			bs, as = append(bs, b()), append(as, a())
		}
	}
	return emulatortest.Median(as), emulatortest.Median(bs)
}

// timeRun runs a program to its end and returns how long it took, failing unless it printed
// want and exited 0.
func timeRun(t *testing.T, env []string, want string, name string, args ...string) time.Duration {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil || !strings.Contains(out.String(), want) {
		t.Fatalf("%s %v: %v; output:\n%s", name, args, err, out.String())
	}
	return took
}

// TestVersionStartsWithinThreeTimesHelloWorld: `plaid-onboard --version` is how scripts and
// shells check the tool is there; the whole command tree, plaid-go and the keyring library
// must not make it slow. Goal: within 3× a Go hello-world (issue 11).
func TestVersionStartsWithinThreeTimesHelloWorld(t *testing.T) {
	bin := testBinary(t)
	hello := buildProgram(t, t.TempDir(), "hello", helloWorldSource)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	const runs = 31
	version, floor := sideBySide(t, runs,
		func() time.Duration { return timeRun(t, env, "plaid-onboard", bin, "--version") },
		func() time.Duration { return timeRun(t, env, "hello, world", hello) })
	ratio := float64(version) / float64(floor)
	t.Logf("--version: median %s; hello world: median %s; %.2f× (%d runs each)", version, floor, ratio, runs)
	// The goal is 3× (2.7× measured, see .ci/PERFORMANCE.md). The check allows 4× for a CI machine
	// running two suites at once, where the larger binary's start is slowed more than hello
	// world's; it still fails for a millisecond of new work at start-up, or a cgo build.
	if ratio > 4 {
		t.Errorf("--version takes %.2f× a Go hello-world (%s against %s, medians of %d runs); the goal is 3×", ratio, version, floor, runs)
	}
}

// pty is a pseudo-terminal pair: the program gets the terminal side, the test reads the screen
// side as a terminal emulator would.
type pty struct{ screen, term *os.File }

func openPTY(t *testing.T, cols, rows uint16) pty {
	t.Helper()
	screen, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
			return e
		}
		return nil
	}
	var unlock int32
	var n uint32
	if err := ioctl(screen, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	if err := ioctl(screen, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("number of the pseudo-terminal: %v", err)
	}
	term, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open the terminal side: %v", err)
	}
	ws := struct{ row, col, x, y uint16 }{rows, cols, 0, 0}
	if err := ioctl(term, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		t.Fatalf("size the pseudo-terminal: %v", err)
	}
	return pty{screen: screen, term: term}
}

// terminalAnswers are the answers an xterm-like terminal gives to the queries programs send at
// start: the background colour (OSC 11, which lipgloss asks to pick light or dark colours) and
// the cursor position (DSR, which termenv sends after OSC 11 to learn when a terminal does not
// know OSC 11). A real terminal answers within a millisecond; without answers the program would
// wait for its timeout, which is not what a user sees.
var terminalAnswers = []struct{ query, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b]10;?", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"},
	{"\x1b[6n", "\x1b[1;1R"},
}

// firstFrame starts a program on a fresh pseudo-terminal, answers its terminal queries, and
// returns the time from exec to the first time the screen shows want; then it kills the program.
func firstFrame(t *testing.T, env []string, want string, name string, args ...string) time.Duration {
	t.Helper()
	p := openPTY(t, 100, 30)
	defer p.screen.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.term, p.term, p.term
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	shown := make(chan time.Duration, 1)
	var mu sync.Mutex
	var screen strings.Builder
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.term.Close()
	go func() {
		buf := make([]byte, 4096)
		answered := map[string]int{}
		for {
			n, err := p.screen.Read(buf)
			if n > 0 {
				mu.Lock()
				screen.Write(buf[:n])
				out := screen.String()
				mu.Unlock()
				for _, qa := range terminalAnswers {
					if c := strings.Count(out, qa.query); c > answered[qa.query] {
						for range c - answered[qa.query] {
							_, _ = p.screen.WriteString(qa.answer)
						}
						answered[qa.query] = c
					}
				}
				if strings.Contains(ansi.Strip(out), want) {
					shown <- time.Since(start)
					return
				}
			}
			if err != nil {
				return // the program ended, or the test closed the terminal
			}
		}
	}()
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	select {
	case d := <-shown:
		return d
	case <-time.After(20 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("%s did not show %q within 20s; the terminal got:\n%q", name, want, screen.String())
		return 0
	}
}

// TestFirstFrameWithinAMinimalBubbleTeaProgram: the TUI's first frame must come as soon as
// Bubble Tea itself can draw one (goal: within 1.2× the smallest Bubble Tea program): the
// keyring, the Link token and every Plaid call come after it, in the background.
func TestFirstFrameWithinAMinimalBubbleTeaProgram(t *testing.T) {
	requireKeyring(t) // the keyring is looked up, after the first frame, as on a user's machine
	bin := testBinary(t)
	minimal := buildProgram(t, t.TempDir(), "minitea", minimalTeaSource)
	// Plaid answers after a second: a Plaid call made before the first frame (the key check,
	// the Link token) would hold it that long, and fail the check below by far.
	srv := emulator.NewServer(emulator.WithLatency(time.Second))
	defer srv.Close()
	dirs := newUserDirs(t)
	env := dirs.env("TERM=xterm-256color", "PLAID_API_URL="+srv.URL,
		"PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
	const runs = 31
	tui, floor := sideBySide(t, runs,
		func() time.Duration { return firstFrame(t, env, "client_id", bin) },
		func() time.Duration { return firstFrame(t, env, "minimal first frame", minimal) })
	ratio := float64(tui) / float64(floor)
	t.Logf("first frame: plaid-onboard median %s; minimal Bubble Tea median %s; %.2f× (%d runs each)", tui, floor, ratio, runs)
	// The goal is 1.2× (.ci/PERFORMANCE.md has the figure measured on a quiet machine). The check allows
	// 2× for a CI machine running two suites at once: there the larger program's own start-up
	// work (a bigger binary to map, the keyring's D-Bus connection, the Link token request) is
	// slowed more than the minimal program's, and medians of 25 ms moved to 1.56× in a run
	// under a load of 25. Waiting for Plaid or a hung keyring before the first frame costs a
	// second or more, and a second query of the terminal doubles the wait for it: both fail.
	if ratio > 2 {
		t.Errorf("the TUI's first frame takes %.2f× a minimal Bubble Tea program's (%s against %s, medians of %d runs); the goal is 1.2×", ratio, tui, floor, runs)
	}
}

// peakRSSSource runs a command and writes the peak resident memory of its process, in kB, to
// the file named by its first argument. The kernel's ru_maxrss of a child counts the memory of
// the process it was forked from until its exec: read by the test itself it would be the test's
// own size (80 MB under the race detector); read by this small program it is the command's.
const peakRSSSource = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if werr := os.WriteFile(os.Args[1], []byte(fmt.Sprint(ru.Maxrss)), 0o600); werr != nil {
		fmt.Fprintln(os.Stderr, werr)
		os.Exit(2)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
`

// TestSandboxLinkPeakMemory: a whole `sandbox link` (keys, four Plaid calls, the keyring, the
// index, the table) stays under 30 MB of peak resident memory.
func TestSandboxLinkPeakMemory(t *testing.T) {
	requireKeyring(t)
	srv := emulator.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	peakRSS := buildProgram(t, dir, "peakrss", peakRSSSource)
	dirs := newUserDirs(t)
	env := dirs.env("PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
	report := filepath.Join(dir, "peak-kb")
	var peaks []int64
	for range 3 {
		cmd := exec.Command(peakRSS, report, testBinary(t), "sandbox", "link")
		cmd.Dir, cmd.Env = dirs.work, env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "011401533") {
			t.Fatalf("sandbox link: %v\n%s", err, out)
		}
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var kb int64
		if _, err := fmt.Sscan(string(b), &kb); err != nil || kb <= 0 {
			t.Fatalf("peak RSS report %q: %v", b, err)
		}
		peaks = append(peaks, kb)
	}
	peak := slices.Max(peaks)
	t.Logf("sandbox link: peak RSS %.1f MB (runs: %v kB)", float64(peak)/1024, peaks)
	if peak > 30*1024 {
		t.Errorf("sandbox link peaked at %.1f MB of resident memory; the goal is under 30 MB", float64(peak)/1024)
	}
}
