package plaidflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
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

// latencyFixture is a flow against its own emulator (latency zero until a measurement sets it),
// with an in-memory keyring and a real index file.
func latencyFixture(tb testing.TB) (*emulator.Server, *plaidflow.Flow) {
	tb.Helper()
	srv := emulator.NewServer()
	tb.Cleanup(srv.Close)
	cfg, err := config.LoadConfig(config.Overrides{
		ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret, APIURL: srv.URL, CountryCodes: "US",
	}, func(string) string { return "" }, nil)
	if err != nil {
		tb.Fatal(err)
	}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return srv, plaidflow.NewFlow(client, vault.NewVault(vault.NewMemoryStore(), tb.TempDir()))
}

// armedLink is Link that hands over a public token made beforehand: the moment it returns is
// the moment the page's onSuccess callback would reach the program, so it arms the latency
// there and the measurement covers callback → numbers.
type armedLink struct {
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
func (l *armedLink) Finish(bool, string) {}
func (l *armedLink) Close() error        { return nil }

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
				arm()
				start := time.Now()
				_, err = j.RunAll(ctx, nil)
				return time.Since(start), err
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
				arm()
				start := time.Now()
				if _, err := j.Run(ctx); err != nil {
					return 0, err
				}
				if step, _ := j.Next(); step != plaidflow.StepLink {
					return 0, fmt.Errorf("after the Link token the journey is at %v, want Link", step)
				}
				return time.Since(start), nil
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
				arm()
				start := time.Now()
				_, err := j.RunAll(ctx, nil)
				return time.Since(start), err
			}
		},
	},
	{
		// /processor/token/create, with /accounts/get alongside to confirm the account.
		name: "processor token", goal: 1,
		setup: func(tb testing.TB, f *plaidflow.Flow) { mustSandboxLink(tb, f) },
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				arm()
				start := time.Now()
				pt, err := f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
				if err == nil && pt.Token == "" {
					err = fmt.Errorf("no processor token in %+v", pt)
				}
				return time.Since(start), err
			}
		},
	},
	{
		// /auth/get with /institutions/get_by_id alongside.
		name: "saved Item numbers", goal: 1,
		setup: func(tb testing.TB, f *plaidflow.Flow) { mustSandboxLink(tb, f) },
		once: func(f *plaidflow.Flow) func(func()) (time.Duration, error) {
			return func(arm func()) (time.Duration, error) {
				arm()
				start := time.Now()
				_, err := f.SavedJourney("first-platypus-bank").RunAll(ctx, nil)
				return time.Since(start), err
			}
		},
	},
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
			srv, f := latencyFixture(t)
			if ft.setup != nil {
				ft.setup(t, f)
			}
			rt, err := emulatortest.MeasureRoundTrips(srv, ciLatency, ciRuns, ft.once(f))
			if err != nil {
				t.Fatal(err)
			}
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
