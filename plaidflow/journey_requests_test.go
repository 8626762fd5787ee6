package plaidflow_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// The timeline keeps each call's request body, so the session can be made again as code: the
// body as sent, with every token replaced by the call whose answer gave it, the keys left out,
// and where the call went.
func TestTimelineKeepsEachRequestWithTokensAsReferences(t *testing.T) {
	fx, tl := timelineFixture(t)
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	byEndpoint := map[string]transcript.Entry{}
	seen := map[int]bool{}
	for _, c := range entriesOf(tl, transcript.KindAPICall) {
		byEndpoint[c.Endpoint] = c
		if c.Call <= 0 || seen[c.Call] {
			t.Errorf("call %s numbered %d: want a number of its own", c.Endpoint, c.Call)
		}
		seen[c.Call] = true
		if c.BaseURL != fx.srv.URL {
			t.Errorf("call %s went to %q, want %q", c.Endpoint, c.BaseURL, fx.srv.URL)
		}
	}
	body := func(endpoint string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(byEndpoint[endpoint].Request, &m); err != nil {
			t.Fatalf("%s request %s: %v", endpoint, byEndpoint[endpoint].Request, err)
		}
		return m
	}
	create := body("/sandbox/public_token/create")
	if create["institution_id"] != plaidapi.DefaultSandboxInstitution || len(create["initial_products"].([]any)) != 1 {
		t.Errorf("/sandbox/public_token/create request = %v", create)
	}
	ref := func(endpoint, field string) transcript.TokenRef {
		r, ok := transcript.RefOf(body(endpoint)[field])
		if !ok {
			t.Fatalf("%s %s = %v, want a reference", endpoint, field, body(endpoint)[field])
		}
		return r
	}
	if r := ref("/item/public_token/exchange", "public_token"); r.From != byEndpoint["/sandbox/public_token/create"].Call || r.Field != "public_token" {
		t.Errorf("exchange's public_token refers to %+v, want call %d's public_token", r, byEndpoint["/sandbox/public_token/create"].Call)
	}
	if r := ref("/auth/get", "access_token"); r.From != byEndpoint["/item/public_token/exchange"].Call || r.Field != "access_token" {
		t.Errorf("/auth/get's access_token refers to %+v, want the exchange's", r)
	}
	blob, _ := json.Marshal(tl.Entries())
	for _, secret := range []string{emulator.DemoSecret, emulator.DemoClientID + `"`, accessTokenOf(t, fx, res.ItemID), `"client_id"`, `"secret"`} {
		if strings.Contains(string(blob), secret) {
			t.Errorf("the timeline holds %q", secret)
		}
	}
}

// A token the program held before the session (a saved Item's) is a named variable, and a
// public token from Link says it came from Link.
func TestRequestBodyNamesTokensItDidNotSeeMade(t *testing.T) {
	tl := transcript.NewTimeline(nil)
	tl.Start(transcript.Entry{Environment: "sandbox"})
	got := string(tl.RequestBody([]byte(`{"client_id":"id","secret":"s3cr3t-value","access_token":"access-sandbox-1234","options":{"account_ids":["a"]}}`)))
	if got != `{"access_token":{"$var":"access_token"},"options":{"account_ids":["a"]}}` {
		t.Errorf("request kept as %s", got)
	}
	tl.RecordLink(transcript.LinkRecord{Kind: transcript.KindLinkSuccess, Metadata: json.RawMessage(`{"institution":{"institution_id":"ins_1"}}`)})
	if got := string(tl.RequestBody([]byte(`{"public_token":"public-sandbox-5678"}`))); got != `{"public_token":{"$link":"public_token"}}` {
		t.Errorf("a public token from Link kept as %s", got)
	}
	custom := string(tl.RequestBody([]byte(`{"institution_id":"ins_1","initial_products":["auth"],"options":{"override_username":"user_custom","override_password":"{\"private\":1}"}}`)))
	if strings.Contains(custom, "private") || !strings.Contains(custom, `"override_password":{"$var":"user_custom"}`) {
		t.Errorf("a user_custom configuration kept as %s", custom)
	}
}
