package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// CheckRedirectURI applies Plaid's rules for a redirect_uri, and this program's, before any
// call, with errors that say what to change. Plaid's OAuth guide
// (https://plaid.com/docs/link/oauth/) and the /link/token/create reference
// (https://plaid.com/docs/api/link/#linktokencreate) say: the URI is registered in the
// Dashboard and matched exactly, it carries no query string, Production needs https, and plain
// http is accepted for localhost in Sandbox. The program's own Link page serves the return, on
// this computer and over plain http, so only a loopback http URI can work here; in Production,
// where that is not allowed, Link's pop-up (no redirect URI) completes OAuth banks on desktop.
func CheckRedirectURI(env Env, raw string) error {
	u, err := parseRedirectURI(raw)
	if err != nil {
		return err
	}
	if env == Production {
		return fmt.Errorf("redirect URI %q: Plaid requires https for a Production redirect URI, and plaid-onboard serves the OAuth return over plain http on this computer: in Production leave the redirect URI unset, and Link completes OAuth banks in a pop-up window", raw)
	}
	if u.Scheme == "https" {
		return fmt.Errorf("redirect URI %q: plaid-onboard serves the OAuth return itself, over plain http on this computer, which Sandbox accepts: use http://localhost:PORT/PATH (registered in the Dashboard)", raw)
	}
	if !isLoopbackName(u.Hostname()) {
		return fmt.Errorf("redirect URI %q: Plaid accepts plain http only for localhost, and plaid-onboard serves the return on this computer: use localhost (or 127.0.0.1, [::1]) as the host", raw)
	}
	if _, err := redirectPort(u); err != nil {
		return fmt.Errorf("redirect URI %q: %w", raw, err)
	}
	return nil
}

// CheckPlaidRedirectURI applies Plaid's own rules for a redirect_uri, and only those, for a URI
// another app serves (doctor --link checks the settings of the user's own app): an absolute
// URL with no query string or fragment, https in Production, and plain http only on localhost
// in Sandbox (https://plaid.com/docs/link/oauth/). Plaid would refuse the others, so no call is
// made for them.
func CheckPlaidRedirectURI(env Env, raw string) error {
	u, err := parseRedirectURI(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Scheme == "https":
		return nil
	case env == Production:
		return fmt.Errorf("redirect URI %q: Plaid requires https for a Production redirect URI: register an https URI (your app's OAuth return page) in the Dashboard and use that one", raw)
	case !isLoopbackName(u.Hostname()):
		return fmt.Errorf("redirect URI %q: Plaid accepts plain http only for localhost (and only in Sandbox): use https, or http://localhost:PORT/PATH", raw)
	}
	return nil
}

// parseRedirectURI applies the rules every redirect URI follows: absolute http(s), no query
// string, fragment or user.
func parseRedirectURI(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("redirect URI %q is not an absolute http(s) URL: use one like http://localhost:8765/oauth-return, registered in the Plaid Dashboard", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("redirect URI %q: Plaid refuses a redirect URI with a query string, fragment or user: drop them (here and in the Dashboard)", raw)
	}
	return u, nil
}

// redirectPortOf is the port a redirect URI names (80 for http without one).
func redirectPortOf(raw string) (int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return 0, err
	}
	return redirectPort(u)
}

func redirectPort(u *url.URL) (int, error) {
	p := u.Port()
	if p == "" {
		if u.Scheme == "https" {
			return 443, nil
		}
		return 80, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q is not 1-65535", p)
	}
	return n, nil
}

func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// CheckLinkPage checks the Link page's settings together, for the front ends that serve it
// (link and the terminal UI; the other commands ignore them, so a PLAID_REDIRECT_URI meant for
// another app does not stop them): the redirect URI passes CheckRedirectURI, the port is a
// port, and with a redirect URI it is the URI's, since the page must answer where the bank
// sends the browser.
func (cfg Config) CheckLinkPage() error {
	if cfg.LinkPort < 0 || cfg.LinkPort > 65535 {
		return fmt.Errorf("port %d is not a port: use 1-65535 (or none for a free one)", cfg.LinkPort)
	}
	if cfg.RedirectURI == "" {
		return nil
	}
	if err := CheckRedirectURI(cfg.Env, cfg.RedirectURI); err != nil {
		return err
	}
	if p, _ := redirectPortOf(cfg.RedirectURI); cfg.LinkPort != 0 && cfg.LinkPort != p {
		return fmt.Errorf("port %d and redirect URI %s disagree: the Link page listens on the redirect URI's port (%d); drop --port, or change the redirect URI (and its registration in the Dashboard)", cfg.LinkPort, cfg.RedirectURI, p)
	}
	return nil
}
