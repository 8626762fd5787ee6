package emulator

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"regexp"
	"slices"
)

// issuedToken matches the tokens the emulator hands out: Link, public, access and processor
// tokens as Plaid writes them (kind-environment-uuid), and Stripe bank account tokens.
var issuedToken = regexp.MustCompile(`\b(?:link|public|access|processor)-(?:sandbox|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\bbtok_[A-Za-z0-9]{20}\b`)

// IssuedTokens lists every token the emulator has answered with since it started (or since
// Reset), sorted: Link, public, access (rotated ones included) and processor tokens. Tests use
// it to search what a program wrote for secrets it must not show; the emulator keeps no other
// record of a rotated access token or a processor token.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.issued))
	for tok := range s.issued {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

// ItemIDs lists the Items the emulator holds now whose public token was exchanged (an access
// token was handed out, whether or not its answer arrived) and that were not removed, sorted:
// what a test compares with the Items a program saved, to prove none was lost. An Item whose
// public token was never exchanged has no token anywhere to lose.
func (s *Server) ItemIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.items))
	for id, it := range s.items {
		if it.accessToken != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Secret is the client secret the emulator accepts.
func (s *Server) Secret() string { return s.secret }

// tokenTap copies what a handler writes so that the tokens in it can be recorded once the
// handler is done. It passes Hijack through, which the drop faults need.
type tokenTap struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (t *tokenTap) Write(p []byte) (int, error) {
	t.buf.Write(p)
	return t.ResponseWriter.Write(p)
}

func (t *tokenTap) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(t.ResponseWriter).Hijack()
}

func (t *tokenTap) Flush() { _ = http.NewResponseController(t.ResponseWriter).Flush() }

// recordIssued remembers the tokens in an answer's body.
func (s *Server) recordIssued(body []byte) {
	found := issuedToken.FindAll(body, -1)
	if len(found) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tok := range found {
		s.issued[string(tok)] = true
	}
}

// RequestIDs lists the request_id of every call to path, in the order the calls came, whether
// the answer was Plaid's, a fault's or lost: what a test compares with the request_id a program
// shows for a failed call.
func (s *Server) RequestIDs(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requestIDs[path])
}

func (s *Server) recordRequestID(path, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestIDs[path] = append(s.requestIDs[path], id)
}
