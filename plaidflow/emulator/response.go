package emulator

import (
	"encoding/json"
	"mime"
	"net/http"
	"time"
)

// writeJSON sends a JSON answer. Plaid's Content-Type is application/json, which is also what
// plaid-go needs to decode a body (anything else is "undefined response type").
//
// Plaid also sends the answer's request_id in an X-Request-Id header (plaid/plaid-ruby#145,
// plaid/plaid-python#66), so a client can report it even when it cannot read the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b := mustJSON(v)
	var id struct {
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(b, &id) == nil && id.RequestID != "" {
		w.Header().Set("X-Request-Id", id.RequestID)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeError sends a Plaid error with its HTTP status.
func writeError(w http.ResponseWriter, e *apiError, requestID string) {
	writeJSON(w, e.status, e.body(requestID))
}

// isJSON reports whether a Content-Type header names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// rfc3339 formats a time as Plaid does: RFC 3339 in UTC, to the second. plaid-go cannot decode
// any other timestamp form, even in a successful answer.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
