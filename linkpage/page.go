package linkpage

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"sync"
)

//go:embed assets/page.html assets/page.js assets/page.css
var assets embed.FS

// The page is rendered with html/template so the link token, the client name
// and the SDK URL are escaped for the context they land in. The script and
// the stylesheet are static same-origin files, which is what lets the CSP do
// without 'unsafe-inline'. The template is parsed when a page is first served, not at start-up:
// parsing it took 3 ms of the 5 ms that `--version` took (GODEBUG=inittrace=1), for every
// command, most of which never serve a page.
var (
	pageTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(assets, "assets/page.html"))
	})
	pageJS  = mustAsset("assets/page.js")
	pageCSS = mustAsset("assets/page.css")
)

func mustAsset(name string) []byte {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// pageMode says how the page starts Link.
type pageMode string

const (
	modeOpen   pageMode = "open"   // GET /: Plaid.create then open()
	modeResume pageMode = "resume" // GET at the redirect URI's path: with receivedRedirectUri
)

// pageData is everything the template sees. Only the link token is a
// credential, and it is meant for the browser; there is no field for a
// secret or an access token, and there must never be one.
type pageData struct {
	Title        string
	Brand        string
	ClientName   string // "" when it would only repeat the brand
	EnvLabel     string // "" shows no badge
	EnvClass     string
	EnvNote      string
	LinkToken    string
	SessionNonce string
	CSPNonce     string
	SDKURL       string
	SDKOrigin    string
	Mode         pageMode
}

// brand is the program's name, shown once in the page's header.
const brand = "plaid-onboard"

// pageTitle returns the tab's title and the client name the page names under its heading. The
// task comes first in the title, so a row of tabs still says what this one is for; the client
// name says whose it is. The default client name is the program's own, which the header already
// shows: the page names it once, not twice.
func pageTitle(clientName string) (title, shownName string) {
	const task = "Connect a bank account"
	switch {
	case clientName == "":
		return task + " · " + brand, ""
	case strings.EqualFold(strings.TrimSpace(clientName), brand):
		return task + " · " + clientName, ""
	default:
		return task + " · " + clientName, clientName
	}
}

// environmentBadge returns the badge text, its CSS class and a note.
func environmentBadge(env string) (label, class, note string) {
	switch env {
	case "sandbox":
		return "Sandbox", "sandbox", ""
	case "production":
		return "Production", "production", "Production: use real bank credentials. This links a real account."
	case "demo":
		return "Offline demo — not Plaid", "demo", "Nothing on this page talks to Plaid; the bank is a stand-in."
	default:
		return "", "", ""
	}
}

// servePage renders the Link page; the OAuth return page is the same page in
// resume mode.
func (s *Server) servePage(mode pageMode) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cspNonce := newCSPNonce()
		label, class, note := environmentBadge(s.opts.Environment)
		title, name := pageTitle(s.opts.ClientName)
		data := pageData{
			Title:        title,
			Brand:        brand,
			ClientName:   name,
			EnvLabel:     label,
			EnvClass:     class,
			EnvNote:      note,
			LinkToken:    s.opts.LinkToken,
			SessionNonce: s.nonce,
			CSPNonce:     cspNonce,
			SDKURL:       s.scriptURL,
			SDKOrigin:    s.sdkOrigin,
			Mode:         mode,
		}
		var buf bytes.Buffer
		if err := pageTemplate().Execute(&buf, data); err != nil {
			http.Error(w, "could not render the page", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Security-Policy", s.cspHeader(cspNonce))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	}
}
