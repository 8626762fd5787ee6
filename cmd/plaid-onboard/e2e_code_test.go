package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// codeSession is a session against the emulator standing in for Sandbox (PLAID_API_URL), its
// transcript, and what it showed (sandbox link --json --mask).
type codeSession struct {
	// mu: the languages' subtests run in parallel, and a testEnv runs one command at a time.
	mu         sync.Mutex
	te         *testEnv
	srv        *emulator.Server
	transcript string
	shown      struct {
		Accounts []struct {
			Name    string  `json:"name"`
			Mask    *string `json:"mask"`
			Type    string  `json:"type"`
			Subtype *string `json:"subtype"`
		} `json:"accounts"`
		Numbers struct {
			ACH []struct {
				Account, Routing string
			} `json:"ach"`
			EFT []struct {
				Account, Institution, Branch string
			} `json:"eft"`
			International []struct {
				IBAN string `json:"iban"`
				BIC  string `json:"bic"`
			} `json:"international"`
			BACS []struct {
				Account  string `json:"account"`
				SortCode string `json:"sort_code"`
			} `json:"bacs"`
		} `json:"numbers"`
	}
}

func newCodeSession(t *testing.T, args ...string) *codeSession {
	t.Helper()
	s := &codeSession{te: newTestEnv(t)}
	s.srv = s.te.useFakePlaid(t)
	s.transcript = filepath.Join(t.TempDir(), "session.jsonl")
	out := s.te.mustRun(t, 0, append([]string{"sandbox", "link", "--no-save", "--json", "--mask", "--transcript", s.transcript}, args...)...)
	if err := json.Unmarshal([]byte(out), &s.shown); err != nil {
		t.Fatalf("sandbox link --json: %v\n%s", err, out)
	}
	return s
}

// run runs the program with args, one at a time, and returns what it printed on stdout.
func (s *codeSession) run(t *testing.T, args ...string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.te.mustRun(t, exitOK, args...)
}

// code is `code TRANSCRIPT --lang lang`, checked to hold no secret and no token.
func (s *codeSession) code(t *testing.T, lang string) string {
	t.Helper()
	src := s.run(t, "code", s.transcript, "--lang", lang)
	wantNoSecrets(t, lang+" program", src)
	return src
}

var tokenValue = regexp.MustCompile(`(access|public|processor)-(sandbox|production)-[0-9a-f-]{8,}`)

func wantNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	wantNone(t, what, text, emulator.DemoSecret, emulator.DemoClientID)
	if m := tokenValue.FindString(text); m != "" {
		t.Errorf("%s holds the token %s", what, m)
	}
}

// wantAuthLines are the lines a program prints for /auth/get: what the session showed, in the
// programs' one format (accounts, then each number family, masked as --mask masks).
func (s *codeSession) wantAuthLines() []string {
	var out []string
	for _, a := range s.shown.Accounts {
		kind := a.Type
		if a.Subtype != nil {
			kind += "/" + *a.Subtype
		}
		mask := ""
		if a.Mask != nil {
			mask = *a.Mask
		}
		out = append(out, fmt.Sprintf("  account %s ••%s %s", a.Name, mask, kind))
	}
	n := s.shown.Numbers
	for _, x := range n.ACH {
		out = append(out, fmt.Sprintf("  ACH account %s routing %s", x.Account, x.Routing))
	}
	for _, x := range n.EFT {
		out = append(out, fmt.Sprintf("  EFT account %s institution %s branch %s", x.Account, x.Institution, x.Branch))
	}
	for _, x := range n.International {
		out = append(out, fmt.Sprintf("  International IBAN %s BIC %s", x.IBAN, x.BIC))
	}
	for _, x := range n.BACS {
		out = append(out, fmt.Sprintf("  BACS account %s sort code %s", x.Account, x.SortCode))
	}
	return out
}

// sessionCalls are the endpoints of the transcript's calls, in order, once each.
func (s *codeSession) sessionCalls(t *testing.T) []transcript.Entry {
	t.Helper()
	entries, err := transcript.ReadTranscriptFile(s.transcript)
	if err != nil {
		t.Fatal(err)
	}
	var calls []transcript.Entry
	seen := map[int]bool{}
	for _, e := range entries {
		if e.Kind == transcript.KindAPICall && !seen[e.Call] {
			seen[e.Call] = true
			calls = append(calls, e)
		}
	}
	return calls
}

// wantSameOutput checks a program's output: the session's calls in order, and for /auth/get the
// accounts and numbers the session showed.
func (s *codeSession) wantSameOutput(t *testing.T, lang, out string) {
	t.Helper()
	sections := map[string][]string{}
	var order []string
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "== "); ok {
			cur = name
			order = append(order, name)
			continue
		}
		if !strings.HasPrefix(line, "  item_id ") {
			sections[cur] = append(sections[cur], line)
		}
	}
	var want []string
	for _, c := range s.sessionCalls(t) {
		want = append(want, c.Endpoint)
	}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("the %s program made %v, the session %v:\n%s", lang, order, want, out)
	}
	if got, want := strings.Join(sections["/auth/get"], "\n"), strings.Join(s.wantAuthLines(), "\n"); got != want {
		t.Errorf("the %s program printed for /auth/get:\n%s\nthe session showed:\n%s", lang, got, want)
	}
}

// runProgram runs a generated program against the session's emulator with its keys in the
// environment, as the user would with PLAID_API_URL set.
func (s *codeSession) runProgram(t *testing.T, dir string, extraEnv []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLAID_API_URL="+s.srv.URL, "PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
	cmd.Env = append(cmd.Env, extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", name, args, err, out, stderr.String())
	}
	wantNoSecrets(t, name+"'s output", string(out))
	return string(out)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestE2ECodeReproducesASandboxSession: `code --lang L` of a Sandbox session (a scenario's
// user_custom configuration, UK numbers) is a program that, run against the emulator, makes
// the same calls and prints the same accounts and masked numbers, in each language; and
// `code --postman DIR` is a collection newman runs to the same answers.
func TestE2ECodeReproducesASandboxSession(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"scenario", []string{"--scenario", "uk-bacs-iban"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newCodeSession(t, tc.args...)
			t.Run("curl", func(t *testing.T) {
				t.Parallel()
				_, errBash := exec.LookPath("bash")
				_, errJQ := exec.LookPath("jq")
				_, errCurl := exec.LookPath("curl")
				e2etest.Require(t, "bash, curl and jq (apt-get install jq curl)", errBash == nil && errJQ == nil && errCurl == nil)
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "session.sh"), s.code(t, "curl"))
				s.wantSameOutput(t, "curl", s.runProgram(t, dir, nil, "bash", "session.sh"))
			})
			t.Run("go", func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "main.go"), s.code(t, "go"))
				// The project's own requirements and sums, under another module name: the program
				// then builds with the versions the project builds with, which are in the module
				// cache, and GOPROXY=off proves it needs nothing else (plaid-go's own go.mod asks
				// for older versions of its dependencies, which a fresh cache does not hold).
				mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
				if err != nil {
					t.Fatal(err)
				}
				_, requires, _ := strings.Cut(string(mod), "\n")
				writeFile(t, filepath.Join(dir, "go.mod"), "module reproduce\n"+requires)
				sum, err := os.ReadFile(filepath.Join("..", "..", "go.sum"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, "go.sum"), string(sum))
				s.wantSameOutput(t, "go", s.runProgram(t, dir, []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off"}, "go", "run", "."))
			})
			t.Run("node", func(t *testing.T) {
				t.Parallel()
				node := requireNode(t)
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "session.js"), s.code(t, "node"))
				modules, err := filepath.Abs(filepath.Join(nodeDir, "node_modules"))
				if err != nil {
					t.Fatal(err)
				}
				s.wantSameOutput(t, "node", s.runProgram(t, dir, []string{"NODE_PATH=" + modules}, node, "session.js"))
			})
			t.Run("python", func(t *testing.T) {
				t.Parallel()
				s.runPython(t)
			})
			t.Run("postman", func(t *testing.T) {
				t.Parallel()
				s.runPostman(t)
			})
		})
	}
}

// A transcript written by hand with a token where a request value goes is refused: the code
// would carry it.
func TestCodeRefusesATranscriptHoldingAToken(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	path := filepath.Join(t.TempDir(), "hand.jsonl")
	writeFile(t, path, `{"time":"2026-12-06T12:00:00Z","kind":"session","environment":"sandbox"}
{"time":"2026-12-06T12:00:01Z","kind":"api_call","endpoint":"/auth/get","call":1,"http_status":200,"request":{"access_token":"access-sandbox-5f2c1a9e-0000-4000-8000-123456789abc"}}
`)
	if code := te.run("code", path); code != exitFailure || te.stdout.Len() != 0 || !strings.Contains(te.stderr.String(), "not printed") {
		t.Errorf("exit %d, stdout %q, stderr %q: want exit 1, nothing printed", code, te.stdout, te.stderr)
	}
}
