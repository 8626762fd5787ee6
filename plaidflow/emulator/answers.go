package emulator

import "bytes"

// Answers kept for load tests. A load test asks /auth/get for the same Item thousands of
// times a second, and encoding the answer was the largest part of the emulator's own work.
// An Item keeps its last /auth/get answer, encoded up to its request_id, and the next call
// sends those bytes with its own request_id: byte for byte what encoding afresh would make,
// for as long as nothing changed.
//
// "Nothing changed" is kept coarse, so that no change can be missed: s.stateGen counts every
// call that may change the emulator's state (any API endpoint not marked keepsAnswers, every
// call of the stand-in Link, every control call), and a kept answer is good only for the
// generation it was made in, and only while no such call is under way (s.changing), since a
// handler changes the state before its call ends. Faults and latency come before the handler
// and never reach the kept bytes.

// keptAnswer is an answer encoded up to the value of its request_id: it ends in
// `"request_id":"`.
type keptAnswer struct {
	gen    uint64
	prefix []byte
}

// encodedAnswer is a kept answer sent for one call: writeJSON writes the prefix, the
// request_id and the closing `"}`.
type encodedAnswer struct {
	prefix    []byte
	requestID string
}

// beginChange notes a call that may change the state, before its handler runs.
func (s *Server) beginChange() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changing++
}

// endChange notes that the call ended: answers kept before it are stale.
func (s *Server) endChange() {
	s.mu.Lock()
	s.changing--
	s.stateGen++
	s.mu.Unlock()
	s.reqLog.changed() // a page watching the state shows the change (inspect.go)
	s.stateChanged()   // state.go: the demo keeps it before the client hears the answer
}

// keptFor returns the answer the slot holds if it is still good, with the request_id of the
// call at hand. It expects s.mu to be held.
func (s *Server) keptFor(slot *keptAnswer, requestID string) (encodedAnswer, bool) {
	if slot.prefix == nil || slot.gen != s.stateGen || s.changing != 0 {
		return encodedAnswer{}, false
	}
	return encodedAnswer{prefix: slot.prefix, requestID: requestID}, true
}

// keep encodes answer, whose request_id must be its last field and empty, into the slot. It
// expects s.mu to be held.
func (s *Server) keep(slot *keptAnswer, answer any) {
	var buf bytes.Buffer
	encodeAnswer(&buf, answer)
	prefix, ok := bytes.CutSuffix(buf.Bytes(), []byte(`"request_id":""}`))
	if !ok {
		panic("emulator: a kept answer must end with an empty request_id")
	}
	*slot = keptAnswer{gen: s.stateGen, prefix: append(prefix, `"request_id":"`...)}
}
