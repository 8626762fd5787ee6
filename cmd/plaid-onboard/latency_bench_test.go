package main

import (
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

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
