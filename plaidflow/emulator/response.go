package emulator

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"sync"
	"time"
)

// writeJSON sends a JSON answer. Plaid's Content-Type is application/json, which is also what
// plaid-go needs to decode a body (anything else is "undefined response type").
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer answerBuffers.Put(buf)
	buf.Reset()
	if a, ok := v.(encodedAnswer); ok { // answers.go
		buf.Write(a.prefix)
		buf.WriteString(a.requestID) // letters and digits: nothing to escape
		buf.WriteString(`"}`)
	} else {
		encodeAnswer(buf, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// encodeAnswer appends v's JSON to buf: the bytes json.Marshal makes.
func encodeAnswer(buf *bytes.Buffer, v any) {
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		panic("emulator: encode response: " + err.Error())
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// answerBuffers hold answers while they are written: an answer is a few kilobytes, and a
// load test asks for thousands a second.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeAnswer sends a Plaid answer whose body carries requestID. Plaid also sends the
// request_id in an X-Request-Id header (plaid/plaid-ruby#145, plaid/plaid-python#66), so a
// client can report it even when it cannot read the body.
func writeAnswer(w http.ResponseWriter, status int, v any, requestID string) {
	if rec, ok := w.(*recorder); ok {
		rec.requestID = requestID
	}
	w.Header().Set("X-Request-Id", requestID)
	writeJSON(w, status, v)
}

// writeError sends a Plaid error with its HTTP status.
func writeError(w http.ResponseWriter, e *apiError, requestID string) {
	if rec, ok := w.(*recorder); ok {
		rec.errorCode = e.code
	}
	writeAnswer(w, e.status, e.body(requestID), requestID)
}

// isJSON reports whether a Content-Type header names JSON.
func isJSON(contentType string) bool {
	if contentType == "application/json" { // what Plaid's clients send, without parsing it
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// rfc3339 formats a time as Plaid does: RFC 3339 in UTC, to the second. plaid-go cannot decode
// any other timestamp form, even in a successful answer.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
