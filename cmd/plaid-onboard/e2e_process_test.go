package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// process is the built binary running in the background, as a user's terminal runs it: its
// output is read as it comes, for the test to wait on a line, a URL or the exit.
type process struct {
	cmd     *exec.Cmd
	name    string
	urlLine *regexp.Regexp
	url     chan string
	done    chan struct{} // closed once the process has exited and its output is read
	err     error         // cmd.Wait's, once done is closed

	mu     sync.Mutex
	stdout []string // lines
	stderr strings.Builder
	read   int // how many stdout lines next has returned
}

var (
	linkURLLine   = regexp.MustCompile(`Link is at (http://127\.0\.0\.1:\d+/)`)
	listenURLLine = regexp.MustCompile(`Listening for webhooks on (http://127\.0\.0\.1:\d+/)`)
)

// startProcess starts the binary with args; the first submatch of urlLine on stderr is what
// waitURL returns. The process is killed when the test ends, if it has not exited by then.
func startProcess(t *testing.T, dirs userDirs, env []string, urlLine *regexp.Regexp, args ...string) *process {
	t.Helper()
	p := &process{name: "plaid-onboard " + strings.Join(args, " "), urlLine: urlLine, url: make(chan string, 1), done: make(chan struct{})}
	p.cmd = exec.Command(testBinary(t), args...)
	p.cmd.Dir, p.cmd.Env = dirs.work, env
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	var readers sync.WaitGroup
	readers.Go(func() { p.readLines(stderr, p.stderrLine) })
	readers.Go(func() {
		p.readLines(stdout, func(line string) {
			p.mu.Lock()
			p.stdout = append(p.stdout, line)
			p.mu.Unlock()
		})
	})
	go func() {
		readers.Wait() // both pipes read to the end before Wait closes them
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

func (p *process) readLines(r io.Reader, each func(string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		each(sc.Text())
	}
	_, _ = io.Copy(io.Discard, r)
}

func (p *process) stderrLine(line string) {
	p.mu.Lock()
	p.stderr.WriteString(line + "\n")
	p.mu.Unlock()
	if p.urlLine == nil {
		return
	}
	if m := p.urlLine.FindStringSubmatch(line); m != nil {
		select {
		case p.url <- m[1]:
		default: // only the first URL is waited for
		}
	}
}

func (p *process) stdoutText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.stdout) == 0 {
		return ""
	}
	return strings.Join(p.stdout, "\n") + "\n"
}

func (p *process) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// output is both streams, for a failure's message.
func (p *process) output() string {
	return "stdout:\n" + p.stdoutText() + "stderr:\n" + p.stderrText()
}

// waitURL waits for the URL the process prints on stderr.
func (p *process) waitURL(t *testing.T) string {
	t.Helper()
	select {
	case u := <-p.url:
		return u
	case <-time.After(e2etest.Timeout):
		t.Fatalf("%s printed no URL on stderr within %s:\n%s", p.name, e2etest.Timeout, p.output())
		return ""
	}
}

// next waits for the next line on stdout and decodes it as a JSON object.
func (p *process) next(t *testing.T, what string) map[string]any {
	t.Helper()
	var line string
	e2etest.Eventually(t, fmt.Sprintf("a line from %s (%s)", p.name, what), func() (bool, string) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.read < len(p.stdout) {
			line = p.stdout[p.read]
			p.read++
			return true, ""
		}
		return false, "stdout:\n" + strings.Join(p.stdout, "\n") + "\nstderr:\n" + p.stderr.String()
	})
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%s printed a line that is not JSON while waiting for %s: %q\n%s", p.name, what, line, p.output())
	}
	return m
}

// wait returns the exit code once the process has ended.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		if ee, ok := p.err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if p.err != nil {
			t.Fatal(p.err)
		}
		return 0
	case <-time.After(e2etest.Timeout):
		t.Fatalf("%s did not finish within %s:\n%s", p.name, e2etest.Timeout, p.output())
		return -1
	}
}

// wantExit fails the test unless the process ends with the exit status code.
func (p *process) wantExit(t *testing.T, code int) {
	t.Helper()
	if got := p.wait(t); got != code {
		t.Fatalf("%s: exit %d, want %d\n%s", p.name, got, code, p.output())
	}
}

// drive runs the steps in the browser tab, failing with what the process said when one fails.
func (p *process) drive(t *testing.T, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, steps...); err != nil {
		t.Fatalf("drive Link: %v\nstderr of %s:\n%s", err, p.name, p.stderrText())
	}
}
