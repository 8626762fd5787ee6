package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The secret-leak search: every command and the terminal UI run as a user would, against an
// emulator standing in for Plaid with keys of its own, and everything they show or leave is
// searched for the client secret and every access, public and processor token the emulator
// handed out: stdout, stderr, every file under HOME, the XDG directories and TMPDIR, the Link
// page's HTML and scripts, the terminal's screen and scrollback, and each process's command
// line read from /proc while it runs. The one allowed appearance: `processor-token` prints the
// processor token it was asked for, on stdout (the user asked for that one value).

// leakKeys are the keys the emulator accepts in this test: not the demo's, so that the
// `emulator` command printing its own (demo) keys is told apart from a leak of the user's.
const (
	leakClientID = "0a1b2c3d4e5f60718293a4b5"
	leakSecret   = "f00dfeedc0ffee0123456789abcdef"
)

// leakCapture is everything the runs showed the user, each piece named by where it came from.
type leakCapture struct {
	pieces map[string][]byte
	// allowed are values a piece may hold because the user asked for exactly them.
	allowed map[string][]string
}

func (c *leakCapture) add(where string, b []byte) {
	c.pieces[where] = append(c.pieces[where], b...)
}

// leakEnv is the environment of every run: the test's own HOME, XDG directories and TMPDIR,
// so that every file a run writes is where the search looks.
type leakEnv struct {
	dirs userDirs
	tmp  string
	xdg  []string // XDG_DATA_HOME, XDG_CACHE_HOME, XDG_STATE_HOME
	env  []string
	// transcripts is how many runs were given a transcript.
	transcripts int
}

func newLeakEnv(t *testing.T, srv *emulator.Server) *leakEnv {
	root := t.TempDir()
	le := &leakEnv{dirs: newUserDirs(t), tmp: filepath.Join(root, "tmp")}
	for _, d := range []string{"data", "cache", "state"} {
		le.xdg = append(le.xdg, filepath.Join(root, d))
	}
	for _, d := range append([]string{le.tmp}, le.xdg...) {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	le.env = le.dirs.env("PLAID_API_URL="+srv.URL, "PLAID_LINK_SCRIPT_URL="+srv.LinkScriptURL(),
		"PLAID_CLIENT_ID="+leakClientID, "PLAID_SECRET="+leakSecret, "TMPDIR="+le.tmp,
		"XDG_DATA_HOME="+le.xdg[0], "XDG_CACHE_HOME="+le.xdg[1], "XDG_STATE_HOME="+le.xdg[2], "NO_COLOR=1")
	return le
}

// leakArgs are arguments every run gets besides its own: a transcript (`--transcript PATH`
// under le.tmp, which the search walks) wherever the program takes one, so that transcripts
// and their summaries are searched too. step is the run's arguments ("tui" for the terminal UI).
func (le *leakEnv) leakArgs(step string) []string {
	words := strings.Fields(step)
	if step == "tui" {
		words = nil // the terminal UI
	}
	if c, n := commandOf(words); (n == 0 && step != "tui") || c.Flags().Lookup("transcript") == nil {
		return nil
	}
	le.transcripts++
	return []string{"--transcript", filepath.Join(le.tmp, fmt.Sprintf("transcript-%d.jsonl", le.transcripts))}
}

// run runs the binary to its end, capturing its output and its command line while it runs.
func (le *leakEnv) run(t *testing.T, c *leakCapture, stdin string, args ...string) (string, int) {
	t.Helper()
	step := strings.Join(args, " ")
	cmd := exec.Command(testBinary(t), append(args, le.leakArgs(step)...)...)
	cmd.Dir, cmd.Env = le.dirs.work, le.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Start returns once the program is executing: /proc holds its command line until it
	// exits (a zombie's reads empty, which is no leak).
	if b, err := cmdline(cmd.Process.Pid); err == nil {
		c.add("command line of "+step, b)
	}
	err := cmd.Wait()
	code := exitStatus(t, err)
	c.add("stdout of "+step, stdout.Bytes())
	c.add("stderr of "+step, stderr.Bytes())
	return stdout.String(), code
}

// cmdline reads a running process's command line as every local user can (ps, /proc).
func cmdline(pid int) ([]byte, error) { return os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline") }

func TestE2ENoSecretLeaks(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	requireTmux(t)
	srv := emulator.NewServer(emulator.WithKeys(leakClientID, leakSecret))
	defer srv.Close()
	le := newLeakEnv(t, srv)
	c := &leakCapture{pieces: map[string][]byte{}, allowed: map[string][]string{}}
	mustRun := func(want int, args ...string) string {
		t.Helper()
		out, code := le.run(t, c, "", args...)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, c.pieces["stderr of "+strings.Join(args, " ")])
		}
		return out
	}
	t.Cleanup(func() {
		for _, id := range emulatortest.ItemIDs(srv) {
			_ = keyring.Delete(vault.KeyringService, "sandbox/item/"+id)
		}
	})

	// The scripted commands, each as a user would run them.
	mustRun(0, "sandbox", "link")
	mustRun(0, "sandbox", "link", "--json")
	mustRun(0, "auth", "first-platypus-bank")
	mustRun(0, "auth", "first-platypus-bank", "--json")
	mustRun(0, "balances", "first-platypus-bank", "--json")
	mustRun(0, "items")
	mustRun(0, "items", "--json")
	mustRun(0, "items", "status", "first-platypus-bank")
	mustRun(0, "items", "rename", "first-platypus-bank-2", "spare")
	// processor-token prints the token it made: the one value the user asked for, on stdout.
	out := mustRun(0, "processor-token", "first-platypus-bank", "--account", "0000", "--processor", "dwolla")
	tok := regexp.MustCompile(`processor-sandbox-[0-9a-f-]{36}`).FindString(out)
	if tok == "" {
		t.Fatalf("processor-token printed no processor token:\n%s", out)
	}
	c.allowed["stdout of processor-token first-platypus-bank --account 0000 --processor dwolla"] = []string{tok}
	mustRun(0, "sandbox", "reset-login", "spare")
	mustRun(0, "items", "rotate", "first-platypus-bank")
	mustRun(0, "items", "remove", "spare", "--yes")
	mustRun(1, "auth", "no-such-item") // an error path prints too

	// link, through the real Link page in headless Chromium.
	p := startLink(t, le.dirs, le.env, le.leakArgs("link")...)
	url := p.waitURL(t)
	if b, err := cmdline(p.cmd.Process.Pid); err == nil {
		c.add("command line of link", b)
	}
	collectPage(t, c, url)
	ctx, frame := openLink(t, url)
	steps := append(linkFirstPlatypus(frame), pageDone())
	p.drive(t, ctx, steps...)
	if dom, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		c.add("the Link page's document after Link", []byte(dom))
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("link: exit %d\n%s", code, p.stderrText())
	}
	c.add("stdout of link", []byte(p.stdoutText()))
	c.add("stderr of link", []byte(p.stderrText()))

	// The terminal UI in tmux: keys from the environment, the Sandbox shortcut, the results.
	leakTUI(t, le, c)

	// The emulator command prints its own keys (the demo's, which it accepts): that is its
	// purpose, and they are not the user's.
	emu := exec.Command(testBinary(t), "emulator", "--json")
	emu.Dir, emu.Env = le.dirs.work, le.env
	emuOut, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := readLine(emuOut)
	if err != nil {
		t.Fatalf("the emulator printed no line: %v", err)
	}
	c.add("stdout of emulator --json", line)
	if b, err := cmdline(emu.Process.Pid); err == nil {
		c.add("command line of emulator", b)
	}
	_ = emu.Process.Signal(os.Interrupt)
	_ = emu.Wait()

	// Every file any run wrote.
	for _, dir := range append([]string{le.dirs.home, le.dirs.config, le.dirs.work, le.tmp}, le.xdg...) {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if b, err := os.ReadFile(path); err == nil {
				c.add("the file "+path, b)
			}
			return nil
		})
	}

	// Every run that takes a transcript left one, with its summary, for the search.
	for i := 1; i <= le.transcripts; i++ {
		base := filepath.Join(le.tmp, fmt.Sprintf("transcript-%d.jsonl", i))
		for _, f := range []string{base, base + ".md"} {
			if _, ok := c.pieces["the file "+f]; !ok {
				t.Errorf("no transcript %s to search", f)
			}
		}
	}
	if le.transcripts < 8 {
		t.Errorf("only %d runs wrote a transcript", le.transcripts)
	}

	// The search: the client secret, and every access, public and processor token the
	// emulator handed out (Link tokens belong on the page and are not secrets).
	secrets := map[string]string{"the client secret": leakSecret}
	kinds := 0
	for _, tok := range emulatortest.IssuedTokens(srv) {
		for _, kind := range []string{"access-", "public-", "processor-", "btok_"} {
			if strings.HasPrefix(tok, kind) {
				secrets[kind+" token "+tok] = tok
				kinds++
			}
		}
	}
	if kinds < 10 {
		t.Fatalf("the emulator handed out only %d tokens; the runs did not do what the search needs", kinds)
	}
	if len(c.pieces) < 40 {
		t.Fatalf("only %d pieces captured", len(c.pieces))
	}
	for where, b := range c.pieces {
		for what, s := range secrets {
			if !bytes.Contains(b, []byte(s)) {
				continue
			}
			if allowed := c.allowed[where]; len(allowed) > 0 && strings.Contains(strings.Join(allowed, " "), s) {
				continue
			}
			t.Errorf("%s appears in %s", what, where)
		}
	}
	t.Logf("searched %d pieces for %d secrets", len(c.pieces), len(secrets))
}

// collectPage fetches the Link page and every script and style it loads from its own origin.
func collectPage(t *testing.T, c *leakCapture, url string) {
	t.Helper()
	get := func(u string) []byte {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	page := get(url)
	c.add("the Link page "+url, page)
	for _, m := range regexp.MustCompile(`(?:src|href)="(/[^"]*)"`).FindAllSubmatch(page, -1) {
		asset := strings.TrimSuffix(url, "/") + string(m[1])
		c.add("the Link page's asset "+asset, get(asset))
	}
}

// leakTUI runs the terminal UI through a whole flow in tmux and captures its command line, its
// screen and its scrollback after it quits.
func leakTUI(t *testing.T, le *leakEnv, c *leakCapture) {
	t.Helper()
	u := startTmuxUI(t, le.dirs, le.env, le.leakArgs("tui")...)
	// The pid is first sh's, then env's (whose arguments are the test's environment, the
	// secret included: the harness's, not the program's), then the program's: read the
	// command line once the program runs there.
	b := waitUntil(t, screenTimeout, "the terminal UI to be the process", func() (bool, string) {
		b, err := cmdline(u.pid)
		return err == nil && bytes.HasPrefix(b, []byte(testBinary(t)+"\x00")), string(b)
	})
	c.add("command line of the terminal UI", []byte(b))
	u.waitForText("Plaid accepted the keys")
	u.keys("Enter")
	u.waitForText("Save them in the OS keyring")
	u.keys("n")
	u.waitForText("Link a bank account in your browser", "http://127.0.0.1:")
	u.keys("s")
	u.waitForText("Sandbox shortcut: make an Item without the browser")
	u.keys("Enter")
	u.waitForText("First Platypus Bank", "Plaid Checking", "011401533")
	c.add("the terminal UI's screen", []byte(u.screen()))
	u.keys("q")
	if code, _, _ := u.exited(t); code != "0" {
		t.Errorf("the terminal UI exited %s after q, want 0", code)
	}
	c.add("the terminal UI's scrollback", []byte(u.run("capture-pane", "-p", "-J", "-S", "-", "-t", u.target)))
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// readLine reads one line from r.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return line, nil
			}
			line = append(line, b[0])
		}
		if err != nil {
			return line, err
		}
	}
}
