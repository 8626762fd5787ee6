package linkpage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// serveAsset serves one embedded file. Cache-Control: no-store (set for every
// response) keeps a stale script from a previous session out of the way.
func serveAsset(body []byte, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// statusResponse is what GET /status answers: small, and nothing secret.
type statusResponse struct {
	Finished bool   `json:"finished"`
	OK       bool   `json:"ok"`
	Message  string `json:"message"`
	Ending   string `json:"ending,omitempty"`
	// Reopen says the terminal still waits for this Link session, so after Link closes the
	// page may offer to open it again (or to reload after the script failed to load).
	Reopen bool `json:"reopen,omitempty"`
}

// serveStatus answers the page's poll. It needs the nonce like a callback:
// the outcome's message may name the user's bank.
func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	if !s.sameOriginRequest(r) || !s.nonceOK(r) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	s.lastPoll = time.Now()
	resp := statusResponse{Reopen: s.reopen}
	if s.outcome != nil {
		resp = statusResponse{Finished: true, OK: s.outcome.OK, Message: s.outcome.Message, Ending: s.outcome.Ending}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
	if resp.Finished {
		s.collectedOnce.Do(func() { close(s.collected) })
	}
}

// callbackHandler handles a checked, size-limited callback body and returns
// the status to answer with.
type callbackHandler func(r *http.Request, body []byte) (int, error)

// callback wraps a callback handler with the checks every callback needs, in
// the order a reviewer would expect: where it came from (403), the nonce
// (403), the content type (415), the size (413); the handler then answers 400
// for a malformed body.
func (s *Server) callback(h callbackHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.sameOriginRequest(r) {
			http.Error(w, "forbidden: cross-origin request", http.StatusForbidden)
			return
		}
		if !s.nonceOK(r) {
			http.Error(w, "forbidden: missing or wrong "+NonceHeader, http.StatusForbidden)
			return
		}
		if !isJSON(r) {
			http.Error(w, "unsupported media type: want application/json", http.StatusUnsupportedMediaType)
			return
		}
		if r.ContentLength > maxBodyBytes {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		}
		code, err := h(r, body)
		if err != nil {
			http.Error(w, err.Error(), code)
			return
		}
		w.WriteHeader(code)
	}
}

// handleSuccess emits the first public token and refuses every later one:
// public tokens are single-use, and a replayed success must not make the
// program exchange again or overwrite the Item it saved.
func (s *Server) handleSuccess(r *http.Request, body []byte) (int, error) {
	ev, err := decodeSuccess(body)
	if err != nil {
		return http.StatusBadRequest, err
	}
	s.mu.Lock()
	if s.succeeded {
		s.mu.Unlock()
		return http.StatusConflict, errors.New("a public token was already received for this session")
	}
	s.succeeded = true
	s.mu.Unlock()

	if code, err := s.emitStatus(r, ev); err != nil {
		// The program never saw this token, so a retry may deliver it.
		s.mu.Lock()
		s.succeeded = false
		s.mu.Unlock()
		return code, err
	}
	return http.StatusNoContent, nil
}

// handleDecoded is a callback whose body decode turns into the Event to emit: Link's exit
// and its events.
func (s *Server) handleDecoded(decode func([]byte) (Event, error)) func(*http.Request, []byte) (int, error) {
	return func(r *http.Request, body []byte) (int, error) {
		ev, err := decode(body)
		if err != nil {
			return http.StatusBadRequest, err
		}
		if code, err := s.emitStatus(r, ev); err != nil {
			return code, err
		}
		return http.StatusNoContent, nil
	}
}

// handleLoadError tells the program that the SDK did not load, so Link will not call back.
func (s *Server) handleLoadError(r *http.Request, body []byte) (int, error) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return http.StatusBadRequest, fmt.Errorf("decode load error: %w", err)
	}
	reason := clean(b.Reason)
	if len(reason) > 300 {
		reason = reason[:300]
	}
	if code, err := s.emitStatus(r, Event{Kind: KindLoadFailed, LoadError: reason}); err != nil {
		return code, err
	}
	return http.StatusNoContent, nil
}

// emitStatus stamps and emits ev, and maps a failure to a status: 410 once
// the session has ended (the page should not retry), 503 while the program is
// not reading (it may).
func (s *Server) emitStatus(r *http.Request, ev Event) (int, error) {
	ev.Received = time.Now()
	switch err := s.emit(r.Context(), ev); {
	case err == nil:
		return 0, nil
	case errors.Is(err, errClosed):
		return http.StatusGone, err
	default:
		return http.StatusServiceUnavailable, err
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
