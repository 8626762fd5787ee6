package plaidflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// standInUser is a LinkUI that plays the user in the emulator's stand-in Link through the calls
// its iframe makes (/link/stand-in/…): what the Link token offers decides what it can do, so
// these tests see the `auth` options LinkJourneyFor puts on the token.
type standInUser struct {
	quietPage
	t   *testing.T
	srv *emulator.Server
	// manual: routing and account typed by hand (empty: the user does not type numbers).
	routing, account string
	// codes are typed in turn where Link asks for a micro-deposit code.
	codes []string

	opened  int
	session map[string]any
	refused []string // display messages of refused codes
}

// standInCall makes the call the stand-in Link page's iframe makes to /link/stand-in/path, and
// returns the answer's data, or its error with what Link would show.
func standInCall(srv *emulator.Server, path string, body map[string]any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/link/stand-in/"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", srv.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %v (shown: %v)", out["error_code"], out["error_message"], out["display_message"])
	}
	data, _ := out["data"].(map[string]any)
	return data, nil
}

// quietPage is the part of a LinkUI these tests do not watch: the page's last word and its
// closing.
type quietPage struct{}

func (quietPage) Finish(bool, string) {}
func (quietPage) Close() error        { return nil }

func (u *standInUser) Link(ctx context.Context, token string) (string, string, string, error) {
	u.opened++
	call := func(path string, body map[string]any) (map[string]any, error) {
		body["token"] = token
		return standInCall(u.srv, path, body)
	}
	var err error
	if u.session, err = call("session", map[string]any{}); err != nil {
		return "", "", "", err
	}
	var login string
	var accountID string
	if u.session["verify"] == nil {
		if u.routing == "" {
			return "", "", "", errors.New("the user has no numbers to type")
		}
		d, err := call("manual", map[string]any{"routing": u.routing, "account": u.account, "name": "Alberta Bobbeth Charleson"})
		if err != nil {
			return "", "", "", err
		}
		login = d["login"].(string)
		accountID = d["accounts"].([]any)[0].(map[string]any)["id"].(string)
		if d["code_now"] != true {
			return u.finish(call, login, accountID)
		}
	}
	for len(u.codes) > 0 {
		code := u.codes[0]
		u.codes = u.codes[1:]
		d, err := call("code", map[string]any{"login": login, "code": code})
		if err != nil {
			u.refused = append(u.refused, err.Error())
			continue
		}
		if l, ok := d["login"].(string); ok {
			login = l
			accountID = d["accounts"].([]any)[0].(map[string]any)["id"].(string)
		}
		return u.finish(call, login, accountID)
	}
	return "", "", "", errors.New("the user closed Link without verifying")
}

func (u *standInUser) finish(call func(string, map[string]any) (map[string]any, error), login, accountID string) (string, string, string, error) {
	d, err := call("finish", map[string]any{"login": login, "account_ids": []string{accountID}})
	if err != nil {
		return "", "", "", err
	}
	return d["public_token"].(string), "", "", nil
}

// Same Day micro-deposits (https://plaid.com/docs/auth/coverage/same-day/): the Link token turns
// the flow on (auth.same_day_microdeposits_enabled), products is auth alone; after Link the
// account is pending_manual_verification, which is no failure: no numbers yet and the next step
// named. VerifyJourney opens Link with the Item's access token; a wrong code is refused with the
// attempts left, ABC (the Sandbox code of the testing guide,
// https://plaid.com/docs/auth/coverage/testing/) verifies it, and the typed numbers come back.
func TestLinkJourneyForSameDayThenVerify(t *testing.T) {
	fx := newFixture(t, "US")
	u := &standInUser{t: t, srv: fx.srv, routing: "011401533", account: "1111222233330000"}
	j, err := fx.flow.LinkJourneyFor(func() plaidflow.LinkUI { return u }, nil, "same-day-microdeposits")
	if err != nil {
		t.Fatal(err)
	}
	if j.AuthFlow() != "same-day-microdeposits" {
		t.Errorf("AuthFlow() = %q", j.AuthFlow())
	}
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatalf("the journey failed on a pending account: %v", err)
	}
	if auth, _ := u.session["auth"].(map[string]any); auth["manual_entry"] != true {
		t.Errorf("Link was not offered manual entry: the Link token lacks the Same Day option (session %v)", u.session)
	}
	if len(res.Accounts) != 1 || res.Accounts[0].VerificationStatus != "pending_manual_verification" || len(res.Numbers.ACH) != 0 {
		t.Fatalf("after Link: accounts %+v, ACH %+v", res.Accounts, res.Numbers.ACH)
	}
	if res.ItemID == "" || res.Flow != "same-day-microdeposits" || res.AuthMethod != "SAME_DAY_MICRODEPOSITS" || !strings.Contains(res.Next, "plaid-onboard verify "+res.ItemName) {
		t.Errorf("result: item %q flow %q auth_method %q next %q", res.ItemID, res.Flow, res.AuthMethod, res.Next)
	}

	v := &standInUser{t: t, srv: fx.srv, codes: []string{"XYZ", "abc"}}
	vj, err := fx.flow.VerifyJourney(func() plaidflow.LinkUI { return v }, res.ItemName, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := stepNames(vj.Steps()); got != "Create a Link token → Enter the micro-deposit code in Link → Fetch the account and routing numbers" {
		t.Errorf("verify steps = %s", got)
	}
	exchanges := emulatortest.Requests(fx.srv, "/item/public_token/exchange")
	after, err := vj.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if len(v.refused) != 1 || !strings.Contains(v.refused[0], "2 attempts left") {
		t.Errorf("refusals of the wrong code = %q, want one saying 2 attempts left", v.refused)
	}
	if vj.VerifyAccount().VerificationStatus != "manually_verified" || len(after.Numbers.ACH) != 1 ||
		after.Numbers.ACH[0].Routing != "011401533" || after.Numbers.ACH[0].Account != "1111222233330000" {
		t.Errorf("after verify: account %+v, ACH %+v", vj.VerifyAccount(), after.Numbers.ACH)
	}
	if after.Next != "" || after.ItemID != res.ItemID {
		t.Errorf("after verify: next %q, item %q (want none, %q)", after.Next, after.ItemID, res.ItemID)
	}
	if emulatortest.Requests(fx.srv, "/item/public_token/exchange") != exchanges {
		t.Error("verify exchanged a public token")
	}

	again := &standInUser{t: t, srv: fx.srv}
	vj, err = fx.flow.VerifyJourney(func() plaidflow.LinkUI { return again }, res.ItemName, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vj.RunAll(context.Background(), nil); !errors.Is(err, plaidflow.ErrNothingToVerify) || again.opened != 0 {
		t.Errorf("verify of a verified Item: %v, Link opened %d times (want ErrNothingToVerify before Link)", err, again.opened)
	}
}

// Three wrong codes fail the account: verification_failed, and /auth/get will not give its
// numbers (PRODUCT_NOT_READY).
func TestVerifyJourneyThreeWrongCodesFail(t *testing.T) {
	fx := newFixture(t, "US")
	u := &standInUser{t: t, srv: fx.srv, routing: "011401533", account: "1111222233330000"}
	j, _ := fx.flow.LinkJourneyFor(func() plaidflow.LinkUI { return u }, nil, "same-day-microdeposits")
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	v := &standInUser{t: t, srv: fx.srv, codes: []string{"AAA", "BBB", "CCC", "ABC"}}
	vj, _ := fx.flow.VerifyJourney(func() plaidflow.LinkUI { return v }, res.ItemName, "")
	if _, err := vj.RunAll(context.Background(), nil); err == nil {
		t.Fatal("verify succeeded after three wrong codes")
	}
	if len(v.refused) != 4 || !strings.Contains(v.refused[2], "no attempts left") {
		t.Errorf("refusals = %q: the third wrong code should use up the attempts, and ABC after it be refused", v.refused)
	}
	ver, err := fx.flow.Verification(context.Background(), res.ItemName)
	if err != nil || ver.Accounts[0].VerificationStatus != "verification_failed" {
		t.Fatalf("status after three wrong codes: %+v, %v", ver, err)
	}
	if _, err := fx.flow.SavedJourney(res.ItemName).RunAll(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "PRODUCT_NOT_READY") {
		t.Errorf("numbers of a failed account: %v, want PRODUCT_NOT_READY", err)
	}
}

// Instant micro-deposits (Windowpane Bank's routing 333333334): the code is entered in the same
// Link session, so LinkJourneyFor ends verified with the numbers.
func TestLinkJourneyForInstantMicrodeposits(t *testing.T) {
	fx := newFixture(t, "US")
	u := &standInUser{t: t, srv: fx.srv, routing: "333333334", account: "1111222233330000", codes: []string{"ABC"}}
	j, _ := fx.flow.LinkJourneyFor(func() plaidflow.LinkUI { return u }, nil, "instant-microdeposits")
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthMethod != "INSTANT_MICRODEPOSITS" || res.Accounts[0].VerificationStatus != "manually_verified" || len(res.Numbers.ACH) != 1 || res.Next != "" {
		t.Errorf("result: auth_method %q, accounts %+v, ACH %+v, next %q", res.AuthMethod, res.Accounts, res.Numbers.ACH, res.Next)
	}
}

// Instant Auth ("" or instant-auth) is LinkJourney itself: no auth options, no manual entry; an
// unknown flow is refused with a suggestion, before anything is sent.
func TestLinkJourneyForInstantAuthAndUnknownFlows(t *testing.T) {
	fx := newFixture(t, "US")
	for _, name := range []string{"", "instant-auth"} {
		u := &standInUser{t: t, srv: fx.srv, routing: "011401533", account: "1111222233330000"}
		j, err := fx.flow.LinkJourneyFor(func() plaidflow.LinkUI { return u }, nil, name)
		if err != nil || j.AuthFlow() != "" {
			t.Fatalf("LinkJourneyFor(%q): %v, flow %q", name, err, j.AuthFlow())
		}
		if _, err := j.RunAll(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "does not offer entering account numbers") {
			t.Errorf("LinkJourneyFor(%q) let the user type numbers: %v", name, err)
		}
	}
	calls := emulatortest.Requests(fx.srv, "/link/token/create")
	if _, err := fx.flow.LinkJourneyFor(nil, nil, "same-day-microdeposit"); err == nil || !strings.Contains(err.Error(), "did you mean same-day-microdeposits") {
		t.Errorf("unknown flow: %v", err)
	}
	if emulatortest.Requests(fx.srv, "/link/token/create") != calls {
		t.Error("an unknown flow made a Link token")
	}
}

// Database Match and Database Insights (https://plaid.com/docs/auth/coverage/database/): the
// typed numbers are checked at once, with no deposit. Insights scores them: numbers Plaid's
// network knows pass, others pass with caution, with the signals behind the score on the account.
func TestLinkJourneyForDatabaseFlows(t *testing.T) {
	fx := newFixture(t, "US")
	for _, tc := range []struct {
		flow, routing, status string
		match                 bool
	}{
		{"database-match", "011401533", "database_matched", false},
		{"database-insights", "011401533", "database_insights_pass", true},
		{"database-insights", "121000358", "database_insights_pass_with_caution", false},
	} {
		u := &standInUser{t: t, srv: fx.srv, routing: tc.routing, account: "1111222233330000"}
		j, _ := fx.flow.LinkJourneyFor(func() plaidflow.LinkUI { return u }, nil, tc.flow)
		res, err := j.RunAll(context.Background(), nil)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.flow, tc.routing, err)
		}
		a := res.Accounts[0]
		if a.VerificationStatus != tc.status || len(res.Numbers.ACH) != 1 || res.Numbers.ACH[0].Routing != tc.routing || res.Next != "" {
			t.Errorf("%s %s: status %q, ACH %+v, next %q", tc.flow, tc.routing, a.VerificationStatus, res.Numbers.ACH, res.Next)
		}
		in := a.VerificationInsights
		switch {
		case tc.flow == "database-match" && in != nil:
			t.Errorf("Database Match account has verification_insights %+v", in)
		case tc.flow == "database-insights" && (in == nil || in.HasNumbersMatch != tc.match || in.AccountNumberFormat != "valid"):
			t.Errorf("%s: verification_insights %+v, want numbers match %v and a valid format", tc.routing, in, tc.match)
		}
	}
}

// The flows that need numbers typed in Link are refused by name, with what to type there.
func TestFlowsThatNeedLink(t *testing.T) {
	fx := newFixture(t, "US")
	for _, fl := range plaidflow.AuthFlows {
		if fl.WithoutLink {
			continue
		}
		_, err := fx.flow.SandboxFlowItem(context.Background(), fl.Name)
		var nl *plaidflow.NeedsLinkError
		if !errors.As(err, &nl) || !strings.Contains(err.Error(), fl.InstitutionID) {
			t.Errorf("%s: %v, want a NeedsLinkError naming %s", fl.Name, err, fl.InstitutionID)
		}
	}
	if _, err := plaidflow.FindAuthFlow("automated-microdeposit"); err == nil || !strings.Contains(err.Error(), "did you mean automated-microdeposits") {
		t.Errorf("typo: %v", err)
	}
}

// What a flow is, said in the demo, names the emulator where Plaid would act: the demo never
// says Plaid sends a deposit. A real run says Plaid.
func TestAuthFlowWordsInTheDemo(t *testing.T) {
	for _, fl := range plaidflow.AuthFlows {
		if got := fl.WhatBy(present.Voice{Demo: true}); strings.Contains(got, "Plaid") || !strings.Contains(got, "the emulator") {
			t.Errorf("%s in the demo: %q", fl.Name, got)
		}
		if got := fl.WhatBy(present.Voice{}); got != fl.What {
			t.Errorf("%s in Sandbox: %q, want %q", fl.Name, got, fl.What)
		}
	}
}
