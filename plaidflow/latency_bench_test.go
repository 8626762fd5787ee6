package plaidflow_test

import (
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

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
			srv, f := latencyFixture(b)
			if ft.setup != nil {
				ft.setup(b, f)
			}
			b.ResetTimer()
			rt, err := emulatortest.MeasureRoundTrips(srv, roundTripLatency, b.N, ft.once(f))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(rt.Count, "round-trips")
			b.ReportMetric(rt.Ratio, "ratio-to-L")
			b.ReportMetric(float64(rt.AtLatency)/float64(time.Millisecond), "ms-at-L")
			b.ReportMetric(float64(rt.AtZero)/float64(time.Millisecond), "ms-at-0")
			b.ReportMetric(ft.goal, "goal")
			b.ReportMetric(0, "ns/op") // the time of the whole run means nothing here
		})
	}
}
