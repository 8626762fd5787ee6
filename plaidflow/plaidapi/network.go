package plaidapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// NetKind says how a call failed to reach Plaid: each kind has its own thing to check.
type NetKind string

// The kinds of network failure.
const (
	NetDNS     NetKind = "dns"     // the host name does not resolve
	NetRefused NetKind = "refused" // nothing listens at the host and port
	NetTLS     NetKind = "tls"     // the server's certificate is not trusted
	NetTimeout NetKind = "timeout" // no answer in time
	NetProxy   NetKind = "proxy"   // the proxy in HTTPS_PROXY could not be reached
	NetClosed  NetKind = "closed"  // the connection was closed without an answer
	NetOther   NetKind = "other"
)

// NetworkError is a Plaid call that got no answer from anyone: what could not be reached, how
// it failed, and through which proxy. It replaces the raw Go error ("dial tcp: lookup …: no
// such host"), which says neither what was being reached nor what to check.
type NetworkError struct {
	Op   string
	Kind NetKind
	// URL is the address the call went to; Host its host (and port when one was given).
	URL, Host string
	// Proxy is the proxy the call went through (HTTPS_PROXY), "" when none.
	Proxy string
	// APIURL is PLAID_API_URL when it is set (the Client fills it in).
	APIURL string
	Err    error
}

// Error implements error.
func (e *NetworkError) Error() string {
	var what string
	switch e.Kind {
	case NetDNS:
		what = "the name " + hostOnly(e.Host) + " does not resolve (DNS)"
	case NetRefused:
		what = "the connection to " + e.Host + " was refused: nothing listens there"
	case NetTLS:
		what = "the TLS certificate of " + e.Host + " is not trusted"
	case NetTimeout:
		what = e.Host + " did not answer in time"
	case NetProxy:
		what = "the proxy " + e.Proxy + " could not be reached"
	case NetClosed:
		what = "the connection to " + e.Host + " was closed without an answer"
	default:
		what = "the request to " + e.Host + " failed"
	}
	msg := e.Op + ": could not reach Plaid at " + e.URL + ": " + what
	if cause := rootCause(e.Err); cause != "" {
		msg += " (" + cause + ")"
	}
	return msg
}

// Unwrap gives the transport's own error.
func (e *NetworkError) Unwrap() error { return e.Err }

// Next says what to check for this kind of failure.
func (e *NetworkError) Next() string {
	var next string
	switch e.Kind {
	case NetDNS:
		next = "check the network connection and DNS (is this machine online?)"
	case NetRefused:
		next = "check the host and port: a local server (an emulator, a proxy) must be running there"
	case NetTLS:
		next = "something between you and Plaid presents its own certificate (a company proxy or firewall that inspects HTTPS): add its CA to the system's trust store (or SSL_CERT_FILE), or check the host"
	case NetTimeout:
		next = "check the network connection and any proxy or firewall; Plaid's own status is at https://status.plaid.com"
	case NetProxy:
		next = "check the proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY): the proxy must be running and reachable"
	case NetClosed:
		next = "try again; if it keeps happening, check any proxy or firewall in between"
	default:
		next = "check the network connection and any proxy"
	}
	switch {
	case e.APIURL != "":
		next += "; PLAID_API_URL sends every call to " + e.APIURL + ": unset it to reach Plaid itself"
	case isPlaidHost(e.Host):
	default:
		next += "; check PLAID_API_URL"
	}
	if e.Proxy != "" && e.Kind != NetProxy {
		next += "; calls go through the proxy " + e.Proxy + " (HTTPS_PROXY)"
	}
	return next + ". Or try --demo, which works offline"
}

// asNetworkError recognises a call that never got an answer; nil for anything else (our own
// cancellation included: ctrl+c is not a network failure).
func asNetworkError(op string, err error) *NetworkError {
	var ue *url.Error
	if !errors.As(err, &ue) || errors.Is(err, context.Canceled) {
		return nil
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || u.Host == "" {
		return nil
	}
	ne := &NetworkError{Op: op, URL: u.Scheme + "://" + u.Host, Host: u.Host, Proxy: proxyFor(u), Err: err}
	ne.Kind = netKind(err)
	return ne
}

func netKind(err error) NetKind {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		return NetProxy
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return NetDNS // a lookup that timed out is a DNS problem too: the fix is the same
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	if errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &verify) || errors.As(err, &record) {
		return NetTLS
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return NetRefused
	}
	var timeout interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &timeout) && timeout.Timeout()) {
		return NetTimeout
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return NetClosed
	}
	return NetOther
}

// proxyFor is the proxy Go's transport uses for u, read from the environment as it is now
// (http.ProxyFromEnvironment reads it once per process).
func proxyFor(u *url.URL) string {
	if config.IsLoopbackHost(u.Hostname()) {
		return "" // Go never proxies loopback
	}
	names := []string{"HTTPS_PROXY", "https_proxy"}
	if u.Scheme == "http" {
		names = []string{"HTTP_PROXY", "http_proxy"}
	}
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			if noProxy(u.Hostname()) {
				return ""
			}
			return v
		}
	}
	return ""
}

func noProxy(host string) bool {
	v := os.Getenv("NO_PROXY")
	if v == "" {
		v = os.Getenv("no_proxy")
	}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), ".")
		if p == "*" || (p != "" && (host == p || strings.HasSuffix(host, "."+p))) {
			return true
		}
	}
	return false
}

func isPlaidHost(hostport string) bool {
	h := hostOnly(hostport)
	return h == "plaid.com" || strings.HasSuffix(h, ".plaid.com")
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// rootCause is the innermost message of a transport error, without the URL and operation Go
// repeats around it ("Post \"https://…\": dial tcp: lookup x: no such host" gives "lookup x:
// no such host").
func rootCause(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the deadline"
	}
	return sanitize.Text(err.Error())
}

// netSummary is a transport error in a few words, for a retry's line: the kind of failure and
// its innermost cause, without the URL and operation Go wraps around it.
func netSummary(err error) string {
	rc := rootCause(err)
	switch netKind(err) {
	case NetDNS:
		return "DNS lookup failed (" + rc + ")"
	case NetRefused:
		return "connection refused"
	case NetTLS:
		return "untrusted TLS certificate (" + rc + ")"
	case NetTimeout:
		return "no answer in time"
	case NetProxy:
		return "the proxy could not be reached (" + rc + ")"
	case NetClosed:
		return "connection closed without an answer"
	}
	return rc
}
