package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// Hosted Link (https://plaid.com/docs/link/hosted-link/): `link --hosted` prints the
// hosted_link_url as a QR code and as text on stderr, follows the session through
// /link/token/get (https://plaid.com/docs/api/link/#linktokenget) and the LINK webhooks
// SESSION_FINISHED and ITEM_ADD_RESULT, then exchanges, saves and prints as `link` does.

var hostedURLLine = regexp.MustCompile(`Hosted Link is at (http://127\.0\.0\.1:\d+/hl/\S+)`)

// startHosted runs `plaid-onboard link --hosted` in the background.
func startHosted(t *testing.T, dirs userDirs, env []string, args ...string) *process {
	t.Helper()
	return startProcess(t, dirs, env, hostedURLLine, append([]string{"link", "--hosted"}, args...)...)
}

// scanQR reads the QR code off the command's stderr as a phone would, and checks it is the URL
// printed beside it.
func scanQR(t *testing.T, p *process, url string, noColor bool) {
	t.Helper()
	block := e2etest.QRBlock(p.stderrText())
	if len(block) == 0 {
		t.Fatalf("no QR code on stderr:\n%s", p.stderrText())
	}
	if noColor && strings.Contains(p.stderrText(), "\x1b[") {
		t.Errorf("NO_COLOR, but stderr has escape codes")
	}
	if !noColor && !strings.Contains(p.stderrText(), "\x1b[38;5;16;48;5;231m") {
		t.Errorf("the code is not painted black on white, so a terminal's theme would show through")
	}
	got, err := e2etest.DecodeQR(block, !noColor)
	if err != nil {
		t.Fatalf("the QR code does not scan: %v\n%s", err, strings.Join(block, "\n"))
	}
	if got != url {
		t.Errorf("the QR code reads %q; the URL printed is %q", got, url)
	}
	if cols, rows := len([]rune(block[0])), len(block); cols > 80 || rows > 21 {
		t.Errorf("the code is %d×%d cells: it does not fit an 80×24 terminal with its URL", cols, rows)
	}
}

// TestE2EHostedLinkInChromium: the code on stderr scans as the hosted URL; headless Chromium
// opens it (the phone), links First Platypus Bank on the hosted page, and the command exchanges,
// saves in the real keyring and prints the numbers as JSON. The emulator's SESSION_FINISHED
// webhook reached the command's receiver.
func TestE2EHostedLinkInChromium(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)
	p := startHosted(t, dirs, env, "--json")
	url := p.waitURL(t)
	scanQR(t, p, url, false)

	ctx, frame := openLink(t, url)
	steps := append(linkFirstPlatypus(frame),
		e2etest.Step("wait for the hosted page to say it is done", chromedp.WaitVisible(chromedp.CSS(`#hosted-title`))))
	p.drive(t, ctx, steps...)
	res := flowResult(t, p)
	if res.Institution == nil || res.Institution.Name != "First Platypus Bank" || len(res.Numbers.ACH) == 0 || !res.Storage.Saved {
		t.Errorf("the result is not First Platypus Bank's numbers, saved: %+v", res)
	}
	if stderr := p.stderrText(); !strings.Contains(stderr, "webhook LINK SESSION_FINISHED (SUCCESS)") || !strings.Contains(stderr, "Hosted Link handed over a public token") {
		t.Errorf("stderr does not show the session finishing through its webhook:\n%s", stderr)
	}
}

// TestE2EHostedLinkExitNoColor: with NO_COLOR the code is drawn without escape codes and still
// scans; closing Link on the hosted page ends the command like a Link exit (status 1, Link's
// status and the link_session_id).
func TestE2EHostedLinkExitNoColor(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	p := startHosted(t, dirs, append(env, "NO_COLOR=1"), "--no-save")
	url := p.waitURL(t)
	scanQR(t, p, url, true)

	ctx, frame := openLink(t, url)
	p.drive(t, ctx, paneIs(frame, "CONSENT"), clickIn(frame, "#close"),
		e2etest.Step("wait for the hosted page to say Link closed", chromedp.Poll[chromedp.Void](
			`document.getElementById('hosted-title').textContent === 'Link closed'`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout))))
	p.wantExit(t, 1)
	stderr := p.stderrText()
	wantAll(t, "stderr", stderr, "link closed on the hosted page before an account was linked", "link_session_id", "start Link again")
}

// TestE2EHostedLinkExpires: nobody scans the code; when the URL expires (--hosted-lifetime, sent
// as url_lifetime_seconds) the command stops, says so and how to start again.
func TestE2EHostedLinkExpires(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	p := startHosted(t, dirs, env, "--no-save", "--hosted-lifetime", "2s")
	p.waitURL(t)
	p.wantExit(t, 1)
	stderr := p.stderrText()
	wantAll(t, "stderr", stderr, "the Hosted Link URL expired at", "before anyone finished Link", "plaid-onboard link --hosted")

	// In the offline demo, the command to start again is the demo's, so that it works pasted.
	demoEnv := slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "PLAID_") })
	p = startHosted(t, dirs, demoEnv, "--demo", "--no-save", "--hosted-lifetime", "2s")
	p.waitURL(t)
	p.wantExit(t, 1)
	wantAll(t, "stderr", p.stderrText(), "the Hosted Link URL expired at", "plaid-onboard --demo link --hosted")
}

// TestE2EHostedLinkInterrupted: ctrl+c while waiting stops following the session (exit 130).
func TestE2EHostedLinkInterrupted(t *testing.T) {
	t.Parallel()
	_, dirs, env := emulatorEnv(t)
	p := startHosted(t, dirs, env, "--no-save")
	p.waitURL(t)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.wantExit(t, 130)
}

// TestE2EHostedLinkNotEnabled: a team without Hosted Link gets a Link token and no
// hosted_link_url, and no error (plaid/plaid-python#524): the command says so plainly and offers
// the Link page on this machine.
func TestE2EHostedLinkNotEnabled(t *testing.T) {
	t.Parallel()
	srv := emulator.NewServer(emulator.WithoutHostedLink())
	t.Cleanup(srv.Close)
	dirs := newUserDirs(t)
	p := startProcess(t, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL()), nil, "link", "--hosted", "--no-save")
	p.wantExit(t, 1)
	stderr := p.stderrText()
	wantAll(t, "stderr", stderr, "Plaid has not enabled Hosted Link for this team", "plaid-onboard link")
	if strings.Contains(stderr, "█") {
		t.Errorf("a code was drawn without a hosted URL:\n%s", stderr)
	}
}

// TestTUIHostedLinkInTmux: on the Link screen of the terminal UI at 80×24, H shows the hosted
// URL's QR code, which scans from the captured screen (colour, so painted black on white);
// Chromium (the phone) links First Platypus Bank on the hosted page, and the UI goes on to the
// numbers as after the Link page.
func TestTUIHostedLinkInTmux(t *testing.T) {
	t.Parallel()
	s := startTUI(t, 80, 24, "NO_COLOR=", "--demo --no-browser --no-save")
	s.waitForText("The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("H Hosted Link (QR)")
	s.keys("H")
	url := scanScreen(t, s, true)

	ctx, frame := openLink(t, url)
	if err := chromedp.Do(ctx, linkFirstPlatypus(frame)...); err != nil {
		t.Fatalf("drive Link on the hosted page: %v\nthe screen:\n%s", err, s.screen())
	}
	s.waitForText("First Platypus Bank", "Plaid Checking", "011401533")
}

// TestTUIHostedLinkNoColorThenBack: with NO_COLOR the code on the 80×24 screen is drawn in the
// terminal's foreground and still scans; esc leaves Hosted Link for the keys, and a session
// given up that way is no longer followed (the journey's Close).
func TestTUIHostedLinkNoColorThenBack(t *testing.T) {
	t.Parallel()
	s := startTUI(t, 80, 24, "NO_COLOR=1", "--demo --no-browser --no-save")
	s.waitForText("The emulator accepted the demo keys")
	s.keys("Enter")
	s.waitForText("H Hosted Link (QR)")
	s.keys("H")
	scanScreen(t, s, false)
	s.keys("H")
	s.waitForText("Link a bank account in your browser", "H Hosted Link (QR)")
	s.keys("H")
	scanScreen(t, s, false)
	s.keys("Escape")
	s.waitForText("client_id")
}

// scanScreen waits for the QR code on the pane and reads it as a phone would: it must be the
// URL printed under it.
func scanScreen(t *testing.T, s *tmuxSession, colour bool) string {
	t.Helper()
	scr := s.waitFor("the Hosted Link QR code and URL", func(scr string) bool {
		return len(e2etest.QRBlock(scr)) > 0 && hostedURLOnScreen.MatchString(scr)
	})
	url := hostedURLOnScreen.FindString(scr)
	got, err := e2etest.DecodeQR(e2etest.QRBlock(scr), colour)
	if err != nil {
		t.Fatalf("the QR code on the screen does not scan: %v\n%s", err, scr)
	}
	if got != url {
		t.Fatalf("the QR code reads %q; the screen says %q", got, url)
	}
	return url
}

var hostedURLOnScreen = regexp.MustCompile(`http://127\.0\.0\.1:\d+/hl/[0-9a-f-]{36}`)
