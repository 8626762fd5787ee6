package main

import (
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// The scripted commands' share of issue 11's speed goals: each command runs in-process through
// runContext, exactly as main runs it (flags, config, keyring, journey, printing), against the
// emulator with a latency L on every API call. emulator.MeasureRoundTrips turns the difference
// between L and L=0 into the number of round trips the command waits for one after the other,
// and counts the calls made one after the other (RoundTrips.Depth), which the tests hold to
// the goal: a busy machine cannot move the count as it moves the time.
const (
	cmdLatency = 150 * time.Millisecond
	cmdRuns    = 3
)

type commandTiming struct {
	name string
	goal float64
	// setup runs once, before the measurement, with no latency.
	setup []string
	args  []string
}

var commandTimings = []commandTiming{
	// /sandbox/public_token/create (with /institutions/get_by_id beside it), the exchange, then
	// /auth/get; the Item is saved between the last two.
	{name: "sandbox link", goal: 3, args: []string{"sandbox", "link", "--json"}},
	// /processor/token/create, with /accounts/get alongside to confirm the account the index
	// names (the first sandbox link recorded the accounts).
	{name: "processor-token", goal: 1, setup: []string{"sandbox", "link"},
		args: []string{"processor-token", "first-platypus-bank", "--account", "0000", "--processor", "dwolla", "--json"}},
	// /auth/get with /institutions/get_by_id alongside.
	{name: "auth", goal: 1, setup: []string{"sandbox", "link"}, args: []string{"auth", "first-platypus-bank", "--json"}},
}

// TestCommandsWaitForNoRoundTripTooMany holds each scripted command to its number of
// sequential round trips.
func TestCommandsWaitForNoRoundTripTooMany(t *testing.T) {
	for _, ct := range commandTimings {
		t.Run(ct.name, func(t *testing.T) {
			te := newTestEnv(t)
			srv := te.useFakePlaid(t)
			if ct.setup != nil {
				if code := te.run(ct.setup...); code != 0 {
					t.Fatalf("%v exited %d: %s", ct.setup, code, te.stderr)
				}
			}
			rt, err := emulatortest.MeasureRoundTrips(srv, cmdLatency, cmdRuns, func(arm func()) (time.Duration, error) {
				arm()
				start := time.Now()
				if code := te.run(ct.args...); code != 0 {
					t.Fatalf("%v exited %d: %s", ct.args, code, te.stderr)
				}
				return time.Since(start), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", ct.name, rt)
			if float64(rt.Depth) > ct.goal {
				t.Errorf("%s waits for %s; the goal is %.0f", ct.name, rt, ct.goal)
			}
			if float64(rt.Depth) < ct.goal {
				t.Errorf("%s waits for %s, fewer than the %.0f Plaid's API needs: the latency is not reaching its calls", ct.name, rt, ct.goal)
			}
		})
	}
}

// BenchmarkCommandRoundTrips measures the scripted commands' sequential round trips
// (commandTimings), b.N runs at L=0 and b.N at L=100ms, interleaved, through runContext as main
// runs them. Run with a fixed count, such as -benchtime 10x (make bench).
func BenchmarkCommandRoundTrips(b *testing.B) {
	for _, ct := range commandTimings {
		b.Run(ct.name, func(b *testing.B) {
			te := newTestEnv(b)
			srv := emulator.NewServer()
			b.Cleanup(srv.Close)
			te.environ["PLAID_API_URL"] = srv.URL
			te.environ["PLAID_CLIENT_ID"] = emulator.DemoClientID
			te.environ["PLAID_SECRET"] = emulator.DemoSecret
			if ct.setup != nil {
				if code := te.run(ct.setup...); code != 0 {
					b.Fatalf("%v exited %d: %s", ct.setup, code, te.stderr)
				}
			}
			b.ResetTimer()
			rt, err := emulatortest.MeasureRoundTrips(srv, 100*time.Millisecond, b.N, func(arm func()) (time.Duration, error) {
				arm()
				start := time.Now()
				if code := te.run(ct.args...); code != 0 {
					b.Fatalf("%v exited %d: %s", ct.args, code, te.stderr)
				}
				return time.Since(start), nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(rt.Count, "round-trips")
			b.ReportMetric(rt.Ratio, "ratio-to-L")
			b.ReportMetric(float64(rt.AtLatency)/float64(time.Millisecond), "ms-at-L")
			b.ReportMetric(float64(rt.AtZero)/float64(time.Millisecond), "ms-at-0")
			b.ReportMetric(ct.goal, "goal")
			b.ReportMetric(0, "ns/op")
		})
	}
}
