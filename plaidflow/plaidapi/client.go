package plaidapi

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid/plaid-go/v42/plaid"
)

// CallTimeout bounds each Plaid call. Plaid answers in well under a second; /auth/get may take a
// few seconds at a slow bank, so this leaves room without letting a dead network hang the app.
const CallTimeout = 30 * time.Second

// Client talks to Plaid through plaid-go. It is safe for concurrent use.
type Client struct {
	api *plaid.APIClient
	cfg config.Config

	// Retries says how calls that are safe to repeat are retried; zero fields take
	// DefaultRetryPolicy's values. Set it before the first call.
	Retries RetryPolicy
	// OnRetry, when set, hears of each retry before its wait, so the user can be told. It may
	// be called from several goroutines at once. Set it before the first call.
	OnRetry func(Retry)
	// Timeline, when set, records every attempt of every call (timelineTransport) and the
	// steps of the journeys run with this client. Set it before the first call.
	Timeline *transcript.Timeline
}

// NewHTTPClient returns the HTTP client used for Plaid: every phase of a request has a bound.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = CallTimeout
	return &http.Client{Transport: tr, Timeout: CallTimeout}
}

// NewClient builds a Plaid client for cfg. httpClient may be nil for NewHTTPClient's.
func NewClient(cfg config.Config, httpClient *http.Client) (*Client, error) {
	if !cfg.HasKeys() {
		return nil, config.ErrNoKeys
	}
	base, err := cfg.BaseURL()
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = NewHTTPClient()
	}
	hc := *httpClient
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := &Client{cfg: cfg}
	// Retries outside the cleaning, so each attempt's answer is cleaned and a body cut short
	// while it is read counts as a network failure worth another attempt. The timeline sits
	// between them, so it records each attempt as the program reads it.
	hc.Transport = retryTransport{next: timelineTransport{next: sanitize.Transport{Next: next}, client: c}, client: c}
	httpClient = &hc
	pc := plaid.NewConfiguration()
	pc.UseEnvironment(plaid.Environment(base))
	pc.AddDefaultHeader("PLAID-CLIENT-ID", cfg.ClientID)
	pc.AddDefaultHeader("PLAID-SECRET", cfg.Secret)
	pc.UserAgent = "plaid-onboard (" + pc.UserAgent + ")"
	pc.HTTPClient = httpClient
	c.api = plaid.NewAPIClient(pc)
	return c, nil
}

// Config returns the configuration the client was built with.
func (c *Client) Config() config.Config { return c.cfg }

// send makes one Plaid call, bounded by CallTimeout: call builds the request on the context it
// is given and executes it. A failure comes back decoded, named by op, by the one decoder.
func send[R any](ctx context.Context, c *Client, op string, call func(context.Context) (R, *http.Response, error)) (R, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	resp, httpResp, err := call(ctx)
	if err != nil {
		return resp, c.decodeError(op, err, httpResp)
	}
	return resp, nil
}
