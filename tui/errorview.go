package tui

import (
	"strings"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// errorBlock renders an error the way support needs it: Plaid's code and type, its messages,
// the request id, and what to do next, wrapped to w so nothing is cut.
func (c *common) errorBlock(title string, err error, w int) string {
	st := c.styles
	inner := w - 2 // the bar and its padding
	var lines []string
	var fields [][2]string
	field := func(k, v string) {
		if v != "" {
			fields = append(fields, [2]string{k, v})
		}
	}
	switch e := err.(type) {
	case *linkpage.ExitError:
		if e.Err != nil && e.Err.ErrorCode != "" {
			lines = append(lines, st.Code.Render(e.Err.ErrorCode)+st.Muted.Render(" ("+e.Err.ErrorType+")"))
			lines = append(lines, wrap(e.Err.ErrorMessage, inner)...)
			if d := e.Err.DisplayMessage; d != "" && d != e.Err.ErrorMessage {
				lines = append(lines, wrap(d, inner)...)
			}
		} else {
			lines = append(lines, "You closed Link before linking an account.")
		}
		field("institution", e.Institution)
		field("status", e.Status)
		field("request_id", e.RequestID)
		field("link_session_id", e.LinkSessionID)
	default:
		if pe, ok := plaidflow.AsError(err); ok {
			lines = append(lines, st.Code.Render(pe.Code)+st.Muted.Render(" ("+pe.Type+")"))
			lines = append(lines, wrap(pe.Message, inner)...)
			if d := pe.DisplayMessage; d != "" && d != pe.Message {
				lines = append(lines, wrap(d, inner)...)
			}
			field("request_id", pe.RequestID)
			field("next", pe.NextStep())
		} else {
			lines = append(lines, wrap(err.Error(), inner)...)
		}
	}
	kw := 0
	for _, f := range fields {
		kw = max(kw, len(f[0]))
	}
	for _, f := range fields {
		for i, l := range wrap(f[1], inner-kw-2) {
			if i == 0 {
				lines = append(lines, st.Muted.Render(padRight(f[0], kw)+"  ")+l)
			} else {
				lines = append(lines, strings.Repeat(" ", kw+2)+l)
			}
		}
	}
	return st.Bad.Render("✗ "+title) + "\n" + st.ErrorBox.Render(strings.Join(lines, "\n"))
}
