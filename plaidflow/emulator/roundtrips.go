package emulator

import (
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// The API calls an operation made, kept while emulatortest.MeasureRoundTrips counts how many
// of them a client waited for one after the other.

// recordCalls starts keeping the API calls that arrive from now on (emulatortest.MeasureRoundTrips).
func (s *Server) recordCalls() {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	s.calls, s.recording = nil, true
}

// stopRecordingCalls stops keeping calls and returns those kept.
func (s *Server) stopRecordingCalls() []backstage.Span {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	calls := s.calls
	s.calls, s.recording = nil, false
	return calls
}

// noteCall keeps an API call that arrived at start and has just been answered, while recording
// and when it arrived with latency on: an operation can end its measured part early by setting
// the latency back to zero (the calls it makes afterwards are not what it waits for).
func (s *Server) noteCall(start time.Time, withLatency bool) {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	if s.recording && withLatency {
		s.calls = append(s.calls, backstage.Span{Start: start, End: time.Now()})
	}
}
