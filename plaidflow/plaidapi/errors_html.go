package plaidapi

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// htmlTitle finds a page's title, htmlHeading its first heading, htmlTag any tag.
var (
	htmlTitle   = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlHeading = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
)

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
	if isJSON := strings.Contains(ct, "json") || strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["); isJSON && !isHTML {
		// JSON that is not a Plaid error is an answer cut short or mangled: it may hold what the
		// call was for (an access token), so none of it is quoted.
		return fmt.Sprintf("JSON that cannot be read (%d bytes, not shown: it may hold a token)", len(body))
	}
	if !isHTML {
		return snippet(body)
	}
	for _, re := range []*regexp.Regexp{htmlTitle, htmlHeading} {
		if m := re.FindSubmatch(body); m != nil {
			if title := pageText(m[1]); title != "" {
				return fmt.Sprintf("an HTML page titled %s", snippet([]byte(title)))
			}
		}
	}
	if text := pageText(body); text != "" {
		return fmt.Sprintf("an HTML page saying %s", snippet([]byte(text)))
	}
	return "an empty HTML page"
}

// pageText is the text of a piece of HTML, on one line.
func pageText(b []byte) string {
	s := htmlTag.ReplaceAllString(string(b), " ")
	return sanitize.Text(strings.Join(strings.Fields(html.UnescapeString(s)), " "))
}
