package linkpage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SessionOptions configures a Session. Page is the page's Options without LinkToken (Link gives
// it): the front ends know the page's look before they have a token.
type SessionOptions struct {
	Page Options
	// RedirectURI is the redirect URI the link token is made with (--redirect-uri,
	// PLAID_REDIRECT_URI); when set, it is Page.RedirectURI: the page listens on its port on
	// both loopback addresses and serves the OAuth return at its path.
	RedirectURI string
	Browser     Browser // nil: never opened
	// OpenBrowser opens the browser as soon as the page listens (false for --no-browser).
	OpenBrowser bool
	// Reopen keeps the session waiting when Link closes without an account or its script
	// cannot load (the terminal UI): the page offers to reopen Link (or reload), the exit
	// reaches OnUpdate, and Link returns only on a success, ctx, or Close. Without it (the
	// scripted commands) Link returns the exit or the load failure, and the page says the
	// terminal stopped waiting.
	Reopen bool
	// OnUpdate hears everything as it happens, in order, from the goroutine running Link:
	// the page started (with its URL), the browser opened or failed, each Link callback.
	// It must not block for long: callbacks wait in a small buffer meanwhile. nil: nobody
	// listens.
	OnUpdate func(Update)
}

// UpdateKind tells what an Update reports.
type UpdateKind int

// The kinds of Update, in the order a session meets them.
const (
	UpdateStarted UpdateKind = iota + 1 // the page listens at URL
	UpdateBrowser                       // the browser was asked to open URL; BrowserErr says how it went
	UpdateEvent                         // Link called back: Event
)

// String names the kind, for logs and test failures.
func (k UpdateKind) String() string {
	switch k {
	case UpdateStarted:
		return "started"
	case UpdateBrowser:
		return "browser"
	case UpdateEvent:
		return "event"
	default:
		return fmt.Sprintf("UpdateKind(%d)", int(k))
	}
}

// Update is one thing a front end may show while Link runs. Which fields are set depends on
// Kind: URL for UpdateStarted and UpdateBrowser, BrowserErr for UpdateBrowser (nil when the
// browser opened; a failure is never fatal, the URL is shown instead), Event for UpdateEvent.
type Update struct {
	Kind       UpdateKind
	URL        string
	BrowserErr error
	Event      Event
}

// LoadError is what Link returns when the page could not load the Link SDK: Link will never
// call back, so waiting longer is pointless. Reason is what the page saw, in its words.
type LoadError struct {
	Reason string
}

// Error implements error.
func (e *LoadError) Error() string {
	return "the browser could not load Plaid Link: " + e.Reason + "; check the network (or PLAID_LINK_SCRIPT_URL)"
}

// Session errors callers may branch on.
var (
	// ErrSessionUsed is returned by a second Link: a Session is one page for one link
	// token, and a new token needs a new page (and a new nonce).
	ErrSessionUsed = errors.New("this link session already ran: start a new one")
	// ErrSessionClosed is returned by Link when Close came first, or while Link waited.
	ErrSessionClosed = errors.New("the link session was closed")
	// ErrNotListening is returned by OpenBrowser before the page listens.
	ErrNotListening = errors.New("the link page is not listening yet")
	// ErrNoBrowser is returned by OpenBrowser when the session has no Browser.
	ErrNoBrowser = errors.New("no browser to open the link page with")
)

// Messages the page shows when the terminal ends the flow without a result.
const (
	exitedMessage  = "plaid-onboard stopped waiting for Link and has reported this in the terminal. Run the command again to try again; you can close this tab."
	blockedMessage = "plaid-onboard stopped waiting for Link. Once the script can load, run the command again; you can close this tab."
	closedMessage  = "The terminal closed this Link session (you quit, went back, or started a new session there). You can close this tab."
)

// closeTimeout bounds Close: the page gets up to lingerForPage to collect the outcome, and the
// rest is for stopping the server.
const closeTimeout = 3 * time.Second

// Session is one Link-page session: it starts the page for a link token, opens the browser,
// hands the front end Link's callbacks as they come, tells the page how the flow ended and shuts
// it down. Both front ends (the TUI and the scripted commands) drive it, so the page behaves
// the same whichever one the user runs. Its methods are safe for concurrent use.
type Session struct {
	opts SessionOptions

	mu       sync.Mutex
	server   *Server  // set once the page listens
	outcome  *Outcome // the first Finish, kept for a page that has not started yet
	linkRan  bool     // Link was called
	closing  chan struct{}
	closeErr error
	closed   sync.Once
}

// NewSession prepares a session; nothing listens until Link.
func NewSession(opts SessionOptions) *Session {
	return &Session{opts: opts, closing: make(chan struct{})}
}

// Link starts the page for linkToken and blocks until Link hands over a public token (returning
// it and the institution the user picked; ids and names may be empty), or Link exits (err is
// *ExitError, and the page is told the terminal stopped waiting), or the SDK cannot load (err is
// a *LoadError), or ctx ends (ctx.Err()), or the session is closed
// (ErrSessionClosed). The page keeps running after Link returns, so it can show the outcome
// given to Finish; Close stops it. A Session runs Link once: a second call returns
// ErrSessionUsed. With SessionOptions.Reopen, an exit or a load failure does not end Link: it
// reaches OnUpdate, and the page offers to reopen (or reload) Link on the same token.
func (s *Session) Link(ctx context.Context, linkToken string) (publicToken, institutionID, institutionName string, err error) {
	srv, err := s.start(linkToken)
	if err != nil {
		return "", "", "", err
	}
	url := srv.URL()
	s.update(Update{Kind: UpdateStarted, URL: url})
	if s.opts.OpenBrowser && s.opts.Browser != nil {
		s.update(Update{Kind: UpdateBrowser, URL: url, BrowserErr: s.opts.Browser.Browse(url)})
	}
	for {
		select {
		case <-ctx.Done():
			return "", "", "", ctx.Err()
		case <-s.closing:
			return "", "", "", ErrSessionClosed
		case ev, ok := <-srv.Events():
			if !ok {
				return "", "", "", ErrSessionClosed
			}
			s.update(Update{Kind: UpdateEvent, Event: ev})
			switch ev.Kind {
			case KindSuccess:
				if ev.Success != nil && ev.Success.Institution != nil {
					institutionID, institutionName = ev.Success.Institution.InstitutionID, ev.Success.Institution.Name
				}
				return ev.PublicToken, institutionID, institutionName, nil
			case KindExit:
				if s.opts.Reopen {
					continue // the page offers to reopen Link; the front end shows the exit meanwhile
				}
				s.finish(Outcome{Message: exitedMessage, Ending: EndingExited})
				return "", "", "", ev.ExitErr()
			case KindLoadFailed:
				if s.opts.Reopen {
					continue // the page offers to reload once the script is unblocked
				}
				s.finish(Outcome{Message: blockedMessage, Ending: EndingBlocked})
				return "", "", "", &LoadError{Reason: ev.LoadError}
			}
		}
	}
}

// start builds and starts the page under the lock, so a Close that races it either comes
// first (and nothing listens) or finds the server to shut down.
func (s *Session) start(linkToken string) (*Server, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.linkRan {
		return nil, ErrSessionUsed
	}
	s.linkRan = true
	select {
	case <-s.closing:
		return nil, ErrSessionClosed
	default:
	}
	opts := s.opts.Page
	if s.opts.RedirectURI != "" {
		opts.RedirectURI = s.opts.RedirectURI
	}
	opts.LinkToken = linkToken
	srv, err := New(opts)
	if err != nil {
		return nil, fmt.Errorf("prepare the link page: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start the link page: %w", err)
	}
	srv.AllowReopen(s.opts.Reopen)
	if s.outcome != nil {
		srv.Finish(*s.outcome)
	}
	s.server = srv
	return srv, nil
}

func (s *Session) update(u Update) {
	if s.opts.OnUpdate != nil {
		s.opts.OnUpdate(u)
	}
}

// URL is the page's address, "" before the page listens.
func (s *Session) URL() string { return s.fromServer((*Server).URL) }

// OAuthRedirectURI is the page's OAuth return address when it serves one, else "".
func (s *Session) OAuthRedirectURI() string { return s.fromServer((*Server).OAuthRedirectURI) }

// fromServer is what read says of the page's server, "" before the page listens.
func (s *Session) fromServer(read func(*Server) string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server == nil {
		return ""
	}
	return read(s.server)
}

// OpenBrowser opens (again) the page in the browser: the TUI's `o` key. It reports to its
// caller only, not through OnUpdate, which belongs to Link's goroutine.
func (s *Session) OpenBrowser() error {
	if s.opts.Browser == nil {
		return ErrNoBrowser
	}
	url := s.URL()
	if url == "" {
		return ErrNotListening
	}
	if err := s.opts.Browser.Browse(url); err != nil {
		return fmt.Errorf("open the link page in the browser: %w", err)
	}
	return nil
}

// Finish tells an open tab how the flow ended. Only the first call counts: the page shows one
// ending, and the terminal's first word on it is the true one (a later Close must not turn a
// success into "closed from the terminal"). Said before the page listens, it is kept for it.
func (s *Session) Finish(ok bool, message string) {
	s.finish(Outcome{OK: ok, Message: message})
}

// finish is Finish with the whole outcome, its Ending included.
func (s *Session) finish(o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outcome != nil {
		return
	}
	s.outcome = &o
	if s.server != nil {
		s.server.Finish(o)
	}
}

// Close tells an open tab the session was closed from the terminal (unless Finish already said
// how it ended), then shuts the page down within a few seconds; when it returns, the port is
// closed. A Link in progress returns ErrSessionClosed. Close is idempotent and safe before,
// during and after Link; later calls return the first call's result.
func (s *Session) Close() error {
	s.closed.Do(func() {
		s.finish(Outcome{Message: closedMessage, Ending: EndingClosed})
		s.mu.Lock()
		close(s.closing)
		srv := s.server
		s.mu.Unlock()
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		s.closeErr = srv.Shutdown(ctx)
	})
	return s.closeErr
}
