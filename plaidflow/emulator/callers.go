package emulator

import (
	"net"
	"net/http"
	"strings"
)

// Who may call the emulator. It accepts the published demo keys and listens on loopback, so
// the one caller to keep out is a web page in the user's browser, which can reach loopback
// ports in two ways: DNS rebinding (the page's own name resolves to 127.0.0.1, and its
// requests name that host in Host), and cross-site requests (a form, or a "no-cors" fetch the
// page cannot read but which still runs; the browser adds the page's Origin). Plaid's clients
// (plaid-go, plaid-node, plaid-python, ...) and tools on this machine send no Origin and name
// the address they dialled in Host; the emulator's own pages send its own origin. Plaid's API
// does not answer browsers either: calls come from the app's server, which holds the secret.

// callerProblem is what gives a request away as coming from a web page.
type callerProblem int

const (
	callerOK      callerProblem = iota
	foreignHost                 // Host names another server: DNS rebinding
	foreignOrigin               // another web page sent it
)

// WithHostNames makes the emulator answer to more names in Host besides its loopback ones:
// the names clients reach it by through a proxy or a container's port forwarding (name or
// name:port; without a port, its own). It listens where WithListenHost says (127.0.0.1 unless
// told otherwise): a name here only lets callers that name it so in.
func WithHostNames(names ...string) Option {
	return func(s *Server) { s.hostNames = append(s.hostNames, names...) }
}

// setLocalHosts notes the Host values that name this server, for port: its loopback address
// as a client may have dialled it, and the names WithHostNames gave. Port 80 may be left out
// of Host, as clients do.
func (s *Server) setLocalHosts(port string) {
	for _, name := range []string{"127.0.0.1", "localhost", "[::1]"} {
		s.localHosts = append(s.localHosts, name+":"+port)
		if port == "80" {
			s.localHosts = append(s.localHosts, name)
		}
	}
	for _, name := range s.hostNames {
		if _, _, err := net.SplitHostPort(name); err == nil {
			s.localHosts = append(s.localHosts, name)
			continue
		}
		s.localHosts = append(s.localHosts, net.JoinHostPort(strings.Trim(name, "[]"), port))
	}
}

// checkCaller says whether r can come from a Plaid client or tool on this machine. It runs on
// every API call, so it allocates nothing.
func (s *Server) checkCaller(r *http.Request) callerProblem {
	if !s.namesThisServer(r.Host) {
		return foreignHost
	}
	if origin := r.Header.Get("Origin"); origin != "" && !s.isOwnOrigin(origin) {
		return foreignOrigin
	}
	return callerOK
}

// namesThisServer reports whether host (a Host header) names this server by a loopback name.
func (s *Server) namesThisServer(host string) bool {
	for _, h := range s.localHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// isOwnOrigin reports whether origin is one of the emulator's own web origins (its stand-in
// Link pages).
func (s *Server) isOwnOrigin(origin string) bool {
	hostPort, ok := strings.CutPrefix(origin, "http://")
	return ok && s.namesThisServer(hostPort)
}

// refuseWebPage answers an API call from a web page with Plaid's INVALID_HEADERS error and
// reports true; it reports false for any other caller. The call goes no further: it takes no
// queued fault and changes nothing.
func (s *Server) refuseWebPage(w http.ResponseWriter, r *http.Request) bool {
	var e *apiError
	switch s.checkCaller(r) {
	case callerOK:
		return false
	case foreignHost:
		e = errorf("INVALID_HEADERS", "the Host header %q does not name this emulator: it answers only requests sent to %s "+
			"(or to localhost or [::1] on that port, or a name it was given: plaid-onboard emulator --host), so that a web page cannot reach it "+
			"through DNS rebinding; point your Plaid client at %s", r.Host, s.URL, s.URL)
	case foreignOrigin:
		e = errorf("INVALID_HEADERS", "the request comes from the web page at %q (its Origin header), and the emulator's API "+
			"answers Plaid clients and tools on this machine, not web pages: as with Plaid, call it from your app's server",
			r.Header.Get("Origin"))
	}
	writeError(w, e, s.requestID())
	return true
}
