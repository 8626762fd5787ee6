package emulator

import (
	"fmt"
	"net"
	"slices"
	"strconv"
)

// Where the emulator listens. It listens on 127.0.0.1 unless told otherwise: it accepts
// published keys and keeps no secrets of its own, so nothing beyond this machine should reach it
// by accident. In a container it must listen on the container's interfaces (0.0.0.0) for other
// containers and the host's port forwarding to reach it; WithListenHost says so. Whatever it
// listens on, it answers only to the Host names it knows (callers.go), so a web page still
// cannot reach it through DNS rebinding, and it still refuses other pages' Origin.

// defaultListenHost is where it listens unless WithListenHost says otherwise.
const defaultListenHost = "127.0.0.1"

// WithListenHost makes the emulator listen on host, an IP address ("0.0.0.0" or "::" for every
// interface, as in a container) or "localhost", instead of 127.0.0.1. The port is WithPort's.
// It still answers only to its loopback names, the names WithHostNames gives and, when host is
// one address, that address.
func WithListenHost(host string) Option {
	return func(s *Server) { s.listenHost = host }
}

// checkListenHost refuses what is not an IP address to listen on: a name would be resolved,
// and could stand for addresses the user did not mean.
func checkListenHost(host string) error {
	if host == "localhost" || net.ParseIP(host) != nil {
		return nil
	}
	return fmt.Errorf("%q is not an IP address to listen on (such as 127.0.0.1, or 0.0.0.0 for every interface)", host)
}

// listen opens the listener and notes what names this server: its URL and the Host values it
// answers to.
func (s *Server) listen() (net.Listener, error) {
	host := s.listenHost
	if host == "" {
		host = defaultListenHost
	}
	if err := checkListenHost(host); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if host == "localhost" {
		host = defaultListenHost // the name is one machine's loopback, not every address it resolves to
	}
	if s.port < 0 || s.port > 65535 {
		return nil, fmt.Errorf("listen on %s: port %d is not between 0 and 65535", host, s.port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(s.port)))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", host, err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	// As asked, with the port given: Go reports a listener on 0.0.0.0 as [::], its dual-stack
	// socket, which is not what the user typed.
	s.listenAddr = net.JoinHostPort(host, port)
	s.beyondLoopback = !net.ParseIP(host).IsLoopback()
	s.setLocalHosts(port)
	switch {
	case net.ParseIP(host).IsUnspecified():
		// Every interface: clients on this machine (or in this container) reach it on loopback,
		// which is the URL it gives; others name it with a --host name.
		s.URL = "http://" + net.JoinHostPort(defaultListenHost, port)
	default:
		s.URL = "http://" + s.listenAddr
		// One address: a client that dials it names it in Host. An IP address is never the
		// name of a web page's site, so answering to it opens nothing to DNS rebinding.
		if !slices.Contains(s.localHosts, s.listenAddr) {
			s.localHosts = append(s.localHosts, s.listenAddr)
		}
	}
	return ln, nil
}

// ListenAddr is the address the emulator listens on, such as 127.0.0.1:4010 or 0.0.0.0:4010.
func (s *Server) ListenAddr() string { return s.listenAddr }

// ListensBeyondLoopback reports whether machines other than this one may reach the emulator:
// it listens on every interface, or on an address that is not loopback.
func (s *Server) ListensBeyondLoopback() bool { return s.beyondLoopback }

// HostNames are the values of the Host header the emulator answers to, with their ports, such
// as 127.0.0.1:4010, localhost:4010, [::1]:4010 and plaid-emulator:4010.
func (s *Server) HostNames() []string { return slices.Clone(s.localHosts) }

// baseURL is the emulator's URL as the caller of c named it: a client in another container
// that reaches it as plaid-emulator:4010 hands its user's browser a hosted_link_url on
// plaid-emulator:4010, not on 127.0.0.1, the emulator's own loopback. The name was checked
// before the call ran (callers.go); a call that came with none gets the emulator's URL.
func (s *Server) baseURL(c *call) string {
	if c.host == "" {
		return s.URL
	}
	return "http://" + c.host
}
