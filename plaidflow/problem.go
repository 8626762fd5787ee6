package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Problem is a failure as people and --json see it: Plaid's error fields, the ids Plaid
// Support asks for, and what to do next. JSON field names are Plaid's.
type Problem struct {
	ErrorType      string `json:"error_type,omitempty"`
	ErrorCode      string `json:"error_code,omitempty"`
	ErrorMessage   string `json:"error_message"`
	DisplayMessage string `json:"display_message,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
	HTTPStatus     int    `json:"http_status,omitempty"`
	// Link exits: the pane Link was on, the session id and the bank.
	Status        string `json:"status,omitempty"`
	LinkSessionID string `json:"link_session_id,omitempty"`
	Institution   string `json:"institution,omitempty"`

	// Unreachable is the address a network failure could not reach, and Proxy the proxy the
	// call went through.
	Unreachable string `json:"unreachable,omitempty"`
	Proxy       string `json:"proxy,omitempty"`

	DocumentationURL string `json:"documentation_url,omitempty"`
	Next             string `json:"next,omitempty"`
	// Context is a sentence about what had already happened ("the Item was linked and saved").
	Context string `json:"context,omitempty"`
	// Item, Meaning and Repair are set for a failure about a saved Item: its name, what the
	// Item's state means, and the command that repairs it (Link in update mode) when one does.
	Item    string `json:"item,omitempty"`
	Meaning string `json:"meaning,omitempty"`
	Repair  string `json:"repair,omitempty"`
}

// ErrorTypeNetwork is the error_type of a call that reached nobody (not one of Plaid's types):
// its error_code says how (NETWORK_DNS, NETWORK_REFUSED, NETWORK_TLS, NETWORK_TIMEOUT,
// NETWORK_PROXY, NETWORK_CLOSED, NETWORK_OTHER).
const ErrorTypeNetwork = "NETWORK_ERROR"

// LinkExit is the error a LinkUI returns when Link closes without an account (linkpage's
// ExitError is one). Its fields are read by Plaid's field names (error_code, error_type,
// error_message, display_message, status, request_id, link_session_id, institution), so the
// Link page need not import this package.
type LinkExit interface {
	error
	LinkExitField(name string) string
}

// Explain turns any error into a Problem: a Plaid error keeps every field Plaid sent, a Link
// exit its error and ids, anything else its message; each gets the next step when one is known.
func Explain(err error) Problem {
	var p Problem
	if err == nil {
		return p
	}
	var expired *HostedExpiredError
	var se *stepError
	if errors.As(err, &se) {
		p = Explain(se.Err)
		p.Context = se.Context
		return p
	}
	var ch *ChangeError
	if errors.As(err, &ch) {
		p = Explain(ch.Err)
		p.Next, p.Item = ch.Next, ch.Item.Name
		return p
	}
	var ie *ItemError
	if errors.As(err, &ie) {
		p = Explain(ie.Err)
		p.Item = ie.Item.Name
		if NeedsRepair(p.ErrorCode) {
			h := HealthOf(p.ErrorCode, ie.Item.Name, time.Time{}, ie.Voice)
			p.Meaning, p.Repair, p.Next = h.Meaning, h.Repair, h.Next
		}
		return p
	}
	var lost *plaidapi.ExchangeLostError
	if errors.As(err, &lost) {
		p = Explain(lost.Err)
		p.Context = plaidapi.ExchangeLostNotice
		p.Next = "link the account again; nothing was saved, and an Item Plaid may have made cannot be used or removed from here (in Production, Plaid Support can remove it given the request_id)"
		return p
	}
	if pe, ok := plaidapi.AsError(err); ok {
		return Problem{
			ErrorType: pe.Type, ErrorCode: pe.Code, ErrorMessage: pe.Message, DisplayMessage: pe.DisplayMessage,
			RequestID: pe.RequestID, HTTPStatus: pe.HTTPStatus, DocumentationURL: pe.Docs(), Next: pe.NextStep(),
		}
	}
	var ne *plaidapi.NetworkError
	if errors.As(err, &ne) {
		return Problem{
			ErrorType: ErrorTypeNetwork, ErrorCode: "NETWORK_" + strings.ToUpper(string(ne.Kind)),
			ErrorMessage: err.Error(), Unreachable: ne.URL, Proxy: ne.Proxy, Next: ne.Next(),
		}
	}
	var le LinkExit
	if errors.As(err, &le) {
		f := le.LinkExitField
		p = Problem{
			ErrorType: f("error_type"), ErrorCode: f("error_code"), ErrorMessage: f("error_message"),
			DisplayMessage: f("display_message"), RequestID: f("request_id"), Status: f("status"),
			LinkSessionID: f("link_session_id"), Institution: f("institution"),
		}
		if p.ErrorCode == "" {
			p.ErrorMessage = "Link was closed before an account was linked."
			p.Next = "start Link again when you are ready"
		} else {
			p.Next = plaidapi.NextStep(p.ErrorCode, p.ErrorType)
			if NeedsRepair(p.ErrorCode) {
				// The repair hint is for an Item that exists, with a command that names it:
				// this session linked nothing, and "link --update ITEM" pasted as it is fails.
				p.Next = "Link ended with this error, so nothing was linked or repaired: start Link again (in Sandbox, a password of the form error_" + p.ErrorCode + " forces it)"
			}
			p.DocumentationURL = linkExitDocs(p.ErrorCode, p.ErrorType)
		}
		if p.Next == "" {
			p.Next = "start Link again; if it keeps failing, give Plaid Support the link_session_id"
		}
		return p
	}
	var ce *vault.CorruptIndexError
	if errors.As(err, &ce) {
		return Problem{ErrorMessage: err.Error(), Next: ce.Recovery()}
	}
	var ns *plaidapi.NotSavedError
	if errors.As(err, &ns) {
		return Problem{ErrorMessage: err.Error(), Context: ns.Problem, Next: ns.Hint}
	}
	var noItems *NoItemsError
	p.ErrorMessage = err.Error()
	localNext, localOK := localfile.Advice(err)
	switch {
	case errors.Is(err, vault.ErrKeyringUnavailable):
		p.Next = "unlock the OS keyring (or start a desktop session) and try again; on a machine with none, --store file (" + config.StoreVar + "=file) keeps keys and Items in an encrypted file"
	case errors.Is(err, vault.ErrWrongPassphrase):
		p.Next = "run again and type the passphrase the store was made with (or set " + config.PassphraseVar + " to it); it cannot be recovered: without it, move the store's two files aside and link again"
	case errors.Is(err, vault.ErrCorruptStore):
		p.Next = "the file was changed outside plaid-onboard: restore it from a backup, or move it aside and link again (the Items stay listed, without their tokens)"
	case errors.Is(err, config.ErrNoKeys):
		p.Next = "set PLAID_CLIENT_ID and PLAID_SECRET, or try --demo"
	case errors.As(err, &noItems):
		p.Next = "link an account first: " + noItems.Link
	case errors.Is(err, vault.ErrNoItems):
		p.Next = "link an account first"
	case errors.Is(err, vault.ErrAmbiguousItem), errors.Is(err, vault.ErrItemNotFound):
		p.Next = "name a saved Item: plaid-onboard items lists them"
	case errors.Is(err, config.ErrSandboxOnly):
		p.Next = "use PLAID_ENV=sandbox (or --demo)"
	case errors.Is(err, vault.ErrSecretNotFound):
		p.Next = "the Item's access token is not in the store this run uses (the OS keyring; an Item kept in the encrypted file needs --store file): otherwise link the account again (and remove the old Item with `plaid-onboard items remove`)"
	case errors.Is(err, ErrNotRemovedAtPlaid):
		p.Next = "the Item stays live where it was made (Plaid, or the emulator in the demo); if you still have its access token elsewhere, call /item/remove with it"
	case errors.Is(err, ErrRotatedNotSaved):
		p.Next = "keep the new access token shown above somewhere safe: it is the Item's only working token"
	case errors.Is(err, ErrUnknownProcessor):
		p.Next = "use a processor name from Plaid's list (plaid-onboard processor-token --help)"
	case errors.Is(err, ErrAccountNotFound):
		p.Next = "name the account by its id, or by a mask or name only one account has"
	case errors.Is(err, vault.ErrNameTaken), errors.Is(err, vault.ErrBadName):
		p.Next = "pick another name: plaid-onboard items lists the names in use"
	case errors.Is(err, ErrHostedLinkNotEnabled):
		p.Next = "link on this machine instead, with the Link page in the browser: plaid-onboard link (in the terminal UI, the Link screen without H)"
	case errors.As(err, &expired):
		p.Next = "start Hosted Link again for a new code: " + expired.Again + " (in the terminal UI, H on the Link screen)"
	// Last, as the most general: the operating system's errors satisfy net.Error too, so a local
	// file's failure is recognised before the network's.
	case localOK:
		p.Next = localNext
	case isTimeout(err):
		p.Next = "Plaid did not answer in time: try again; if it persists, check the network (and any proxy or PLAID_API_URL), or try --demo offline"
	case isUnreachable(err):
		p.Next = "Plaid could not be reached: check the network (and any proxy or PLAID_API_URL), or try --demo offline"
	}
	return p
}

// linkExitDocs is the errors reference entry for a Link exit's error. Link's errors are API
// errors seen through the SDK, except a few of Link's own with no error_type (oauth-error,
// institution-poor-health-error), which https://plaid.com/docs/errors/link/ documents.
func linkExitDocs(code, typ string) string {
	if typ == "" {
		return "https://plaid.com/docs/errors/link/#" + strings.ToLower(code)
	}
	return plaidapi.DocsURL(code, typ)
}

// Fields lists the problem's fields one per line ("request_id  req-123"), for the commands'
// stderr and the TUI's error blocks: every id support asks for, then what to do next.
func (p Problem) Fields() [][2]string {
	var out [][2]string
	// Values may come from Plaid, Link, a file or a proxy in between: each is one clean line.
	add := func(k, v string) {
		if v = sanitize.Line(v, sanitize.Message); v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("error_code", p.ErrorCode)
	add("error_type", p.ErrorType)
	add("error_message", p.ErrorMessage)
	if p.DisplayMessage != p.ErrorMessage {
		add("display_message", p.DisplayMessage)
	}
	add("unreachable", p.Unreachable)
	add("proxy", p.Proxy)
	add("status", p.Status)
	add("institution", p.Institution)
	add("request_id", p.RequestID)
	add("link_session_id", p.LinkSessionID)
	if p.HTTPStatus != 0 {
		add("http_status", fmt.Sprint(p.HTTPStatus))
	}
	add("context", p.Context)
	add("item", p.Item)
	add("meaning", p.Meaning)
	add("next", p.Next)
	if !strings.Contains(p.Next, p.Repair) { // the next step usually is the repair: say it once
		add("repair", p.Repair)
	}
	// Plaid's page on the error comes last: the next step matters more on a small screen.
	add("docs", p.DocumentationURL)
	return out
}

// WriteProblem prints a failure for the commands' stderr: one line saying what failed, then
// every field, aligned.
func WriteProblem(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %s\n", sanitize.Line(err.Error(), sanitize.Message))
	fields := Explain(err).Fields()
	kw := 0
	for _, f := range fields {
		kw = max(kw, len(f[0])+1) // the name and its colon
	}
	for _, f := range fields {
		if f[0] == "error_message" && !isPlaidShaped(err) {
			continue // the first line said it already
		}
		fmt.Fprintf(w, "  %-*s  %s\n", kw, f[0]+":", f[1])
	}
}

func isPlaidShaped(err error) bool {
	if _, ok := plaidapi.AsError(err); ok {
		return true
	}
	var le LinkExit
	return errors.As(err, &le)
}

// stepError is a step of a Journey that failed, with what had already happened (so a failure
// after the Item was saved says the Item is safe, and how to get its numbers later).
type stepError struct {
	Step    StepID
	Err     error
	Context string
}

// Error implements error.
func (e *stepError) Error() string {
	if e.Context == "" {
		return e.Err.Error()
	}
	return e.Context + ", but: " + e.Err.Error()
}

// Unwrap gives the step's own error.
func (e *stepError) Unwrap() error { return e.Err }

// isTimeout reports whether a call gave up waiting for its answer (the call's deadline, or the
// HTTP client's), as opposed to a connection refused or closed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// isUnreachable reports a call that never got an answer from anyone: no network, a name that
// does not resolve, a refused connection, a timeout.
func isUnreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}
