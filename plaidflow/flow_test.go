package plaidflow_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// fixture is a flow wired to a fresh fake Plaid Sandbox and an in-memory keyring.
type fixture struct {
	srv   *emulator.Server
	flow  *plaidflow.Flow
	vault *vault.Vault
	store *vault.MemoryStore
}

func newFixture(tb testing.TB, countries string, opts ...emulator.Option) fixture {
	tb.Helper()
	srv := emulator.NewServer(opts...)
	tb.Cleanup(srv.Close)
	store := vault.NewMemoryStore()
	vlt := vault.NewVault(store, tb.TempDir())
	return fixture{srv: srv, flow: plaidflow.NewFlow(demoClient(tb, srv.URL, countries, nil), vlt), vault: vlt, store: store}
}

// demoClient is a Plaid client with the emulator's demo keys whose calls go to apiURL
// (PLAID_API_URL; empty: Plaid's Sandbox) over hc (nil: the default), with quick retries.
func demoClient(tb testing.TB, apiURL, countries string, hc *http.Client) *plaidapi.Client {
	tb.Helper()
	cfg, err := config.LoadConfig(config.Overrides{
		ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret,
		APIURL: apiURL, CountryCodes: countries,
	}, func(string) string { return "" }, nil)
	if err != nil {
		tb.Fatal(err)
	}
	client, err := plaidapi.NewClient(cfg, hc)
	if err != nil {
		tb.Fatal(err)
	}
	client.Retries = fastRetries
	return client
}

func TestSandboxLinkShowsFirstPlatypusACH(t *testing.T) {
	fx := newFixture(t, "US")
	var steps []string
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.RunAll(context.Background(), func(r plaidflow.StepReport) { steps = append(steps, r.Step.String()) })
	if err != nil {
		t.Fatal(err)
	}
	want := "Made a Sandbox Item, Exchanged the public token, Saved the Item, Fetched the account and routing numbers"
	if got := strings.Join(steps, ", "); got != want {
		t.Errorf("steps ticked = %s\nwant %s", got, want)
	}
	if res.Institution == nil || res.Institution.Name != "First Platypus Bank" || res.Institution.ID != "ins_109508" {
		t.Errorf("institution = %+v", res.Institution)
	}
	checking := findAccount(t, res, "0000")
	if checking.Name != "Plaid Checking" || checking.Type != "depository" || *checking.Balances.Available != 100 || *checking.Balances.Current != 110 {
		t.Errorf("checking = %+v", checking)
	}
	n := res.NumbersFor(checking.ID)
	if len(n.ACH) != 1 || n.ACH[0].Routing != "011401533" || n.ACH[0].Account != "1111222233330000" || n.ACH[0].WireRouting == nil || *n.ACH[0].WireRouting != "021000021" {
		t.Errorf("checking ACH = %+v", n.ACH)
	}
	if !res.Storage.Saved || res.ItemName != "first-platypus-bank" {
		t.Errorf("storage = %+v, name %q; want saved as first-platypus-bank", res.Storage, res.ItemName)
	}

	// A later run finds the Item by name and gets the same numbers.
	again, err := fx.flow.SavedJourney("first-platypus-bank").RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ItemID != res.ItemID || len(again.Numbers.ACH) != len(res.Numbers.ACH) {
		t.Errorf("saved Item answered %s with %d ACH numbers; want %s with %d", again.ItemID, len(again.Numbers.ACH), res.ItemID, len(res.Numbers.ACH))
	}
}

func TestEveryNumberFamily(t *testing.T) {
	tests := []struct {
		institution string
		check       func(t *testing.T, n plaidapi.Numbers)
	}{
		{"ins_43", func(t *testing.T, n plaidapi.Numbers) {
			if len(n.EFT) == 0 || n.EFT[0].Institution == "" || n.EFT[0].Branch == "" || n.EFT[0].Account == "" {
				t.Errorf("Canadian Item without full EFT numbers: %+v", n.EFT)
			}
		}},
		{"ins_117650", func(t *testing.T, n plaidapi.Numbers) {
			if len(n.International) == 0 || !strings.HasPrefix(n.International[0].IBAN, "GB") || n.International[0].BIC == "" {
				t.Errorf("UK Item without IBAN/BIC: %+v", n.International)
			}
			if len(n.BACS) == 0 || len(n.BACS[0].SortCode) != 6 || n.BACS[0].Account == "" {
				t.Errorf("UK Item without BACS numbers: %+v", n.BACS)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.institution, func(t *testing.T) {
			fx := newFixture(t, "US,CA,GB")
			res, err := sandboxLink(fx.flow, tt.institution)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, res.Numbers)
			for _, a := range res.Accounts {
				if res.NumbersFor(a.ID).Empty() {
					t.Errorf("account %s (%s) has no numbers", a.Name, a.ID)
				}
			}
		})
	}
}

func TestItemIsSavedBeforeNumbersCanFail(t *testing.T) {
	fx := newFixture(t, "US")
	// Every attempt fails: /auth/get is retried, and the last 500 is what the user sees.
	fx.srv.InjectFault("/auth/get", 0, 500, "application/json",
		`{"error_type":"API_ERROR","error_code":"INTERNAL_SERVER_ERROR","error_message":"an unexpected error occurred","display_message":null,"request_id":"fault000000001"}`)

	_, err := sandboxLink(fx.flow, "")
	pe, ok := plaidapi.AsError(err)
	if !ok || pe.Code != "INTERNAL_SERVER_ERROR" || pe.RequestID != "fault000000001" {
		t.Fatalf("err = %v, want the Plaid 500 with its request id", err)
	}
	if !strings.Contains(err.Error(), "was linked and saved") {
		t.Errorf("the error does not tell the user the Item was kept: %v", err)
	}
	// The access token survived the failure: the next run gets the numbers.
	fx.srv.ClearFaults()
	res, err := fx.flow.SavedJourney("").RunAll(context.Background(), nil)
	if err != nil {
		t.Fatalf("the saved Item is unusable after a failed /auth/get: %v", err)
	}
	if len(res.Numbers.ACH) == 0 {
		t.Error("no ACH numbers on the retry")
	}
}

// TestPlaidErrorsReachTheUser: when every attempt fails, the last answer is the error shown.
func TestPlaidErrorsReachTheUser(t *testing.T) {
	tests := []struct {
		name     string
		fault    func(*emulator.Server)
		wantCode string
		wantType string
		wantHTTP int
	}{
		{"rate limited", func(s *emulator.Server) {
			s.InjectFault("/auth/get", 0, 429, "application/json", `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","error_message":"rate limit exceeded","display_message":null,"request_id":"ratelimit00001"}`)
		}, "RATE_LIMIT", "RATE_LIMIT_EXCEEDED", 429},
		{"planned maintenance", func(s *emulator.Server) {
			s.InjectFault("/auth/get", 0, 503, "application/json", `{"error_type":"API_ERROR","error_code":"PLANNED_MAINTENANCE","error_message":"the Plaid API is under maintenance","display_message":null,"request_id":"maint000000001"}`)
		}, "PLANNED_MAINTENANCE", "API_ERROR", 503},
		{"html from a proxy", func(s *emulator.Server) {
			s.InjectFault("/auth/get", 0, 502, "text/html", "<html><h1>502 Bad Gateway</h1></html>")
		}, "UNEXPECTED_RESPONSE", "API_ERROR", 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "US")
			if _, err := sandboxLink(fx.flow, ""); err != nil {
				t.Fatal(err)
			}
			tt.fault(fx.srv)
			_, err := fx.flow.SavedJourney("").RunAll(context.Background(), nil)
			pe, ok := plaidapi.AsError(err)
			if !ok {
				t.Fatalf("err = %v, want a Plaid error", err)
			}
			if pe.Code != tt.wantCode || pe.Type != tt.wantType || pe.HTTPStatus != tt.wantHTTP {
				t.Errorf("got %s/%s/%d, want %s/%s/%d", pe.Code, pe.Type, pe.HTTPStatus, tt.wantCode, tt.wantType, tt.wantHTTP)
			}
			if pe.NextStep() == "" {
				t.Error("no next step for the user")
			}
		})
	}
}

func TestWrongKeysFailAtTheLinkToken(t *testing.T) {
	fx := newFixture(t, "US", emulator.WithKeys(strings.Repeat("a", 24), strings.Repeat("b", 30)))
	_, err := fx.flow.Client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	pe, ok := plaidapi.AsError(err)
	if !ok || pe.Code != "INVALID_API_KEYS" || pe.Type != "INVALID_INPUT" || pe.RequestID == "" {
		t.Fatalf("err = %v, want INVALID_API_KEYS with a request id", err)
	}
}

func TestLinkTokenCarriesTheConfiguration(t *testing.T) {
	fx := newFixture(t, "US")
	lt, err := fx.flow.Client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lt.Token, "link-sandbox-") || lt.RequestID == "" {
		t.Errorf("link token = %+v", lt)
	}
	if d := time.Until(lt.Expiration); d < 3*time.Hour || d > 5*time.Hour {
		t.Errorf("link token expires in %s, want about 4 h", d)
	}
}

func TestPublicTokenIsSingleUse(t *testing.T) {
	fx := newFixture(t, "US")
	pub := publicToken(t, fx)
	if _, err := linkWith(fx.flow, pub); err != nil {
		t.Fatal(err)
	}
	_, err := fx.flow.Client.Exchange(context.Background(), pub)
	if !plaidapi.HasCode(err, "INVALID_PUBLIC_TOKEN") {
		t.Fatalf("second exchange: err = %v, want INVALID_PUBLIC_TOKEN", err)
	}
}

func TestCompleteWithoutInstitutionLearnsIt(t *testing.T) {
	fx := newFixture(t, "US")
	pub := publicToken(t, fx)
	res, err := linkWith(fx.flow, pub)
	if err != nil {
		t.Fatal(err)
	}
	if res.Institution == nil || res.Institution.Name != "First Platypus Bank" {
		t.Errorf("institution = %+v, want it learnt from the Item", res.Institution)
	}
	items, _ := fx.vault.Items("sandbox")
	if len(items) != 1 || items[0].InstitutionName != "First Platypus Bank" || items[0].Name != "first-platypus-bank" {
		t.Errorf("saved items = %+v, want the institution filled in", items)
	}
}

func TestRemoveSaved(t *testing.T) {
	fx := newFixture(t, "US")
	res, err := sandboxLink(fx.flow, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fx.vault.AccessToken("sandbox", res.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.flow.RemoveItem(context.Background(), res.ItemName); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.flow.Client.Auth(context.Background(), tok); !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") {
		t.Errorf("removed Item's token still works at Plaid: %v", err)
	}
	if _, err := fx.flow.SavedJourney("").RunAll(context.Background(), nil); !errors.Is(err, vault.ErrNoItems) {
		t.Errorf("removed Item still saved: %v", err)
	}
}

func TestSandboxShortcutRefusedInProduction(t *testing.T) {
	if _, err := productionClient(t).SandboxPublicToken(context.Background(), ""); !errors.Is(err, config.ErrSandboxOnly) {
		t.Fatalf("err = %v, want ErrSandboxOnly before any request", err)
	}
}

// TestRoundTripsOverlap proves that the institution lookup runs beside the token and numbers
// calls, so sandbox link waits for three round trips, not four, and a saved Item's numbers for
// one, not two. It proves it without a clock: a transport holds each pair of calls until both
// have arrived, so calls made one after the other fail the test (after a deadline that says
// so) however fast or slow the machine is. `make bench` measures the times.
func TestRoundTripsOverlap(t *testing.T) {
	fx := newFixture(t, "US")
	barrier := &pairBarrier{t: t, next: http.DefaultTransport}
	client, err := plaidapi.NewClient(fx.flow.Client.Config(), &http.Client{Transport: barrier})
	if err != nil {
		t.Fatal(err)
	}
	flow := plaidflow.NewFlow(client, fx.vault)

	barrier.expect("/sandbox/public_token/create", "/institutions/get_by_id")
	if _, err := sandboxLink(flow, ""); err != nil {
		t.Fatal(err)
	}
	barrier.expect("/auth/get", "/institutions/get_by_id")
	if _, err := flow.SavedJourney("").RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	for path, want := range map[string]int{
		"/sandbox/public_token/create": 1,
		"/item/public_token/exchange":  1,
		"/auth/get":                    2,
		"/institutions/get_by_id":      2,
	} {
		if got := emulatortest.Requests(fx.srv, path); got != want {
			t.Errorf("%s called %d times, want %d", path, got, want)
		}
	}
}

// pairBarrier holds the two requests of the expected pair until both are in flight.
type pairBarrier struct {
	t    *testing.T
	next http.RoundTripper

	mu      sync.Mutex
	pair    [2]string
	arrived chan struct{} // closed when both have arrived
	count   int
}

func (b *pairBarrier) expect(first, second string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pair, b.arrived, b.count = [2]string{first, second}, make(chan struct{}), 0
}

func (b *pairBarrier) RoundTrip(r *http.Request) (*http.Response, error) {
	b.mu.Lock()
	held := r.URL.Path == b.pair[0] || r.URL.Path == b.pair[1]
	arrived := b.arrived
	if held {
		b.count++
		if b.count == 2 {
			close(arrived)
		}
	}
	b.mu.Unlock()
	if held {
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("%s waited 30 s for %s and %s to be in flight together: they ran one after the other", r.URL.Path, b.pair[0], b.pair[1])
		}
	}
	return b.next.RoundTrip(r)
}

func findAccount(t *testing.T, res *plaidapi.Result, mask string) plaidapi.Account {
	t.Helper()
	for _, a := range res.Accounts {
		if a.Mask != nil && *a.Mask == mask {
			return a
		}
	}
	t.Fatalf("no account with mask %s in %+v", mask, res.Accounts)
	return plaidapi.Account{}
}

// publicToken is a public token for a new First Platypus Bank Item, as Link hands it over.
func publicToken(t *testing.T, fx fixture) string {
	t.Helper()
	pub, err := emulatortest.PublicToken(fx.srv, "ins_109508")
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// productionClient is a client for Plaid's Production with keys that were never checked.
func productionClient(t *testing.T) *plaidapi.Client {
	t.Helper()
	cfg := config.Config{ClientID: "x", Secret: "y", Env: config.Production, Products: []string{"auth"}, CountryCodes: []string{"US"}}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// sandboxLink runs the browserless journey to the end.
func sandboxLink(f *plaidflow.Flow, institution string) (*plaidapi.Result, error) {
	j, err := f.SandboxJourney(institution)
	if err != nil {
		return nil, err
	}
	return j.RunAll(context.Background(), nil)
}

// linkWith runs the Link journey with a stand-in Link that hands over pub without naming the
// institution, as Link does when its metadata has none.
func linkWith(f *plaidflow.Flow, pub string) (*plaidapi.Result, error) {
	ui := &fakeLink{publicToken: pub}
	j := f.LinkJourney(func() plaidflow.LinkUI { return ui }, nil)
	defer j.Close()
	return j.RunAll(context.Background(), nil)
}
