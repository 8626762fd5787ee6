package emulator

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid/plaid-go/v42/plaid"
)

// The stand-in Link's MFA panes in a real browser, for the Sandbox users of
// https://plaid.com/docs/sandbox/test-credentials/ ("Sandbox multi-factor credentials": device
// code 1234; answer_<i>_<j> for question j of round i; "Yes" for mfa_selections) and a
// user_custom configuration pasted as the password (https://plaid.com/docs/sandbox/user-custom/).

// mfaPane waits for an MFA round: its kind, its number and whether the last answer was wrong.
func mfaPane(kind, round, state string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	sel := `#pane[data-pane="MFA"][data-mfa-kind="` + kind + `"][data-mfa-round="` + round + `"][data-mfa-state="` + state + `"]`
	return e2etest.Step("wait for MFA "+kind+" round "+round+" ("+state+")", chromedp.WaitVisible(chromedp.CSS(sel), chromedp.FromNode(frame)))
}

func credentials(frame *chromedp.Node, username, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		pane("CONSENT", frame),
		click("#continue", frame),
		pane("SELECT_INSTITUTION", frame),
		click(`[data-institution-id="ins_109508"]`, frame),
		pane("CREDENTIAL", frame),
		typeInto("#username", username, frame),
		typeInto("#password", password, frame),
		click("#submit", frame),
	}
}

func TestStandInMFAPanesInBrowser(t *testing.T) {
	srv, _ := newTestServer(t)
	page := newTestPage(t, srv)

	t.Run("mfa_device: choose a device, a wrong code is refused, 1234 links", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		actions := append(credentials(frame, "user_good", "mfa_device"),
			mfaPane("device", "1", "asking", frame), screenshot(t, "mfa-1-device", frame),
			click(`input[data-mfa-device="1"]`, frame),
			click("#submit", frame),
			mfaPane("code", "2", "asking", frame),
			typeInto("#mfa-code", "0000", frame),
			click("#submit", frame),
			mfaPane("code", "2", "wrong", frame), screenshot(t, "mfa-2-wrong-code", frame),
			typeInto("#mfa-code", "1234", frame),
			click("#submit", frame),
			finishLink(frame),
		)
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		r := result(t, ctx)
		var mfa []string
		for _, e := range r.Events {
			if e.Name == "SUBMIT_MFA" || (e.Name == "ERROR" && e.Metadata["view_name"] == "MFA") {
				mfa = append(mfa, e.Name+":"+strings.TrimSpace(toString(e.Metadata["mfa_type"]))+":"+toString(e.Metadata["error_code"]))
			}
		}
		if got := strings.Join(mfa, " "); got != "SUBMIT_MFA:device: SUBMIT_MFA:code: ERROR:code:INVALID_MFA SUBMIT_MFA:code:" {
			t.Errorf("MFA events: %s", got)
		}
		if !publicRE.MatchString(r.Success.PublicToken) {
			t.Errorf("public token %q", r.Success.PublicToken)
		}
		logs.check(t)
	})

	t.Run("mfa_questions_2_2: answer_i_j per round; a wrong answer keeps Link on the round, and exiting there says requires_questions", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		actions := append(credentials(frame, "user_good", "mfa_questions_2_2"),
			mfaPane("questions", "1", "asking", frame), screenshot(t, "mfa-3-questions", frame),
			typeInto(`input[data-mfa-answer="0"]`, "answer_0_0", frame),
			typeInto(`input[data-mfa-answer="1"]`, "answer_0_1", frame),
			click("#submit", frame),
			mfaPane("questions", "2", "asking", frame),
			typeInto(`input[data-mfa-answer="0"]`, "answer_1_0", frame),
			typeInto(`input[data-mfa-answer="1"]`, "answer_0_1", frame), // the previous round's answer
			click("#submit", frame),
			mfaPane("questions", "2", "wrong", frame),
			click("#close", frame),
			e2etest.WaitJS(`window.__link.exit !== null`),
		)
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		r := result(t, ctx)
		if r.Exit.Metadata["status"] != "requires_questions" || r.Exit.Error["error_code"] != "INVALID_MFA" {
			t.Errorf("onExit %v / %v, want status requires_questions with INVALID_MFA", r.Exit.Metadata, r.Exit.Error)
		}
		if r.Success != nil {
			t.Error("Link succeeded with a wrong answer")
		}
		logs.check(t)
	})

	t.Run("mfa_selections: Yes is the answer", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		actions := append(credentials(frame, "user_good", "mfa_selections"),
			mfaPane("selections", "1", "asking", frame), screenshot(t, "mfa-4-selections", frame),
			click(`input[data-mfa-question="0"][data-mfa-option="1"]`, frame), // No
			click("#submit", frame),
			mfaPane("selections", "1", "wrong", frame),
			click(`input[data-mfa-question="0"][data-mfa-option="0"]`, frame), // Yes
			click("#submit", frame),
			finishLink(frame),
		)
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		logs.check(t)
	})

	t.Run("user_custom with a pasted JSON password links its accounts, after its own MFA", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		cfg := `{"override_accounts":[{"type":"depository","subtype":"checking","starting_balance":77,` +
			`"meta":{"name":"Ticket Checking"},"numbers":{"account":"5550001234","ach_routing":"322271627"}}],` +
			`"mfa":{"type":"selections","questions_per_round":1,"selections_per_question":3}}`
		var accountName string
		actions := append(credentials(frame, "user_custom", cfg),
			mfaPane("selections", "1", "asking", frame),
			click(`input[data-mfa-question="0"][data-mfa-option="0"]`, frame),
			click("#submit", frame),
			pane("SELECT_ACCOUNT", frame), screenshot(t, "mfa-5-user-custom-accounts", frame),
			readText("#accounts b", &accountName, frame),
			click("#continue", frame),
			pane("CONNECTED", frame),
			click("#continue", frame),
			e2etest.WaitJS(`window.__link.success !== null`),
		)
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		if accountName != "Ticket Checking" {
			t.Errorf("the account picker shows %q, want the configuration's Ticket Checking", accountName)
		}
		r := result(t, ctx)
		api := newClient(srv).PlaidApi
		ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(r.Success.PublicToken)).Execute()
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		auth, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(ex.GetAccessToken())).Execute()
		if err != nil || len(auth.Numbers.Ach) != 1 || auth.Numbers.Ach[0].Account != "5550001234" {
			t.Errorf("auth/get after Link as user_custom: %v %+v", err, auth.Numbers.Ach)
		}
		logs.check(t)
	})
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
