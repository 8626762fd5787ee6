package emulator

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

// exchangeOnce makes a Sandbox public token and exchanges it through plaid-go.
func exchangeOnce(t *testing.T, s *Server, c *plaid.APIClient) (plaid.ItemPublicTokenExchangeResponse, *http.Response, error) {
	t.Helper()
	pub, err := sandboxPublicToken(s, "ins_109508")
	if err != nil {
		t.Fatal(err)
	}
	return c.PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()
}

// withFaults starts an emulator with the faults queued, closed when the test ends.
func withFaults(t *testing.T, specs ...FaultSpec) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	for _, spec := range specs {
		if err := s.AddFault(spec); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// Given drop_after on the exchange, when a client exchanges a public token, then it gets no
// answer, yet the Item exists at the emulator: the answer was lost on its way back.
func TestFaultDropAfterTheCallTookEffect(t *testing.T) {
	s := withFaults(t, FaultSpec{Path: "/item/public_token/exchange", Kind: FaultDropAfter, Count: 1})
	c := newClient(s)
	_, resp, err := exchangeOnce(t, s, c)
	if err == nil || resp != nil {
		t.Fatalf("the exchange answered (%v, %v), want the connection dropped", resp, err)
	}
	if ids := peek(s).ItemIDs(); len(ids) != 1 {
		t.Fatalf("Items at the emulator = %v, want the one the lost exchange created", ids)
	}
	// The fault was used up: the next exchange answers, and its token is one the emulator
	// says it issued.
	got, _, err := exchangeOnce(t, s, c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(peek(s).IssuedTokens(), got.AccessToken) {
		t.Errorf("IssuedTokens = %v lacks the access token %s it answered with", peek(s).IssuedTokens(), got.AccessToken)
	}
	if len(peek(s).ItemIDs()) != 2 {
		t.Errorf("Items at the emulator = %v, want 2", peek(s).ItemIDs())
	}
}

// Given hang_after on the exchange, when the client gives up, then the Item exists all the same.
func TestFaultHangAfterTheCallTookEffect(t *testing.T) {
	s := withFaults(t, FaultSpec{Path: "/item/public_token/exchange", Kind: FaultHangAfter})
	pub, err := sandboxPublicToken(s, "ins_109508")
	if err != nil {
		t.Fatal(err)
	}
	cfg := plaid.NewConfiguration()
	cfg.UseEnvironment(plaid.Environment(s.URL))
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", DemoClientID)
	cfg.AddDefaultHeader("PLAID-SECRET", DemoSecret)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := plaid.NewAPIClient(cfg).PlaidApi.ItemPublicTokenExchange(ctx).
			ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()
		done <- err
	}()
	// The Item appears while the call is still held open.
	deadline := time.Now().Add(10 * time.Second)
	for len(peek(s).ItemIDs()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no Item appeared at the emulator within 10s of the held exchange")
		}
		time.Sleep(time.Millisecond) // polling a condition, not ordering events
	}
	select {
	case err := <-done:
		t.Fatalf("the held exchange answered (%v) before the client gave up", err)
	default:
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the held exchange succeeded, want the client's cancellation")
	}
}

// html and empty answer what proxies and broken servers send.
func TestFaultHTMLAndEmptyBodies(t *testing.T) {
	s := withFaults(t, FaultSpec{Path: "/auth/get", Kind: FaultHTML, Count: 1}, FaultSpec{Path: "/auth/get", Kind: FaultEmpty, Count: 1})
	c := newClient(s)
	req := c.PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest("access-sandbox-nope"))
	_, resp, err := req.Execute()
	if err == nil || resp == nil || resp.StatusCode != 503 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("html fault: %v %v, want a 503 text/html page", resp, err)
	}
	_, resp, err = req.Execute()
	if resp == nil || resp.StatusCode != 200 || resp.ContentLength > 0 {
		t.Fatalf("empty fault: %v %v, want an empty 200", resp, err)
	}
	for _, bad := range []FaultSpec{{Path: "/auth/get", Kind: FaultHTML, ErrorCode: "X"}, {Path: "/auth/get", Kind: FaultEmpty, Status: 99}} {
		if err := s.AddFault(bad); err == nil {
			t.Errorf("AddFault(%+v) accepted", bad)
		}
	}
}

// Given a hold fault on /auth/get, a call waits until ReleaseHeld, over the control API too,
// and then gets the usual answer.
func TestFaultHoldUntilReleased(t *testing.T) {
	s := NewServer()
	defer s.Close()
	c := newClient(s)
	got, _, err := exchangeOnce(t, s, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddFault(FaultSpec{Path: "/auth/get", Kind: FaultHold, Count: 1}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := c.PlaidApi.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(got.AccessToken)).Execute()
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for peek(s).Held() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the call was not held within 10s")
		}
		time.Sleep(time.Millisecond) // polling a condition, not ordering events
	}
	resp, err := http.Post(s.URL+"/_emulator/release", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST /_emulator/release: %v %v", resp, err)
	}
	resp.Body.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the released call failed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the released call did not answer within 10s")
	}
}
