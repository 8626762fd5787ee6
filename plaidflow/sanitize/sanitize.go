// Package sanitize is the one cleaner of text from outside (Plaid, webhooks, Link metadata,
// files) before a terminal, a transcript or the index sees it.
package sanitize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
)

// Text removes what a terminal would act on rather than show: C0 and C1 control
// characters (ESC starts the sequences that clear the screen, retitle the window or write the
// clipboard), DEL, and the bidirectional overrides that make text read other than it is.
// Line breaks and tabs become spaces, so a value cannot forge a line of its own.
func Text(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsCleaning(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return true // a control character, or not ASCII: look closer
		}
	}
	return false
}

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// Transport is the one place every answer from Plaid passes before plaid-go decodes
// it: each string of a JSON body, and the X-Request-Id header, go through Text. So no
// field, present or added later (error_message, display_message, request_id, institution and
// account names), can carry an escape sequence to the terminal or into the index.
type Transport struct{ Next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.Next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		resp.Header.Set("X-Request-Id", Text(id))
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the answer of %s: %w", req.URL.Path, err)
	}
	body := cleanJSON(raw)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

// cleanJSON returns body with every string cleaned; a body that is not JSON is returned as it
// is (the error decoder quotes it when it shows it).
func cleanJSON(body []byte) []byte {
	// Plain ASCII without escapes cannot hold a control character: most answers stop here.
	if !bytes.ContainsRune(body, '\\') && !bytes.ContainsFunc(body, func(r rune) bool { return r >= 0x7f }) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return body
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cleanValue(v)); err != nil {
		return body
	}
	return out.Bytes()
}

func cleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return Text(x)
	case []any:
		for i := range x {
			x[i] = cleanValue(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = cleanValue(e)
		}
	}
	return v
}
