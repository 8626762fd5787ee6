package linkpage

// How a flow that did not succeed ended, as Outcome.Ending tells the page.
const (
	// EndingExited: Link closed without an account and the terminal stopped waiting for it
	// (the scripted commands end on an exit).
	EndingExited = "exited"
	// EndingBlocked: the browser could not load the Link script, and the terminal stopped.
	EndingBlocked = "blocked"
	// EndingClosed: the terminal closed the session on purpose (the user quit, went back, or
	// started a new Link session): not a failure.
	EndingClosed = "closed"
)

// AllowReopen says whether the terminal can still use this page's Link after Link closes
// without an account (or after the script failed to load): while it can, the page offers
// "Reopen Link" (or "Reload page"); once the flow is finished it never does.
func (s *Server) AllowReopen(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reopen = ok
}
