package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The control API: what a test of any language, through any Plaid client, needs to steer
// the emulator over HTTP, on the API's own port. Plaid's paths never start with /_emulator/.
//
//	POST   /_emulator/clock/advance?by=31m   move the clock forward (tokens expire)
//	POST   /_emulator/faults                 queue a fault for one endpoint (JSON body below)
//	DELETE /_emulator/faults                 remove every fault
//	POST   /_emulator/reset                  forget Items, tokens, faults and the clock's advance
//	POST   /_emulator/release                let the calls held by hold faults answer
//	GET    /_emulator/state                  what it holds: Items, webhooks, recent calls (inspect.go)
//	GET    /_emulator/requests               the recent calls, ?after=SEQ&wait=25s to follow them
//	GET    /_emulator/                       a page showing the state, live
//
// A fault's body:
//
//	{"path": "/auth/get", "kind": "rate_limit", "error_code": "AUTH_LIMIT", "count": 1, "latency": "200ms"}
//	{"path": "/auth/get", "error_code": "ITEM_LOGIN_REQUIRED", "item_id": "…"}   (kind error implied)
//
// kind is one of rate_limit, error, status, hang, drop, malformed_json, text_plain, latency,
// html, empty, drop_after, hang_after, hold (see FaultKind); status and error_code apply to the kinds that take them; count is how many
// calls it answers (default 1; 0 or less: until DELETE /_emulator/faults); latency is a Go
// duration added before the answer. Answers are JSON; a mistake is 400 with {"error": "..."}.
//
// It needs no Plaid keys: it listens on loopback only, and answers only requests that name
// it by its loopback address (Host) and come from no other web origin, so a web page cannot
// steer it through the user's browser (DNS rebinding, cross-site requests).
const controlPrefix = "/_emulator/"

// maxControlBody bounds a control request's body; a fault is a few dozen bytes.
const maxControlBody = 64 << 10

// faultRequest is the JSON body of POST /_emulator/faults.
type faultRequest struct {
	Path      string    `json:"path"`
	Kind      FaultKind `json:"kind"`
	Status    int       `json:"status"`
	ErrorCode string    `json:"error_code"`
	Count     *int      `json:"count"`
	Latency   string    `json:"latency"`
	ItemID    string    `json:"item_id"`
}

// controlAnswer is a successful control call's answer.
type controlAnswer struct {
	OK bool `json:"ok"`
	// Now is the emulator's clock after the call.
	Now   string     `json:"now,omitempty"`
	Fault *faultEcho `json:"fault,omitempty"`
}

// faultEcho says back the fault as the emulator understood it, defaults filled in.
type faultEcho struct {
	Path      string    `json:"path"`
	Kind      FaultKind `json:"kind"`
	Status    int       `json:"status,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	ItemID    string    `json:"item_id,omitempty"`
	Count     int       `json:"count"`
	Latency   string    `json:"latency,omitempty"`
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch s.checkCaller(r) {
	case foreignHost:
		controlError(w, http.StatusMisdirectedRequest, fmt.Sprintf("host %q is not this emulator's loopback address: the control API answers only to %s", r.Host, s.URL))
		return
	case foreignOrigin:
		controlError(w, http.StatusForbidden, fmt.Sprintf("origin %q may not use the control API: only tests and tools on this machine may, not web pages", r.Header.Get("Origin")))
		return
	}
	route := strings.TrimPrefix(r.URL.Path, controlPrefix)
	if s.serveInspect(w, r, route) { // inspect.go: read-only, so no change bracket
		return
	}
	s.beginChange() // answers kept before a control call are stale (answers.go)
	defer s.endChange()
	switch {
	case route == "state/save" || route == "state/snapshot": // state.go
		s.controlState(w, r, route)
	case route == "clock/advance" && r.Method == http.MethodPost:
		s.controlAdvance(w, r)
	case route == "faults" && r.Method == http.MethodPost:
		s.controlAddFault(w, r)
	case route == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		controlOK(w, controlAnswer{OK: true})
	case route == "release" && r.Method == http.MethodPost:
		s.ReleaseHeld()
		controlOK(w, controlAnswer{OK: true})
	case route == "reset" && r.Method == http.MethodPost:
		s.Reset()
		controlOK(w, controlAnswer{OK: true, Now: rfc3339(s.now())})
	case strings.HasPrefix(route, "webhooks/"):
		s.controlWebhooks(w, r, strings.TrimPrefix(route, "webhooks/")) // webhooks_trigger.go
	case route == "clock/advance" || route == "reset" || route == "release":
		w.Header().Set("Allow", http.MethodPost)
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use POST", r.Method, r.URL.Path))
	case route == "faults":
		w.Header().Set("Allow", "POST, DELETE")
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use POST to add a fault, DELETE to clear them", r.Method, r.URL.Path))
	default:
		p := controlPrefix
		controlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s: there are POST %sclock/advance?by=DURATION, POST and DELETE %sfaults, POST %sreset, POST %srelease, GET %sstate, GET %srequests, POST %sstate/save, GET %sstate/snapshot, POST %swebhooks/trigger, POST %swebhooks/sign and the page at GET %s",
			r.URL.Path, p, p, p, p, p, p, p, p, p, p, p))
	}
}

func (s *Server) controlAdvance(w http.ResponseWriter, r *http.Request) {
	by := r.URL.Query().Get("by")
	if by == "" {
		controlError(w, http.StatusBadRequest, "clock/advance needs ?by=DURATION, such as ?by=31m")
		return
	}
	d, err := time.ParseDuration(by)
	if err != nil || d <= 0 {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("by=%q is not a duration above zero, such as 31m or 4h1m (the clock only moves forward)", by))
		return
	}
	s.advanceClock(d)
	controlOK(w, controlAnswer{OK: true, Now: rfc3339(s.now())})
}

func (s *Server) controlAddFault(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil || len(raw) > maxControlBody {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("the body could not be read, or is larger than %d bytes", maxControlBody))
		return
	}
	var req faultRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("the body is not a fault: %v; expected e.g. {\"path\":\"/auth/get\",\"kind\":\"rate_limit\",\"count\":1}", err))
		return
	}
	if dec.More() {
		controlError(w, http.StatusBadRequest, "the body holds more than one JSON value: post one fault at a time")
		return
	}
	spec := FaultSpec{Path: req.Path, Kind: req.Kind, Status: req.Status, ErrorCode: req.ErrorCode, Count: 1, ItemID: req.ItemID}
	if req.Count != nil {
		spec.Count = *req.Count
	}
	if req.Latency != "" {
		d, err := time.ParseDuration(req.Latency)
		if err != nil {
			controlError(w, http.StatusBadRequest, fmt.Sprintf("latency %q is not a duration such as \"200ms\"", req.Latency))
			return
		}
		spec.Latency = d
	}
	f, err := s.addFault(spec)
	if err != nil {
		controlError(w, http.StatusBadRequest, "fault: "+err.Error())
		return
	}
	echo := f.echo(spec.Path)
	controlOK(w, controlAnswer{OK: true, Fault: &echo})
}

func controlOK(w http.ResponseWriter, a controlAnswer) { writeJSON(w, http.StatusOK, a) }

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}
