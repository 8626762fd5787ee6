package emulator

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// Without a redirect_uri, desktop Link completes an OAuth bank in a pop-up window, and the page
// never leaves (https://plaid.com/docs/link/oauth/). In Chromium: the user picks Platypus OAuth
// Bank, the bank's window opens, the user allows access there, the window closes, and Link goes
// on to the login and hands over a public token for that bank.
func TestStandInOAuthPopupInBrowser(t *testing.T) {
	srv, _ := newTestServer(t)
	page := newTestPage(t, srv)
	ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
	err := chromedp.Do(ctx,
		pane("CONSENT", frame),
		click("#continue", frame),
		pane("SELECT_INSTITUTION", frame),
		typeInto("#search", "oauth", frame),
		click(`[data-institution-id="ins_127287"]`, frame),
		pane("OAUTH", frame),
		click("#continue", frame),
	)
	if err != nil {
		t.Fatalf("drive Link to the bank: %v", err)
	}
	popup := e2etest.Target(t, ctx, "the bank's pop-up", "page", standInPath+"/oauth/bank?oauth_state_id=")
	if err := chromedp.Do(popup, e2etest.Step("click Allow in the bank's window", chromedp.Click(chromedp.CSS("#allow"), chromedp.NodeVisible))); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		pane("CREDENTIAL", frame),
		typeInto("#username", "user_good", frame),
		typeInto("#password", "pass_good", frame),
		click("#submit", frame),
		finishLink(frame),
	)
	if err != nil {
		t.Fatalf("finish Link after the pop-up: %v", err)
	}
	r := result(t, ctx)
	inst, _ := r.Success.Metadata["institution"].(map[string]any)
	if inst["institution_id"] != "ins_127287" || !publicRE.MatchString(r.Success.PublicToken) {
		t.Errorf("onSuccess: %v %v", r.Success.PublicToken, r.Success.Metadata)
	}
	if names := strings.Join(r.eventNames(), " "); !strings.Contains(names, "TRANSITION_VIEW:OAUTH OPEN_OAUTH") || !strings.Contains(names, "HANDOFF") {
		t.Errorf("events %s: want OPEN_OAUTH from the OAUTH pane", names)
	}
	if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.location.href`)); err != nil || !strings.HasPrefix(href, page.URL) {
		t.Errorf("the page left for %s (%v): the pop-up way never leaves it", href, err)
	}
	logs.check(t)
}
