package config

import (
	"strings"
	"testing"
)

// Plaid's rules for redirect_uri, from its OAuth guide (https://plaid.com/docs/link/oauth/) and
// the /link/token/create reference (https://plaid.com/docs/api/link/#linktokencreate): no query
// string, https in Production, plain http accepted for localhost in Sandbox. On top of them,
// plaid-onboard serves the return itself, over http on this computer.
func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		env  Env
		uri  string
		want string // "" means accepted
	}{
		{Sandbox, "http://localhost:8765/oauth-return", ""},
		{Sandbox, "http://localhost:8765/oauth/callback", ""},
		{Sandbox, "http://127.0.0.1:8765/", ""},
		{Sandbox, "http://[::1]:8765/cb", ""},
		{Sandbox, "http://LOCALHOST:8765/cb", ""},
		{Sandbox, "http://app.example.com:8765/cb", "plain http only for localhost"},
		{Sandbox, "http://10.0.0.5:8765/cb", "plain http only for localhost"},
		{Sandbox, "https://app.example.com/oauth", "use http://localhost:PORT/PATH"},
		{Sandbox, "http://localhost:8765/cb?x=1", "query string"},
		{Sandbox, "http://localhost:8765/cb#top", "query string"},
		{Sandbox, "http://localhost:0/cb", "not 1-65535"},
		{Sandbox, "localhost:8765/cb", "not an absolute http(s) URL"},
		{Sandbox, "ftp://localhost:8765/cb", "not an absolute http(s) URL"},
		{Production, "http://localhost:8765/oauth-return", "requires https for a Production redirect URI"},
		{Production, "https://app.example.com/oauth", "leave the redirect URI unset"},
	}
	for _, tt := range tests {
		wantRedirectVerdict(t, CheckRedirectURI(tt.env, tt.uri), tt.env, tt.uri, tt.want)
	}
}

// --redirect-uri and PLAID_REDIRECT_URI are read with the other settings and checked, with the
// environment in force, by the front ends that serve the Link page; --port must agree with the
// redirect URI's port.
func TestCheckLinkPage(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	load := func(o Overrides, environ map[string]string) Config {
		t.Helper()
		cfg, err := LoadConfig(o, env(environ), nil)
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		return cfg
	}
	cfg := load(Overrides{RedirectURI: "http://localhost:8765/cb", LinkPort: 8765}, nil)
	if err := cfg.CheckLinkPage(); err != nil || cfg.RedirectURI != "http://localhost:8765/cb" || cfg.LinkPort != 8765 {
		t.Fatalf("config %+v: %v", cfg, err)
	}
	cfg = load(Overrides{}, map[string]string{"PLAID_REDIRECT_URI": "http://localhost:9000/oauth"})
	if err := cfg.CheckLinkPage(); err != nil || cfg.RedirectURI != "http://localhost:9000/oauth" {
		t.Fatalf("from the environment: %+v, %v", cfg, err)
	}
	if err := load(Overrides{RedirectURI: "http://localhost:8765/cb", LinkPort: 9000}, nil).CheckLinkPage(); err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Errorf("port and redirect URI disagreeing: %v", err)
	}
	if err := load(Overrides{LinkPort: 70000}, nil).CheckLinkPage(); err == nil || !strings.Contains(err.Error(), "not a port") {
		t.Errorf("port 70000: %v", err)
	}
	prod := load(Overrides{Env: "production"}, map[string]string{"PLAID_REDIRECT_URI": "http://localhost:8765/cb"})
	if err := prod.CheckLinkPage(); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("production with an http redirect URI: %v", err)
	}
	if err := load(Overrides{LinkPort: 8765}, nil).CheckLinkPage(); err != nil {
		t.Errorf("--port alone: %v", err)
	}
}

// Plaid's rules alone, for a redirect URI another app serves (doctor --link): the same
// documents as above, without this program's own (loopback http, never in Production).
func TestCheckPlaidRedirectURI(t *testing.T) {
	tests := []struct {
		env  Env
		uri  string
		want string // "" means accepted
	}{
		{Sandbox, "http://localhost:8765/oauth-return", ""},
		{Sandbox, "https://app.example.com/oauth", ""},
		{Production, "https://app.example.com/oauth", ""},
		{Production, "http://localhost:8765/oauth-return", "requires https for a Production redirect URI"},
		{Production, "http://app.example.com/oauth", "requires https for a Production redirect URI"},
		{Sandbox, "http://app.example.com/oauth", "plain http only for localhost"},
		{Sandbox, "https://app.example.com/oauth?x=1", "query string"},
		{Sandbox, "app.example.com/oauth", "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		wantRedirectVerdict(t, CheckPlaidRedirectURI(tt.env, tt.uri), tt.env, tt.uri, tt.want)
	}
}

// wantRedirectVerdict fails t unless err accepts uri (want "") or refuses it saying want.
func wantRedirectVerdict(t *testing.T, err error, env Env, uri, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s %s: %v, want accepted", env, uri, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s %s: %v, want an error saying %q", env, uri, err, want)
	}
}
