package plaidflow_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

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
