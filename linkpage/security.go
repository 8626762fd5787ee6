package linkpage

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// NonceHeader carries the per-session nonce on every callback and on /status.
// A custom header also makes these requests non-simple, so another origin
// cannot send them without a CORS preflight, which this server never answers.
const NonceHeader = "X-Link-Nonce"

// newSessionNonce returns 32 random bytes, hex-encoded. Only the page this
// server rendered knows it, so only that page can report Link's callbacks.
func newSessionNonce() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// newCSPNonce returns a fresh nonce for one page response's
// Content-Security-Policy (see cspHeader).
func newCSPNonce() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported platforms; if it ever does,
		// a page without a style nonce is safer than a guessable one.
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// nonceOK compares in constant time so the nonce cannot be guessed byte by
// byte from response timings.
func (s *Server) nonceOK(r *http.Request) bool {
	got := r.Header.Get(NonceHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.nonce)) == 1
}

// hostAllowed reports whether the Host header names this server exactly.
// A DNS-rebinding page reaches 127.0.0.1 under its own name (evil.com:PORT);
// refusing every other Host keeps it from reading the page and its nonce.
// Before the address is known, nothing is allowed.
func (s *Server) hostAllowed(host string) bool {
	for _, h := range s.hostNames() {
		if host == h {
			return true
		}
	}
	return false
}

// originAllowed reports whether a browser-supplied Origin is this server's
// own: the page is served from http://127.0.0.1:PORT, and the OAuth return
// page from whichever loopback name the redirect URI uses.
func (s *Server) originAllowed(origin string) bool {
	for _, h := range s.hostNames() {
		if origin == "http://"+h {
			return true
		}
	}
	return false
}

// hostNames are the host:port names this server answers to: 127.0.0.1 and
// localhost (which a browser may send to 127.0.0.1), and [::1] only while it
// listens there too, for a redirect URI. None before the address is known.
func (s *Server) hostNames() []string {
	port := s.port()
	if port == "" {
		return nil
	}
	names := []string{"127.0.0.1:" + port, "localhost:" + port}
	s.mu.Lock()
	ipv6 := s.ipv6
	s.mu.Unlock()
	if ipv6 {
		names = append(names, "[::1]:"+port)
	}
	return names
}

// withHostCheck refuses requests whose Host is not this server (421).
func (s *Server) withHostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			http.Error(w, "misdirected request: this server answers only to its own loopback address", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withSecurityHeaders sets the headers every response carries, errors included.
// The page handler replaces the Content-Security-Policy with one carrying that
// response's nonce.
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.cspHeader(""))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// cspHeader builds the Content-Security-Policy. The page's own script and
// style are same-origin files, so neither script-src nor style-src needs
// 'unsafe-inline'. The Link SDK's origin may load scripts, frames (Link runs
// in an iframe from it) and connections (a stand-in SDK talks to its fake
// server). Plaid's own API origin is allowed to connect because Plaid's CSP
// guidance for link-initialize.js asks for it.
//
// cspNonce, when set, is added to script-src and style-src and handed to the
// SDK (script nonce attribute and Plaid.create's cspNonce), so the <style>
// elements Link injects are allowed without 'unsafe-inline'. Plaid documents
// that Link still sets inline style attributes, so style-src-attr (attributes
// only, which cannot run script) allows them; nothing else is inline.
func (s *Server) cspHeader(cspNonce string) string {
	script := []string{"'self'"}
	style := []string{"'self'"}
	if cspNonce != "" {
		script = append(script, "'nonce-"+cspNonce+"'")
		style = append(style, "'nonce-"+cspNonce+"'")
	}
	script = append(script, s.sdkOrigin)
	connect := []string{"'self'", s.sdkOrigin}
	connect = append(connect, s.apiOrigins...)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(script, " "),
		"style-src " + strings.Join(style, " "),
		"style-src-attr 'unsafe-inline'",
		"frame-src " + s.sdkOrigin,
		"connect-src " + strings.Join(dedupe(connect), " "),
		"img-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// plaidAPIOrigins are the API origins Link connects to, by environment.
// The demo talks to no Plaid at all; an unset environment allows both.
func plaidAPIOrigins(env string) []string {
	switch env {
	case "sandbox":
		return []string{"https://sandbox.plaid.com"}
	case "production":
		return []string{"https://production.plaid.com"}
	case "demo":
		return nil
	default:
		return []string{"https://sandbox.plaid.com", "https://production.plaid.com"}
	}
}

// originRE is what may appear in the CSP as a source: scheme, host, port.
// Anything else (a quote, a semicolon, a space) could rewrite the policy.
var originRE = regexp.MustCompile(`^https?://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$`)

// parseScriptURL checks the Link SDK URL and returns it with its origin.
// The page runs whatever this URL serves with full access to the link token
// and the nonce, so it must come over https, or over http only from this
// machine (a pinned copy or a stand-in on loopback).
func parseScriptURL(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("script URL %q: %w", raw, err)
	}
	if u.User != nil {
		return "", "", fmt.Errorf("script URL %q: must not carry credentials", raw)
	}
	host := strings.ToLower(u.Hostname())
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopbackHost(host) {
			return "", "", fmt.Errorf("script URL %q: http is allowed only on a loopback host (127.0.0.1, localhost, [::1]); use https", raw)
		}
	default:
		return "", "", fmt.Errorf("script URL %q: must be https, or http on a loopback host", raw)
	}
	if host == "" {
		return "", "", fmt.Errorf("script URL %q: has no host", raw)
	}
	origin := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	if !originRE.MatchString(origin) {
		return "", "", fmt.Errorf("script URL %q: unexpected characters in its origin", raw)
	}
	return u.String(), origin, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// isJSON reports whether the request says it carries JSON. Requiring it keeps
// HTML forms (which cannot send application/json) from posting callbacks.
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// sameOriginRequest checks what the browser says about where a request came
// from: Origin, when sent, must be this server's; Sec-Fetch-Site, when sent,
// must be same-origin.
func (s *Server) sameOriginRequest(r *http.Request) bool {
	if o, ok := r.Header["Origin"]; ok && (len(o) != 1 || !s.originAllowed(o[0])) {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	return true
}
