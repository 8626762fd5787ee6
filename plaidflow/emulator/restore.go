package emulator

// The offline demo runs one emulator per process and keeps its state in one shared file
// (WithSnapshot at start, WithStateChanged after each change), without the access tokens: those
// are in the OS keyring, like real ones. A later process must answer for them, so an access
// token it does not know is resolved to its Item:
//
//  1. the ItemResolver (the vault) says whose token it is: an Item id and institution;
//  2. the Item is the one the snapshot brought back, or else the one WithItemLookup finds in the
//     shared file (another process made it after this one started);
//  3. or else, for an Item no state recorded (made before the state was kept), a new one with
//     user_good's accounts, needing a new login if WithLoginRequired says so.

// ItemResolver recognises an access token that an earlier run of the fake issued: the offline
// demo keeps its Items in the OS keyring like real ones, so a later process must answer for
// them. It returns the Item's id and institution, or ok=false for a token it does not know.
type ItemResolver func(accessToken string) (itemID, institutionID string, ok bool)

// ItemLookup finds an Item by id in state kept outside this emulator.
type ItemLookup func(itemID string) (ItemSnapshot, bool)

// WithItemResolver makes the fake consult r for access tokens it has not issued itself. Tests
// leave it unset: an unknown token is INVALID_ACCESS_TOKEN, as at Plaid.
func WithItemResolver(r ItemResolver) Option {
	return func(s *Server) { s.resolve = r }
}

// WithItemLookup makes the fake look for a resolved token's Item with l when it does not hold
// it: the demo reads the shared state file again.
func WithItemLookup(l ItemLookup) Option {
	return func(s *Server) { s.lookup = l }
}

// WithLoginRequired tells the fake, for an Item no state recorded that it brings back with the
// ItemResolver, whether its login must be repaired: the demo reads the health its index last
// recorded.
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
	_, held := s.items[itemID]
	s.mu.Unlock()
	var kept *item
	if !held && s.lookup != nil {
		if is, found := s.lookup(itemID); found {
			kept, _ = is.item() // a damaged entry is an Item no state recorded
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, known := s.accessTokens[tok]; known {
		return
	}
	it, held := s.items[itemID]
	switch {
	case held:
	case kept != nil:
		it = kept
	default:
		it = s.newItem(itemID, inst, []string{"auth"}, nil)
		it.loginRequired = s.loginRequired != nil && s.loginRequired(itemID)
	}
	if it.accessToken != "" {
		delete(s.accessTokens, it.accessToken)
	}
	it.accessToken = tok
	s.putItem(it)
	s.stateGen++
}
