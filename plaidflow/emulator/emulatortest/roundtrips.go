package emulatortest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// RoundTrips is what MeasureRoundTrips found: how many calls to Plaid an operation waits for
// one after the other. Latency is added to every API call, so an operation that makes k
// sequential round trips takes k×Latency longer than with no latency; calls made side by side
// cost one Latency together. Ratio = (AtLatency − AtZero) / Latency is therefore the number of
// sequential round trips, whatever the machine's own speed, which cancels out.
//
// On a busy machine another process can delay any run, by as much as the latency itself, but
// it can only add time: so the count is taken from the fastest run on each side, which is the
// run nothing else got in the way of (the medians are reported as well). And every wait for
// the network costs the time to be scheduled again once the answer is there, which grows each
// call's apparent latency alike: the ratio of a flow of 3 calls then reads 3.6 rather than 3.
// So one plain API call, the unit, is timed beside the operation, and Count is the operation's
// added time in units of what one round trip really added during the measurement. On a quiet
// machine Ratio and Count agree.
type RoundTrips struct {
	Latency time.Duration
	// Runs is how many times the operation ran at each latency.
	Runs int
	// AtZero and AtLatency are the median durations without and with Latency.
	AtZero, AtLatency time.Duration
	// Ratio is (AtLatency − AtZero) / Latency, from the medians.
	Ratio float64
	// FastestAtZero and FastestAtLatency are the fastest runs without and with Latency.
	FastestAtZero, FastestAtLatency time.Duration
	// UnitAtZero and UnitAtLatency are the fastest of the single API calls timed alongside.
	UnitAtZero, UnitAtLatency time.Duration
	// Count is (FastestAtLatency − FastestAtZero) / (UnitAtLatency − UnitAtZero).
	Count float64
	// Depth is the same number counted instead of timed: the longest chain of API calls of one
	// run in which each call started after the one before had been answered (calls made side by
	// side overlap, since each takes at least Latency). A machine slower or busier than usual
	// cannot lengthen a chain, as it can lengthen a time; it is the fewest over the runs with
	// latency (a scheduler would have to hold back one of two side-by-side calls for a whole
	// Latency to split them).
	Depth int
}

// String reads like "2 calls in a row, timed as 2.01 round trips (L=150ms: fastest 312ms against 9ms at L=0, one call 151ms
// against 1ms; medians 318ms against 17ms, ratio to L 2.02; 5 runs each)".
func (r RoundTrips) String() string {
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	calls := "calls"
	if r.Depth == 1 {
		calls = "call"
	}
	return fmt.Sprintf("%d %s in a row, timed as %.2f round trips (L=%s: fastest %s against %s at L=0, one call %s against %s; medians %s against %s, ratio to L %.2f; %d runs each)",
		r.Depth, calls, r.Count, r.Latency, ms(r.FastestAtLatency), ms(r.FastestAtZero), ms(r.UnitAtLatency), ms(r.UnitAtZero),
		ms(r.AtLatency), ms(r.AtZero), r.Ratio, r.Runs)
}

// MeasureRoundTrips runs an operation runs times with no latency and runs times with latency
// added to every API call, interleaved (so a machine that gets busier or quieter during the
// measurement shifts both sides alike) and after one unmeasured warm-up, and compares the
// fastest runs (see RoundTrips).
//
// once runs the operation once. It may prepare what the operation needs first, with no
// latency; it calls arm when the part to measure begins (arm turns the run's latency on) and
// returns how long that part took. The latency is back to zero when MeasureRoundTrips returns.
func MeasureRoundTrips(s *emulator.Server, latency time.Duration, runs int, once func(arm func()) (time.Duration, error)) (RoundTrips, error) {
	b := backstage.Of(s)
	if latency <= 0 || runs < 1 {
		return RoundTrips{}, fmt.Errorf("measure round trips: latency %s and runs %d must be above zero", latency, runs)
	}
	defer s.SetLatency(0)
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	depth := -1
	run := func(l time.Duration) (time.Duration, error) {
		s.SetLatency(0)
		d, err := once(func() { b.RecordCalls(); s.SetLatency(l) })
		if calls := b.StopRecordingCalls(); l > 0 && err == nil && (depth < 0 || chainDepth(calls) < depth) {
			depth = chainDepth(calls)
		}
		return d, err
	}
	unit := func(l time.Duration) (time.Duration, error) {
		s.SetLatency(l)
		return oneCall(s, client)
	}
	if _, err := run(0); err != nil {
		return RoundTrips{}, fmt.Errorf("warm-up run: %w", err)
	}
	if _, err := unit(0); err != nil {
		return RoundTrips{}, fmt.Errorf("warm-up call: %w", err)
	}
	var zero, with, unitZero, unitWith []time.Duration
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
			u, err := unit(l)
			if err != nil {
				return RoundTrips{}, fmt.Errorf("call %d at L=%s: %w", i+1, l, err)
			}
			if l == 0 {
				zero, unitZero = append(zero, d), append(unitZero, u)
			} else {
				with, unitWith = append(with, d), append(unitWith, u)
			}
		}
	}
	r := RoundTrips{Latency: latency, Runs: runs, Depth: depth, AtZero: Median(zero), AtLatency: Median(with),
		FastestAtZero: slices.Min(zero), FastestAtLatency: slices.Min(with),
		UnitAtZero: slices.Min(unitZero), UnitAtLatency: slices.Min(unitWith)}
	r.Ratio = float64(r.AtLatency-r.AtZero) / float64(latency)
	// The unit is at least the latency itself: a server cannot answer before its delay is over.
	r.Count = float64(r.FastestAtLatency-r.FastestAtZero) / float64(max(r.UnitAtLatency-r.UnitAtZero, latency))
	return r, nil
}

// oneCall makes one /institutions/get_by_id call with the server's keys, as any client does,
// and returns how long it took.
func oneCall(s *emulator.Server, client *http.Client) (time.Duration, error) {
	clientID, secret := backstage.Of(s).Keys()
	body := fmt.Sprintf(`{"client_id":%q,"secret":%q,"institution_id":"ins_109508","country_codes":["US"]}`, clientID, secret)
	start := time.Now()
	resp, err := client.Post(s.URL+"/institutions/get_by_id", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("/institutions/get_by_id answered %s", resp.Status)
	}
	return took, err
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

// chainDepth is the length of the longest chain of calls in which each one started after the
// previous one's answer was written: how many round trips a client waited for in a row.
func chainDepth(calls []backstage.Span) int {
	calls = slices.Clone(calls)
	slices.SortFunc(calls, func(a, b backstage.Span) int { return a.Start.Compare(b.Start) })
	longest := make([]int, len(calls))
	depth := 0
	for i, c := range calls {
		longest[i] = 1
		for j := range i {
			if !calls[j].End.After(c.Start) {
				longest[i] = max(longest[i], longest[j]+1)
			}
		}
		depth = max(depth, longest[i])
	}
	return depth
}
