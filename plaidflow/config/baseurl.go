package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// The hosts of Plaid's two environments. plaidapi's tests check them against plaid-go's own
// constants, so this package need not import plaid-go.
const (
	SandboxURL    = "https://sandbox.plaid.com"
	ProductionURL = "https://production.plaid.com"
)

// BaseURL is where Plaid calls go: PLAID_API_URL when set, else the environment's host.
func (c Config) BaseURL() (string, error) {
	if c.APIURL == "" {
		if c.Env == Production {
			return ProductionURL, nil
		}
		return SandboxURL, nil
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("PLAID_API_URL %q is not an http(s) URL", c.APIURL)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		// Keys travel in headers: never send them in clear text over a network.
		return "", fmt.Errorf("PLAID_API_URL %q: plain http is allowed only on loopback", c.APIURL)
	}
	return strings.TrimRight(c.APIURL, "/"), nil
}

// IsLoopbackHost reports whether a host name or address stays on this machine: "localhost" or
// any loopback address (127.0.0.0/8, ::1).
func IsLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
