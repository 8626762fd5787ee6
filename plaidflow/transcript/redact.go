package transcript

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redaction is the one place where what leaves the program for a file a user may paste into a
// support ticket (a transcript, its summary, a report) loses its secrets: the client secret,
// access tokens, public tokens, processor tokens (Stripe's btok_ too) and full account numbers
// and IBANs (their last 4 characters stay, like Plaid's masks). Three nets, so that a value the
// program never saw is still caught:
//
//   - known values: every secret the program holds or sees in a request or an answer;
//   - shapes: Plaid's token prefixes (access-<env>-…, public-<env>-…, processor-<env>-…,
//     btok_…), IBANs, and digit runs as long as account numbers;
//   - field names: access_token, secret, account, iban, … in any JSON the program writes.

// Redacted is what a secret becomes.
const Redacted = "[redacted]"

var (
	// Plaid's token formats (Sandbox guide and CONTRACT): <kind>-<env>-<uuid>. Link tokens are not
	// secrets (the Link page holds one) and are kept, so support can match a session.
	tokenShape = regexp.MustCompile(`(?i)\b(access|public|processor)-(sandbox|production|development)-[A-Za-z0-9-]+`)
	// Stripe bank account tokens from /processor/stripe/bank_account_token/create.
	stripeShape = regexp.MustCompile(`\bbtok_[A-Za-z0-9]+`)
	// An IBAN: country, check digits, up to 30 letters and digits (ISO 13616).
	ibanShape = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\b`)
	// A run of 10 or more digits is longer than any routing number (9), sort code (6) or mask
	// and as long as a US account number; 8 digits are a BACS account, caught by name or value.
	// Only a number standing alone counts (see maskDigitRuns): digits inside an identifier are
	// part of it (a link_session_id's last group, a version's timestamp, a temporary path).
	digitRun = regexp.MustCompile(`[0-9]{10,}`)
)

// secretField tells what a JSON field of this name holds: "" for nothing secret, "token" for a
// credential that goes whole, "number" for an account number or IBAN that keeps its last 4.
func secretField(name string) string {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	switch n {
	case "secret", "clientsecret", "plaidsecret", "password", "accesstoken", "newaccesstoken",
		"publictoken", "processortoken", "stripebankaccounttoken", "bankaccounttoken":
		return "token"
	case "account", "accountnumber", "iban", "tokenizedaccountnumber":
		return "number"
	}
	return ""
}

// Redactor removes secrets from text and JSON. Its zero value redacts by shape and field name;
// Learn adds known values. It is safe for concurrent use.
type Redactor struct {
	mu    sync.RWMutex
	known map[string]string // value -> what replaces it
	order []string          // known values, longest first, so a value inside another is not left half
}

// Learn adds values to redact wherever they appear. kind is "token" (replaced whole) or "number"
// (masked to its last 4). Values too short to be a secret are ignored: "0000" is a mask.
func (r *Redactor) Learn(kind string, values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known == nil {
		r.known = map[string]string{}
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < 6 || r.known[v] != "" || alreadyRedacted(v) {
			continue
		}
		rep := Redacted
		if kind == "number" {
			rep = maskNumber(v)
		}
		r.known[v] = rep
		r.order = append(r.order, v)
	}
	sort.SliceStable(r.order, func(i, j int) bool { return len(r.order[i]) > len(r.order[j]) })
}

// alreadyRedacted reports whether v is, or is part of, what redaction writes: a Plaid answer can
// carry "[redacted]" and a mask like "••1234" can come back as a value. Learning one would make
// redact replace a value by a string that holds it again, forever.
func alreadyRedacted(v string) bool {
	return strings.Contains(v, "•") || strings.Contains(v, Redacted) || strings.Contains(Redacted, v)
}

// maskNumber keeps the last 4 characters, as Plaid's masks do.
func maskNumber(v string) string {
	if len(v) <= 4 {
		return "••••"
	}
	return "••••" + v[len(v)-4:]
}

// String redacts free text: known values, token shapes, IBANs and long digit runs.
func (r *Redactor) String(s string) string {
	return r.redact(s, true)
}

// ID redacts a field that holds an identifier (request_id, item_id, account_id): known values
// and token shapes only, since an id may look like an IBAN or a digit run and must stay
// readable for support.
func (r *Redactor) ID(s string) string {
	return r.redact(s, false)
}

func (r *Redactor) redact(s string, numbers bool) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		// Replace until nothing known is left: cutting one value out could join two halves of
		// another. Each pass removes at least one known value, and a replacement never holds one
		// (Learn refuses those), so len(order) passes are enough; the bound keeps a mistake from
		// spinning while the lock is held.
		for changed, pass := true, 0; changed && pass <= len(r.order); pass++ {
			changed = false
			for _, v := range r.order {
				if strings.Contains(s, v) {
					s = strings.ReplaceAll(s, v, r.known[v])
					changed = true
				}
			}
		}
		r.mu.RUnlock()
	}
	s = tokenShape.ReplaceAllString(s, Redacted)
	s = stripeShape.ReplaceAllString(s, Redacted)
	if numbers {
		s = ibanShape.ReplaceAllStringFunc(s, maskNumber)
		s = maskDigitRuns(s)
	}
	return s
}

// maskDigitRuns masks the runs of 10 or more digits that stand alone, not touching a letter, a
// digit, '-' or '_'.
func maskDigitRuns(s string) string {
	var b strings.Builder
	last := 0
	for _, at := range digitRun.FindAllStringIndex(s, -1) {
		if inIdentifier(s, at[0]-1) || inIdentifier(s, at[1]) {
			continue
		}
		b.WriteString(s[last:at[0]])
		b.WriteString(maskNumber(s[at[0]:at[1]]))
		last = at[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// inIdentifier reports whether the byte at i continues an identifier around a digit run.
func inIdentifier(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// JSON redacts a JSON document: by field name, then every string as free text. A body that is
// not JSON is redacted as text and returned as a JSON string.
func (r *Redactor) JSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		b, _ := json.Marshal(r.String(string(raw)))
		return b
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.Value(v)); err != nil {
		b, _ := json.Marshal(Redacted)
		return b
	}
	return bytes.TrimRight(out.Bytes(), "\n")
}

// Value redacts a decoded JSON value (maps, slices, strings) in place and returns it.
func (r *Redactor) Value(v any) any {
	switch x := v.(type) {
	case string:
		return r.String(x)
	case json.Number:
		// A number can be an account number sent unquoted: redact it as text.
		if s := r.String(x.String()); s != x.String() {
			return s
		}
		return x
	case []any:
		for i := range x {
			x[i] = r.Value(x[i])
		}
	case map[string]any:
		for k, e := range x {
			switch secretField(k) {
			case "token":
				if s, ok := e.(string); ok && s != "" {
					x[k] = Redacted
					continue
				}
			case "number":
				switch n := e.(type) {
				case string:
					x[k] = maskNumber(n)
					continue
				case json.Number:
					x[k] = maskNumber(n.String())
					continue
				}
			}
			x[k] = r.Value(e)
		}
	}
	return v
}

// learnFrom adds the secret values of a decoded JSON document (a Plaid request or answer) to the
// known ones, by field name.
func (r *Redactor) learnFrom(v any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			r.learnFrom(e)
		}
	case map[string]any:
		for k, e := range x {
			if kind := secretField(k); kind != "" {
				if s, ok := e.(string); ok {
					r.Learn(kind, s)
					continue
				}
			}
			r.learnFrom(e)
		}
	}
}

// LearnJSON teaches r the secrets a JSON body holds, by field name.
func (r *Redactor) LearnJSON(body []byte) {
	if len(body) == 0 {
		return
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		r.learnFrom(v)
	}
}
