package emulator

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// The request log: the last API calls the emulator answered, for GET /_emulator/state, the
// page at /_emulator/ and `plaid-onboard emulator logs`. It is a ring of fixed size, so an
// emulator serving a load test or a long CI job holds the same memory after a million calls as
// after a thousand; recording a call copies one small struct under a lock and allocates
// nothing, since a load test pays for whatever it costs on every call.

// requestLogSize is how many calls the log keeps.
const requestLogSize = 1000

// loggedRequest is one API call as the log keeps it.
type loggedRequest struct {
	seq       uint64 // 1 for the first call since the emulator started
	at        time.Time
	requestID string
	path      string
	status    int           // 0: no answer was sent (the call hung or was dropped)
	errorCode string        // Plaid's error_code when the answer was an error
	latency   time.Duration // from the request's arrival to its answer
	lost      bool          // the call took effect, and a fault lost its answer
}

// requestLog is the ring, and what the page and the logs command wait on: version moves on
// each call and each change of state, and waiting wakes the callers of wait.
type requestLog struct {
	mu      sync.Mutex
	ring    [requestLogSize]loggedRequest
	seq     uint64 // the seq of the last call logged
	floor   uint64 // the seq of the last call before the last reset: forgotten
	version uint64
	// wake is closed and forgotten at the next change; it exists only while someone waits, so
	// that a call with no one watching allocates no channel.
	wake chan struct{}
}

// add logs a call, giving it the next seq.
func (l *requestLog) add(e loggedRequest) {
	l.mu.Lock()
	l.seq++
	e.seq = l.seq
	l.ring[l.seq%requestLogSize] = e
	l.bumpLocked()
	l.mu.Unlock()
}

// changed notes a change of the emulator's state that no logged call made (a control call, a
// stand-in Link step, a webhook's outcome).
func (l *requestLog) changed() {
	l.mu.Lock()
	l.bumpLocked()
	l.mu.Unlock()
}

func (l *requestLog) bumpLocked() {
	l.version++
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
}

// current returns the version now.
func (l *requestLog) current() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.version
}

// waitPast waits until the version is past after, ctx ends or stop is closed, and returns the
// version then.
func (l *requestLog) waitPast(ctx context.Context, stop <-chan struct{}, after uint64) uint64 {
	for {
		l.mu.Lock()
		if l.version > after {
			v := l.version
			l.mu.Unlock()
			return v
		}
		if l.wake == nil {
			l.wake = make(chan struct{})
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return l.current()
		case <-stop:
			return l.current()
		}
	}
}

// since returns the calls logged after seq that the ring still holds, newest first, the seq of
// the newest call, and how many calls after seq the ring no longer holds.
func (l *requestLog) since(after uint64) (calls []loggedRequest, last uint64, missed uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	last = l.seq
	if after > last { // an emulator restarted since the caller last looked
		after = 0
	}
	from := max(after, l.floor) + 1
	if last > requestLogSize {
		if kept := last - requestLogSize + 1; from < kept {
			missed = kept - from // overwritten by later calls
			from = kept
		}
	}
	for seq := last; seq >= from && seq > 0; seq-- {
		calls = append(calls, l.ring[seq%requestLogSize])
	}
	return calls, last, missed
}

// reset forgets the calls (POST /_emulator/reset); seq and version go on, so a watcher sees the
// change and no seq is used twice.
func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring = [requestLogSize]loggedRequest{}
	l.floor = l.seq
	l.bumpLocked()
}

// requestIDsOf lists the request_id of the calls to path the log holds, oldest first
// (emulatortest.RequestIDs).
func (l *requestLog) requestIDsOf(path string) []string {
	calls, _, _ := l.since(0)
	var out []string
	for _, c := range calls {
		if c.path == path && c.requestID != "" {
			out = append(out, c.requestID)
		}
	}
	slices.Reverse(out)
	return out
}

// knownPaths maps each endpoint's path to itself: the log keeps the endpoint table's string
// rather than the request's, which may be up to a megabyte of a client's header.
var knownPaths = func() map[string]string {
	m := make(map[string]string, len(endpoints))
	for p := range endpoints {
		m[p] = p
	}
	return m
}()

// maxLoggedPath bounds the path of a call to no endpoint, as the log keeps it.
const maxLoggedPath = 120

// loggedPath is the path the log keeps for a call: the endpoint's, or a short copy.
func loggedPath(p string) string {
	if known, ok := knownPaths[p]; ok {
		return known
	}
	if len(p) > maxLoggedPath {
		p = p[:maxLoggedPath] + "…"
	}
	return strings.Clone(p)
}

// logCall logs an API call that arrived at start and is over, answered as rec says.
// requestID is the one the call was given, for a call that ended without an answer.
func (s *Server) logCall(start time.Time, path string, rec *recorder, requestID string) {
	if rec.requestID != "" {
		requestID = rec.requestID
	}
	if requestID == "" { // the client left during the emulator's latency: no call was made
		return
	}
	now := time.Now()
	s.reqLog.add(loggedRequest{at: start, requestID: requestID, path: loggedPath(path),
		status: rec.status, errorCode: rec.errorCode, latency: now.Sub(start), lost: rec.lost})
}
