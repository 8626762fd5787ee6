package emulator

import "net/http"

// The page at /_emulator/: what GET /_emulator/state says, for a person, kept up to date as
// calls arrive. It is the emulator's own page, served from its own origin with its script and
// style beside it (no CDN: the emulator works offline), and it reads the state with same-origin
// fetches, which the control API's Host and Origin rules (callers.go) let through while they
// keep every other page out.

// inspectPageCSP allows the page its own script, style and fetches and nothing else; no other
// page may frame it.
const inspectPageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) serveInspectPage(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", inspectPageCSP)
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveAsset(w, "assets/inspect.html", "text/html; charset=utf-8")
}

func serveInspectAsset(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Cross-Origin-Resource-Policy", "same-origin")
	serveAsset(w, name, contentType)
}
