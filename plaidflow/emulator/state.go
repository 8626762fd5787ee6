package emulator

import (
	"fmt"
	"net/http"
)

// State that lasts: an emulator can start from a Snapshot and from fixtures, and hand its state
// to whoever keeps it (`plaid-onboard emulator --state FILE`, the offline demo's shared file)
// when asked (POST /_emulator/state/save) and after every call that may have changed it.

// persisted is what a Server was given to start from and to save with.
type persisted struct {
	startFrom *Snapshot
	fixtures  []Fixture
	// saver keeps a snapshot (WithStateSaver); nil: the state is not kept anywhere.
	saver func(Snapshot) error
	// changed is called after each call that may have changed the state (WithStateChanged).
	changed func(*Server)
}

// WithSnapshot makes the emulator start with the state snap holds (ParseSnapshot reads a
// file's). Listen fails when the snapshot cannot be brought back.
func WithSnapshot(snap Snapshot) Option {
	return func(s *Server) { s.startFrom = &snap }
}

// WithStateSaver gives POST /_emulator/state/save somewhere to keep the state.
func WithStateSaver(save func(Snapshot) error) Option {
	return func(s *Server) { s.saver = save }
}

// WithStateChanged calls fn after every call that may have changed the state (an API call
// other than the read-only ones, a control call), before its answer is sent, so that what fn
// keeps is never behind what a client was told. The offline demo saves its shared state so.
func WithStateChanged(fn func(*Server)) Option {
	return func(s *Server) { s.changed = fn }
}

// loadPersisted brings back the snapshot, then declares the fixtures' Items that it does not
// already hold (Listen, before the server answers anything).
func (s *Server) loadPersisted() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.startFrom != nil {
		if err := s.restoreSnapshot(*s.startFrom); err != nil {
			return fmt.Errorf("restore the state: %w", err)
		}
		s.startFrom = nil
	}
	return s.declareFixtures()
}

// restart takes a reset emulator back to where a fresh one starts: the seed's stream from its
// beginning and the fixtures' Items, so that a test suite resetting between tests gets the same
// ids and the same declared Items each time. It expects s.mu to be held.
func (s *Server) restart() {
	if s.ids != nil {
		s.ids.restart()
	}
	_ = s.declareFixtures() // they were checked at start: they declare again as they did
}

// stateChanged runs the WithStateChanged hook; it expects s.mu not to be held.
func (s *Server) stateChanged() {
	if s.changed != nil {
		s.changed(s)
	}
}

// SaveState hands the state to the WithStateSaver function.
func (s *Server) SaveState() error {
	if s.saver == nil {
		return errNoStateFile
	}
	return s.saver(s.Snapshot())
}

var errNoStateFile = fmt.Errorf("this emulator keeps no state file: start it with --state FILE")

// controlState serves the control API's state/… routes:
//
//	POST /_emulator/state/save       write the state file now (--state FILE)
//	GET  /_emulator/state/snapshot   the state in the form it is saved in
func (s *Server) controlState(w http.ResponseWriter, r *http.Request, route string) {
	switch {
	case route == "state/save" && r.Method == http.MethodPost:
		if err := s.SaveState(); err != nil {
			status := http.StatusInternalServerError
			if err == errNoStateFile {
				status = http.StatusConflict
			}
			controlError(w, status, "save the state: "+err.Error())
			return
		}
		controlOK(w, controlAnswer{OK: true, Now: rfc3339(s.now())})
	case route == "state/snapshot" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.Snapshot().Marshal())
	case route == "state/save":
		w.Header().Set("Allow", http.MethodPost)
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use POST", r.Method, r.URL.Path))
	default:
		w.Header().Set("Allow", "GET, HEAD")
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use GET", r.Method, r.URL.Path))
	}
}
