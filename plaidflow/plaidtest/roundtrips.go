package plaidtest

import (
	"fmt"
	"slices"
	"time"
)

// RoundTrips is what MeasureRoundTrips found: how many calls to Plaid an operation waits for
// one after the other. Latency is added to every API call, so an operation that makes k
// sequential round trips takes k×Latency longer than with no latency; calls made side by side
// cost one Latency together. Ratio = (AtLatency − AtZero) / Latency is therefore the number of
// sequential round trips, whatever the machine's own speed, which cancels out.
type RoundTrips struct {
	Latency time.Duration
	// Runs is how many times the operation ran at each latency.
	Runs int
	// AtZero and AtLatency are the median durations without and with Latency.
	AtZero, AtLatency time.Duration
	Ratio             float64
}

// String reads like "2.01 round trips (L=150ms: 318ms against 17ms at L=0, median of 7 runs each)".
func (r RoundTrips) String() string {
	return fmt.Sprintf("%.2f round trips (L=%s: %s against %s at L=0, median of %d runs each)",
		r.Ratio, r.Latency, r.AtLatency.Round(time.Millisecond), r.AtZero.Round(time.Millisecond), r.Runs)
}

// MeasureRoundTrips runs an operation runs times with no latency and runs times with latency
// added to every API call, interleaved (so a machine that gets busier or quieter during the
// measurement shifts both sides alike) and after one unmeasured warm-up, and compares the
// medians (so one run delayed by another process does not move the result).
//
// once runs the operation once. It may prepare what the operation needs first, with no
// latency; it calls arm when the part to measure begins (arm turns the run's latency on) and
// returns how long that part took. The latency is back to zero when MeasureRoundTrips returns.
func (s *Server) MeasureRoundTrips(latency time.Duration, runs int, once func(arm func()) (time.Duration, error)) (RoundTrips, error) {
	if latency <= 0 || runs < 1 {
		return RoundTrips{}, fmt.Errorf("measure round trips: latency %s and runs %d must be above zero", latency, runs)
	}
	defer s.SetLatency(0)
	run := func(l time.Duration) (time.Duration, error) {
		s.SetLatency(0)
		return once(func() { s.SetLatency(l) })
	}
	if _, err := run(0); err != nil {
		return RoundTrips{}, fmt.Errorf("warm-up run: %w", err)
	}
	var zero, with []time.Duration
	for i := range runs {
		// Alternate which side goes first, so neither always follows the other.
		order := []time.Duration{0, latency}
		if i%2 == 1 {
			order = []time.Duration{latency, 0}
		}
		for _, l := range order {
			d, err := run(l)
			if err != nil {
				return RoundTrips{}, fmt.Errorf("run %d at L=%s: %w", i+1, l, err)
			}
			if l == 0 {
				zero = append(zero, d)
			} else {
				with = append(with, d)
			}
		}
	}
	r := RoundTrips{Latency: latency, Runs: runs, AtZero: Median(zero), AtLatency: Median(with)}
	r.Ratio = float64(r.AtLatency-r.AtZero) / float64(latency)
	return r, nil
}

// Median is the middle duration (the mean of the two middle ones for an even count).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
