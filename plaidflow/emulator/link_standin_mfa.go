package emulator

// The stand-in Link's MFA step, for the Sandbox users that have one (sandbox_users.go): after
// the credentials, Link asks round after round (a device, then its code; questions; selections)
// and makes the Item only when every round is answered as Plaid's Sandbox documents. A wrong
// answer is INVALID_MFA and the same round may be tried again, as in Link.

// pendingMFA is a login whose credentials passed and whose MFA is under way.
type pendingMFA struct {
	linkToken string
	inst      *institution
	login     *sandboxLogin
	step      int
}

// startMFA keeps the login and returns its first round.
func (s *Server) startMFA(lt *linkToken, inst *institution, login *sandboxLogin) any {
	id := s.alphanumerics(24)
	s.mfa[id] = &pendingMFA{linkToken: lt.token, inst: inst, login: login}
	return map[string]any{"mfa_id": id, "mfa": login.mfa.round(0)}
}

// standInMFA checks the answers to the current round: the next round, or the login's end (the
// accounts to choose from) once the last is right.
func (s *Server) standInMFA(req standInRequest) (any, *apiError) {
	lt, e := s.linkTokenFor(req.Token)
	if e != nil {
		return nil, e
	}
	p, ok := s.mfa[req.Login]
	if !ok || p.linkToken != lt.token {
		return nil, errorf("INVALID_FIELD", "login is not an MFA under way for this link token")
	}
	if !p.login.mfa.check(p.step, req.Answers) {
		return nil, newError("INVALID_MFA")
	}
	p.step++
	if p.step < p.login.mfa.steps() {
		return map[string]any{"mfa_id": req.Login, "mfa": p.login.mfa.round(p.step)}, nil
	}
	delete(s.mfa, req.Login)
	return s.loggedIn(lt, p.inst, p.login)
}
