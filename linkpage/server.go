// Package linkpage is the loopback web server that runs Plaid Link for a
// terminal program.
//
// Front ends use a Session, which owns the whole round: NewSession, then Link
// with a link token, Finish with the outcome, and Close.
//
// Underneath, a Server is built with New and started with Start, and the
// browser is opened at URL. The page loads the Link web SDK, opens Link with
// the token and forwards onSuccess, onExit and onEvent to the server, which
// emits them on Events, in the order Link called them. When the program is
// done it calls Finish, so the page can tell the user, and Shutdown.
//
// For OAuth banks on a redirect (rather than Link's desktop pop-up), register
// a loopback redirect URI such as http://localhost:8765/oauth-return in the
// Plaid Dashboard, pass it as redirect_uri to /link/token/create, and set
// Options.RedirectURI: the server then listens on its port on 127.0.0.1 and
// ::1 and serves, at its path, the page that resumes Link when the bank sends
// the browser back.
//
// The server is built for a hostile neighbourhood: it listens on loopback
// only, answers only to its own Host (DNS rebinding), requires a per-session
// nonce on every callback, accepts one public token, limits bodies, and sends
// a strict Content-Security-Policy. It never holds a client secret or an
// access token; the only credential it ever sees is the link token.
package linkpage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultScriptURL is where Plaid serves the Link web SDK.
const DefaultScriptURL = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"

// Options configures a Server.
type Options struct {
	LinkToken string // required
	// ScriptURL is the Link SDK URL; "" means DefaultScriptURL. It must be
	// https, or http on a loopback host (127.0.0.1, localhost, [::1]).
	ScriptURL string
	// Environment is "sandbox", "production" or "demo", shown on the page
	// (production in a warning colour; demo as an offline demo, not Plaid).
	// "" shows no badge.
	Environment string
	ClientName  string // shown in the page's title and heading
	// RedirectURI is the redirect_uri the link token was made with, when it
	// is this page's to serve (http on localhost, 127.0.0.1 or [::1]). The
	// server then listens on its port on both 127.0.0.1 and ::1, refusing to
	// start if another program holds either, and serves at its path the page
	// that resumes Link with receivedRedirectUri after an OAuth bank.
	RedirectURI string
	// Port is the loopback port to listen on; 0 (the default) picks a free
	// one. With RedirectURI it must be 0 or the URI's port.
	Port int
}

// Outcome is how the flow ended, for the page to show.
type Outcome struct {
	OK bool
	// Message is the sentence the page shows under its own short headline
	// ("All set", "Something went wrong", or Link's exit), e.g. "Connected to
	// First Platypus Bank. You can close this tab and return to the terminal."
	// Empty gets a default that says where to look next.
	Message string
	// Ending says how a flow that did not succeed ended, so the page words it truly: "" (the
	// terminal hit an error), EndingExited, EndingBlocked or EndingClosed.
	Ending string
}

// Limits and timings. The body limit is far above what Link sends (a success
// with a dozen accounts is a few KiB) and well below anything that hurts.
const (
	maxBodyBytes = 64 << 10
	eventBuffer  = 64
	// emitTimeout bounds how long a callback waits for the program to take
	// its event; the page retries a 503 a few times.
	emitTimeout = 15 * time.Second
	// lingerForPage bounds how long Shutdown waits for a page that is still
	// polling to collect the outcome given to Finish (it polls every second).
	lingerForPage = 2 * time.Second
	// pageAlive is how recent a /status poll must be for Shutdown to wait.
	pageAlive = 3 * time.Second
)

// Errors.
var (
	// ErrClosed is returned by Start after Shutdown.
	ErrClosed = errors.New("link page server is shut down")
	// ErrStarted is returned by a second Start.
	ErrStarted = errors.New("link page server is already started")
)

// Server serves the Link page and its callbacks. Build it with New.
type Server struct {
	opts       Options
	scriptURL  string   // validated Link SDK URL
	sdkOrigin  string   // its origin, for the CSP
	apiOrigins []string // Plaid API origins Link may connect to
	nonce      string   // per-session nonce, hex
	handler    http.Handler
	events     chan Event

	redirect *redirectTarget // the OAuth return this page serves, if any

	mu        sync.Mutex
	addr      string // host:port the Host and Origin checks expect
	ipv6      bool   // also listening on ::1, so [::1]:port is one of its names
	srv       *http.Server
	listeners []net.Listener
	// unused are connections that have not sent a request yet, such as the ones browsers open
	// ahead of need. http.Server.Shutdown counts them as busy until they are 5 s old, so
	// Shutdown closes them itself: nothing is in flight on them.
	unused    map[net.Conn]struct{}
	succeeded bool     // a public token was emitted; later ones get 409
	outcome   *Outcome // set by Finish
	reopen    bool     // the terminal can still use Link after it closes (AllowReopen)
	lastPoll  time.Time

	collected     chan struct{} // closed when the page has read a finished status
	collectedOnce sync.Once

	done         chan struct{} // closed when Shutdown begins
	emitMu       sync.RWMutex  // held for reading while sending on events
	closed       bool          // events is closed; guarded by emitMu
	shutdownOnce sync.Once
	shutdownErr  error

	// hooks let tests wait for the moments they need, rather than guess with sleeps.
	hooks testHooks
}

// testHooks are called at the moments a test must wait for; nil in the program. Tests set them
// before the server serves (export_test.go).
type testHooks struct {
	emitWaiting    func() // emit found the buffer full and is about to block
	waitingForPage func() // Shutdown is waiting for a live page to collect the outcome
}

// New validates opts and builds the server (not listening yet); its Handler
// can be tested with httptest.
func New(opts Options) (*Server, error) {
	if opts.LinkToken == "" {
		return nil, errors.New("link token is required")
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("port %d: want 0 (any free port) to 65535", opts.Port)
	}
	switch opts.Environment {
	case "", "sandbox", "production", "demo":
	default:
		return nil, fmt.Errorf("environment %q: want sandbox, production or demo", opts.Environment)
	}
	raw := opts.ScriptURL
	if raw == "" {
		raw = DefaultScriptURL
	}
	scriptURL, origin, err := parseScriptURL(raw)
	if err != nil {
		return nil, err
	}
	var redirect *redirectTarget
	if opts.RedirectURI != "" {
		t, err := parseRedirectURI(opts.RedirectURI)
		if err != nil {
			return nil, err
		}
		if opts.Port != 0 && opts.Port != t.port {
			return nil, fmt.Errorf("port %d and redirect URI %s disagree: the page must listen on the redirect URI's port (%d)", opts.Port, opts.RedirectURI, t.port)
		}
		redirect = &t
	}
	nonce, err := newSessionNonce()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:       opts,
		scriptURL:  scriptURL,
		sdkOrigin:  origin,
		apiOrigins: plaidAPIOrigins(opts.Environment),
		nonce:      nonce,
		redirect:   redirect,
		events:     make(chan Event, eventBuffer),
		collected:  make(chan struct{}),
		done:       make(chan struct{}),
	}
	s.handler = s.routes()
	return s, nil
}

// routes builds the mux: exact paths only, methods enforced by the patterns
// (the mux answers 405 with Allow, and 404 for everything unlisted).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.servePage(modeOpen))
	mux.HandleFunc("GET /page.js", serveAsset(pageJS, "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /page.css", serveAsset(pageCSS, "text/css; charset=utf-8"))
	mux.HandleFunc("GET /status", s.serveStatus)
	mux.HandleFunc("POST /callback/success", s.callback(s.handleSuccess))
	mux.HandleFunc("POST /callback/exit", s.callback(s.handleDecoded(decodeExit)))
	mux.HandleFunc("POST /callback/event", s.callback(s.handleDecoded(decodeEvent)))
	mux.HandleFunc("POST /callback/load-error", s.callback(s.handleLoadError))
	return s.withSecurityHeaders(s.withHostCheck(s.withOAuthReturn(mux)))
}

// Start listens on 127.0.0.1:0, or on Options.Port, or with a RedirectURI on
// its port on both 127.0.0.1 and ::1 (loopback only, never all interfaces),
// and serves in a goroutine. A port another program holds is a
// *PortInUseError.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	if s.srv != nil {
		return ErrStarted
	}
	lns, ipv6, err := listenLoopback(s.opts.Port, s.redirect)
	if err != nil {
		return err
	}
	s.listeners, s.ipv6 = lns, ipv6
	s.addr = lns[0].Addr().String()
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      emitTimeout + 15*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnState:         s.trackUnused,
		// The program is a TUI: a stray log line on stderr would tear the
		// screen, and nothing here needs the operator's attention.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	for _, ln := range lns {
		go func(srv *http.Server, ln net.Listener) { _ = srv.Serve(ln) }(s.srv, ln)
	}
	return nil
}

// Handler returns the http.Handler, for httptest. Its Host and Origin checks
// use the address Start bound or, before Start, the one given to
// SetAddrForTest; with neither, every request is refused.
func (s *Server) Handler() http.Handler { return s.handler }

// SetAddrForTest sets the host:port (127.0.0.1:PORT) the Host and Origin
// checks expect, for tests that drive Handler without Start: with
// httptest.NewRecorder pick any port, with httptest.NewServer pass its
// listener's address. Start replaces it with the address it bound. With a
// RedirectURI the handler also answers to [::1], as if Start had bound it.
func (s *Server) SetAddrForTest(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addr = addr
	s.ipv6 = s.redirect != nil
}

// port returns the port of the expected address, or "" if unknown.
func (s *Server) port() string {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return port
}

// URL is the page, http://127.0.0.1:PORT/ ("" before the address is known).
// The page uses the IP rather than localhost because localhost may resolve to
// ::1 first, where nothing listens.
func (s *Server) URL() string {
	if p := s.port(); p != "" {
		return "http://127.0.0.1:" + p + "/"
	}
	return ""
}

// OAuthRedirectURI is the redirect URI whose return this page serves, once
// it listens; "" without Options.RedirectURI or before the address is known,
// so nobody relies on a page that would not answer.
func (s *Server) OAuthRedirectURI() string {
	if s.redirect == nil || s.port() == "" {
		return ""
	}
	return s.redirect.uri
}

// Events delivers Link's callbacks in the order the page reported them. It is
// never closed while serving, and closed by Shutdown.
func (s *Server) Events() <-chan Event { return s.events }

// Finish tells the page the flow's outcome so it can show it; the page learns
// it by polling GET /status. The latest call wins, though a page that has
// already shown an outcome stops polling.
func (s *Server) Finish(outcome Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcome = &outcome
}

// Shutdown stops the server and closes Events. If Finish was called and a
// page is still polling, it first gives the page a moment (at most ~2 s, less
// if ctx ends) to collect the outcome, so the user sees how it ended.
// Shutdown is idempotent: later calls return the first call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.waitForPage(ctx)
		close(s.done) // unblocks handlers waiting to emit

		s.mu.Lock()
		srv, lns := s.srv, s.listeners
		s.mu.Unlock()
		var err error
		if srv != nil {
			// srv.Shutdown closes only the listeners Serve has taken; the Serve goroutine may
			// not have run yet. Closing them here means the port is closed when Shutdown
			// returns, whatever the scheduler did, and no connection arrives from here on.
			for _, ln := range lns {
				_ = ln.Close()
			}
			s.mu.Lock()
			for c := range s.unused {
				_ = c.Close()
			}
			s.mu.Unlock()
			// Shutdown closes the listeners Serve took again: that they are closed already is
			// no failure.
			if err = srv.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
				_ = srv.Close()
				err = fmt.Errorf("shut down link page server: %w", err)
			} else {
				err = nil
			}
		}

		s.emitMu.Lock()
		s.closed = true
		close(s.events)
		s.emitMu.Unlock()
		s.shutdownErr = err
	})
	return s.shutdownErr
}

// trackUnused keeps the set of connections that have not sent a request yet (see unused).
func (s *Server) trackUnused(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == http.StateNew {
		if s.unused == nil {
			s.unused = map[net.Conn]struct{}{}
		}
		s.unused[c] = struct{}{}
		return
	}
	delete(s.unused, c)
}

// waitForPage waits for a live page to read the finished status.
func (s *Server) waitForPage(ctx context.Context) {
	s.mu.Lock()
	alive := s.outcome != nil && !s.lastPoll.IsZero() && time.Since(s.lastPoll) < pageAlive
	s.mu.Unlock()
	if !alive {
		return
	}
	// Leave at least half of the caller's time for stopping the server.
	wait := lingerForPage
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)/2 < wait {
		wait = time.Until(dl) / 2
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	if s.hooks.waitingForPage != nil {
		s.hooks.waitingForPage()
	}
	select {
	case <-s.collected:
	case <-t.C:
	case <-ctx.Done():
	}
}

var (
	errClosed = errors.New("the Link session has ended")
	errBusy   = errors.New("the program is not taking events")
)

// emit hands ev to the program. It never blocks a handler forever: it gives
// up when the request ends, when Shutdown begins, or after emitTimeout.
func (s *Server) emit(ctx context.Context, ev Event) error {
	s.emitMu.RLock()
	defer s.emitMu.RUnlock()
	if s.closed {
		return errClosed
	}
	select {
	case <-s.done:
		return errClosed
	default:
	}
	select {
	case s.events <- ev:
		return nil
	default:
	}
	if s.hooks.emitWaiting != nil {
		s.hooks.emitWaiting()
	}
	t := time.NewTimer(emitTimeout)
	defer t.Stop()
	select {
	case s.events <- ev:
		return nil
	case <-s.done:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errBusy
	}
}
