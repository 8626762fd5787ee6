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
	"unicode/utf8"
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
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Lengths for Line: how much of an outside value one line shows.
const (
	// Name bounds a name: an institution's, an Item's, an account's. Real ones are far shorter.
	Name = 100
	// Field bounds any other value from outside on a line: a webhook's code, an id, a reason.
	Field = 200
	// Message bounds a sentence from outside: an error message, a note, a command line.
	Message = 1000
)

// Line is what a terminal may show of s on one line: Text's cleaning, then at most max
// characters, the cut marked with "…" so nobody takes it for the whole value. It is the one
// function every printer of outside text (Plaid's answers, webhooks, transcripts, Link metadata,
// files) calls, so a value can neither act on the terminal nor flood it. max <= 0 cuts nothing.
func Line(s string, max int) string {
	s = Text(s)
	if max <= 0 || len(s) <= max {
		return s // max characters take at least max bytes
	}
	n := 0
	for i := range s {
		if n == max-1 {
			if utf8.RuneCountInString(s[i:]) == 1 {
				return s
			}
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// JSON makes an encoding/json document safe for a terminal as well: encoding/json escapes the
// C0 controls in strings but writes DEL, the C1 controls (U+0080-U+009F, which some terminals
// act on as they would on ESC sequences) and the bidirectional overrides as they are. Each
// becomes its \uXXXX escape, which decodes to the same string: the document stays valid and
// means the same. Outside strings a JSON document holds none of them.
func JSON(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, needsEscape) {
		return doc
	}
	out := make([]byte, 0, len(doc)+16)
	for _, r := range string(doc) {
		if needsEscape(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

func needsEscape(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) || r == '\u2028' || r == '\u2029'
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
