package emulator

import "slices"

// mint makes a token as Plaid writes them, prefix then a UUID (link-sandbox-…,
// public-sandbox-…), and remembers it. It expects s.mu to be held.
func (s *Server) mint(prefix string) string { return s.remember(prefix + newUUID()) }

// remember notes a token the emulator is about to answer with, for IssuedTokens, and returns
// it. Tokens are noted where they are made rather than found in the answers afterwards: a scan
// of every answer's body cost a load test half its throughput. It expects s.mu to be held.
func (s *Server) remember(token string) string {
	s.issued[token] = true
	return token
}

// IssuedTokens lists every token the emulator has made since it started (or since Reset),
// sorted: Link, public, access (rotated ones included), processor and Stripe bank account
// tokens, including any whose answer a fault lost. Tests use
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
