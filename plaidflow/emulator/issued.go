package emulator

// mint makes a token as Plaid writes them, prefix then a UUID (link-sandbox-…,
// public-sandbox-…), and remembers it. It expects s.mu to be held.
func (s *Server) mint(prefix string) string { return s.remember(prefix + s.uuid()) }

// remember notes a token the emulator is about to answer with, for IssuedTokens, and returns
// it. Tokens are noted where they are made rather than found in the answers afterwards: a scan
// of every answer's body cost a load test half its throughput. It expects s.mu to be held.
func (s *Server) remember(token string) string {
	s.issued[token] = true
	return token
}
