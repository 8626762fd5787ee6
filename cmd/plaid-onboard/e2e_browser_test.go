package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// startLink runs `plaid-onboard link` in the background.
func startLink(t *testing.T, dirs userDirs, env []string, args ...string) *process {
	t.Helper()
	return startCmd(t, dirs, env, append([]string{"link"}, args...)...)
}

// startCmd runs a command that opens the Link page (link, verify) in the background.
func startCmd(t *testing.T, dirs userDirs, env []string, args ...string) *process {
	t.Helper()
	return startProcess(t, dirs, env, linkURLLine, append(args, "--no-browser")...)
}

// fakePlaidEnv points the binary at the fake Plaid and the Link SDK at scriptURL, through the
// same environment variables a user would set for a proxy or a pinned SDK.
func fakePlaidEnv(dirs userDirs, srv *emulator.Server, scriptURL string) []string {
	return dirs.env("PLAID_API_URL="+srv.URL, "PLAID_LINK_SCRIPT_URL="+scriptURL,
		"PLAID_CLIENT_ID="+emulator.DemoClientID, "PLAID_SECRET="+emulator.DemoSecret)
}

// openLink loads the Link page and returns the stand-in Link iframe once Link is open.
func openLink(t *testing.T, url string) (context.Context, *chromedp.Node) {
	t.Helper()
	ctx := e2etest.Tab(t)
	var frames []*chromedp.Node
	err := chromedp.Do(ctx,
		e2etest.Step("open "+url, chromedp.Navigate(url)),
		e2etest.Step("wait for the Link iframe", chromedp.WaitVisible(chromedp.CSS("iframe"))),
		e2etest.Step("find the Link iframe", func(ctx context.Context, tg *chromedp.Target) (v chromedp.Void, err error) {
			frames, err = chromedp.Nodes(chromedp.CSS("iframe"))(ctx, tg)
			return v, err
		}),
	)
	if err != nil || len(frames) != 1 {
		t.Fatalf("open Link: %d iframes, %v", len(frames), err)
	}
	return ctx, frames[0]
}

func inFrame(frame *chromedp.Node) chromedp.QueryOption { return chromedp.FromNode(frame) }

func clickIn(frame *chromedp.Node, sel string) chromedp.Action[chromedp.Void] {
	return e2etest.Step("click "+sel, chromedp.Click(chromedp.CSS(sel), inFrame(frame), chromedp.NodeVisible))
}

func typeIn(frame *chromedp.Node, sel, text string) chromedp.Action[chromedp.Void] {
	return e2etest.Step("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, inFrame(frame), chromedp.NodeVisible))
}

func paneIs(frame *chromedp.Node, name string) chromedp.Action[chromedp.Void] {
	return e2etest.Step("wait for the "+name+" pane", chromedp.WaitVisible(chromedp.CSS(`#pane[data-pane="`+name+`"]`), inFrame(frame)))
}

// loginAs drives the stand-in Link from its first pane to the credentials being submitted.
func loginAs(frame *chromedp.Node, institutionID, search, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		paneIs(frame, "CONSENT"),
		clickIn(frame, "#continue"),
		paneIs(frame, "SELECT_INSTITUTION"),
		typeIn(frame, "#search", search),
		clickIn(frame, `[data-institution-id="`+institutionID+`"]`),
		paneIs(frame, "CREDENTIAL"),
		typeIn(frame, "#username", "user_good"),
		typeIn(frame, "#password", password),
		clickIn(frame, "#submit"),
	}
}

// linkFirstPlatypus drives the stand-in Link through a plain success: First Platypus Bank,
// user_good / pass_good, the default account.
func linkFirstPlatypus(frame *chromedp.Node) []chromedp.Action[chromedp.Void] {
	return append(loginAs(frame, "ins_109508", "platypus", "pass_good"),
		paneIs(frame, "SELECT_ACCOUNT"), clickIn(frame, "#continue"),
		paneIs(frame, "CONNECTED"), clickIn(frame, "#continue"))
}

// TestE2ELinkInChromium: the built binary serves the real Link page; headless Chromium loads it
// with the stand-in Link SDK (PLAID_LINK_SCRIPT_URL), a user links First Platypus Bank, and the
// binary prints the numbers as JSON, saves the Item in the real keyring, and the page shows the
// outcome.
func TestE2ELinkInChromium(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)

	p := startLink(t, dirs, env, "--json")
	url := p.waitURL(t)
	ctx, frame := openLink(t, url)

	page := `document.getElementById('app').dataset.state`
	steps := append(linkFirstPlatypus(frame),
		e2etest.Step("wait for the page to say it is done", chromedp.Poll[chromedp.Void](page+` === 'done'`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout))),
	)
	p.drive(t, ctx, steps...)
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status-detail")))
	if err != nil || !strings.Contains(status, "First Platypus Bank") || !strings.Contains(status, "close this tab") {
		t.Errorf("the page's final message = %q, %v", status, err)
	}

	res := flowResult(t, p)
	if res.Institution == nil || res.Institution.Name != "First Platypus Bank" || len(res.Numbers.ACH) == 0 || res.Numbers.ACH[0].Routing != "011401533" {
		t.Errorf("result: institution %+v, ACH %+v", res.Institution, res.Numbers.ACH)
	}
	if !res.Storage.Saved {
		t.Errorf("Item not saved: %+v", res.Storage)
	}
	stderr := p.stderrText()
	wantAll(t, "stderr", stderr, "OPEN", "SELECT_INSTITUTION", "First Platypus Bank", "HANDOFF", "✓ Exchanged the public token", "✓ Saved the Item")
	// The server is gone once the flow ends (the process has exited).
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("the Link page is still served after the flow ended: %s", resp.Status)
	}
}

// TestE2ELinkExitWithError: a bad password makes Link fail like Sandbox; closing Link ends the
// command with exit status 1 and Link's error code.
func TestE2ELinkExitWithError(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)

	p := startLink(t, dirs, env, "--no-save")
	ctx, frame := openLink(t, p.waitURL(t))
	steps := loginAs(frame, "ins_109508", "platypus", "error_INVALID_CREDENTIALS")
	steps = append(steps, paneIs(frame, "ERROR"), clickIn(frame, "#close"))
	p.drive(t, ctx, steps...)
	p.wantExit(t, 1)
	// Link's status (the pane it was on) and its error, with what to do and where Plaid
	// documents it.
	stderr := p.stderrText()
	for _, want := range []string{"error_code:", "INVALID_CREDENTIALS", "error_type:", "ITEM_ERROR", "status:", "requires_credentials",
		"link_session_id:", "next:", "user_good / pass_good", "https://plaid.com/docs/errors/item/#invalid_credentials"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if p.stdoutText() != "" {
		t.Errorf("stdout should be empty after a Link exit, got %q", p.stdoutText())
	}
}

// TestE2ELinkExitJSON: with --json, a Link exit (the user gives up at the credentials pane)
// is one {"error": …} document on stdout with Link's status and error, and exit status 1; the
// page says the command stopped waiting and offers no Reopen it could not use.
func TestE2ELinkExitJSON(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)

	p := startLink(t, dirs, env, "--no-save", "--json")
	ctx, frame := openLink(t, p.waitURL(t))
	steps := loginAs(frame, "ins_109508", "platypus", "error_ITEM_LOCKED")
	steps = append(steps, paneIs(frame, "ERROR"), clickIn(frame, "#close"),
		e2etest.Step("wait for the page to hear the command stopped", chromedp.Poll[chromedp.Void](
			`document.getElementById('status-detail').textContent.indexOf('Run the command again') >= 0`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout))))
	p.drive(t, ctx, steps...)
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('reopen').hidden`))
	if err != nil || !hidden {
		t.Errorf("the page offers Reopen after the command stopped waiting (hidden=%v, %v)", hidden, err)
	}
	p.wantExit(t, 1)
	var doc struct {
		Error plaidflow.Problem `json:"error"`
	}
	if err := json.Unmarshal([]byte(p.stdoutText()), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, p.stdoutText())
	}
	e := doc.Error
	if e.ErrorCode != "ITEM_LOCKED" || e.ErrorType != "ITEM_ERROR" || e.Status == "" || e.LinkSessionID == "" ||
		!strings.Contains(e.Next, "unlock") || e.DocumentationURL != "https://plaid.com/docs/errors/item/#item_locked" {
		t.Errorf("error document = %+v", e)
	}
	if stderr := p.stderrText(); !strings.Contains(stderr, "ITEM_LOCKED") || !strings.Contains(stderr, "status:") {
		t.Errorf("stderr lacks Link's error and status:\n%s", stderr)
	}
}

// TestE2ELinkSDKUnreachable: when the browser cannot load the Link SDK, the command stops
// waiting and says why, instead of hanging until ctrl+c.
func TestE2ELinkSDKUnreachable(t *testing.T) {
	t.Parallel()
	srv, dirs, _ := emulatorEnv(t)
	env := fakePlaidEnv(dirs, srv, srv.URL+"/no-such-sdk.js")

	p := startLink(t, dirs, env, "--no-save")
	ctx := e2etest.Tab(t)
	if err := chromedp.Do(ctx, e2etest.Step("open the Link page", chromedp.Navigate(p.waitURL(t)))); err != nil {
		t.Fatal(err)
	}
	p.wantExit(t, 1)
	if stderr := p.stderrText(); !strings.Contains(stderr, "could not load Plaid Link") || !strings.Contains(stderr, srv.URL) {
		t.Errorf("stderr does not say the SDK failed to load:\n%s", stderr)
	}
}

// TestE2ELinkInterrupted: ctrl+c while Link is open exits 130 and takes the page down with it.
func TestE2ELinkInterrupted(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	p := startLink(t, dirs, env, "--no-save")
	url := p.waitURL(t)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("the page is not up: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the page answers %s", resp.Status)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.wantExit(t, 130)
	if !strings.Contains(p.stderrText(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", p.stderrText())
	}
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Error("the Link page still answers after ctrl+c")
	}
}

// TestE2ELinkServesTheOAuthReturn: with PLAID_REDIRECT_URI set to the page's own return address
// (as registered in the Dashboard), the page listens on that port and serves the return page
// that resumes Link.
func TestE2ELinkServesTheOAuthReturn(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer()
	defer srv.Close()
	port := freeLoopbackPort(t) // the page listens on 127.0.0.1 and ::1
	redirect := fmt.Sprintf("http://localhost:%d/oauth-return", port)

	dirs := newUserDirs(t)
	p := startLink(t, dirs, append(fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), "PLAID_REDIRECT_URI="+redirect), "--no-save")
	if url := p.waitURL(t); url != fmt.Sprintf("http://127.0.0.1:%d/", port) {
		t.Errorf("page at %s, want the registered port %d", url, port)
	}
	resp, err := http.Get(redirect + "?oauth_state_id=6a8d2b7c-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "link-sandbox-") {
		t.Errorf("OAuth return: %d, page carries a link token: %v", resp.StatusCode, strings.Contains(string(body), "link-sandbox-"))
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 130 {
		t.Errorf("exit %d after ctrl+c, want 130\n%s", code, p.stderrText())
	}
}

// TestE2ELinkAgainstTheEmulatorCommand: `plaid-onboard emulator` serves what a user's own setup
// needs; `link`, pointed at it only through the variables its --json line names
// (PLAID_API_URL, PLAID_LINK_SCRIPT_URL and the keys), runs Link in Chromium with the stand-in
// SDK and prints the numbers.
func TestE2ELinkAgainstTheEmulatorCommand(t *testing.T) {
	t.Parallel()
	requireKeyring(t)
	ctx, stop := context.WithCancel(context.Background())
	emu := startEmulator(t, ctx, false, "emulator", "--json")
	info := emu.info(t)
	defer func() {
		stop()
		if code := emu.wait(t); code != 0 {
			t.Errorf("emulator exit %d", code)
		}
	}()

	dirs := newUserDirs(t)
	env := dirs.env("PLAID_API_URL="+info.URL, "PLAID_LINK_SCRIPT_URL="+info.LinkScriptURL,
		"PLAID_CLIENT_ID="+info.ClientID, "PLAID_SECRET="+info.Secret)
	p := startLink(t, dirs, env, "--json", "--mask")
	lctx, frame := openLink(t, p.waitURL(t))
	steps := linkFirstPlatypus(frame)
	p.drive(t, lctx, steps...)
	res := flowResult(t, p)
	if res.Demo || res.Environment != "sandbox" || !res.Masked || len(res.Numbers.ACH) == 0 ||
		res.Numbers.ACH[0].Routing != "011401533" || !strings.HasPrefix(res.Numbers.ACH[0].Account, "••••") {
		t.Errorf("result: demo %v, environment %q, masked %v, ACH %+v", res.Demo, res.Environment, res.Masked, res.Numbers.ACH)
	}
}
