package emulator

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FaultKind names what a fault does to a call. The names are those of the control API's JSON
// body (POST /_emulator/faults), so a test in any language and a Go test say the same thing.
type FaultKind string

// The faults a client of Plaid has to survive: Plaid's own errors (rate limits, 500, 503),
// and what the network and proxies do (a call that never answers, a connection closed
// mid-call, a body that is not JSON, a proxy's text page).
const (
	// FaultRateLimit answers 429 with a RATE_LIMIT_EXCEEDED error (ErrorCode, default RATE_LIMIT).
	FaultRateLimit FaultKind = "rate_limit"
	// FaultError answers with the Plaid error ErrorCode at its usual status.
	FaultError FaultKind = "error"
	// FaultStatus answers Status with a Plaid error body: ErrorCode, or by default RATE_LIMIT
	// for 429, PLANNED_MAINTENANCE for 503 and INTERNAL_SERVER_ERROR otherwise.
	FaultStatus FaultKind = "status"
	// FaultHang never answers: the call ends when the client gives up or the server stops.
	FaultHang FaultKind = "hang"
	// FaultDrop closes the connection without an answer.
	FaultDrop FaultKind = "drop"
	// FaultMalformedJSON answers Status (default 200) as application/json, with a cut-off body.
	FaultMalformedJSON FaultKind = "malformed_json"
	// FaultTextPlain answers Status (default 502) with a text/plain page, as a proxy would.
	FaultTextPlain FaultKind = "text_plain"
	// FaultLatency only delays the call by Latency; the endpoint then answers as usual.
	FaultLatency FaultKind = "latency"
	// FaultHTML answers Status (default 503) with a text/html error page, as a load balancer
	// or a captive portal would.
	FaultHTML FaultKind = "html"
	// FaultEmpty answers Status (default 200) as application/json with no body at all.
	FaultEmpty FaultKind = "empty"
	// FaultDropAfter lets the call take effect (an exchange creates its Item, a removal
	// removes it) and then closes the connection without the answer: the answer is lost on
	// the way back, the one failure a client cannot tell from a call never made.
	FaultDropAfter FaultKind = "drop_after"
	// FaultHangAfter lets the call take effect and then never answers, until the client gives
	// up or the server stops.
	FaultHangAfter FaultKind = "hang_after"
	// FaultHold holds the call until ReleaseHeld (POST /_emulator/release), then lets the
	// endpoint answer as usual: a test can stop a program at one step, act (send it a signal,
	// say), and let the step finish, without sleeping.
	FaultHold FaultKind = "hold"
)

// FaultKinds lists every kind, in the order the documentation gives them.
var faultKinds = []FaultKind{FaultRateLimit, FaultError, FaultStatus, FaultHang, FaultDrop,
	FaultMalformedJSON, FaultTextPlain, FaultLatency, FaultHTML, FaultEmpty, FaultDropAfter, FaultHangAfter, FaultHold}

// htmlErrorPage is what a load balancer in front of an API sends when the API is away: a
// page for a person, not a body for a program.
const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>%d %s</title></head>
<body><h1>%d %s</h1><p>The server is temporarily unable to service your request.</p></body></html>
`

// malformedJSONBody is valid JSON's beginning cut short, as a connection reset mid-body or
// a broken proxy leaves it.
const malformedJSONBody = `{"accounts": [{"account_id": "`

// FaultSpec describes one fault for AddFault.
type FaultSpec struct {
	// Path is the API path it applies to, such as /auth/get.
	Path string
	Kind FaultKind
	// Status is the HTTP status, for the kinds that take one.
	Status int
	// ErrorCode is the Plaid error code, for rate_limit, error and status.
	ErrorCode string
	// Count is how many calls it answers; 0 or less means every call until ClearFaults.
	Count int
	// Latency is added before the fault's answer (or, for latency, before the usual one).
	Latency time.Duration
	// ItemID limits the fault to the calls for that Item (by the access_token they send);
	// "" applies it to every call to Path.
	ItemID string
}

// faultAction is what a queued fault does once its delay is over.
type faultAction int

const (
	faultAnswer faultAction = iota // send code, or status and body
	faultDelayOnly
	faultHang
	faultDrop
	// faultDropAfter and faultHangAfter let the endpoint run, then lose its answer.
	faultDropAfter
	faultHangAfter
	faultHold
)

// AddFault queues a fault for calls to spec.Path, after those already queued for it. It
// refuses a spec that does not say something the fake can do, with a message fit for the
// author of the control API's body.
func (s *Server) AddFault(spec FaultSpec) error {
	_, err := s.addFault(spec)
	return err
}

// addFault is AddFault, returning a copy of the fault as queued (POST /_emulator/faults says
// it back). A copy: once queued, calls use the fault up under s.mu.
func (s *Server) addFault(spec FaultSpec) (fault, error) {
	f, err := spec.fault()
	if err != nil {
		return fault{}, err
	}
	queued := *f
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkFaultItem(spec); err != nil {
		return fault{}, err
	}
	s.faults[spec.Path] = append(s.faults[spec.Path], f)
	return queued, nil
}

// fault checks the spec and builds the fault it describes.
func (spec FaultSpec) fault() (*fault, error) {
	if _, ok := endpoints[spec.Path]; !ok {
		return nil, fmt.Errorf("path %q is not an endpoint of the emulator; it serves %s", spec.Path, strings.Join(endpointPaths(), ", "))
	}
	if spec.Latency < 0 {
		return nil, fmt.Errorf("latency %s is negative", spec.Latency)
	}
	kind := spec.impliedKind()
	f := &fault{left: spec.Count, delay: spec.Latency, kind: kind, itemID: spec.ItemID}
	if f.left <= 0 {
		f.left = -1
	}
	noStatus := func() error {
		if spec.Status != 0 {
			return fmt.Errorf("kind %q takes no status (got %d)", kind, spec.Status)
		}
		return nil
	}
	noCode := func() error {
		if spec.ErrorCode != "" {
			return fmt.Errorf("kind %q takes no error_code (got %q)", kind, spec.ErrorCode)
		}
		return nil
	}
	status := func(def int) (int, error) {
		if spec.Status == 0 {
			return def, nil
		}
		if spec.Status < 200 || spec.Status > 599 {
			return 0, fmt.Errorf("status %d is not an HTTP status between 200 and 599", spec.Status)
		}
		return spec.Status, nil
	}
	var err error
	switch kind {
	case FaultRateLimit:
		f.code = spec.ErrorCode
		if f.code == "" {
			f.code = "RATE_LIMIT"
		}
		if info, ok := catalog[f.code]; !ok || info.typ != typeRateLimit {
			return nil, fmt.Errorf("error_code %q is not a RATE_LIMIT_EXCEEDED code; use one of %s", f.code, strings.Join(codesOfType(typeRateLimit), ", "))
		}
		err = noStatus()
	case FaultError:
		if spec.ErrorCode == "" {
			return nil, fmt.Errorf("kind %q needs an error_code, such as INTERNAL_SERVER_ERROR or PLANNED_MAINTENANCE", kind)
		}
		if _, ok := catalog[spec.ErrorCode]; !ok {
			return nil, fmt.Errorf("error_code %q is not one the emulator knows; it knows %s", spec.ErrorCode, strings.Join(codesOfType(""), ", "))
		}
		f.code = spec.ErrorCode
		err = noStatus()
	case FaultStatus:
		if spec.Status < 400 || spec.Status > 599 {
			return nil, fmt.Errorf("kind %q needs a status between 400 and 599 (got %d)", kind, spec.Status)
		}
		f.status = spec.Status
		switch f.code = spec.ErrorCode; {
		case f.code != "":
			if _, ok := catalog[f.code]; !ok {
				return nil, fmt.Errorf("error_code %q is not one the emulator knows; it knows %s", f.code, strings.Join(codesOfType(""), ", "))
			}
		case spec.Status == http.StatusTooManyRequests:
			f.code = "RATE_LIMIT"
		case spec.Status == http.StatusServiceUnavailable:
			f.code = "PLANNED_MAINTENANCE"
		default:
			f.code = "INTERNAL_SERVER_ERROR"
		}
	case FaultHang, FaultDrop, FaultLatency, FaultDropAfter, FaultHangAfter, FaultHold:
		f.action = map[FaultKind]faultAction{FaultHang: faultHang, FaultDrop: faultDrop, FaultLatency: faultDelayOnly,
			FaultDropAfter: faultDropAfter, FaultHangAfter: faultHangAfter, FaultHold: faultHold}[kind]
		if kind == FaultLatency && spec.Latency <= 0 {
			return nil, fmt.Errorf("kind %q needs a latency above zero, such as \"200ms\"", kind)
		}
		if err = noStatus(); err == nil {
			err = noCode()
		}
	case FaultMalformedJSON:
		f.contentType, f.body = "application/json", malformedJSONBody
		if f.status, err = status(http.StatusOK); err == nil {
			err = noCode()
		}
	case FaultTextPlain:
		if f.status, err = status(http.StatusBadGateway); err == nil {
			err = noCode()
		}
		f.contentType = "text/plain; charset=utf-8"
		f.body = fmt.Sprintf("%d %s\n", f.status, http.StatusText(f.status))
	case FaultHTML:
		if f.status, err = status(http.StatusServiceUnavailable); err == nil {
			err = noCode()
		}
		f.contentType = "text/html; charset=utf-8"
		text := http.StatusText(f.status)
		f.body = fmt.Sprintf(htmlErrorPage, f.status, text, f.status, text)
	case FaultEmpty:
		f.contentType = "application/json"
		if f.status, err = status(http.StatusOK); err == nil {
			err = noCode()
		}
	case "":
		return nil, fmt.Errorf("kind is missing: give an error_code (a Plaid error), a status or a latency, or a kind, one of %s", kindList())
	default:
		return nil, fmt.Errorf("kind %q is not one of %s", kind, kindList())
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

func kindList() string {
	names := make([]string, len(faultKinds))
	for i, k := range faultKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// codesOfType lists the catalog's codes of an error type ("" for all), sorted.
func codesOfType(typ string) []string {
	var out []string
	for code, info := range catalog {
		if typ == "" || info.typ == typ {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// endpointPaths lists the API paths, sorted.
func endpointPaths() []string {
	out := make([]string, 0, len(endpoints))
	for p := range endpoints {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// applyFault answers a call with its fault. It reports true when the endpoint is to answer
// after all (a latency-only fault whose delay is over).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, rec *recorder, f *fault, requestID string) bool {
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		case <-s.stopping:
			dropConnection(w)
			return false
		}
	}
	switch f.action {
	case faultDelayOnly, faultDropAfter, faultHangAfter:
		return true
	case faultHang:
		select {
		case <-r.Context().Done():
		case <-s.stopping:
			dropConnection(w)
		}
		return false
	case faultDrop:
		dropConnection(w)
		return false
	case faultHold:
		s.mu.Lock()
		release := s.release
		s.mu.Unlock()
		s.held.Add(1)
		defer s.held.Add(-1)
		select {
		case <-release:
			return true
		case <-r.Context().Done():
		case <-s.stopping:
			dropConnection(w)
		}
		return false
	}
	if f.code != "" {
		e := newError(f.code)
		if f.status != 0 {
			e.status = f.status
		}
		writeError(rec, e, requestID)
		return false
	}
	if f.contentType != "" {
		rec.Header().Set("Content-Type", f.contentType)
	}
	rec.WriteHeader(f.status)
	io.WriteString(rec, f.body)
	return false
}

// ReleaseHeld lets every call held by a hold fault go on to its usual answer. Calls that
// arrive later are held again while hold faults are queued.
func (s *Server) ReleaseHeld() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.release)
	s.release = make(chan struct{})
}

// loseAnswer ends a call that took effect without its answer, as f says: the connection
// closed, or held until the client gives up.
func (s *Server) loseAnswer(w http.ResponseWriter, r *http.Request, f *fault) {
	if f.action == faultHangAfter {
		select {
		case <-r.Context().Done():
			return
		case <-s.stopping:
		}
	}
	dropConnection(w)
}

// dropConnection closes the call's connection without a word, as a crashed server or a
// reset by a middlebox would. Where the connection cannot be taken over (HTTP/2), aborting
// the handler resets the stream instead.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// Reset forgets everything the fake has learnt since it started: link, public and access
// tokens, Items, logins under way, faults, request counts, and the clock's advance. Its keys
// and its latency stay, since they are how it was started.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
	clear(s.requests)
	clear(s.linkTokens)
	clear(s.publicTokens)
	clear(s.accessTokens)
	clear(s.items)
	clear(s.logins)
	clear(s.mfa)
	clear(s.issued)
	s.reqLog.reset()
	clear(s.oauthStates)
	s.clockOffset.Store(0)
	s.restart() // state.go: the seed's stream from its start, the fixtures' Items again
	s.stateGen++
}
