package linkpage

// SetHooksForTest sets what the server calls when emit is about to block on a full buffer and
// when Shutdown starts waiting for a live page, so a test waits for those moments instead of
// sleeping. Call it before the server handles requests; nil leaves a hook unset.
func (s *Server) SetHooksForTest(emitWaiting, waitingForPage func()) {
	s.hooks = testHooks{emitWaiting: emitWaiting, waitingForPage: waitingForPage}
}
