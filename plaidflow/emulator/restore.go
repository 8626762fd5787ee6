package emulator

// ItemResolver recognises an access token that an earlier run of the fake issued: the offline
// demo keeps its Items in the OS keyring like real ones, so a later process must answer for
// them. It returns the Item's id and institution, or ok=false for a token it does not know.
type ItemResolver func(accessToken string) (itemID, institutionID string, ok bool)

// WithItemResolver makes the fake consult r for access tokens it has not issued itself, and
// bring those Items back with user_good's accounts. Tests leave it unset: an unknown token is
// INVALID_ACCESS_TOKEN, as at Plaid.
func WithItemResolver(r ItemResolver) Option {
	return func(s *Server) { s.resolve = r }
}

// WithLoginRequired tells the fake, for an Item it brings back with the ItemResolver, whether
// its login must be repaired: the demo keeps a reset-login across runs this way, reading the
// health its index last recorded.
func WithLoginRequired(f func(itemID string) bool) Option {
	return func(s *Server) { s.loginRequired = f }
}

// restoreItem brings back an Item from an earlier run before the request is handled. It runs
// outside the server's lock, since the resolver may read a keyring.
func (s *Server) restoreItem(b body) {
	if s.resolve == nil {
		return
	}
	tok, ok := jsonString(b["access_token"])
	if !ok || tok == "" {
		return
	}
	s.mu.Lock()
	_, known := s.accessTokens[tok]
	s.mu.Unlock()
	if known {
		return
	}
	itemID, institutionID, ok := s.resolve(tok)
	inst := findInstitution(institutionID)
	if !ok || inst == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, known := s.accessTokens[tok]; known {
		return
	}
	it := s.newItem(itemID, inst, []string{"auth"}, nil)
	it.accessToken = tok
	it.loginRequired = s.loginRequired != nil && s.loginRequired(itemID)
	s.applyState(it)
	s.items[it.id] = it
	s.accessTokens[tok] = it
}
