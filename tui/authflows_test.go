package tui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// The Auth flow lab in the terminal UI: the "How should the account be verified?" choice on the
// Link screen, the verification status under the results, and the webhooks on the timeline,
// driven against the emulator (its stand-in Link's HTTP panes stand in for the browser, as
// relink does for update mode).

// flowModel is the demo against srv with --flow flow, in a window tall enough to see it all,
// with its commands run by a driver; it ends on the Link screen, its page up.
func flowModel(t *testing.T, srv *emulator.Server, flow string) (*Model, *driver) {
	t.Helper()
	deps := demoDeps(t, srv)
	deps.AuthFlow = flow
	m, d := started(t, deps, 140, 200)
	d.screenShows("The emulator accepted the demo keys")
	d.send(press("enter"))
	d.until("the Link page to be up", func() bool { return m.screen == screenLink && m.link.url != "" && m.link.state == linkWaiting })
	return m, d
}

func TestTheVerificationChoiceDefaultsToInstantAuth(t *testing.T) {
	m, d := flowModel(t, fakePlaid(t), "")
	if !strings.Contains(view(m), "Verified by Instant Auth · f to choose how") {
		t.Fatalf("the Link screen does not say how the account is verified:\n%s", view(m))
	}
	if got := m.link.journey.AuthFlow(); got != "" {
		t.Errorf("the default journey asks for flow %q, want Instant Auth", got)
	}
	d.send(press("f"))
	v := view(m)
	for _, want := range []string{"How should the account be verified?", "› 1 Instant Auth", "(default)", "the user logs in to the bank and the numbers come at once"} {
		if !strings.Contains(v, want) {
			t.Errorf("the open choice lacks %q:\n%s", want, v)
		}
	}
	// In the demo, what a flow is says the emulator acts: it never reads as Plaid sending a
	// deposit (Same Day micro-deposits is the fifth row).
	for range 4 {
		d.send(press("down"))
	}
	if v := view(m); !strings.Contains(v, "the emulator sends a deposit") || strings.Contains(v, "Plaid sends") {
		t.Errorf("the demo's Same Day micro-deposits row does not say the emulator sends the deposit:\n%s", v)
	}
	for range 4 {
		d.send(press("up"))
	}
	// enter keeps Instant Auth: one key press.
	d.send(press("enter"))
	d.until("a new Link page", func() bool { return m.link.url != "" && m.link.state == linkWaiting })
	if got := m.link.journey.AuthFlow(); got != "" {
		t.Errorf("enter on the default made a journey for %q", got)
	}
	if strings.Contains(view(m), "How should the account be verified?") {
		t.Error("the choice stayed open after enter")
	}
}

// TestEachVerificationChoiceAsksForItsFlowAndSaysWhatToType: every flow of the list, picked with
// its digit and enter, makes a Link token with its auth options (a new /link/token/create), and
// the Link screen says which Sandbox institution and inputs walk through it.
func TestEachVerificationChoiceAsksForItsFlowAndSaysWhatToType(t *testing.T) {
	srv := fakePlaid(t)
	m, d := flowModel(t, srv, "")
	for i, fl := range plaidflow.AuthFlows {
		before := emulatortest.Requests(srv, "/link/token/create")
		d.send(press("f"))
		d.send(press(string(rune('2' + i))))
		if !strings.Contains(view(m), "› "+string(rune('2'+i))+" "+fl.Title) {
			t.Fatalf("digit %d does not select %s:\n%s", i+2, fl.Title, view(m))
		}
		d.send(press("enter"))
		d.until(fl.Title+"'s Link page", func() bool {
			return m.link.journey != nil && m.link.journey.AuthFlow() == fl.Name && m.link.url != "" && m.link.state == linkWaiting
		})
		if emulatortest.Requests(srv, "/link/token/create") != before+1 {
			t.Errorf("%s: no new Link token was made for the flow", fl.Name)
		}
		v := strings.Join(strings.Fields(view(m)), " ")
		for _, want := range []string{"Verified by " + fl.Title, "institution " + fl.InstitutionName + " (" + fl.InstitutionID + ")"} {
			if !strings.Contains(v, want) {
				t.Errorf("%s: the Link screen lacks %q:\n%s", fl.Name, want, view(m))
			}
		}
		if fl.Routing != "" && !strings.Contains(v, "routing "+fl.Routing) {
			t.Errorf("%s: the Link screen does not give the routing number to type", fl.Name)
		}
		if !fl.WithoutLink && m.link.keys.Sandbox.Enabled() {
			t.Errorf("%s: the Sandbox shortcut is offered for a flow Sandbox makes only in Link", fl.Name)
		}
	}
}

// TestAutomatedMicrodepositsGoFromPendingToVerified: --flow automated-microdeposits, the
// Sandbox shortcut makes the Item pending_automatic_verification with no numbers; A calls
// /sandbox/item/set_verification_status, the AUTH AUTOMATICALLY_VERIFIED webhook arrives
// verified at the session's receiver and is on the timeline, and the numbers come.
// https://plaid.com/docs/auth/coverage/automated/ (Sandbox: set_verification_status)
func TestAutomatedMicrodepositsGoFromPendingToVerified(t *testing.T) {
	srv := fakePlaid(t)
	m, d := flowModel(t, srv, "automated-microdeposits")
	d.send(press("s"))
	d.screenShows("pending_automatic_verification")
	d.screenShows("(this session's receiver)") // the Item's webhook is the receiver now
	if strings.Contains(view(m), "011401533") {
		t.Fatalf("numbers shown for an account still pending:\n%s", view(m))
	}
	if !m.verify.keys.Verified.Enabled() || !m.verify.keys.Expired.Enabled() {
		t.Fatal("A and E are not offered for a pending Automated micro-deposit account")
	}
	d.send(press("A"))
	d.screenShows("automatically_verified")
	d.screenShows("011401533")
	d.screenShows("webhook ✓ AUTH AUTOMATICALLY_VERIFIED")
	if n := emulatortest.Requests(srv, "/sandbox/item/set_verification_status"); n != 1 {
		t.Errorf("set_verification_status called %d times, want 1", n)
	}
	var webhook, change bool
	for _, e := range m.c.deps.Timeline.Entries() {
		if e.Kind == transcript.KindWebhook && e.Name == "AUTH AUTOMATICALLY_VERIFIED" && strings.Contains(e.Message, "✓") {
			webhook = true
		}
		if e.Kind == transcript.KindNote && strings.Contains(e.Message, "pending_automatic_verification → automatically_verified") {
			change = true
		}
	}
	if !webhook || !change {
		t.Errorf("the timeline lacks the verified webhook (%t) or the state change (%t)", webhook, change)
	}
	if m.verify.keys.Verified.Enabled() {
		t.Error("A is still offered once the account is verified")
	}

	// w fires Auth's DEFAULT_UPDATE for the Item; it arrives on the timeline, verified.
	d.send(press("w"))
	d.screenShows("webhook ✓ AUTH DEFAULT_UPDATE")
	found := false
	for _, e := range m.c.deps.Timeline.Entries() {
		found = found || (e.Kind == transcript.KindWebhook && e.Name == "AUTH DEFAULT_UPDATE")
	}
	if !found {
		t.Error("the fired webhook is not on the timeline")
	}
}

func TestAutomatedMicrodepositsCanExpire(t *testing.T) {
	m, d := flowModel(t, fakePlaid(t), "automated-microdeposits")
	d.send(press("s"))
	d.screenShows("pending_automatic_verification")
	d.screenShows("(this session's receiver)")
	d.send(press("E"))
	d.screenShows("verification_expired")
	d.screenShows("webhook ✓ AUTH VERIFICATION_EXPIRED")
	if strings.Contains(view(m), "011401533") {
		t.Errorf("an expired account shows numbers:\n%s", view(m))
	}
}

// TestSameDayMicrodepositsTakeTheCodeInASecondLinkSession: the numbers typed in Link leave the
// account pending_manual_verification; m opens Link again with the Item's access token
// (VerifyJourney), the code goes in, and the account is manually_verified with its numbers.
// https://plaid.com/docs/auth/coverage/same-day/
func TestSameDayMicrodepositsTakeTheCodeInASecondLinkSession(t *testing.T) {
	srv := fakePlaid(t)
	fl, _ := plaidflow.FindAuthFlow("same-day-microdeposits")
	m, d := flowModel(t, srv, fl.Name)
	typeNumbers(t, m.link.url, srv.URL, fl)
	d.screenShows("pending_manual_verification")
	d.screenShows("(this session's receiver)")
	if !m.verify.keys.Code.Enabled() {
		t.Fatalf("m is not offered for an account waiting for its code:\n%s", view(m))
	}
	first := m.link.url
	d.send(press("m"))
	d.until("Link for the code", func() bool {
		return m.screen == screenLink && m.link.verifying && m.link.url != "" && m.link.url != first && m.link.state == linkWaiting
	})
	if !strings.Contains(view(m), "enter the micro-deposit code") {
		t.Errorf("the Link screen does not say what the second session is for:\n%s", view(m))
	}
	enterCode(t, m.link.url, srv.URL, fl.Code)
	d.screenShows("manually_verified")
	d.screenShows(fl.Routing)
	if n := emulatortest.Requests(srv, "/item/public_token/exchange"); n != 1 {
		t.Errorf("%d exchanges: the code session must exchange nothing", n)
	}
}

func TestDatabaseMatchAndInsightsShowTheirResult(t *testing.T) {
	for _, tc := range []struct {
		flow string
		want []string
	}{
		{"database-match", []string{"database_matched", "Plaid found the numbers in its network"}},
		{"database-insights", []string{"database_insights_pass", "name_match_score", "has_numbers_match", "has_previous_administrative_return", "account_number_format"}},
	} {
		t.Run(tc.flow, func(t *testing.T) {
			srv := fakePlaid(t)
			fl, _ := plaidflow.FindAuthFlow(tc.flow)
			_, d := flowModel(t, srv, fl.Name)
			typeNumbers(t, d.m.link.url, srv.URL, fl)
			for _, w := range tc.want {
				d.screenShows(w)
			}
		})
	}
}

// standIn does what the browser does with the emulator's stand-in Link: it reads the Link token
// and nonce from the page, calls the stand-in's panes with them, and reports the public token
// the last one gives to the page.
type standIn struct {
	t              *testing.T
	client         *http.Client
	page, emulator string
	token, nonce   string
}

func openStandIn(t *testing.T, pageURL, emulatorURL string) *standIn {
	t.Helper()
	s := &standIn{t: t, client: &http.Client{Timeout: 10 * time.Second}, page: pageURL, emulator: emulatorURL}
	lt, nonce := pageTokens(t, s.client, pageURL)
	s.token, s.nonce = lt, nonce
	return s
}

func (s *standIn) post(url string, hdr map[string]string, body any, into any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("POST %s: %s %s", url, resp.Status, out)
	}
	if into != nil {
		if err := json.Unmarshal(out, into); err != nil {
			s.t.Fatalf("POST %s: %v: %s", url, err, out)
		}
	}
}

// pane calls one of the stand-in's panes and returns its data's login and the accounts it
// offers.
func (s *standIn) pane(name string, fields map[string]any) (string, []string) {
	s.t.Helper()
	fields["token"] = s.token
	var out struct {
		Data struct {
			Login    string `json:"login"`
			Accounts []struct {
				ID string `json:"id"`
			} `json:"accounts"`
		} `json:"data"`
	}
	s.post(s.emulator+"/link/stand-in/"+name, map[string]string{"Origin": s.emulator}, fields, &out)
	var ids []string
	for _, a := range out.Data.Accounts {
		ids = append(ids, a.ID)
	}
	return out.Data.Login, ids
}

// finish ends the session with login and the accounts picked, and hands the public token to the
// page.
func (s *standIn) finish(login string, accountIDs []string) {
	s.t.Helper()
	var fin struct {
		Data struct {
			PublicToken string `json:"public_token"`
		} `json:"data"`
	}
	s.post(s.emulator+"/link/stand-in/finish", map[string]string{"Origin": s.emulator}, map[string]any{"token": s.token, "login": login, "account_ids": accountIDs}, &fin)
	if fin.Data.PublicToken == "" {
		s.t.Fatal("the stand-in Link finished without a public token")
	}
	s.post(strings.TrimSuffix(s.page, "/")+"/callback/success", map[string]string{"X-Link-Nonce": s.nonce},
		map[string]any{"public_token": fin.Data.PublicToken, "metadata": map[string]any{}}, nil)
}

// typeNumbers enters the flow's routing and account numbers by hand, as its Sandbox guide says.
func typeNumbers(t *testing.T, pageURL, emulatorURL string, fl plaidflow.AuthFlow) {
	t.Helper()
	s := openStandIn(t, pageURL, emulatorURL)
	s.finish(s.pane("manual", map[string]any{"routing": fl.Routing, "account": fl.Account, "name": "Alberta Bobbeth Charleson", "account_type": "checking"}))
}

// enterCode enters a micro-deposit code in Link opened with the Item's access token.
func enterCode(t *testing.T, pageURL, emulatorURL, code string) {
	t.Helper()
	s := openStandIn(t, pageURL, emulatorURL)
	s.finish(s.pane("code", map[string]any{"code": code}))
}

// TestAgainstPlaidWebhooksNeedAPublicURL: Plaid cannot reach 127.0.0.1, so without --public-url
// the status panel says what webhooks need, and w (which would fire into the void) is not
// offered; with one, the panel does not ask for it.
func TestAgainstPlaidWebhooksNeedAPublicURL(t *testing.T) {
	m := resultsModel(t, 140, 80, pendingResult())
	m.c.cfg.APIURL = "" // Plaid's own Sandbox, not a loopback emulator
	m.Update(nil)
	if v := strings.Join(strings.Fields(view(m)), " "); !strings.Contains(v, "Webhooks need a public URL: Plaid cannot reach 127.0.0.1") || !strings.Contains(v, "--public-url URL") {
		t.Errorf("the panel does not say webhooks need a public URL:\n%s", view(m))
	}
	if m.verify.keys.Fire.Enabled() {
		t.Error("w is offered with no receiver to see what it fires")
	}
	m.c.deps.WebhookPublicURL = "https://tunnel.example/"
	m.Update(nil)
	if strings.Contains(view(m), "Webhooks need a public URL") {
		t.Errorf("with --public-url the panel still asks for one:\n%s", view(m))
	}
}
