package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
	"github.com/plaid/plaid-go/v42/plaid"
)

// newClient is the real plaid-go client pointed at the fake, with the demo keys in Plaid's
// headers, as the product configures it.
func newClient(s *Server) *plaid.APIClient {
	return newClientWithKeys(s, DemoClientID, DemoSecret)
}

// newTestAPI is newTestServer with plaid-go pointed at it, and a context for the calls.
func newTestAPI(t *testing.T) (*Server, *plaid.PlaidApiService, context.Context) {
	t.Helper()
	srv, _ := newTestServer(t)
	return srv, newClient(srv).PlaidApi, context.Background()
}

func newClientWithKeys(s *Server, clientID, secret string) *plaid.APIClient {
	cfg := plaid.NewConfiguration()
	cfg.UseEnvironment(plaid.Environment(s.URL))
	cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	if clientID != "" {
		cfg.AddDefaultHeader("PLAID-CLIENT-ID", clientID)
	}
	if secret != "" {
		cfg.AddDefaultHeader("PLAID-SECRET", secret)
	}
	return plaid.NewAPIClient(cfg)
}

// plaidError decodes the Plaid error of a failed plaid-go call.
func plaidError(t testing.TB, err error) plaid.PlaidError {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded, want a Plaid error")
	}
	var generic plaid.GenericOpenAPIError
	if !errors.As(err, &generic) {
		t.Fatalf("error %v (%T) is not a Plaid API error", err, err)
	}
	pe, decErr := plaid.ToPlaidError(generic)
	if decErr != nil {
		t.Fatalf("decode Plaid error %q: %v", generic.Body(), decErr)
	}
	return pe
}

// wantPlaidError checks a failed call's HTTP status, error type and code.
func wantPlaidError(t testing.TB, err error, resp *http.Response, status int, typ, code string) plaid.PlaidError {
	t.Helper()
	pe := plaidError(t, err)
	if resp == nil || resp.StatusCode != status {
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		t.Errorf("HTTP status %d, want %d", got, status)
	}
	if string(pe.ErrorType) != typ || pe.ErrorCode != code {
		t.Errorf("error %s/%s (%q), want %s/%s", pe.ErrorType, pe.ErrorCode, pe.ErrorMessage, typ, code)
	}
	if len(pe.GetRequestId()) != 15 {
		t.Errorf("request_id %q, want 15 characters", pe.GetRequestId())
	}
	return pe
}

func mustPublicToken(t testing.TB, s *Server, institutionID string) string {
	t.Helper()
	tok, err := sandboxPublicToken(s, institutionID)
	if err != nil {
		t.Fatalf("public token for %s: %v", institutionID, err)
	}
	return tok
}

// mustAccessToken links an Item at the institution through plaid-go.
func mustAccessToken(t testing.TB, s *Server, institutionID string) string {
	t.Helper()
	resp, _, err := newClient(s).PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(mustPublicToken(t, s, institutionID))).Execute()
	if err != nil {
		t.Fatalf("exchange public token: %v", err)
	}
	return resp.GetAccessToken()
}

func jsonHeaders() http.Header {
	return http.Header{
		"Content-Type":    {"application/json"},
		"Plaid-Client-Id": {DemoClientID},
		"Plaid-Secret":    {DemoSecret},
		"Plaid-Version":   {"2020-09-14"},
	}
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// decode returns the answer as a JSON object.
func (a rawAnswer) decode(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, a.body)
	}
	return m
}

// rawCall posts a JSON body with the demo keys in Plaid's headers, for the calls plaid-go
// cannot make (malformed ones).
func rawCall(t testing.TB, s *Server, path string, body any) rawAnswer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return rawRequest(t, s, http.MethodPost, path, jsonHeaders(), b)
}

func rawRequest(t testing.TB, s *Server, method, path string, header http.Header, body []byte) rawAnswer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: got}
}

// peek is the server as emulatortest sees it (backstage.go), for these tests, which cannot
// import emulatortest.
func peek(s *Server) backstage.Server { return backstage.Of(s) }

// sandboxPublicToken is emulatortest.PublicToken.
func sandboxPublicToken(s *Server, institutionID string) (string, error) {
	return peek(s).PublicToken(institutionID, []string{"auth"}, sandboxUsername, sandboxPassword)
}
