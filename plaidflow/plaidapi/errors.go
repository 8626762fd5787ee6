package plaidapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/plaid/plaid-go/v42/plaid"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Error is a Plaid API error with the fields Plaid sends, plus what we were doing when it came.
// Every Plaid error reaches the user with its code, type, messages and request id.
type Error struct {
	Op               string `json:"-"`
	HTTPStatus       int    `json:"status,omitempty"`
	Type             string `json:"error_type"`
	Code             string `json:"error_code"`
	Message          string `json:"error_message"`
	DisplayMessage   string `json:"display_message,omitempty"`
	RequestID        string `json:"request_id,omitempty"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	SuggestedAction  string `json:"suggested_action,omitempty"`

	// In is what the call was made with (where the keys came from, the settings), for hints.
	In Circumstances `json:"-"`
}

// Error implements error. It is one line; Details gives the full picture.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "%s (%s): ", e.Code, e.Type)
	}
	b.WriteString(e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request_id %s]", e.RequestID)
	}
	return b.String()
}

// NextStep says what the user can do about the error: Plaid's suggested_action when it sent
// one, else the hint for its code (hints.go).
func (e *Error) NextStep() string {
	if e.SuggestedAction != "" {
		return e.SuggestedAction
	}
	return Hint(e.Code, e.Type, e.Message, e.In)
}

// Docs is Plaid's documentation for the error: the documentation_url Plaid sent, else the
// errors reference entry for its type and code.
func (e *Error) Docs() string {
	if e.DocumentationURL != "" {
		return e.DocumentationURL
	}
	return DocsURL(e.Code, e.Type)
}

// NextStep is the hint for a code seen without the call's circumstances (Link's exits).
func NextStep(code, typ string) string { return Hint(code, typ, "", Circumstances{}) }

// decodeError decodes a failed call like decodeError, and records the circumstances of the
// client that made it (where its keys came from, its settings), which the hints speak of.
func (c *Client) decodeError(op string, err error, resp *http.Response) error {
	err = decodeError(op, err, resp)
	if pe, ok := AsError(err); ok {
		pe.In = circumstancesOf(c.cfg)
		// A proxy (or a PLAID_API_URL that is not Plaid) can repeat the request's headers.
		r := &transcript.Redactor{}
		r.Learn("token", c.cfg.Secret)
		pe.redact(r)
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		ne.APIURL = c.cfg.APIURL
	}
	return err
}

// decodeError turns whatever plaid-go returned into an *Error when Plaid (or something in
// between) answered, and into a wrapped transport error otherwise. Plaid's own errors come as
// JSON; proxies and load balancers answer with HTML, which plaid-go reports as "undefined
// response type".
func decodeError(op string, err error, resp *http.Response) error {
	if err == nil {
		return nil
	}
	var generic plaid.GenericOpenAPIError
	if !errors.As(err, &generic) {
		if ne := asNetworkError(op, err); ne != nil {
			return ne
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	pe, decErr := plaid.ToPlaidError(generic)
	if decErr != nil || pe.ErrorCode == "" {
		e := &Error{
			Op:         op,
			HTTPStatus: status,
			Type:       "API_ERROR",
			Code:       "UNEXPECTED_RESPONSE",
			Message:    fmt.Sprintf("HTTP %d with a body that is not a Plaid error: %s", status, describeBody(resp, generic.Body())),
			RequestID:  requestIDHeader(resp),
		}
		e.redact(&transcript.Redactor{})
		return e
	}
	e := &Error{
		Op:             op,
		HTTPStatus:     status,
		Type:           string(pe.ErrorType),
		Code:           pe.ErrorCode,
		Message:        pe.ErrorMessage,
		DisplayMessage: pe.GetDisplayMessage(),
		RequestID:      pe.GetRequestId(),
	}
	if e.RequestID == "" {
		e.RequestID = requestIDHeader(resp)
	}
	e.DocumentationURL = pe.GetDocumentationUrl()
	e.SuggestedAction = pe.GetSuggestedAction()
	e.redact(&transcript.Redactor{})
	return e
}

// redact takes out of every field what looks like a token (access-, public-, processor-…,
// btok_…) and the values r knows (the secret): whatever Plaid, or something posing as Plaid,
// sent, no error printed, logged or written as --json carries a credential.
func (e *Error) redact(r *transcript.Redactor) {
	for _, f := range []*string{&e.Message, &e.DisplayMessage, &e.SuggestedAction} {
		*f = r.String(*f)
	}
	for _, f := range []*string{&e.Type, &e.Code, &e.RequestID, &e.DocumentationURL} {
		*f = r.ID(*f)
	}
}

func requestIDHeader(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get("X-Request-Id")
}

// snippet keeps an unexpected body short and printable.
func snippet(b []byte) string {
	const max = 120
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return "(empty)"
	}
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return fmt.Sprintf("%q", s)
}

// AsError returns the Plaid error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}

// HasCode reports whether err is a Plaid error with that error_code.
func HasCode(err error, code string) bool {
	pe, ok := AsError(err)
	return ok && pe.Code == code
}

// CodeUnexpectedResponse is the error_code of an answer Plaid would not send: a body that is
// not a Plaid error, or a 200 without a field Plaid's schema requires.
const CodeUnexpectedResponse = "UNEXPECTED_RESPONSE"

// Malformed is the error for a 200 answer without a field the schema requires (an /auth/get
// with no accounts, an exchange with no access token): carrying on would show or save nothing
// as if it were something.
func Malformed(op, requestID, missing string) *Error {
	return &Error{
		Op:         op,
		HTTPStatus: http.StatusOK,
		Type:       "API_ERROR",
		Code:       CodeUnexpectedResponse,
		Message:    "HTTP 200 without " + missing + ", which Plaid's schema requires",
		RequestID:  requestID,
	}
}

// ExchangeLostNotice says what a failed exchange may have left behind at Plaid.
const ExchangeLostNotice = "Plaid may have created an Item whose access token never arrived here (the exchange's answer was lost or unusable)"

// ExchangeLostError is an /item/public_token/exchange whose outcome is unknown: the call may
// have taken effect at Plaid (the Item exists, billed in Production) while its answer was lost
// on the way (a dropped connection, a timeout, a 5xx, a body without the access token). It
// cannot be repaired from here, so the user is told plainly and links again.
type ExchangeLostError struct{ Err error }

// Error implements error.
func (e *ExchangeLostError) Error() string { return e.Err.Error() + "; " + ExchangeLostNotice }

// Unwrap gives the call's own error.
func (e *ExchangeLostError) Unwrap() error { return e.Err }

// exchangeMayHaveHappened reports whether a failed exchange may have created the Item: a Plaid
// error saying the request was refused (4xx), or a network failure before it was sent, rules
// it out.
func exchangeMayHaveHappened(err error) bool {
	var ne *NetworkError
	if errors.As(err, &ne) {
		// No name, no connection, no TLS, no proxy: the request never left this machine.
		return ne.Kind != NetDNS && ne.Kind != NetRefused && ne.Kind != NetTLS && ne.Kind != NetProxy
	}
	pe, ok := AsError(err)
	if !ok {
		return true
	}
	return pe.Code == CodeUnexpectedResponse || pe.HTTPStatus == 0 || pe.HTTPStatus >= 500
}

// ErrNotSaved means a new Item exists at Plaid but could not be saved here.
var ErrNotSaved = errors.New("the item was not saved")

// NotSavedError is a new Item that exists at Plaid but could not be saved (no keyring, a
// locked or hung one, an index that cannot be written). Scripts fail on it, after printing
// the numbers, so nothing relies on an Item that the next run cannot find.
type NotSavedError struct {
	ItemID string
	// Problem says why it was not saved; Hint how to remove the Item at Plaid (UnsavedHint).
	Problem string
	Hint    string
	// At is where the Item lives: "at Plaid" when empty, "in the emulator" in the demo.
	At string
}

// Error implements error.
func (e *NotSavedError) Error() string {
	at := e.At
	if at == "" {
		at = "at Plaid"
	}
	return fmt.Sprintf("%v: %s exists %s but is not kept here", ErrNotSaved, e.ItemID, at)
}

// Unwrap lets errors.Is find ErrNotSaved.
func (e *NotSavedError) Unwrap() error { return ErrNotSaved }
