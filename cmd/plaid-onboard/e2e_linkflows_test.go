package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zalando/go-keyring"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// End to end, the Auth flows through Link (link --flow, verify): the built binary, headless
// Chromium on the real Link page with the stand-in Link, the real keyring and the emulator. The
// Sandbox inputs are those of Plaid's testing guide, https://plaid.com/docs/auth/coverage/testing/.

// pageDone waits for the Link page to say the flow ended.
func pageDone() chromedp.Action[chromedp.Void] {
	return e2etest.Step("wait for the page to say it is done", chromedp.Poll[chromedp.Void](`document.getElementById('app').dataset.state === 'done'`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout)))
}

// setIn replaces what a field of the stand-in holds (a retry after a refusal).
func setIn(frame *chromedp.Node, sel, text string) chromedp.Action[chromedp.Void] {
	return e2etest.Step("set "+sel, chromedp.SetValue(chromedp.CSS(sel), text, inFrame(frame), chromedp.NodeVisible))
}

// textIn waits for an element of the stand-in and checks its text.
func textIn(t *testing.T, ctx context.Context, frame *chromedp.Node, sel, want string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, e2etest.Timeout)
	defer cancel()
	got, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel), inFrame(frame), chromedp.NodeVisible))
	if err != nil || !strings.Contains(got, want) {
		t.Errorf("%s says %q (%v), want it to contain %q", sel, got, err, want)
	}
}

// manualEntry types an account by hand in the stand-in's numbers pane and submits it.
func manualEntry(frame *chromedp.Node, routing, account string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		paneIs(frame, "NUMBERS"),
		typeIn(frame, "#routing", routing),
		typeIn(frame, "#account", account),
		typeIn(frame, "#holder-name", "Alberta Bobbeth Charleson"),
		clickIn(frame, "#submit"),
	}
}

// toManualEntry goes from the consent pane past the institutions to typing an account by hand.
func toManualEntry(frame *chromedp.Node) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		paneIs(frame, "CONSENT"), clickIn(frame, "#continue"),
		paneIs(frame, "SELECT_INSTITUTION"), clickIn(frame, "#manual-entry"),
	}
}

// startFlow starts `link --flow FLOW --json` and opens its Link page in headless Chromium.
func startFlow(t *testing.T, dirs userDirs, env []string, flow string) (*process, context.Context, *chromedp.Node) {
	t.Helper()
	p := startLink(t, dirs, env, "--flow", flow, "--json")
	ctx, frame := openLink(t, p.waitURL(t))
	return p, ctx, frame
}

// flowResult waits for the command and decodes its JSON result; the Item's keyring entry is
// removed after the test.
func flowResult(t *testing.T, p *process) plaidapi.Result {
	t.Helper()
	p.wantExit(t, 0)
	var res plaidapi.Result
	if err := json.Unmarshal([]byte(p.stdoutText()), &res); err != nil {
		t.Fatalf("stdout is not the JSON result: %v\n%s", err, p.stdoutText())
	}
	if res.ItemID != "" {
		t.Cleanup(func() { _ = keyring.Delete(vault.KeyringService, "sandbox/item/"+res.ItemID) })
	}
	return res
}

// emulatorEnv is an emulator answering as Plaid and serving the stand-in Link, and a home for
// the binary, which the environment points at them.
func emulatorEnv(t *testing.T) (*emulator.Server, userDirs, []string) {
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	dirs := newUserDirs(t)
	return srv, dirs, fakePlaidEnv(dirs, srv, srv.LinkScriptURL())
}

// keyringEnv is emulatorEnv for a test of the real keyring, which it requires.
func keyringEnv(t *testing.T) (*emulator.Server, userDirs, []string) {
	t.Helper()
	requireKeyring(t)
	return emulatorEnv(t)
}

// TestE2ELinkFlowInstantMatch: Houndstooth Bank, user_good / pass_good, Plaid Saving (••1111);
// a wrong account number is refused in Link, the documented one (021000021 / 1111222233331111)
// matches, and the numbers the user typed come back verified.
func TestE2ELinkFlowInstantMatch(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)

	p, ctx, frame := startFlow(t, dirs, env, "instant-match")
	steps := loginAs(frame, "ins_109512", "houndstooth", "pass_good")
	steps = append(steps,
		paneIs(frame, "SELECT_ACCOUNT"),
		clickIn(frame, `input[data-mask="1111"]`),
		clickIn(frame, "#continue"),
		paneIs(frame, "NUMBERS"),
		typeIn(frame, "#routing", "021000021"),
		typeIn(frame, "#account", "1111222233339999"),
		clickIn(frame, "#submit"),
		e2etest.Step("wait for the refusal", chromedp.WaitVisible(chromedp.CSS("#numbers-error"), inFrame(frame))),
	)
	p.drive(t, ctx, steps...)
	textIn(t, ctx, frame, "#numbers-error", "don't match")
	if err := chromedp.Do(ctx,
		setIn(frame, "#routing", "021000021"),
		setIn(frame, "#account", "1111222233331111"),
		clickIn(frame, "#submit"),
		paneIs(frame, "CONNECTED"),
		clickIn(frame, "#continue"),
		pageDone(),
	); err != nil {
		t.Fatalf("drive Link after the refusal: %v\nstderr:\n%s", err, p.stderrText())
	}
	res := flowResult(t, p)
	if res.Flow != "instant-match" || res.AuthMethod != "INSTANT_MATCH" || len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != "" {
		t.Errorf("result: flow %q, auth_method %q, accounts %+v", res.Flow, res.AuthMethod, res.Accounts)
	}
	if len(res.Numbers.ACH) != 1 || res.Numbers.ACH[0].Routing != "021000021" || res.Numbers.ACH[0].Account != "1111222233331111" {
		t.Errorf("ACH = %+v, want the matched 021000021 / 1111222233331111", res.Numbers.ACH)
	}
	if !strings.Contains(p.stderrText(), "In Link (Sandbox): institution Houndstooth Bank (ins_109512); username user_good, password pass_good") {
		t.Errorf("stderr does not say what to enter in Link:\n%s", p.stderrText())
	}
	if got := emulatortest.Requests(srv, "/link/token/create"); got != 1 {
		t.Errorf("%d link tokens made, want 1", got)
	}
}

// TestE2ELinkFlowSameDayThenVerify: Same Day micro-deposits end pending_manual_verification with
// no numbers and a `verify` to run; `verify ITEM` opens a second Link session with the Item's
// access token, a wrong code is refused with the attempts left, ABC verifies the account
// (manually_verified) and the numbers the user typed are shown. A second `verify` has nothing
// left to verify and says so before any Link opens.
func TestE2ELinkFlowSameDayThenVerify(t *testing.T) {
	t.Parallel()
	srv, dirs, env := keyringEnv(t)

	p, ctx, frame := startFlow(t, dirs, env, "same-day-microdeposits")
	steps := toManualEntry(frame)
	steps = append(steps, manualEntry(frame, "011401533", "1111222233330000")...)
	steps = append(steps, paneIs(frame, "MICRODEPOSIT_AUTHORIZE"), clickIn(frame, "#authorize"),
		paneIs(frame, "CONNECTED"), clickIn(frame, "#continue"), pageDone())
	p.drive(t, ctx, steps...)
	res := flowResult(t, p)
	if len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != "pending_manual_verification" || len(res.Numbers.ACH) != 0 {
		t.Fatalf("after Link: accounts %+v, ACH %+v; want one account pending_manual_verification and no numbers", res.Accounts, res.Numbers.ACH)
	}
	if res.AuthMethod != "SAME_DAY_MICRODEPOSITS" || !strings.Contains(res.Next, "plaid-onboard verify "+res.ItemName) {
		t.Errorf("auth_method %q, next %q", res.AuthMethod, res.Next)
	}
	if !strings.Contains(p.stderrText(), "Next: when the deposit has arrived") {
		t.Errorf("stderr does not say what to do next:\n%s", p.stderrText())
	}
	if out, stderr, code := runBinary(t, dirs, env, "items", "status", res.ItemName); code != 0 || !strings.Contains(out, "pending_manual_verification") {
		t.Errorf("items status: exit %d\n%s%s", code, out, stderr)
	}

	v := startCmd(t, dirs, env, "verify", res.ItemName, "--json")
	ctx, frame = openLink(t, v.waitURL(t))
	if err := chromedp.Do(ctx,
		paneIs(frame, "VERIFY_MICRODEPOSIT"), // no consent, no login: straight to the code
		typeIn(frame, "#microdeposit-code", "XYZ"),
		clickIn(frame, "#submit"),
		e2etest.Step("wait for the refusal", chromedp.WaitVisible(chromedp.CSS("#code-error"), inFrame(frame))),
	); err != nil {
		t.Fatalf("drive the verification session: %v\nstderr:\n%s", err, v.stderrText())
	}
	textIn(t, ctx, frame, "#code-error", "2 attempts left")
	if err := chromedp.Do(ctx,
		setIn(frame, "#microdeposit-code", "ABC"),
		clickIn(frame, "#submit"),
		paneIs(frame, "CONNECTED"),
	); err != nil {
		t.Fatalf("enter the code: %v\nstderr:\n%s", err, v.stderrText())
	}
	textIn(t, ctx, frame, "#connected-text", "is verified")
	if err := chromedp.Do(ctx, clickIn(frame, "#continue"), pageDone()); err != nil {
		t.Fatalf("finish the verification session: %v", err)
	}
	exchanges := emulatortest.Requests(srv, "/item/public_token/exchange")
	verified := flowResult(t, v)
	if verified.ItemID != res.ItemID || len(verified.Accounts) != 1 || verified.Accounts[0].VerificationStatus != "manually_verified" {
		t.Errorf("after verify: item %s, accounts %+v", verified.ItemID, verified.Accounts)
	}
	if len(verified.Numbers.ACH) != 1 || verified.Numbers.ACH[0].Routing != "011401533" || verified.Numbers.ACH[0].Account != "1111222233330000" {
		t.Errorf("after verify: ACH %+v, want the typed 011401533 / 1111222233330000", verified.Numbers.ACH)
	}
	if emulatortest.Requests(srv, "/item/public_token/exchange") != exchanges {
		t.Error("verify exchanged a public token: the Item keeps its access token")
	}
	if !strings.Contains(v.stderrText(), "is manually_verified") {
		t.Errorf("verify's stderr does not give the new status:\n%s", v.stderrText())
	}

	_, stderr, code := runBinary(t, dirs, env, "verify", res.ItemName, "--no-browser")
	if code != 1 || !strings.Contains(stderr, "nothing to verify") || strings.Contains(stderr, "Link is at") {
		t.Errorf("verify of a verified Item: exit %d\n%s", code, stderr)
	}
}

// TestE2ELinkFlowInstantMicrodeposits: Windowpane Bank has no login: Link goes straight to the
// numbers (333333334 / 1111222233330000), the deposit arrives over RTP while the user waits, and
// the code is entered in the same session.
func TestE2ELinkFlowInstantMicrodeposits(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)

	p, ctx, frame := startFlow(t, dirs, env, "instant-microdeposits")
	steps := []chromedp.Action[chromedp.Void]{
		paneIs(frame, "CONSENT"), clickIn(frame, "#continue"),
		paneIs(frame, "SELECT_INSTITUTION"), typeIn(frame, "#search", "windowpane"),
		clickIn(frame, `[data-institution-id="ins_135858"]`),
	}
	steps = append(steps, manualEntry(frame, "333333334", "1111222233330000")...)
	steps = append(steps, paneIs(frame, "VERIFY_MICRODEPOSIT"), typeIn(frame, "#microdeposit-code", "ABC"), clickIn(frame, "#submit"),
		paneIs(frame, "CONNECTED"), clickIn(frame, "#continue"), pageDone())
	p.drive(t, ctx, steps...)
	res := flowResult(t, p)
	if res.AuthMethod != "INSTANT_MICRODEPOSITS" || len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != "manually_verified" {
		t.Errorf("result: auth_method %q, accounts %+v", res.AuthMethod, res.Accounts)
	}
	if res.Institution == nil || res.Institution.ID != "ins_135858" || len(res.Numbers.ACH) != 1 || res.Numbers.ACH[0].Routing != "333333334" {
		t.Errorf("result: institution %+v, ACH %+v", res.Institution, res.Numbers.ACH)
	}
	if res.Next != "" {
		t.Errorf("a verified account still has something to do: %q", res.Next)
	}
}

// TestE2ELinkFlowDatabaseMatchAndInsights: the numbers typed by hand are checked at once, with no
// deposit: Database Match ends database_matched, Database Insights database_insights_pass with
// its verification_insights (https://plaid.com/docs/auth/coverage/database/), and both have
// their numbers.
func TestE2ELinkFlowDatabaseMatchAndInsights(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)

	for _, tc := range []struct{ flow, status, method string }{
		{"database-match", "database_matched", "DATABASE_MATCH"},
		{"database-insights", "database_insights_pass", "DATABASE_INSIGHTS"},
	} {
		p, ctx, frame := startFlow(t, dirs, env, tc.flow)
		steps := toManualEntry(frame)
		steps = append(steps, manualEntry(frame, "011401533", "1111222233330000")...)
		steps = append(steps, paneIs(frame, "CONNECTED"), clickIn(frame, "#continue"), pageDone())
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: drive Link: %v\nstderr:\n%s", tc.flow, err, p.stderrText())
		}
		res := flowResult(t, p)
		if res.AuthMethod != tc.method || len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != tc.status {
			t.Errorf("%s: auth_method %q, accounts %+v", tc.flow, res.AuthMethod, res.Accounts)
		}
		if len(res.Numbers.ACH) != 1 || res.Numbers.ACH[0].Account != "1111222233330000" {
			t.Errorf("%s: ACH %+v", tc.flow, res.Numbers.ACH)
		}
		in := res.Accounts[0].VerificationInsights
		if tc.flow == "database-insights" && (in == nil || !in.HasNumbersMatch || in.AccountNumberFormat != "valid") {
			t.Errorf("%s: verification_insights %+v, want a numbers match and a valid format", tc.flow, in)
		}
		if tc.flow == "database-match" && in != nil {
			t.Errorf("%s: verification_insights %+v on a Database Match account", tc.flow, in)
		}
	}
}

// TestE2ELinkFlowAutomatedMicrodeposits: Automated micro-deposits through Link (Houndstooth Bank,
// user_good / microdeposits_good, https://plaid.com/docs/auth/coverage/automated/): after the
// account, the user confirms its numbers and name; the account is then
// pending_automatic_verification with no numbers, and the next step is Sandbox's
// set-verification-status, after which `auth` gives the numbers the user confirmed.
func TestE2ELinkFlowAutomatedMicrodeposits(t *testing.T) {
	t.Parallel()
	_, dirs, env := keyringEnv(t)

	p, ctx, frame := startFlow(t, dirs, env, "automated-microdeposits")
	steps := loginAs(frame, "ins_109512", "houndstooth", "microdeposits_good")
	steps = append(steps, paneIs(frame, "SELECT_ACCOUNT"), clickIn(frame, "#continue"))
	steps = append(steps, manualEntry(frame, "011401533", "1111222233330000")...)
	steps = append(steps, paneIs(frame, "CONNECTED"))
	p.drive(t, ctx, steps...)
	textIn(t, ctx, frame, "#connected-text", "verify it automatically")
	if err := chromedp.Do(ctx, clickIn(frame, "#continue"), pageDone()); err != nil {
		t.Fatal(err)
	}
	res := flowResult(t, p)
	if res.AuthMethod != "AUTOMATED_MICRODEPOSITS" || len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != "pending_automatic_verification" || len(res.Numbers.ACH) != 0 {
		t.Fatalf("after Link: auth_method %q, accounts %+v, ACH %+v", res.AuthMethod, res.Accounts, res.Numbers.ACH)
	}
	if !strings.Contains(res.Next, "sandbox set-verification-status "+res.ItemName) {
		t.Errorf("next = %q", res.Next)
	}
	if _, stderr, code := runBinary(t, dirs, env, "sandbox", "set-verification-status", res.ItemName, "--status", "automatically_verified"); code != 0 {
		t.Fatalf("set-verification-status: exit %d\n%s", code, stderr)
	}
	out, stderr, code := runBinary(t, dirs, env, "auth", res.ItemName, "--json")
	var after plaidapi.Result
	if err := json.Unmarshal([]byte(out), &after); code != 0 || err != nil || len(after.Numbers.ACH) != 1 || after.Numbers.ACH[0].Account != "1111222233330000" {
		t.Errorf("auth after verification: exit %d, %v, ACH %+v\n%s", code, err, after.Numbers.ACH, stderr)
	}
}
