package plaidflow

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
)

// htmlTitle finds a page's title.
var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// describeBody is an unexpected body as the user reads it: an HTML page (a load balancer's or
// a captive portal's) by its title, since its markup says nothing to someone in a terminal;
// anything else as a short quoted snippet.
func describeBody(resp *http.Response, body []byte) string {
	ct := ""
	if resp != nil {
		ct = strings.ToLower(resp.Header.Get("Content-Type"))
	}
	trimmed := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 512)])))
	isHTML := strings.HasPrefix(ct, "text/html") || strings.HasPrefix(trimmed, "<!doctype html") || strings.HasPrefix(trimmed, "<html")
	if !isHTML {
		return snippet(body)
	}
	if m := htmlTitle.FindSubmatch(body); m != nil {
		if title := strings.Join(strings.Fields(html.UnescapeString(string(m[1]))), " "); title != "" {
			return fmt.Sprintf("an HTML page titled %s", snippet([]byte(CleanText(title))))
		}
	}
	return "an HTML page without a title"
}
