package tui

import (
	"fmt"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// linkExitError is Link closing without an account: the user's choice or a Link error. Quitting
// after it exits 1, and the message names what Plaid support asks for.
type linkExitError struct {
	err                      *linkpage.LinkError
	status                   string
	requestID, linkSessionID string
	institution              string
}

func newLinkExitError(ev linkpage.Event) *linkExitError {
	e := &linkExitError{err: ev.ExitError}
	if ev.Exit != nil {
		e.status, e.requestID, e.linkSessionID = ev.Exit.Status, ev.Exit.RequestID, ev.Exit.LinkSessionID
		if ev.Exit.Institution != nil {
			e.institution = ev.Exit.Institution.Name
		}
	}
	return e
}

func (e *linkExitError) Error() string {
	msg := "link closed before an account was linked"
	if e.status != "" {
		msg += " (status " + e.status + ")"
	}
	if e.err != nil && e.err.ErrorCode != "" {
		msg = fmt.Sprintf("link exited with %s (%s): %s", e.err.ErrorCode, e.err.ErrorType, e.err.ErrorMessage)
	}
	if e.requestID != "" {
		msg += " [request_id " + e.requestID + "]"
	}
	if e.linkSessionID != "" {
		msg += " [link_session_id " + e.linkSessionID + "]"
	}
	return msg
}

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
	case *linkExitError:
		if e.err != nil && e.err.ErrorCode != "" {
			lines = append(lines, st.Code.Render(e.err.ErrorCode)+st.Muted.Render(" ("+e.err.ErrorType+")"))
			lines = append(lines, wrap(e.err.ErrorMessage, inner)...)
			if d := e.err.DisplayMessage; d != "" && d != e.err.ErrorMessage {
				lines = append(lines, wrap(d, inner)...)
			}
		} else {
			lines = append(lines, "You closed Link before linking an account.")
		}
		field("institution", e.institution)
		field("status", e.status)
		field("request_id", e.requestID)
		field("link_session_id", e.linkSessionID)
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
