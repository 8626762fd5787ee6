package linkpage_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    linkpage.Options
		wantErr string // "" means New succeeds
	}{
		{name: "defaults", opts: linkpage.Options{LinkToken: testToken}},
		{name: "no link token", opts: linkpage.Options{}, wantErr: "link token"},
		{name: "https SDK anywhere", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "https://pinned.example.com/link/link-initialize.js"}},
		{name: "http SDK on 127.0.0.1", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://127.0.0.1:9911/link-initialize.js"}},
		{name: "http SDK on localhost", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://localhost:9911/sdk.js"}},
		{name: "http SDK on [::1]", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://[::1]:9911/sdk.js"}},
		{name: "http SDK elsewhere", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://cdn.plaid.com/link/v2/stable/link-initialize.js"}, wantErr: "https"},
		{name: "http SDK on a lookalike host", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://127.0.0.1.evil.example/sdk.js"}, wantErr: "https"},
		{name: "http SDK on the LAN", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "http://192.168.1.5/sdk.js"}, wantErr: "https"},
		{name: "javascript: URL", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "javascript:alert(1)"}, wantErr: "https"},
		{name: "relative URL", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "/sdk.js"}, wantErr: "https"},
		{name: "credentials in the URL", opts: linkpage.Options{LinkToken: testToken, ScriptURL: "https://user:pw@cdn.example.com/sdk.js"}, wantErr: "credentials"},
		{name: "known environments", opts: linkpage.Options{LinkToken: testToken, Environment: "production"}},
		{name: "unknown environment", opts: linkpage.Options{LinkToken: testToken, Environment: "development"}, wantErr: "environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := linkpage.New(tt.opts)
			if tt.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, want a server", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// DNS rebinding: a page on evil.com that resolves to 127.0.0.1 reaches this
// server with Host evil.com:PORT, and must get nothing from it.
func TestHostHeader(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	nonce := pageNonce(t, s)
	hosts := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:40123", true},
		{"localhost:40123", true},
		{"evil.com:40123", false},
		{"127.0.0.1:40124", false},
		{"localhost:8080", false},
		{"127.0.0.1", false},
		{"localhost", false},
		{"[::1]:40123", false}, // not listening there without a redirect URI
		{"0.0.0.0:40123", false},
		{"127.0.0.1.evil.com:40123", false},
		{"LOCALHOST:40123x", false},
		{"", false}, // no Host at all (HTTP/1.0)
	}
	paths := []req{
		{path: "/"},
		{path: "/page.js"},
		{path: "/oauth-return"},
		{path: "/status", headers: map[string]string{"X-Link-Nonce": nonce}},
		{method: http.MethodPost, path: "/callback/event", body: eventBody("OPEN"),
			headers: map[string]string{"Content-Type": "application/json", "X-Link-Nonce": nonce}},
		{path: "/no-such-page"},
	}
	for _, h := range hosts {
		for _, p := range paths {
			p.host = h.host
			if h.host == "" {
				p.host = "<empty>"
			}
			w := do(t, s, p)
			refused := w.Code == http.StatusMisdirectedRequest
			if refused == h.ok {
				t.Errorf("Host %q %s %s = %d, want refused=%v", h.host, p.method, p.path, w.Code, !h.ok)
			}
			if !h.ok && strings.Contains(w.Body.String(), nonce) {
				t.Errorf("Host %q: response leaks the nonce", h.host)
			}
		}
	}
	// Drain what the accepted event posts emitted.
	for len(s.Events()) > 0 {
		<-s.Events()
	}
}

// Before the address is known the handler has nothing to compare the Host
// with, and refuses everything rather than guessing.
func TestHandlerFailsClosedWithoutAddress(t *testing.T) {
	s, err := linkpage.New(linkpage.Options{LinkToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if w := do(t, s, req{path: "/"}); w.Code != http.StatusMisdirectedRequest {
		t.Errorf("GET / with no address = %d, want 421", w.Code)
	}
	if s.URL() != "" || s.OAuthRedirectURI() != "" {
		t.Errorf("URL %q, OAuthRedirectURI %q before any address, want empty", s.URL(), s.OAuthRedirectURI())
	}
}

func TestRoutesAndMethods(t *testing.T) {
	s := newServer(t, linkpage.Options{})
	tests := []struct {
		method, path string
		want         int
		allow        string // expected Allow header on 405
		contentType  string // prefix expected on 200
	}{
		{method: "GET", path: "/", want: 200, contentType: "text/html; charset=utf-8"},
		{method: "HEAD", path: "/", want: 200},
		{method: "GET", path: "/page.js", want: 200, contentType: "text/javascript"},
		{method: "GET", path: "/page.css", want: 200, contentType: "text/css"},
		{method: "GET", path: "/index.html", want: 404},
		{method: "GET", path: "/page.js/", want: 404},
		{method: "GET", path: "/page.jsx", want: 404},
		{method: "GET", path: "/favicon.ico", want: 404},
		{method: "GET", path: "/callback", want: 404},
		{method: "POST", path: "/callback/", want: 404},
		{method: "POST", path: "/callback/success/", want: 404},
		{method: "POST", path: "/callback/other", want: 404},
		{method: "GET", path: "/status/", want: 404},
		{method: "GET", path: "/oauth-return", want: 404}, // no redirect URI, no return page
		{method: "GET", path: "/assets/page.html", want: 404},
		{method: "POST", path: "/", want: 405, allow: "GET, HEAD"},
		{method: "DELETE", path: "/page.js", want: 405, allow: "GET, HEAD"},
		{method: "POST", path: "/status", want: 405, allow: "GET, HEAD"},
		{method: "GET", path: "/callback/success", want: 405, allow: "POST"},
		{method: "PUT", path: "/callback/exit", want: 405, allow: "POST"},
		{method: "OPTIONS", path: "/callback/event", want: 405, allow: "POST"}, // no CORS preflight, ever
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := do(t, s, req{method: tt.method, path: tt.path})
			if w.Code != tt.want {
				t.Fatalf("= %d, want %d", w.Code, tt.want)
			}
			if tt.allow != "" && w.Header().Get("Allow") != tt.allow {
				t.Errorf("Allow = %q, want %q", w.Header().Get("Allow"), tt.allow)
			}
			if tt.contentType != "" && !strings.HasPrefix(w.Header().Get("Content-Type"), tt.contentType) {
				t.Errorf("Content-Type = %q, want %q", w.Header().Get("Content-Type"), tt.contentType)
			}
			if w.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Error("response carries CORS headers")
			}
		})
	}
}

// Every response, errors included, carries the security headers.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newServer(t, linkpage.Options{Environment: "sandbox"})
	for _, r := range []req{
		{path: "/"},
		{path: "/page.js"},
		{path: "/page.css"},
		{path: "/status"},                        // 403
		{path: "/nope"},                          // 404
		{method: "POST", path: "/"},              // 405
		{path: "/", host: "evil.com:40123"},      // 421
		{method: "POST", path: "/callback/exit"}, // 403
	} {
		w := do(t, s, r)
		name := r.method + " " + r.path + " (" + http.StatusText(w.Code) + ")"
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"Cache-Control":          "no-store",
		}
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
		csp := cspDirectives(t, w.Header().Get("Content-Security-Policy"))
		for d, want := range map[string][]string{
			"default-src":     {"'none'"},
			"frame-src":       {"https://cdn.plaid.com"},
			"img-src":         {"'self'", "data:"},
			"base-uri":        {"'none'"},
			"form-action":     {"'none'"},
			"frame-ancestors": {"'none'"},
		} {
			if !slices.Equal(csp[d], want) {
				t.Errorf("%s: CSP %s = %v, want %v", name, d, csp[d], want)
			}
		}
		for _, d := range []string{"script-src", "style-src", "connect-src"} {
			if len(csp[d]) == 0 || csp[d][0] != "'self'" {
				t.Errorf("%s: CSP %s = %v, want 'self' first", name, d, csp[d])
			}
		}
	}
}

// The page's CSP: the SDK's origin (and nothing broader) may run script and
// frames; the page's own script and style need no 'unsafe-inline'.
func TestCSPFollowsScriptURL(t *testing.T) {
	tests := []struct {
		name       string
		opts       linkpage.Options
		sdkOrigin  string
		apiOrigins []string
	}{
		{name: "default SDK, sandbox", opts: linkpage.Options{Environment: "sandbox"},
			sdkOrigin: "https://cdn.plaid.com", apiOrigins: []string{"https://sandbox.plaid.com"}},
		{name: "default SDK, production", opts: linkpage.Options{Environment: "production"},
			sdkOrigin: "https://cdn.plaid.com", apiOrigins: []string{"https://production.plaid.com"}},
		{name: "stand-in SDK on loopback (demo)", opts: linkpage.Options{Environment: "demo", ScriptURL: "http://127.0.0.1:9911/link-initialize.js?v=1"},
			sdkOrigin: "http://127.0.0.1:9911"},
		{name: "pinned copy", opts: linkpage.Options{Environment: "sandbox", ScriptURL: "https://Mirror.Example.com:8443/plaid/link.js"},
			sdkOrigin: "https://mirror.example.com:8443", apiOrigins: []string{"https://sandbox.plaid.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.opts)
			w := do(t, s, req{path: "/"})
			csp := cspDirectives(t, w.Header().Get("Content-Security-Policy"))
			nonce := regexp.MustCompile(`data-csp-nonce="([^"]+)"`).FindStringSubmatch(w.Body.String())
			if nonce == nil {
				t.Fatal("page has no data-csp-nonce")
			}
			wantScript := []string{"'self'", "'nonce-" + nonce[1] + "'", tt.sdkOrigin}
			if !slices.Equal(csp["script-src"], wantScript) {
				t.Errorf("script-src = %v, want %v", csp["script-src"], wantScript)
			}
			if want := []string{"'self'", "'nonce-" + nonce[1] + "'"}; !slices.Equal(csp["style-src"], want) {
				t.Errorf("style-src = %v, want %v", csp["style-src"], want)
			}
			if !slices.Equal(csp["frame-src"], []string{tt.sdkOrigin}) {
				t.Errorf("frame-src = %v, want [%s]", csp["frame-src"], tt.sdkOrigin)
			}
			wantConnect := append([]string{"'self'", tt.sdkOrigin}, tt.apiOrigins...)
			if !slices.Equal(csp["connect-src"], wantConnect) {
				t.Errorf("connect-src = %v, want %v", csp["connect-src"], wantConnect)
			}
			for _, d := range []string{"script-src", "style-src", "default-src", "connect-src"} {
				for _, src := range csp[d] {
					if src == "'unsafe-inline'" || src == "'unsafe-eval'" || src == "*" || src == "http:" || src == "https:" {
						t.Errorf("%s allows %s", d, src)
					}
				}
			}
			// Plaid documents that Link sets style attributes; only
			// attributes get 'unsafe-inline', and they cannot run script.
			if !slices.Equal(csp["style-src-attr"], []string{"'unsafe-inline'"}) {
				t.Errorf("style-src-attr = %v", csp["style-src-attr"])
			}
			if tt.sdkOrigin != "https://cdn.plaid.com" && strings.Contains(w.Header().Get("Content-Security-Policy"), "cdn.plaid.com") {
				t.Error("CSP still allows cdn.plaid.com after the SDK URL was overridden")
			}
			// The per-response nonce is fresh each time.
			again := regexp.MustCompile(`data-csp-nonce="([^"]+)"`).FindStringSubmatch(do(t, s, req{path: "/"}).Body.String())
			if again[1] == nonce[1] {
				t.Error("CSP nonce reused across page responses")
			}
		})
	}
}

func TestPageCarriesOnlyTheLinkToken(t *testing.T) {
	s := newServer(t, linkpage.Options{Environment: "sandbox", ClientName: "Acme Onboarding"})
	w := do(t, s, req{path: "/"})
	page := w.Body.String()
	for _, want := range []string{
		`data-link-token="` + testToken + `"`,
		`data-sdk-url="https://cdn.plaid.com/link/v2/stable/link-initialize.js"`,
		`data-mode="open"`,
		`<title>Connect a bank account · Acme Onboarding</title>`,
		`<h1>Connect a bank account</h1>`,
		`<script src="/page.js"></script>`,
		`<link rel="stylesheet" href="/page.css">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if regexp.MustCompile(`access-(sandbox|production|development)`).MatchString(page) {
		t.Error("page contains something that looks like an access token")
	}
	if strings.Contains(strings.ToLower(page), "secret\"") || strings.Contains(page, "PLAID-SECRET") {
		t.Error("page mentions a secret field")
	}
	// No inline script or style for the CSP to have to allow.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Error("page has inline script, style or event handlers")
	}
}

// Given the client name, Then the tab's title leads with the task and names whose it is, and the
// page names plaid-onboard once: the default client name is the brand, which the header shows.
func TestPageNamesTheBrandOnce(t *testing.T) {
	tests := []struct {
		client    string
		wantTitle string
		wantLede  string
	}{
		{"plaid-onboard", "Connect a bank account · plaid-onboard", "Plaid Link runs in this tab."},
		{"", "Connect a bank account · plaid-onboard", "Plaid Link runs in this tab."},
		{"Acme Onboarding", "Connect a bank account · Acme Onboarding", `For <span class="client">Acme Onboarding</span>, with Plaid Link in this tab.`},
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			page := do(t, newServer(t, linkpage.Options{Environment: "sandbox", ClientName: tt.client}), req{path: "/"}).Body.String()
			if want := "<title>" + tt.wantTitle + "</title>"; !strings.Contains(page, want) {
				t.Errorf("page lacks %s", want)
			}
			if !strings.Contains(page, tt.wantLede) {
				t.Errorf("page lacks the line %s", tt.wantLede)
			}
			body := page[strings.Index(page, "<body>"):]
			body = body[:strings.Index(body, "<footer")] // the footer says who serves the page
			if n := strings.Count(body, "plaid-onboard"); n != 1 {
				t.Errorf("the page's header and heading name plaid-onboard %d times, want once", n)
			}
		})
	}
}

func TestPageEscapesHostileInput(t *testing.T) {
	hostileName := `</title><script>alert("name")</script>`
	hostileToken := `link-sandbox-x" onmouseover="alert(1)"><script>alert('token')</script>`
	s := newServer(t, linkpage.Options{LinkToken: hostileToken, ClientName: hostileName})
	w := do(t, s, req{path: "/"})
	page := w.Body.String()
	for _, raw := range []string{`<script>alert`, `" onmouseover="`, `</title><script>`} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	// The values are still there, escaped, for the script to read back.
	m := regexp.MustCompile(`data-link-token="([^"]*)"`).FindStringSubmatch(page)
	if m == nil || html.UnescapeString(m[1]) != hostileToken {
		t.Errorf("data-link-token does not round-trip: %v", m)
	}
	if !strings.Contains(page, "&lt;/title&gt;&lt;script&gt;") {
		t.Error("client name not HTML-escaped in the page")
	}
}

func TestEnvironmentBadge(t *testing.T) {
	tests := []struct {
		env     string
		want    []string
		notWant []string
	}{
		{env: "sandbox", want: []string{`class="env env-sandbox">Sandbox<`}, notWant: []string{"env-note"}},
		{env: "production", want: []string{`class="env env-production">Production<`, "real bank credentials"}},
		{env: "demo", want: []string{`class="env env-demo">Offline demo — not Plaid<`, "Nothing on this page talks to Plaid"}},
		{env: "", notWant: []string{`class="env `}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			page := do(t, newServer(t, linkpage.Options{Environment: tt.env}), req{path: "/"}).Body.String()
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}
