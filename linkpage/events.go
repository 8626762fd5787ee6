package linkpage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
)

// EventKind tells which Link callback an Event came from.
type EventKind int

// The kinds of Event, one per Link callback.
const (
	KindSuccess EventKind = iota + 1 // onSuccess: a public token to exchange
	KindExit                         // onExit: the user closed Link, or Link failed
	KindEvent                        // onEvent: Link's progress and analytics events
	// KindLoadFailed: the page could not load the Link SDK (network, CDN, a wrong
	// PLAID_LINK_SCRIPT_URL), so Link will never call back; the program should say so
	// rather than wait.
	KindLoadFailed
)

// String returns the callback's name, for logs and --json output.
func (k EventKind) String() string {
	switch k {
	case KindSuccess:
		return "success"
	case KindExit:
		return "exit"
	case KindEvent:
		return "event"
	case KindLoadFailed:
		return "load-failed"
	default:
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
}

// Event is one Link callback, forwarded by the page and checked by the server.
//
// The metadata pointer that belongs to the kind (Success, Exit or Metadata) is
// never nil, so a consumer can read its fields without checking. Every string
// has had control characters removed: these values end up in a terminal, and
// a hostile escape sequence must not reach it.
type Event struct {
	Kind     EventKind
	Received time.Time

	// KindSuccess
	PublicToken string
	Success     *SuccessMetadata

	// KindExit
	ExitError *LinkError // nil when the user just closed Link
	Exit      *ExitMetadata

	// KindEvent
	Name     string // OPEN, TRANSITION_VIEW, SELECT_INSTITUTION, ERROR, EXIT, HANDOFF...
	Metadata *EventMetadata

	// KindLoadFailed: what the page saw, in its words.
	LoadError string

	// RawMetadata is the callback's metadata object as Link passed it
	// (compacted JSON, nil when Link passed none), with the fields this package
	// does not model. It is for --json output and support logs; it never holds
	// the public token, which Link passes outside the metadata.
	RawMetadata json.RawMessage
}

// Institution is the bank the user picked in Link.
type Institution struct {
	Name          string `json:"name"`
	InstitutionID string `json:"institution_id"`
}

// Account is one account the user shared in Link.
type Account struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Mask               string `json:"mask"`
	Type               string `json:"type"`
	Subtype            string `json:"subtype"`
	VerificationStatus string `json:"verification_status"`
}

// SuccessMetadata is the metadata of onSuccess.
type SuccessMetadata struct {
	Institution    *Institution `json:"institution"` // nil when Link sent null
	Accounts       []Account    `json:"accounts"`
	LinkSessionID  string       `json:"link_session_id"`
	TransferStatus string       `json:"transfer_status"`
}

// LinkError is the error of onExit.
type LinkError struct {
	ErrorType      string `json:"error_type"`
	ErrorCode      string `json:"error_code"`
	ErrorMessage   string `json:"error_message"`
	DisplayMessage string `json:"display_message"`
}

// ExitMetadata is the metadata of onExit.
type ExitMetadata struct {
	Institution   *Institution `json:"institution"` // nil when Link sent null
	Status        string       `json:"status"`      // requires_credentials, institution_not_found, ...
	LinkSessionID string       `json:"link_session_id"`
	RequestID     string       `json:"request_id"`
}

// EventMetadata is the metadata of onEvent.
type EventMetadata struct {
	ErrorCode              string `json:"error_code"`
	ErrorMessage           string `json:"error_message"`
	ErrorType              string `json:"error_type"`
	ExitStatus             string `json:"exit_status"`
	InstitutionID          string `json:"institution_id"`
	InstitutionName        string `json:"institution_name"`
	InstitutionSearchQuery string `json:"institution_search_query"`
	MFAType                string `json:"mfa_type"`
	ViewName               string `json:"view_name"`
	RequestID              string `json:"request_id"`
	LinkSessionID          string `json:"link_session_id"`
	Timestamp              string `json:"timestamp"`
}

// The bodies the page posts. These are this package's own wire format, so
// unknown fields are refused; the metadata inside is Plaid's and may grow, so
// unknown fields there are kept in RawMetadata and otherwise ignored.
type (
	successBody struct {
		PublicToken string          `json:"public_token"`
		Metadata    json.RawMessage `json:"metadata"`
	}
	exitBody struct {
		Error    json.RawMessage `json:"error"`
		Metadata json.RawMessage `json:"metadata"`
	}
	eventBody struct {
		EventName string          `json:"event_name"`
		Metadata  json.RawMessage `json:"metadata"`
	}
)

// The patterns are compiled when the first callback comes, not at start-up: their counted
// repeats compile to large programs, 1.3 ms of every command's start (GODEBUG=inittrace=1).
var (
	// Plaid's public tokens look like public-sandbox-<uuid>; anything with
	// other characters is not one, and would be passed to an API call.
	publicTokenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,256}$`) })
	// Plaid's event names are upper-case words joined by underscores; the
	// looser pattern leaves room for a stand-in SDK, not for escape sequences.
	eventNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`) })
)

// decodeMetadata decodes a callback's metadata into md and removes its control characters; it
// returns the metadata as it came, for the transcript.
func decodeMetadata[M interface{ sanitize() }](raw json.RawMessage, md M) (json.RawMessage, error) {
	raw, err := decodeObject(raw, md)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	md.sanitize()
	return raw, nil
}

// decodeSuccess turns a /callback/success body into an Event.
func decodeSuccess(body []byte) (Event, error) {
	var b successBody
	if err := decodeStrict(body, &b); err != nil {
		return Event{}, err
	}
	if !publicTokenRE().MatchString(b.PublicToken) {
		return Event{}, errors.New("public_token is missing or malformed")
	}
	md := &SuccessMetadata{}
	raw, err := decodeMetadata(b.Metadata, md)
	if err != nil {
		return Event{}, err
	}
	return Event{Kind: KindSuccess, PublicToken: b.PublicToken, Success: md, RawMetadata: raw}, nil
}

// decodeExit turns a /callback/exit body into an Event.
func decodeExit(body []byte) (Event, error) {
	var b exitBody
	if err := decodeStrict(body, &b); err != nil {
		return Event{}, err
	}
	var le LinkError
	if _, err := decodeObject(b.Error, &le); err != nil {
		return Event{}, fmt.Errorf("error: %w", err)
	}
	le.sanitize()
	md := &ExitMetadata{}
	raw, err := decodeMetadata(b.Metadata, md)
	if err != nil {
		return Event{}, err
	}
	ev := Event{Kind: KindExit, Exit: md, RawMetadata: raw}
	if le != (LinkError{}) {
		ev.ExitError = &le
	}
	return ev, nil
}

// decodeEvent turns a /callback/event body into an Event.
func decodeEvent(body []byte) (Event, error) {
	var b eventBody
	if err := decodeStrict(body, &b); err != nil {
		return Event{}, err
	}
	if !eventNameRE().MatchString(b.EventName) {
		return Event{}, errors.New("event_name is missing or malformed")
	}
	md := &EventMetadata{}
	raw, err := decodeMetadata(b.Metadata, md)
	if err != nil {
		return Event{}, err
	}
	return Event{Kind: KindEvent, Name: b.EventName, Metadata: md, RawMetadata: raw}, nil
}

// decodeStrict decodes exactly one JSON object with no unknown fields.
func decodeStrict(body []byte, v any) error {
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return errors.New("malformed body: not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed body: %w", err)
	}
	// Exactly one value: anything after it but whitespace is an error.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("malformed body: data after the JSON object")
	}
	return nil
}

// decodeObject decodes raw (absent, null, or a JSON object) into v and returns
// it compacted; absent and null leave v at its zero value and return nil.
func decodeObject(raw json.RawMessage, v any) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// clean drops control characters and bidirectional overrides, which could
// rewrite the terminal or disguise text when the program prints the value.
func clean(s string) string {
	if strings.IndexFunc(s, isUnsafeRune) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isUnsafeRune(r) {
			return -1
		}
		return r
	}, s)
}

func isUnsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

func (i *Institution) sanitize() {
	if i == nil {
		return
	}
	i.Name = clean(i.Name)
	i.InstitutionID = clean(i.InstitutionID)
}

func (m *SuccessMetadata) sanitize() {
	m.Institution.sanitize()
	for i := range m.Accounts {
		a := &m.Accounts[i]
		a.ID, a.Name, a.Mask = clean(a.ID), clean(a.Name), clean(a.Mask)
		a.Type, a.Subtype, a.VerificationStatus = clean(a.Type), clean(a.Subtype), clean(a.VerificationStatus)
	}
	m.LinkSessionID = clean(m.LinkSessionID)
	m.TransferStatus = clean(m.TransferStatus)
}

func (e *LinkError) sanitize() {
	e.ErrorType, e.ErrorCode = clean(e.ErrorType), clean(e.ErrorCode)
	e.ErrorMessage, e.DisplayMessage = clean(e.ErrorMessage), clean(e.DisplayMessage)
}

func (m *ExitMetadata) sanitize() {
	m.Institution.sanitize()
	m.Status, m.LinkSessionID, m.RequestID = clean(m.Status), clean(m.LinkSessionID), clean(m.RequestID)
}

func (m *EventMetadata) sanitize() {
	for _, p := range []*string{
		&m.ErrorCode, &m.ErrorMessage, &m.ErrorType, &m.ExitStatus, &m.InstitutionID,
		&m.InstitutionName, &m.InstitutionSearchQuery, &m.MFAType, &m.ViewName,
		&m.RequestID, &m.LinkSessionID, &m.Timestamp,
	} {
		*p = clean(*p)
	}
}

// ExitError is a Link exit seen as an error: the user closed Link, or Link failed. Its message
// carries what Plaid support asks for (request_id, link_session_id).
type ExitError struct {
	Err           *LinkError // nil when the user just closed Link
	Status        string     // the pane Link was on, e.g. requires_credentials
	Institution   string
	RequestID     string
	LinkSessionID string
}

// Error implements error.
func (e *ExitError) Error() string {
	msg := "link closed before an account was linked"
	if e.Status != "" {
		msg += " (status " + e.Status + ")"
	}
	if e.Err != nil && e.Err.ErrorCode != "" {
		msg = fmt.Sprintf("link exited with %s (%s): %s", e.Err.ErrorCode, e.Err.ErrorType, e.Err.ErrorMessage)
		if e.Err.DisplayMessage != "" && e.Err.DisplayMessage != e.Err.ErrorMessage {
			msg += " — " + e.Err.DisplayMessage
		}
	}
	if e.RequestID != "" {
		msg += " [request_id " + e.RequestID + "]"
	}
	if e.LinkSessionID != "" {
		msg += " [link_session_id " + e.LinkSessionID + "]"
	}
	return msg
}

// LinkExitField reads the exit by Plaid's field names (error_code, error_type, error_message,
// display_message, status, request_id, link_session_id, institution), so that a program can
// show it like any Plaid error without this package knowing how (plaidflow.LinkExit).
func (e *ExitError) LinkExitField(name string) string {
	var le LinkError
	if e.Err != nil {
		le = *e.Err
	}
	switch name {
	case "error_code":
		return le.ErrorCode
	case "error_type":
		return le.ErrorType
	case "error_message":
		return le.ErrorMessage
	case "display_message":
		return le.DisplayMessage
	case "status":
		return e.Status
	case "request_id":
		return e.RequestID
	case "link_session_id":
		return e.LinkSessionID
	case "institution":
		return e.Institution
	}
	return ""
}

// ExitErr returns a KindExit event as an error, and nil for the other kinds.
func (ev Event) ExitErr() *ExitError {
	if ev.Kind != KindExit {
		return nil
	}
	e := &ExitError{Err: ev.ExitError}
	if ev.Exit != nil {
		e.Status, e.RequestID, e.LinkSessionID = ev.Exit.Status, ev.Exit.RequestID, ev.Exit.LinkSessionID
		if ev.Exit.Institution != nil {
			e.Institution = ev.Exit.Institution.Name
		}
	}
	return e
}

// Label names the callback the way the front ends list it: Link's event name for onEvent
// (OPEN, SELECT_INSTITUTION...), onSuccess, onExit, or LOAD_FAILED. Both front ends show the
// same words, so a user's screenshot and a support log read alike.
func (ev Event) Label() string {
	switch ev.Kind {
	case KindEvent:
		return ev.Name
	case KindSuccess:
		return "onSuccess"
	case KindExit:
		return "onExit"
	case KindLoadFailed:
		return "LOAD_FAILED"
	default:
		return ev.Kind.String()
	}
}

// Detail is the short line shown after Label: what the user did or hit (the bank, the pane, the
// search, the error code), parts joined by " · ", "" when there is nothing to add. It never
// holds the public token.
func (ev Event) Detail() string {
	var parts []string
	add := func(prefix, v, suffix string) {
		if v != "" {
			parts = append(parts, prefix+v+suffix)
		}
	}
	switch ev.Kind {
	case KindEvent:
		if m := ev.Metadata; m != nil {
			add("", m.InstitutionName, "")
			add("view ", m.ViewName, "")
			add("search “", m.InstitutionSearchQuery, "”")
			add("mfa ", m.MFAType, "")
			add("", m.ErrorCode, "")
			add("status ", m.ExitStatus, "")
		}
	case KindSuccess:
		if m := ev.Success; m != nil {
			if m.Institution != nil {
				add("", m.Institution.Name, "")
			}
			if n := len(m.Accounts); n == 1 {
				parts = append(parts, "1 account")
			} else {
				parts = append(parts, fmt.Sprintf("%d accounts", n))
			}
		}
	case KindExit:
		if e := ev.ExitError; e != nil {
			add("", e.ErrorCode, "")
		}
		if m := ev.Exit; m != nil {
			add("status ", m.Status, "")
		}
	case KindLoadFailed:
		add("", ev.LoadError, "")
	}
	return strings.Join(parts, " · ")
}
