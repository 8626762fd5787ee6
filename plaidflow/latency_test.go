package plaidflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// The speed of a flow is bounded by the round trips to Plaid it waits for one after another:
// with a real network each costs tens to hundreds of milliseconds, far more than the program's
// own work. The emulator adds a fixed latency L to every call, so (time at L − time at L=0) / L
// counts those sequential round trips (emulator.MeasureRoundTrips), and the emulator counts
// them too, as the longest chain of calls each made after the previous one was answered. The
// tests below hold each flow to exactly the number Plaid's API needs, by the count: a busy
// machine (two suites at once on 2 cores) moved the timed ratio by up to a whole round trip,
// but it cannot make a chain longer. The timed ratio is logged beside it, and `make bench`
// reports it.

// ciLatency is far longer than the gap between two calls a flow makes side by side, so they
// overlap however busy the machine; the count needs few runs.
const (
	ciLatency = 150 * time.Millisecond
	ciRuns    = 3
)

// armedLink is Link that hands over a public token made beforehand: the moment it returns is
// the moment the page's onSuccess callback would reach the program, so it arms the latency
// there and the measurement covers callback → numbers.
type armedLink struct {
	quietPage
	pub, instID, instName string
	arm                   func()
	start                 time.Time
}

func (l *armedLink) Link(context.Context, string) (string, string, string, error) {
	if l.arm != nil {
		l.arm()
		l.start = time.Now()
	}
	return l.pub, l.instID, l.instName, nil
}

// flowTiming is one flow of the program, with the number of sequential round trips Plaid's API
// makes necessary, and a function that runs it once through the code the program runs.
type flowTiming struct {
	name string
	goal float64
	// setup runs once, before any measurement, with no latency.
	setup func(tb testing.TB, f *plaidflow.Flow)
	once  func(f *plaidflow.Flow) func(arm func()) (time.Duration, error)
}

var ctx = context.Background()

// timed arms the latency, then times run.
func timed(arm func(), run func() error) (time.Duration, error) {
	arm()
	start := time.Now()
	err := run()
	return time.Since(start), err
}

// flowTimings are the flows of issue 11's speed goals, as plaidflow runs them for both front
// ends (the TUI drives the same Journeys one step per tea.Cmd).
var flowTimings = []flowTiming{
	{
		// /sandbox/public_token/create (with /institutions/get_by_id alongside), exchange, then
		// /auth/get: the Item is saved locally between them.
		name: "sandbox link", goal: 3,
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				j, err := f.SandboxJourney("")
				if err != nil {
					return 0, err
				}
				return timed(arm, func() error { _, err := j.RunAll(ctx, nil); return err })
			}
		},
	},
	{
		// Exchange, then /auth/get with /institutions/get_by_id alongside (Link's metadata named
		// the institution).
		name: "Link callback to numbers", goal: 2,
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				pub, err := f.Client.SandboxPublicToken(ctx, plaidapi.DefaultSandboxInstitution)
				if err != nil {
					return 0, err
				}
				ui := &armedLink{pub: pub, instID: plaidapi.DefaultSandboxInstitution, instName: "First Platypus Bank", arm: arm}
				j := f.LinkJourney(func() plaidflow.LinkUI { return ui }, &plaidapi.LinkToken{Token: "link-sandbox-prefetched"})
				defer j.Close()
				if _, err := j.RunAll(ctx, nil); err != nil {
					return 0, err
				}
				return time.Since(ui.start), nil
			}
		},
	},
	{
		// /link/token/create; the page itself is local.
		name: "keys known to Link token", goal: 1,
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				j := f.LinkJourney(func() plaidflow.LinkUI { return &armedLink{} }, nil)
				defer j.Close()
				return timed(arm, func() error {
					if _, err := j.Run(ctx); err != nil {
						return err
					}
					if step, _ := j.Next(); step != plaidflow.StepLink {
						return fmt.Errorf("after the Link token the journey is at %v, want Link", step)
					}
					return nil
				})
			}
		},
	},
	{
		// /link/token/create with the access token, Link (no exchange), then /auth/get with
		// /institutions/get_by_id alongside.
		name: "update mode", goal: 2,
		setup: func(tb testing.TB, f *plaidflow.Flow) { mustSandboxLink(tb, f) },
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				j := f.UpdateJourney(func() plaidflow.LinkUI { return &armedLink{pub: "public-unused"} }, "first-platypus-bank", false)
				defer j.Close()
				return timed(arm, func() error { _, err := j.RunAll(ctx, nil); return err })
			}
		},
	},
	{
		// /processor/token/create, with /accounts/get alongside to confirm the account.
		name: "processor token", goal: 1,
		setup: func(tb testing.TB, f *plaidflow.Flow) { mustSandboxLink(tb, f) },
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				return timed(arm, func() error {
					pt, err := f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
					if err == nil && pt.Token == "" {
						err = fmt.Errorf("no processor token in %+v", pt)
					}
					return err
				})
			}
		},
	},
	{
		// /auth/get with /institutions/get_by_id alongside.
		name: "saved Item numbers", goal: 1,
		setup: func(tb testing.TB, f *plaidflow.Flow) { mustSandboxLink(tb, f) },
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				return timed(arm, func() error { _, err := f.SavedJourney("first-platypus-bank").RunAll(ctx, nil); return err })
			}
		},
	},
}

// measure runs the flow runs times at zero latency and runs times at latency, against its own
// emulator with an in-memory keyring and a real index file.
func (ft flowTiming) measure(tb testing.TB, latency time.Duration, runs int) emulatortest.RoundTrips {
	tb.Helper()
	fx := newFixture(tb, "US")
	if ft.setup != nil {
		ft.setup(tb, fx.flow)
	}
	if b, ok := tb.(*testing.B); ok {
		b.ResetTimer()
	}
	rt, err := emulatortest.MeasureRoundTrips(fx.srv, latency, runs, ft.once(fx.flow))
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}

func mustSandboxLink(tb testing.TB, f *plaidflow.Flow) {
	tb.Helper()
	j, err := f.SandboxJourney("")
	if err != nil {
		tb.Fatal(err)
	}
	res, err := j.RunAll(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if res.ItemName != "first-platypus-bank" {
		tb.Fatalf("the first Item is named %q, want first-platypus-bank", res.ItemName)
	}
}

// TestFlowsMakeNoRoundTripTooMany holds each flow to its number of sequential round trips.
// Breaking an overlap (running /institutions/get_by_id after /auth/get instead of beside it) or
// adding a call in a row moves a ratio up by one and fails here.
func TestFlowsMakeNoRoundTripTooMany(t *testing.T) {
	for _, ft := range flowTimings {
		t.Run(ft.name, func(t *testing.T) {
			rt := ft.measure(t, ciLatency, ciRuns)
			t.Logf("%s: %s", ft.name, rt)
			if float64(rt.Depth) > ft.goal {
				t.Errorf("%s waits for %s; the goal is %.0f", ft.name, rt, ft.goal)
			}
			if float64(rt.Depth) < ft.goal {
				t.Errorf("%s waits for %s, fewer than the %.0f that Plaid's API needs: the latency is not reaching its calls", ft.name, rt, ft.goal)
			}
		})
	}
}

// roundTripLatency is the latency the benchmarks add to every call: large against the machine's
// own noise, small enough that `make bench` stays short.
const roundTripLatency = 100 * time.Millisecond

// BenchmarkRoundTrips measures each flow's sequential round trips (flowTimings), b.N runs at
// L=0 and b.N at L=100ms, interleaved. Read round-trips (per one call measured alongside) and
// ratio-to-L ((time at L − time at 0) / L); ms/op-at-L and ms/op-at-0 are the medians. Run with
// a fixed count, such as -benchtime 10x (make bench).
func BenchmarkRoundTrips(b *testing.B) {
	for _, ft := range flowTimings {
		b.Run(ft.name, func(b *testing.B) {
			rt := ft.measure(b, roundTripLatency, b.N)
			b.ReportMetric(rt.Count, "round-trips")
			b.ReportMetric(rt.Ratio, "ratio-to-L")
			b.ReportMetric(float64(rt.AtLatency)/float64(time.Millisecond), "ms-at-L")
			b.ReportMetric(float64(rt.AtZero)/float64(time.Millisecond), "ms-at-0")
			b.ReportMetric(ft.goal, "goal")
			b.ReportMetric(0, "ns/op") // the time of the whole run means nothing here
		})
	}
}

// benchLatency stands for the round trip to Plaid; what matters is how many of them a step
// waits for in a row, so results are read as ratios between the sub-benchmarks.
const benchLatency = 10 * time.Millisecond

// benchFixture is a flow with one saved Item, against an emulator that takes benchLatency over
// every call.
func benchFixture(b *testing.B) *plaidflow.Flow {
	b.Helper()
	fx := newFixture(b, "US", emulator.WithLatency(benchLatency))
	if _, err := sandboxLink(fx.flow, ""); err != nil {
		b.Fatal(err)
	}
	return fx.flow
}

// BenchmarkSavedItemNumbers compares the flow's numbers step (/auth/get beside
// /institutions/get_by_id) with the same two calls made one after the other.
func BenchmarkSavedItemNumbers(b *testing.B) {
	flow := benchFixture(b)
	item, err := flow.Vault.FindItem("sandbox", "")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := flow.Vault.AccessToken("sandbox", item.ItemID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("overlapped", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := flow.SavedJourney("").RunAll(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := flow.Client.Auth(ctx, tok); err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Institution(ctx, item.InstitutionID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSandboxLink measures the whole browserless flow: create → exchange → save → numbers.
func BenchmarkSandboxLink(b *testing.B) {
	flow := benchFixture(b)
	b.Run("overlapped", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := sandboxLink(flow, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			pub, err := flow.Client.SandboxPublicToken(ctx, plaidapi.DefaultSandboxInstitution)
			if err != nil {
				b.Fatal(err)
			}
			ex, err := flow.Client.Exchange(ctx, pub)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Auth(ctx, ex.AccessToken); err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Institution(ctx, plaidapi.DefaultSandboxInstitution); err != nil {
				b.Fatal(err)
			}
		}
	})
}
