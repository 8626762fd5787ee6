package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// TestE2ECodeOfALinkSession: a session through the real Link page (headless Chromium, the
// stand-in SDK, First Platypus Bank) becomes a program where Link is
// /sandbox/public_token/create at the bank Link chose, under a comment saying what Link did,
// and that program, run with bash against the emulator, shows the accounts the session showed.
func TestE2ECodeOfALinkSession(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	dirs := newUserDirs(t)
	env := fakePlaidEnv(dirs, srv, srv.LinkScriptURL())
	path := filepath.Join(dirs.work, "link.jsonl")
	p := startLink(t, dirs, env, "--no-save", "--json", "--mask", "--transcript", path)
	ctx, frame := openLink(t, p.waitURL(t))
	page := `document.getElementById('app').dataset.state`
	p.drive(t, ctx, append(linkFirstPlatypus(frame),
		e2etest.Step("wait for the page to say it is done", chromedp.Poll[chromedp.Void](page+` === 'done'`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout))))...)
	res := flowResult(t, p)

	src := runBinaryOK(t, dirs, env, "code", path)
	wantNoSecrets(t, "the curl program", src)
	head, _, _ := strings.Cut(src, "# 3.")
	wantAll(t, "the curl program", src, "/link/token/create", "# 2. /sandbox/public_token/create", "Link ran here", "Link event OPEN", "First Platypus Bank (ins_109508)",
		`"institution_id": "ins_109508"`, "--arg public_token", "/auth/get")
	if strings.Contains(head, "PLAID_PUBLIC_TOKEN") {
		t.Errorf("a Sandbox program asks for the public token:\n%s", src)
	}
	_, errJQ := exec.LookPath("jq")
	e2etest.Require(t, "jq (apt-get install jq)", errJQ == nil)
	s := &codeSession{srv: srv, transcript: path}
	for _, a := range res.Accounts {
		s.shown.Accounts = append(s.shown.Accounts, struct {
			Name    string  `json:"name"`
			Mask    *string `json:"mask"`
			Type    string  `json:"type"`
			Subtype *string `json:"subtype"`
		}{a.Name, a.Mask, a.Type, a.Subtype})
	}
	for _, x := range res.Numbers.ACH {
		s.shown.Numbers.ACH = append(s.shown.Numbers.ACH, struct{ Account, Routing string }{x.Account, x.Routing})
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "session.sh"), src)
	out := s.runProgram(t, dir, nil, "bash", "session.sh")
	var auth []string
	_, after, _ := strings.Cut(out, "== /auth/get\n")
	for _, l := range strings.Split(strings.TrimRight(after, "\n"), "\n") {
		if strings.HasPrefix(l, "== ") {
			break
		}
		auth = append(auth, l)
	}
	if got, want := strings.Join(auth, "\n"), strings.Join(s.wantAuthLines(), "\n"); got != want {
		t.Errorf("the program printed for /auth/get:\n%s\nthe session showed:\n%s", got, want)
	}
}
