package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// runPostman checks `code --postman DIR`: newman runs the collection with the environment
// against the emulator (env_url, client_id and secret_key given as Plaid's collection names
// them); every request passes its test, they are the session's calls in order, and /auth/get
// answers with the accounts and numbers the session showed. The files hold no secret.
func (s *codeSession) runPostman(t *testing.T) {
	t.Helper()
	newman, err := filepath.Abs(filepath.Join(nodeDir, "node_modules", ".bin", "newman"))
	if err != nil {
		t.Fatal(err)
	}
	_, statErr := os.Stat(newman)
	requireNode(t)
	e2etest.Require(t, "newman in cmd/plaid-onboard/testdata/node/node_modules: run `npm ci --prefix cmd/plaid-onboard/testdata/node` (.ci/test-deps does)", statErr == nil)
	dir := t.TempDir()
	s.run(t, "code", s.transcript, "--postman", dir)
	coll, env := filepath.Join(dir, postmanCollectionFile), filepath.Join(dir, postmanEnvironmentFile)
	for _, p := range []string{coll, env} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		wantNoSecrets(t, filepath.Base(p), string(b))
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	wantAll(t, "the environment", mustRead(t, env), `"env_url"`, `"client_id"`, `"secret_key"`, `"public_token"`, `"access_token"`)

	report := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, newman, "run", coll, "-e", env, "--env-var", "env_url="+s.srv.URL,
		"--env-var", "client_id="+emulator.DemoClientID, "--env-var", "secret_key="+emulator.DemoSecret,
		"--reporters", "json", "--reporter-json-export", report)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("newman: %v\n%s", err, out)
	}
	var rep struct {
		Run struct {
			Executions []struct {
				Item struct {
					Name string `json:"name"`
				} `json:"item"`
				Response struct {
					Code   int `json:"code"`
					Stream struct {
						Data []byte `json:"-"`
						Raw  []int  `json:"data"`
					} `json:"stream"`
				} `json:"response"`
			} `json:"executions"`
			Failures []any `json:"failures"`
		} `json:"run"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, report)), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Run.Failures) > 0 {
		t.Errorf("newman reports failures: %v", rep.Run.Failures)
	}
	calls := s.sessionCalls(t)
	if len(rep.Run.Executions) != len(calls) {
		t.Fatalf("newman ran %d requests, the session made %d calls", len(rep.Run.Executions), len(calls))
	}
	for i, ex := range rep.Run.Executions {
		if want := fmt.Sprintf("%d. %s", i+1, calls[i].Endpoint); ex.Item.Name != want {
			t.Errorf("request %d is %q, want %q", i+1, ex.Item.Name, want)
		}
		if calls[i].Endpoint != "/auth/get" {
			continue
		}
		body := make([]byte, len(ex.Response.Stream.Raw))
		for j, c := range ex.Response.Stream.Raw {
			body[j] = byte(c)
		}
		if got, want := strings.Join(authLines(t, body), "\n"), strings.Join(s.wantAuthLines(), "\n"); got != want {
			t.Errorf("newman's /auth/get answered:\n%s\nthe session showed:\n%s", got, want)
		}
	}
}

// authLines are an /auth/get answer's accounts and numbers in the programs' one format.
func authLines(t *testing.T, body []byte) []string {
	t.Helper()
	var s codeSession
	if err := json.Unmarshal(body, &s.shown); err != nil {
		t.Fatalf("the /auth/get answer: %v", err)
	}
	mask := func(v string) string {
		v = strings.ReplaceAll(v, " ", "")
		if len(v) <= 4 {
			return "••••"
		}
		return "••••" + v[len(v)-4:]
	}
	n := &s.shown.Numbers
	for i := range n.ACH {
		n.ACH[i].Account = mask(n.ACH[i].Account)
	}
	for i := range n.EFT {
		n.EFT[i].Account = mask(n.EFT[i].Account)
	}
	for i := range n.International {
		n.International[i].IBAN = mask(n.International[i].IBAN)
	}
	for i := range n.BACS {
		n.BACS[i].Account = mask(n.BACS[i].Account)
	}
	return s.wantAuthLines()
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
