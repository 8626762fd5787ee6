package plaidflow_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// fastRetries keeps the production number of attempts with waits of a few milliseconds, for
// the tests whose subject is not the retries themselves.
var fastRetries = plaidapi.RetryPolicy{Base: time.Millisecond, Cap: 4 * time.Millisecond}

// fakeClock is the retry policy's clock and sleeper: a wait is recorded and moves the clock on
// at once, so no test waits for a backoff and the waits are asserted exactly.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// policy is a policy without jitter on the fake clock, so each wait is the backoff itself.
func (c *fakeClock) policy(attempts int, base, cap time.Duration) plaidapi.RetryPolicy {
	return plaidapi.RetryPolicy{Attempts: attempts, Base: base, Cap: cap,
		Jitter: func(d time.Duration) time.Duration { return d }, Sleep: c.Sleep, Now: c.Now}
}

// retryLog collects what the front end is told.
type retryLog struct {
	mu     sync.Mutex
	events []plaidapi.Retry
}

func (l *retryLog) hear(r plaidapi.Retry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, r)
}

func (l *retryLog) heard() []plaidapi.Retry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]plaidapi.Retry(nil), l.events...)
}

// linked is a fixture with a saved Sandbox Item, its access token, a fake clock and a log of
// the retries announced.
type linked struct {
	fixture
	ref, token string
	clock      *fakeClock
	log        *retryLog
}

func newLinked(t *testing.T) linked {
	t.Helper()
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	tok, err := fx.vault.AccessToken("sandbox", res.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	l := linked{fixture: fx, ref: res.ItemName, token: tok, clock: newFakeClock(), log: &retryLog{}}
	fx.flow.Client.Retries = l.clock.policy(4, 10*time.Millisecond, 40*time.Millisecond)
	fx.flow.Client.OnRetry = l.log.hear
	return l
}

type call struct {
	path string
	do   func(context.Context, linked) error
}

// safeCalls are the calls Plaid can be asked again without anything happening twice.
var safeCalls = []call{
	{"/link/token/create", func(ctx context.Context, l linked) error {
		_, err := l.flow.Client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{})
		return err
	}},
	{"/sandbox/public_token/create", func(ctx context.Context, l linked) error {
		_, err := l.flow.Client.SandboxPublicToken(ctx, plaidapi.DefaultSandboxInstitution)
		return err
	}},
	{"/auth/get", func(ctx context.Context, l linked) error {
		_, err := l.flow.Client.Auth(ctx, l.token)
		return err
	}},
	{"/institutions/get_by_id", func(ctx context.Context, l linked) error {
		_, err := l.flow.Client.Institution(ctx, plaidapi.DefaultSandboxInstitution)
		return err
	}},
	{"/item/get", func(ctx context.Context, l linked) error {
		_, err := l.flow.ItemStatus(ctx, l.ref)
		return err
	}},
	{"/accounts/balance/get", func(ctx context.Context, l linked) error {
		_, err := l.flow.Balances(ctx, l.ref)
		return err
	}},
	{"/accounts/get", func(ctx context.Context, l linked) error {
		_, err := l.flow.ProcessorToken(ctx, l.ref, "0000", "dwolla") // /accounts/get comes first
		return err
	}},
}

// stateChangingCalls change something at Plaid: a second one would make, remove or revoke
// something again, or fail because the first one took effect.
var stateChangingCalls = []call{
	{"/item/public_token/exchange", func(ctx context.Context, l linked) error {
		pub, err := l.flow.Client.SandboxPublicToken(ctx, plaidapi.DefaultSandboxInstitution)
		if err != nil {
			return errors.New("setup: " + err.Error())
		}
		_, err = l.flow.Client.Exchange(ctx, pub)
		return err
	}},
	{"/item/remove", func(ctx context.Context, l linked) error {
		_, err := l.flow.Client.RemoveItem(ctx, l.token)
		return err
	}},
	{"/item/access_token/invalidate", func(ctx context.Context, l linked) error {
		_, err := l.flow.RotateItem(ctx, l.ref)
		return err
	}},
	{"/processor/token/create", func(ctx context.Context, l linked) error {
		_, err := l.flow.ProcessorToken(ctx, l.ref, "0000", "dwolla")
		return err
	}},
	{"/processor/stripe/bank_account_token/create", func(ctx context.Context, l linked) error {
		_, err := l.flow.ProcessorToken(ctx, l.ref, "0000", "stripe")
		return err
	}},
	{"/sandbox/item/reset_login", func(ctx context.Context, l linked) error {
		_, err := l.flow.ResetLogin(ctx, l.ref)
		return err
	}},
}

// Given a call that is safe to repeat, when Plaid rate-limits it, fails it or drops the
// connection once or twice, then the user gets the answer anyway, after as many announced
// waits as there were failures, each twice the one before.
func TestSafeCallsRecoverFromPassingFailures(t *testing.T) {
	faults := []struct {
		name       string
		spec       emulator.FaultSpec
		wantStatus int // of each announced retry; 0 for the network
	}{
		{"two 429s", emulator.FaultSpec{Kind: emulator.FaultRateLimit, Count: 2}, 429},
		{"a 503 for maintenance", emulator.FaultSpec{Kind: emulator.FaultStatus, Status: 503, Count: 1}, 503},
		{"two 500s", emulator.FaultSpec{Kind: emulator.FaultStatus, Status: 500, Count: 2}, 500},
		{"a dropped connection", emulator.FaultSpec{Kind: emulator.FaultDrop, Count: 1}, 0},
	}
	for _, c := range safeCalls {
		for _, f := range faults {
			t.Run(c.path+"/"+f.name, func(t *testing.T) {
				l := newLinked(t)
				before := emulatortest.Requests(l.srv, c.path)
				spec := f.spec
				spec.Path = c.path
				if err := l.srv.AddFault(spec); err != nil {
					t.Fatal(err)
				}

				if err := c.do(context.Background(), l); err != nil {
					t.Fatalf("the call failed despite retries: %v", err)
				}

				failures := spec.Count
				if got := emulatortest.Requests(l.srv, c.path) - before; got != failures+1 {
					t.Errorf("%s was sent %d times, want %d (%d failures, then the answer)", c.path, got, failures+1, failures)
				}
				wantWaits := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}[:failures]
				if got := l.clock.waits(); !equalDurations(got, wantWaits) {
					t.Errorf("waited %v, want %v", got, wantWaits)
				}
				events := l.log.heard()
				if len(events) != failures {
					t.Fatalf("the user was told of %d retries, want %d: %v", len(events), failures, events)
				}
				for i, ev := range events {
					if ev.Path != c.path || ev.Attempt != i+2 || ev.Attempts != 4 || ev.Status != f.wantStatus || ev.Delay != wantWaits[i] {
						t.Errorf("retry %d announced as %+v", i+1, ev)
					}
					if f.wantStatus == 0 && ev.Err == nil {
						t.Errorf("retry %d after a network failure carries no error", i+1)
					}
				}
			})
		}
	}
}

// Given a call that changes something at Plaid, when its answer is a 503 or never comes,
// then it is sent exactly once and the failure is the user's to see: the exchange may have
// created an Item, a removal may have happened.
func TestStateChangingCallsAreNeverRetried(t *testing.T) {
	faults := []struct {
		name string
		spec emulator.FaultSpec
	}{
		{"503", emulator.FaultSpec{Kind: emulator.FaultStatus, Status: 503}},
		{"429", emulator.FaultSpec{Kind: emulator.FaultRateLimit}},
		{"dropped connection", emulator.FaultSpec{Kind: emulator.FaultDrop}},
	}
	for _, c := range stateChangingCalls {
		for _, f := range faults {
			t.Run(c.path+"/"+f.name, func(t *testing.T) {
				l := newLinked(t)
				before := emulatortest.Requests(l.srv, c.path)
				spec := f.spec
				spec.Path = c.path // every call fails, so a retry could not hide itself
				if err := l.srv.AddFault(spec); err != nil {
					t.Fatal(err)
				}

				err := c.do(context.Background(), l)
				if err == nil || strings.HasPrefix(err.Error(), "setup: ") {
					t.Fatalf("err = %v, want the failure of %s", err, c.path)
				}
				if got := emulatortest.Requests(l.srv, c.path) - before; got != 1 {
					t.Errorf("%s was sent %d times, want exactly once", c.path, got)
				}
				if w, ev := l.clock.waits(), l.log.heard(); len(w) != 0 || len(ev) != 0 {
					t.Errorf("waited %v and announced %v for a call that is never retried", w, ev)
				}
			})
		}
	}
}

// Given Plaid or a proxy on the way that answers 429 with Retry-After, when the call is
// retried, then it waits what was asked (in seconds or until a date) rather than its own
// backoff; a wait that would end after the call's deadline is not started at all.
func TestRetryAfterIsHonoured(t *testing.T) {
	tests := []struct {
		name     string
		header   func(now time.Time) string
		deadline time.Duration
		want     []time.Duration // the waits; none: the 429 is the answer
	}{
		{"in seconds", func(time.Time) string { return "1" }, time.Minute, []time.Duration{time.Second}},
		{"as a date", func(now time.Time) string { return now.Add(3 * time.Second).UTC().Format(http.TimeFormat) }, time.Minute, []time.Duration{3 * time.Second}},
		{"past the deadline", func(time.Time) string { return "60" }, 5 * time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLinked(t)
			target, err := url.Parse(l.srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			proxy := httptest.NewServer(&httputil.ReverseProxy{
				Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
				ModifyResponse: func(resp *http.Response) error {
					if resp.StatusCode == http.StatusTooManyRequests {
						resp.Header.Set("Retry-After", tt.header(l.clock.Now()))
					}
					return nil
				},
			})
			t.Cleanup(proxy.Close)
			cfg := l.flow.Client.Config()
			cfg.APIURL = proxy.URL
			client, err := plaidapi.NewClient(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			client.Retries = l.clock.policy(4, 10*time.Millisecond, 40*time.Millisecond)
			client.OnRetry = l.log.hear
			if err := l.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultRateLimit, Count: 1}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
			defer cancel()

			_, err = client.Auth(ctx, l.token)

			if got := l.clock.waits(); !equalDurations(got, tt.want) {
				t.Errorf("waited %v, want %v", got, tt.want)
			}
			if tt.want == nil {
				if pe, ok := plaidapi.AsError(err); !ok || pe.HTTPStatus != 429 {
					t.Errorf("err = %v, want the 429 at once", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("the call failed after honouring Retry-After: %v", err)
			}
			if ev := l.log.heard(); len(ev) != 1 || ev[0].Delay != tt.want[0] {
				t.Errorf("announced %v, want one retry in %s", ev, tt.want[0])
			}
		})
	}
}

// Given Plaid in maintenance for good, when a call is made with a deadline, then the retries
// stop before it: the waits add up to less than the deadline, and the user sees Plaid's 503
// rather than a bare timeout.
func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	l := newLinked(t)
	const budget, maxWait = 10 * time.Second, 4 * time.Second
	l.flow.Client.Retries = l.clock.policy(1000, time.Second, maxWait)
	if err := l.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	// The deadline is on the fake clock's time line, which starts now: the real one is far
	// enough off that only the fake waits can reach it.
	start := time.Now()
	l.clock.now = start
	before := emulatortest.Requests(l.srv, "/auth/get")
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(budget))
	defer cancel()

	_, err := l.flow.Client.Auth(ctx, l.token)

	pe, ok := plaidapi.AsError(err)
	if !ok || pe.Code != "PLANNED_MAINTENANCE" || pe.HTTPStatus != 503 {
		t.Fatalf("err = %v, want Plaid's 503 PLANNED_MAINTENANCE", err)
	}
	waits := l.clock.waits()
	if spent := l.clock.Now().Sub(start); spent >= budget || spent < budget-maxWait {
		t.Errorf("waited %s in all (%v): want just under the %s deadline", spent, waits, budget)
	}
	if got := emulatortest.Requests(l.srv, "/auth/get") - before; got != len(waits)+1 || got >= 1000 {
		t.Errorf("sent %d times after %d waits", got, len(waits))
	}
	if ev := l.log.heard(); len(ev) != len(waits) {
		t.Errorf("announced %d retries, waited %d times", len(ev), len(waits))
	}
}

// The same on the real clock, with the production sleeper and jitter: the call comes back
// soon after its deadline however many attempts the policy allows. Only an upper bound is
// checked, with room for a busy machine.
func TestRetriesStopAtTheDeadlineOnTheRealClock(t *testing.T) {
	l := newLinked(t)
	l.flow.Client.Retries = plaidapi.RetryPolicy{Attempts: 1 << 20, Base: 5 * time.Millisecond, Cap: 20 * time.Millisecond}
	if err := l.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	const budget, margin = 300 * time.Millisecond, 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	start := time.Now()

	_, err := l.flow.Client.Auth(ctx, l.token)

	if took := time.Since(start); took > budget+margin {
		t.Errorf("the call took %s with a %s deadline", took, budget)
	}
	if pe, ok := plaidapi.AsError(err); !(ok && pe.HTTPStatus == 503) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the 503 or the deadline", err)
	}
}

// The line a front end prints for a retry says which call, when, why, and how many are left.
func TestRetryMessage(t *testing.T) {
	tests := []struct {
		r    plaidapi.Retry
		want string
	}{
		{plaidapi.Retry{Path: "/auth/get", Attempt: 2, Attempts: 4, Delay: 1234 * time.Millisecond, Status: 503},
			"retrying /auth/get in 1.2s (HTTP 503, attempt 2 of 4)"},
		{plaidapi.Retry{Path: "/link/token/create", Attempt: 4, Attempts: 4, Delay: time.Second, Status: 429},
			"retrying /link/token/create in 1s (HTTP 429, attempt 4 of 4)"},
		{plaidapi.Retry{Path: "/item/get", Attempt: 3, Attempts: 4, Delay: 500 * time.Millisecond, Err: errors.New("connection reset by peer\x1b[2J")},
			"retrying /item/get in 500ms (network error: connection reset by peer[2J, attempt 3 of 4)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

// Given the printer a front end installs, when /auth/get meets a 503 once, then exactly one
// line tells the user, and the numbers still come.
func TestRetryPrinterTellsTheUser(t *testing.T) {
	l := newLinked(t)
	l.flow.Client.Retries = l.clock.policy(4, 1200*time.Millisecond, 4*time.Second)
	var out bytes.Buffer
	l.flow.Client.OnRetry = plaidapi.RetryPrinter(&out)
	if err := l.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultStatus, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.flow.Client.Auth(context.Background(), l.token); err != nil {
		t.Fatal(err)
	}
	if want := "retrying /auth/get in 1.2s (HTTP 503, attempt 2 of 4)\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// The production policy's waits grow from 250 ms, never past 4 s, and jitter keeps each
// between half and all of the backoff.
func TestDefaultRetryPolicy(t *testing.T) {
	p := plaidapi.DefaultRetryPolicy()
	if p.Attempts != 4 || p.Base != 250*time.Millisecond || p.Cap != 4*time.Second {
		t.Errorf("default policy = %d attempts, base %s, cap %s", p.Attempts, p.Base, p.Cap)
	}
	for range 200 {
		if d := p.Jitter(time.Second); d < 500*time.Millisecond || d > time.Second {
			t.Fatalf("jitter of 1s gave %s", d)
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
