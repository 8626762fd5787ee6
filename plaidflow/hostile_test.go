package plaidflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// When the way to Plaid, or Plaid's answer, goes wrong: hostile or malformed answers, hung or
// lost calls, a network or proxy that cannot be reached. Each says plainly what happened.

// genuine returns the emulator's own answer to a call, decoded, so a test can change one field
// of a well-formed answer and inject it.
func genuine(t *testing.T, srv *emulator.Server, path string, req map[string]any) map[string]any {
	t.Helper()
	req["client_id"], req["secret"] = emulator.DemoClientID, emulator.DemoSecret
	body, _ := json.Marshal(req)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// inject makes the next call to path answer 200 with m.
func inject(srv *emulator.Server, path string, m map[string]any) {
	b, _ := json.Marshal(m)
	srv.InjectFault(path, 1, http.StatusOK, "application/json", string(b))
}

// hostile is text a broken or hostile upstream might send: it clears the screen, writes the
// clipboard (OSC 52), retitles the window, and reverses the text that follows.
const hostile = "\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\u202eknaB\x9b31m"

func assertClean(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u202e' {
			t.Errorf("%s carries control character %U: %q", what, r, s)
			return
		}
	}
}

// Given Plaid answers with escape sequences in the institution's and the accounts' names, in a
// request_id and in an error's messages, when the numbers are shown, saved and replayed, then
// no control character reaches the terminal or the index.
func TestEscapeSequencesFromPlaidNeverReachTheTerminalOrTheIndex(t *testing.T) {
	fx := newFixture(t, "US")
	inst := genuine(t, fx.srv, "/institutions/get_by_id", map[string]any{"institution_id": plaidapi.DefaultSandboxInstitution, "country_codes": []string{"US"}})
	inst["institution"].(map[string]any)["name"] = "First " + hostile + "Platypus"
	inst["request_id"] = "req" + hostile
	inject(fx.srv, "/institutions/get_by_id", inst)

	res, err := sandboxLink(fx.flow, "")
	if err != nil {
		t.Fatal(err)
	}
	saved := savedItem(t, fx, "")
	assertClean(t, "the saved institution name", saved.InstitutionName)
	assertClean(t, "the saved Item name", saved.Name)
	if !strings.Contains(saved.InstitutionName, "Platypus") {
		t.Errorf("the name itself was lost: %q", saved.InstitutionName)
	}

	tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	auth := genuine(t, fx.srv, "/auth/get", map[string]any{"access_token": tok})
	for _, a := range auth["accounts"].([]any) {
		a.(map[string]any)["name"] = "Checking" + hostile
	}
	auth["item"].(map[string]any)["institution_name"] = hostile
	auth["request_id"] = hostile + "req-1"
	inject(fx.srv, "/auth/get", auth)
	res, err = fx.flow.SavedJourney("").RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := present.WriteReport(&out, res, false); err != nil {
		t.Fatal(err)
	}
	assertClean(t, "the printed report", strings.ReplaceAll(out.String(), "\n", " "))
	assertClean(t, "the request_id", res.RequestID)

	fx.srv.InjectFault("/auth/get", 1, http.StatusBadRequest, "application/json", `{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","error_message":"gone`+jsonEscaped(hostile)+`","display_message":"`+jsonEscaped(hostile)+`log in","request_id":"r`+jsonEscaped(hostile)+`"}`)
	_, err = fx.flow.SavedJourney("").RunAll(context.Background(), nil)
	if !plaidapi.HasCode(err, "ITEM_LOGIN_REQUIRED") {
		t.Fatalf("err = %v", err)
	}
	var problem bytes.Buffer
	plaidflow.WriteProblem(&problem, err)
	assertClean(t, "the printed error", strings.ReplaceAll(problem.String(), "\n", " "))
	if !strings.Contains(problem.String(), "log in") {
		t.Errorf("the display_message itself was lost:\n%s", problem.String())
	}
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Given a hung /institutions/get_by_id, when a Sandbox Item is linked, then the numbers come
// within the institution's short budget, not after the call timeout, named after the bank all
// the same (from the Item).
func TestHungInstitutionLookupDoesNotHoldBackTheNumbers(t *testing.T) {
	fx := newFixture(t, "US")
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/institutions/get_by_id", Kind: emulator.FaultHang}); err != nil {
		t.Fatal(err)
	}
	limit := plaidapi.CallTimeout / 3
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.RunAll(ctx, nil)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("sandbox link with a hung institution lookup failed after %s (limit %s): %v", took, limit, err)
	}
	if took >= 2*plaidflow.InstitutionBudget+time.Second {
		t.Errorf("sandbox link took %s; a hung lookup may cost one budget of %s", took, plaidflow.InstitutionBudget)
	}
	if len(res.Numbers.ACH) == 0 || present.InstitutionName(res) != "First Platypus Bank" {
		t.Errorf("numbers %+v of %q", res.Numbers.ACH, present.InstitutionName(res))
	}
}

// When /auth/get fails while the institution lookup made beside it is waiting to retry a 503,
// when the numbers step returns its error, then the lookup has ended: it must not go on
// retrying (and printing its retries) after the caller has reported the failure.
func TestFailedNumbersLeaveNoInstitutionLookupBehind(t *testing.T) {
	fx := newFixture(t, "US")
	// Given a saved Item (its numbers fetched again, as `auth` does, look the institution up
	// beside /auth/get),
	linkedItem(t, fx)
	var waiting, late atomic.Int32
	var returned atomic.Bool
	p := fastRetries
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		if returned.Load() {
			late.Add(1)
		}
		waiting.Add(1)
		defer waiting.Add(-1)
		<-ctx.Done() // the retry waits until the lookup is given up
		return ctx.Err()
	}
	fx.flow.Client.Retries = p
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/institutions/get_by_id", Kind: emulator.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	// The latency only makes it likely that the lookup is waiting when /auth/get fails; the
	// check below holds whatever the order.
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultError, ErrorCode: "PRODUCT_NOT_READY", Latency: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	_, err := fx.flow.SavedJourney("").RunAll(context.Background(), nil)
	returned.Store(true)
	if !plaidapi.HasCode(err, "PRODUCT_NOT_READY") {
		t.Fatalf("RunAll = %v, want PRODUCT_NOT_READY", err)
	}
	if n := waiting.Load(); n != 0 {
		t.Errorf("%d institution lookups still waiting to retry after the numbers failed", n)
	}
	if n := late.Load(); n != 0 {
		t.Errorf("%d retries started after the numbers failed", n)
	}
}

// Given a 200 answer without what Plaid's schema requires, when the flow reads it, then it
// fails with UNEXPECTED_RESPONSE, the request_id, and a next step, rather than carrying on
// with nothing.
func TestMalformedAnswersAreErrors(t *testing.T) {
	tests := []struct {
		name, path string
		answer     func(fx fixture) map[string]any
		exchange   bool
	}{
		{"a sandbox public token create with no token", "/sandbox/public_token/create",
			func(fixture) map[string]any { return map[string]any{"public_token": "", "request_id": "req-malformed"} }, false},
		{"an exchange with no access token", "/item/public_token/exchange",
			func(fixture) map[string]any {
				return map[string]any{"access_token": "", "item_id": "", "request_id": "req-malformed"}
			}, true},
		{"an auth get with no accounts", "/auth/get",
			func(fx fixture) map[string]any {
				res, err := sandboxLink(fx.flow, "")
				if err != nil {
					t.Fatal(err)
				}
				tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
				m := genuine(t, fx.srv, "/auth/get", map[string]any{"access_token": tok})
				m["accounts"] = []any{}
				m["request_id"] = "req-malformed"
				return m
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "US")
			inject(fx.srv, tt.path, tt.answer(fx))
			_, err := sandboxLink(fx.flow, "")
			if err == nil {
				t.Fatal("the malformed answer was accepted")
			}
			p := plaidflow.Explain(err)
			if p.ErrorCode != plaidapi.CodeUnexpectedResponse || p.RequestID != "req-malformed" || p.Next == "" {
				t.Errorf("problem = %+v", p)
			}
			var lost *plaidapi.ExchangeLostError
			if errors.As(err, &lost) != tt.exchange {
				t.Errorf("said the Item may exist at Plaid: %v, want %v (%v)", !tt.exchange, tt.exchange, err)
			}
		})
	}
}

// Given an exchange whose answer is lost (the connection dropped, a 500), when the flow fails,
// then it says plainly that Plaid may have made an Item whose token never arrived, and to
// link again; a refusal (400) says nothing of the kind.
func TestLostExchangeAnswerIsSaidPlainly(t *testing.T) {
	tests := []struct {
		name     string
		fault    emulator.FaultSpec
		mayExist bool
	}{
		{"dropped connection", emulator.FaultSpec{Kind: emulator.FaultDrop, Count: 1}, true},
		{"500", emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "INTERNAL_SERVER_ERROR", Count: 1}, true},
		{"refused public token", emulator.FaultSpec{Kind: emulator.FaultError, ErrorCode: "INVALID_PUBLIC_TOKEN", Count: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "US")
			tt.fault.Path = "/item/public_token/exchange"
			if err := fx.srv.AddFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			_, err := sandboxLink(fx.flow, "")
			if err == nil {
				t.Fatal("the exchange succeeded")
			}
			p := plaidflow.Explain(err)
			said := strings.Contains(p.Context, "Plaid may have created an Item") && strings.Contains(p.Next, "link the account again")
			if said != tt.mayExist {
				t.Errorf("problem = %+v; want the may-exist notice: %v", p, tt.mayExist)
			}
		})
	}
}

// TestExchangeNeverSentIsNotLost: an exchange that could not even connect did not reach Plaid,
// so the user is not told an Item may exist there; just what could not be reached.
func TestExchangeNeverSentIsNotLost(t *testing.T) {
	_, err := demoClient(t, closedPort(t), "", nil).Exchange(context.Background(), "public-sandbox-00000000-0000-0000-0000-000000000000")
	var lost *plaidapi.ExchangeLostError
	var ne *plaidapi.NetworkError
	if errors.As(err, &lost) || !errors.As(err, &ne) || ne.Kind != plaidapi.NetRefused {
		t.Errorf("err = %v (%T), want a refused connection, not a lost exchange", err, err)
	}
	if p := plaidflow.Explain(err); p.Context != "" {
		t.Errorf("context = %q: nothing can have happened at Plaid", p.Context)
	}
}

// Given a keyring that refuses to write, when a new Item is linked, then the journey says it
// was not saved and how to remove it at Plaid; with saving off (--no-save) that is no failure.
func TestUnsavedItemIsAFailureUnlessSavingIsOff(t *testing.T) {
	fx := newFixture(t, "US")
	fx.vault.Secrets = refusingStore{fx.store}
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	err = j.NotSaved()
	if !errors.Is(err, plaidapi.ErrNotSaved) {
		t.Fatalf("NotSaved() = %v", err)
	}
	if p := plaidflow.Explain(err); !strings.Contains(p.Next, "/item/remove") || !strings.Contains(p.Context, "keyring locked") {
		t.Errorf("problem = %+v", p)
	}

	fx.flow.Vault = nil
	j, _ = fx.flow.SandboxJourney("")
	if _, err := j.RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := j.NotSaved(); err != nil {
		t.Errorf("with saving off, NotSaved() = %v", err)
	}
}

// closedPort is the URL of a port nothing listens on any more.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestNetworkFailuresSayWhatToCheck makes each kind of network failure happen for real and
// checks the user is told what could not be reached, how it failed and what to check, never
// the bare Go error.
func TestNetworkFailuresSayWhatToCheck(t *testing.T) {
	untrusted := func(t *testing.T) string {
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	silent := func(t *testing.T) string {
		// Accepts the request and never answers, until the client gives up.
		done := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-done:
			}
		}))
		t.Cleanup(func() { close(done); srv.CloseClientConnections(); srv.Close() })
		return srv.URL
	}
	cases := []struct {
		name    string
		url     func(t *testing.T) string
		timeout time.Duration
		kind    plaidapi.NetKind
		says    []string
		next    []string
	}{
		{"unresolvable name", func(*testing.T) string { return "https://plaid-onboard-test.invalid" }, 0, plaidapi.NetDNS,
			[]string{"https://plaid-onboard-test.invalid", "does not resolve"}, []string{"DNS", "PLAID_API_URL"}},
		{"closed port", closedPort, 0, plaidapi.NetRefused,
			[]string{"refused", "nothing listens"}, []string{"must be running", "PLAID_API_URL"}},
		{"untrusted certificate", untrusted, 0, plaidapi.NetTLS,
			[]string{"certificate", "not trusted"}, []string{"trust store", "proxy"}},
		{"no answer", silent, 500 * time.Millisecond, plaidapi.NetTimeout,
			[]string{"did not answer in time"}, []string{"proxy", "status.plaid.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := c.url(t)
			client := demoClient(t, u, "", nil)
			ctx := context.Background()
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			_, err := client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{})
			var ne *plaidapi.NetworkError
			if !errors.As(err, &ne) {
				t.Fatalf("err = %v (%T), want a NetworkError", err, err)
			}
			if ne.Kind != c.kind {
				t.Errorf("kind = %s, want %s (%v)", ne.Kind, c.kind, err)
			}
			p := plaidflow.Explain(err)
			if p.Unreachable != strings.TrimSuffix(u, "/") || p.ErrorType != plaidflow.ErrorTypeNetwork {
				t.Errorf("problem = %+v, want it to name %s", p, u)
			}
			for _, w := range append(c.says, "create link token", u) {
				if !strings.Contains(p.ErrorMessage, w) {
					t.Errorf("message %q lacks %q", p.ErrorMessage, w)
				}
			}
			for _, w := range c.next {
				if !strings.Contains(p.Next, w) {
					t.Errorf("next %q lacks %q", p.Next, w)
				}
			}
			if strings.HasPrefix(p.ErrorMessage, "Post ") || strings.Contains(p.ErrorMessage, `Post "`) {
				t.Errorf("the raw Go error leaks through: %q", p.ErrorMessage)
			}
		})
	}
}

// TestNetworkFailureNamesTheProxy: with HTTPS_PROXY pointing at nothing, the proxy is what
// could not be reached, and the hint is about the proxy settings.
func TestNetworkFailureNamesTheProxy(t *testing.T) {
	proxy := closedPort(t)
	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("NO_PROXY", "")
	// The transport reads the proxy from the environment once per process, so this test gives
	// the client a transport that reads it now, as a fresh process would.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return url.Parse(proxy) }
	client := demoClient(t, "", "", &http.Client{Transport: tr, Timeout: 10 * time.Second})
	_, err := client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	var ne *plaidapi.NetworkError
	if !errors.As(err, &ne) || ne.Kind != plaidapi.NetProxy {
		t.Fatalf("err = %v, want a proxy failure", err)
	}
	p := plaidflow.Explain(err)
	if p.Proxy != proxy || !strings.Contains(p.ErrorMessage, proxy) || !strings.Contains(p.Next, "HTTPS_PROXY") {
		t.Errorf("problem = %+v, want it to name the proxy %s and HTTPS_PROXY", p, proxy)
	}
	if !strings.Contains(p.Unreachable, "sandbox.plaid.com") {
		t.Errorf("unreachable = %q, want Plaid's Sandbox host", p.Unreachable)
	}
}
