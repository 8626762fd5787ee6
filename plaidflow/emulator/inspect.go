package emulator

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Looking inside: what the emulator holds, for a test that wants to see it, for the page at
// /_emulator/ and for `plaid-onboard emulator logs`. Read-only, on the control API's port and
// under its rules (callers.go):
//
//	GET /_emulator/state      Items and their accounts, webhooks delivered, recent calls, faults
//	GET /_emulator/requests   the recent calls only
//	GET /_emulator/           the page that shows the state, live
//
// Both JSON answers take ?after=N&wait=DURATION: the answer waits (up to wait, at most
// maxPollWait) until there is something after N, a state's version or a call's seq, so a
// watcher learns of a change as it happens without asking over and over.
//
// No secret is shown: an access token is cut to its first characters (enough to tell two
// apart), and accounts show their masks, never their full numbers.

// maxPollWait bounds ?wait=: proxies and clients give up on a silent connection after a
// minute or so, and a watcher simply asks again.
const maxPollWait = time.Minute

// inspectState is the answer of GET /_emulator/state.
type inspectState struct {
	// Version moves on with every call and every change: ?after=VERSION waits for the next.
	Version uint64 `json:"version"`
	// Now is the emulator's clock, moved by POST /_emulator/clock/advance.
	Now      string           `json:"now"`
	Items    []inspectItem    `json:"items"`
	Webhooks []inspectWebhook `json:"webhooks"`
	// Requests are the recent calls, newest first; the log keeps RequestsKept of them.
	Requests     []LoggedRequest `json:"requests"`
	RequestsKept int             `json:"requests_kept"`
	Faults       []faultEcho     `json:"faults"`
}

// inspectItem is an Item as the state shows it.
type inspectItem struct {
	ItemID          string `json:"item_id"`
	InstitutionID   string `json:"institution_id"`
	InstitutionName string `json:"institution_name"`
	// State is healthy, ITEM_LOGIN_REQUIRED, pending_automatic_verification or
	// pending_manual_verification (an account waits for micro-deposits).
	State string `json:"state"`
	// Error is what /item/get shows in item.error.
	Error   *errorBody `json:"error"`
	Webhook *string    `json:"webhook"`
	Created string     `json:"created"`
	// AccessToken is the start of the Item's access token, null before its public token is
	// exchanged.
	AccessToken *string       `json:"access_token"`
	Products    []string      `json:"products"`
	AuthMethod  *string       `json:"auth_method"`
	Accounts    []accountJSON `json:"accounts"`
}

// inspectWebhook is a webhook the emulator is done with.
type inspectWebhook struct {
	Time        string `json:"time"`
	URL         string `json:"url"`
	WebhookType string `json:"webhook_type"`
	WebhookCode string `json:"webhook_code"`
	ItemID      string `json:"item_id,omitempty"`
	// Outcome is delivered (the receiver answered 2xx), failed (it answered otherwise or not
	// at all, every attempt) or skipped (never sent: Error says why).
	Outcome  string `json:"outcome"`
	Status   int    `json:"status"` // the receiver's last answer; 0: none
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

// LoggedRequest is one call of the request log.
type LoggedRequest struct {
	Seq       uint64 `json:"seq"`
	Time      string `json:"time"`
	RequestID string `json:"request_id"`
	Endpoint  string `json:"endpoint"`
	// Status is the HTTP status answered; 0 when no answer was sent (a hang or drop fault, or
	// a client that gave up).
	Status    int     `json:"status"`
	ErrorCode string  `json:"error_code,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
	// AnswerLost marks a call that took effect while a fault lost its answer.
	AnswerLost bool `json:"answer_lost,omitempty"`
}

// LoggedRequests is the answer of GET /_emulator/requests.
type LoggedRequests struct {
	Requests []LoggedRequest `json:"requests"` // newest first
	// Last is the seq of the newest call: ?after=LAST waits for the next one.
	Last uint64 `json:"last"`
	// Missed counts the calls after ?after= that the log no longer holds.
	Missed uint64 `json:"missed"`
}

// serveInspect answers the read-only routes under /_emulator/, reporting false for any other
// route. They change nothing, so they come before the control API's change bracket: a page left
// open must not make the kept answers of a load test stale.
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request, route string) bool {
	switch route {
	case "", "state", "requests", "inspect.js", "inspect.css":
	default:
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use GET", r.Method, r.URL.Path))
		return true
	}
	switch route {
	case "":
		s.serveInspectPage(w)
	case "inspect.js":
		serveInspectAsset(w, "assets/inspect.js", "text/javascript; charset=utf-8")
	case "inspect.css":
		serveInspectAsset(w, "assets/inspect.css", "text/css; charset=utf-8")
	case "state":
		after, wait, err := pollParams(r)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return true
		}
		if wait > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), wait)
			defer cancel()
			s.reqLog.waitPast(ctx, s.stopping, after)
		}
		writeJSON(w, http.StatusOK, s.inspect())
	case "requests":
		after, wait, err := pollParams(r)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return true
		}
		writeJSON(w, http.StatusOK, s.requestsAfter(r.Context(), after, wait))
	}
	return true
}

// pollParams reads ?after=N&wait=DURATION.
func pollParams(r *http.Request) (after uint64, wait time.Duration, err error) {
	q := r.URL.Query()
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("after=%q is not a number: give the version or seq of the last answer", v)
		}
	}
	if v := q.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 {
			return 0, 0, fmt.Errorf("wait=%q is not a duration such as 25s", v)
		}
	}
	return after, min(wait, maxPollWait), nil
}

// requestsAfter returns the calls after seq after, waiting up to wait for one when there is
// none yet.
func (s *Server) requestsAfter(ctx context.Context, after uint64, wait time.Duration) LoggedRequests {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	version := s.reqLog.current()
	for {
		calls, last, missed := s.reqLog.since(after)
		if len(calls) > 0 || missed > 0 || last < after || ctx.Err() != nil || s.isStopping() {
			out := LoggedRequests{Requests: make([]LoggedRequest, 0, len(calls)), Last: last, Missed: missed}
			for _, c := range calls {
				out.Requests = append(out.Requests, c.json())
			}
			return out
		}
		version = s.reqLog.waitPast(ctx, s.stopping, version)
	}
}

func (s *Server) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

func (c loggedRequest) json() LoggedRequest {
	return LoggedRequest{Seq: c.seq, Time: c.at.UTC().Format(timeMillis), RequestID: c.requestID, Endpoint: c.path,
		Status: c.status, ErrorCode: c.errorCode, LatencyMS: float64(c.latency.Microseconds()) / 1000, AnswerLost: c.lost}
}

// timeMillis is RFC 3339 to the millisecond: calls come faster than one a second.
const timeMillis = "2006-01-02T15:04:05.000Z07:00"

// inspect gathers the state. The version is read first, so that a change made while the rest is
// gathered is after it, and a watcher asking ?after=VERSION sees it.
func (s *Server) inspect() inspectState {
	st := inspectState{Version: s.reqLog.current(), Now: rfc3339(s.now()), RequestsKept: requestLogSize,
		Items: []inspectItem{}, Webhooks: []inspectWebhook{}, Requests: []LoggedRequest{}}
	s.mu.Lock()
	for _, it := range s.items {
		st.Items = append(st.Items, it.inspect())
	}
	st.Faults = s.faultsQueued()
	s.mu.Unlock()
	slices.SortFunc(st.Items, func(a, b inspectItem) int {
		return cmp.Or(strings.Compare(b.Created, a.Created), strings.Compare(a.ItemID, b.ItemID))
	})

	delivered := s.deliveries()
	for i := len(delivered) - 1; i >= 0; i-- {
		st.Webhooks = append(st.Webhooks, delivered[i].inspect())
	}
	calls, _, _ := s.reqLog.since(0)
	for _, c := range calls {
		st.Requests = append(st.Requests, c.json())
	}
	return st
}

// inspect shows the Item. It expects s.mu to be held.
func (it *item) inspect() inspectItem {
	j := it.json()
	out := inspectItem{ItemID: it.id, InstitutionID: it.inst.id, InstitutionName: it.inst.name, State: "healthy",
		Webhook: j.Webhook, Created: rfc3339(it.created), Products: j.Products, AuthMethod: j.AuthMethod,
		Accounts: accountsJSON(it.inst, it.accounts)}
	if it.accessToken != "" {
		out.AccessToken = ptr(shortToken(it.accessToken))
	}
	for _, a := range it.accounts {
		if a.verificationStatus == statusPendingAutomatic || a.verificationStatus == statusPendingManual {
			out.State = a.verificationStatus
		}
	}
	if it.loginRequired {
		out.State = "ITEM_LOGIN_REQUIRED"
		b := newError("ITEM_LOGIN_REQUIRED").body("")
		out.Error = &b
	}
	return out
}

// shortTokenChars is how much of a token's identifier the state shows: enough to tell the
// Items apart, far from enough to use.
const shortTokenChars = 4

// shortToken cuts a token (access-sandbox-<uuid>) to its kind and environment and the first
// characters of its identifier.
func shortToken(tok string) string {
	i := strings.LastIndex(tok, "-sandbox-")
	if i < 0 {
		return "…"
	}
	head := tok[:i+len("-sandbox-")]
	id := tok[len(head):]
	return head + id[:min(len(id), shortTokenChars)] + "…"
}

func (d delivery) inspect() inspectWebhook {
	out := inspectWebhook{URL: d.URL, WebhookType: d.Type, WebhookCode: d.Code, ItemID: d.ItemID,
		Status: d.Status, Attempts: d.Attempts, Outcome: "failed"}
	if !d.At.IsZero() {
		out.Time = d.At.UTC().Format(timeMillis)
	}
	switch {
	case d.Skipped != "" && d.Attempts == 0:
		out.Outcome, out.Error = "skipped", d.Skipped
	case d.Status >= 200 && d.Status < 300:
		out.Outcome = "delivered"
	case d.Skipped != "":
		out.Error = d.Skipped
	case d.Status == 0:
		out.Error = "the receiver did not answer"
	default:
		out.Error = fmt.Sprintf("the receiver answered %d %s", d.Status, http.StatusText(d.Status))
	}
	return out
}
