package plaidapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy says how calls that are safe to repeat are retried. The zero value of a field
// means its production default; tests set tiny delays and their own Sleep and Now.
type RetryPolicy struct {
	// Attempts is the most times one call is sent, the first included (default 4; 1 turns
	// retries off).
	Attempts int
	// Base is the wait before the first retry; each further one doubles it (default 250 ms).
	Base time.Duration
	// Cap bounds one wait computed from Base (default 4 s). A Retry-After is honoured as sent.
	Cap time.Duration
	// Jitter turns a computed wait into the one waited, so that many clients rate-limited at
	// once do not come back at once (default: a random wait between half and all of it).
	Jitter func(time.Duration) time.Duration
	// Sleep waits d, or less when ctx ends first, and then returns ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock the call's deadline is compared with.
	Now func() time.Time
}

// Retry says that a call is about to be sent again: what failed, and how long until the next
// attempt. A front end shows it, so a slow answer is not taken for a hung one.
type Retry struct {
	Path string
	// Attempt is the number of the attempt about to be made (2 for the first retry), of Attempts.
	Attempt, Attempts int
	Delay             time.Duration
	// Status is the HTTP status that failed, or 0 when the network did (Err says how).
	Status int
	Err    error
}

// String is the line the user sees, such as
// "retrying /auth/get in 1.2s (HTTP 503, attempt 2 of 4)".
func (r Retry) String() string {
	cause := fmt.Sprintf("HTTP %d", r.Status)
	if r.Status == 0 {
		cause = "network error"
		if r.Err != nil {
			cause += ": " + netSummary(r.Err)
		}
	}
	return fmt.Sprintf("retrying %s in %s (%s, attempt %d of %d)", r.Path, r.Delay.Round(100*time.Millisecond), cause, r.Attempt, r.Attempts)
}

// RetryPrinter returns an OnRetry hook that writes each Retry as a line to w, one at a time
// (calls made in parallel may retry at once).
func RetryPrinter(w io.Writer) func(Retry) {
	var mu sync.Mutex
	return func(r Retry) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, r)
	}
}

// retryablePath reports whether a call to path may be sent again without changing anything
// at Plaid twice. Anything not named here is sent once: the exchange (a second one fails, the
// first one's Item is lost), removals, invalidations, processor tokens, reset_login.
func retryablePath(path string) bool {
	switch path {
	case "/link/token/create", "/auth/get", "/item/get", "/sandbox/public_token/create":
		return true
	}
	return strings.HasPrefix(path, "/accounts/") || strings.HasPrefix(path, "/institutions/")
}

// retryTransport resends calls that are safe to repeat when Plaid is rate-limiting (429), failing
// (5xx) or unreachable, within the call's own deadline. It is the one place retries happen.
type retryTransport struct {
	next   http.RoundTripper
	client *Client // for its Retries and OnRetry, which the front end sets after NewClient
}

// RoundTrip implements http.RoundTripper.
func (t retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !retryablePath(req.URL.Path) {
		return t.next.RoundTrip(req)
	}
	p := t.client.Retries.withDefaults()
	if p.Attempts <= 1 {
		return t.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read the request for %s: %w", req.URL.Path, err)
		}
		body = b
	}
	ctx := withCallSlot(req.Context())
	for attempt := 1; ; attempt++ {
		r := req.Clone(withAttempt(ctx, attempt)) // the timeline numbers the attempts
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		resp, err := t.next.RoundTrip(r)
		if attempt >= p.Attempts || !shouldRetry(ctx, resp, err) {
			return resp, err
		}
		delay := p.Jitter(p.backoff(attempt))
		if ra, ok := retryAfter(resp, p.Now()); ok {
			delay = ra
		}
		if deadline, ok := ctx.Deadline(); ok && !p.Now().Add(delay).Before(deadline) {
			// The next answer could not arrive in time: the last one is the truest to show.
			return resp, err
		}
		ev := Retry{Path: req.URL.Path, Attempt: attempt + 1, Attempts: p.Attempts, Delay: delay, Err: err}
		if resp != nil {
			ev.Status = resp.StatusCode
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if hook := t.client.OnRetry; hook != nil {
			hook(ev)
		}
		if err := p.Sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// shouldRetry reports whether an answer (or its absence) is worth another attempt: a rate
// limit, a server error that may pass, or a network failure that is not our own cancellation
// or a certificate that will be just as wrong next time.
func shouldRetry(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		var unknown x509.UnknownAuthorityError
		var host x509.HostnameError
		var verify *tls.CertificateVerificationError
		return !errors.As(err, &unknown) && !errors.As(err, &host) && !errors.As(err, &verify)
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		return true
	case s == http.StatusNotImplemented || s == http.StatusHTTPVersionNotSupported:
		return false
	default:
		return s >= 500 && s <= 599
	}
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// DefaultRetryPolicy is the policy of a Client whose Retries is left zero.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		Attempts: 4,
		Base:     250 * time.Millisecond,
		Cap:      4 * time.Second,
		Jitter:   equalJitter,
		Sleep:    sleep,
		Now:      time.Now,
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	def := DefaultRetryPolicy()
	if p.Attempts == 0 {
		p.Attempts = def.Attempts
	}
	if p.Base <= 0 {
		p.Base = def.Base
	}
	if p.Cap <= 0 {
		p.Cap = def.Cap
	}
	if p.Jitter == nil {
		p.Jitter = def.Jitter
	}
	if p.Sleep == nil {
		p.Sleep = def.Sleep
	}
	if p.Now == nil {
		p.Now = def.Now
	}
	return p
}

// backoff is the wait after the given failed attempt (1 for the first): Base doubled each time,
// up to Cap.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Cap; i++ {
		d *= 2
	}
	return min(d, p.Cap)
}

func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
