package linkpage

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// The OAuth return: a bank that uses OAuth sends the browser back to the redirect_uri given to
// /link/token/create, with ?oauth_state_id=…, and that page must re-create Link with the same
// link token and receivedRedirectUri (Plaid's OAuth guide, https://plaid.com/docs/link/oauth/).
// Here the Link page serves that return itself: it listens on the redirect URI's port and
// answers at its path.

// redirectTarget is a redirect URI this page can serve.
type redirectTarget struct {
	uri  string
	port int
	path string // as the browser will request it, escaped
}

// reservedPaths are the page's own routes: a return page there would shadow one of them.
var reservedPaths = []string{"/page.js", "/page.css", "/status"}

// parseRedirectURI checks that raw is a redirect URI this page can serve: plain http (the page
// has no certificate) on a loopback name, with no query or fragment (Plaid refuses them), at a
// path that is not one of the page's own. The messages say what to change.
func parseRedirectURI(raw string) (redirectTarget, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return redirectTarget{}, fmt.Errorf("redirect URI %q is not an absolute URL: use one like http://localhost:8765/oauth-return", raw)
	}
	if u.Scheme != "http" {
		return redirectTarget{}, fmt.Errorf("redirect URI %q: the Link page serves plain http on this computer, so it cannot answer %s: use http://localhost:PORT/PATH", raw, u.Scheme)
	}
	if !isLoopbackHost(strings.ToLower(u.Hostname())) {
		return redirectTarget{}, fmt.Errorf("redirect URI %q: the Link page answers only on this computer: use localhost, 127.0.0.1 or [::1] as the host", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return redirectTarget{}, fmt.Errorf("redirect URI %q: Plaid allows no user, query or fragment in a redirect URI", raw)
	}
	port := 80
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return redirectTarget{}, fmt.Errorf("redirect URI %q: port %q is not 1-65535", raw, p)
		}
		port = n
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	for _, p := range reservedPaths {
		if path == p {
			return redirectTarget{}, fmt.Errorf("redirect URI %q: %s is one of the Link page's own paths: pick another, such as /oauth-return", raw, p)
		}
	}
	if strings.HasPrefix(path, "/callback/") {
		return redirectTarget{}, fmt.Errorf("redirect URI %q: /callback/ is where the Link page reports to the program: pick another path, such as /oauth-return", raw)
	}
	return redirectTarget{uri: raw, port: port, path: path}, nil
}

// RedirectPort is the port a redirect URI the Link page can serve names (80 when it names
// none); ok is false for a URI the page cannot serve, whose reason New gives.
func RedirectPort(redirectURI string) (port int, ok bool) {
	t, err := parseRedirectURI(redirectURI)
	return t.port, err == nil
}

// PortInUseError means another program listens on an address the Link page needs. For an OAuth
// redirect URI that is dangerous, not just inconvenient: the bank sends the browser, with its
// oauth_state_id, to whichever program answers there.
type PortInUseError struct {
	Addr        string // host:port that is taken
	RedirectURI string // "" when the port was chosen with --port alone
}

// Error implements error.
func (e *PortInUseError) Error() string {
	_, port, _ := net.SplitHostPort(e.Addr)
	if e.RedirectURI == "" {
		return fmt.Sprintf("%s is already in use by another program: stop it (`ss -ltnp 'sport = :%s'` names it) or choose another port", e.Addr, port)
	}
	return fmt.Sprintf("%s is already in use by another program, which would receive the OAuth return of the redirect URI %s (browsers try ::1 and 127.0.0.1 for localhost): stop that program (`ss -ltnp 'sport = :%s'` names it) or register a redirect URI with another port in the Plaid Dashboard",
		e.Addr, e.RedirectURI, port)
}

// Is lets callers test for syscall.EADDRINUSE. It is not an Unwrap: the errno is a net.Error,
// and this is no network failure to report as one.
func (e *PortInUseError) Is(target error) bool { return target == syscall.EADDRINUSE }

// listenLoopback binds what the options need: 127.0.0.1 on Port (0: a free port); with a
// redirect URI, its port on both 127.0.0.1 and ::1, since browsers resolve localhost to either
// and try ::1 first. Only when this machine has no IPv6 loopback at all is ::1 skipped (then no
// browser can reach it either, nor can any program squat it); ipv6 reports whether it is bound.
func listenLoopback(port int, redirect *redirectTarget) (lns []net.Listener, ipv6 bool, err error) {
	uri := ""
	if redirect != nil {
		port, uri = redirect.port, redirect.uri
	}
	addr4 := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln4, err := net.Listen("tcp4", addr4)
	if err != nil {
		return nil, false, listenError(addr4, uri, err)
	}
	if redirect == nil {
		return []net.Listener{ln4}, false, nil
	}
	addr6 := net.JoinHostPort("::1", strconv.Itoa(port))
	ln6, err := net.Listen("tcp6", addr6)
	switch {
	case err == nil:
		return []net.Listener{ln4, ln6}, true, nil
	case errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT):
		return []net.Listener{ln4}, false, nil
	default:
		ln4.Close()
		return nil, false, listenError(addr6, uri, err)
	}
}

// listenError says what went wrong binding addr in words that say what to do.
func listenError(addr, redirectURI string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return &PortInUseError{Addr: addr, RedirectURI: redirectURI}
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("listen on %s: %w (ports below 1024 need privileges: use a port above 1024, and register that redirect URI in the Plaid Dashboard)", addr, err)
	}
	return fmt.Errorf("listen on %s: %w", addr, err)
}

// CheckListen binds what a Server built with opts would bind, then lets go: a program calls it
// before it asks Plaid for a link token, so a port another program holds is refused before any
// call. The Server binds again when it starts and refuses the same way if the port was taken
// in between.
func CheckListen(opts Options) error {
	var redirect *redirectTarget
	if opts.RedirectURI != "" {
		t, err := parseRedirectURI(opts.RedirectURI)
		if err != nil {
			return err
		}
		redirect = &t
	}
	lns, _, err := listenLoopback(opts.Port, redirect)
	for _, ln := range lns {
		ln.Close()
	}
	return err
}

// withOAuthReturn serves the OAuth return page at the redirect URI's path, before the mux:
// the path is the user's (registered in the Dashboard), any path at all, so it is compared
// exactly rather than turned into a mux pattern. A redirect URI at "/" shares the Link page's
// path; there the bank's oauth_state_id is what makes a request the return.
func (s *Server) withOAuthReturn(next http.Handler) http.Handler {
	if s.redirect == nil {
		return next
	}
	resume := s.servePage(modeResume)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != s.redirect.path || (s.redirect.path == "/" && !r.URL.Query().Has("oauth_state_id")) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		resume(w, r)
	})
}
