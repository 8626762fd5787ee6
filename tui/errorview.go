package tui

import (
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// errorBlock renders an error the way support needs it: a title, then every field of
// plaidflow.Explain (Plaid's code and type, its messages, the request and Link session ids,
// what had already happened, what to do next), wrapped to w so nothing is cut. The body
// scrolls, so the block is never shortened to fit.
func (c *common) errorBlock(title string, err error, w int) []string {
	st := c.styles
	inner := max(w-2, 8) // the bar and its padding
	p := plaidflow.Explain(err)
	var lines []string
	if p.ErrorCode != "" {
		head := st.Code.Render(p.ErrorCode)
		if p.ErrorType != "" {
			head += st.Muted.Render(" (" + p.ErrorType + ")")
		}
		lines = append(lines, head)
	}
	fields := p.Fields()
	kw := 0
	for _, f := range fields {
		if f[0] != "error_code" && f[0] != "error_type" {
			kw = max(kw, len(f[0]))
		}
	}
	for _, f := range fields {
		switch f[0] {
		case "error_code", "error_type":
			continue // the first line
		case "error_message":
			lines = append(lines, wrap(f[1], inner)...)
			continue
		}
		for i, l := range wrap(f[1], max(inner-kw-2, 8)) {
			if i == 0 {
				lines = append(lines, st.Muted.Render(padRight(f[0], kw)+"  ")+l)
			} else {
				lines = append(lines, strings.Repeat(" ", kw+2)+l)
			}
		}
	}
	return append([]string{st.Bad.Render("✗ " + title)}, strings.Split(st.ErrorBox.Render(strings.Join(lines, "\n")), "\n")...)
}
