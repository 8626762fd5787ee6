package plaidapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// attemptKey carries the attempt number of a call from retryTransport to the timeline.
type attemptKey struct{}

func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// callKey carries the call number of a call's attempts from retryTransport to the timeline,
// which gives it on the first attempt: every attempt of one call shares it.
type callKey struct{}

type callSlot struct{ n int }

func withCallSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, callKey{}, &callSlot{})
}

// callNumber is the number of the call req belongs to, given on its first attempt.
func callNumber(ctx context.Context, tl *transcript.Timeline) int {
	slot, _ := ctx.Value(callKey{}).(*callSlot)
	if slot == nil {
		return tl.NextCall()
	}
	if slot.n == 0 {
		slot.n = tl.NextCall()
	}
	return slot.n
}

func attemptOf(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}

// timelineTransport records each attempt of each Plaid call on the client's Timeline: the
// endpoint, the HTTP status, request_id, how long it took, the Plaid error, and the ids an
// answer hands out (item_id, account_ids). It sits inside the retries, so every attempt is
// one entry, and outside the cleaning, so it reads what the rest of the program reads. It also
// teaches the timeline's redactor every secret that crosses it (the client secret, tokens,
// account numbers), so a transcript cannot hold them even where no rule would spot them.
type timelineTransport struct {
	next   http.RoundTripper
	client *Client
}

// RoundTrip implements http.RoundTripper.
func (t timelineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tl := t.client.Timeline
	if tl == nil {
		return t.next.RoundTrip(req)
	}
	red := tl.Redactor()
	red.Learn("token", req.Header.Get("PLAID-SECRET"))
	call := callNumber(req.Context(), tl)
	var sent []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		red.LearnJSON(body)
		sent = body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	e := transcript.Entry{Kind: transcript.KindAPICall, Endpoint: req.URL.Path, Attempt: attemptOf(req.Context()), DurationMS: transcript.MS(time.Since(start)),
		Call: call, BaseURL: req.URL.Scheme + "://" + req.URL.Host, Request: tl.RequestBody(sent)}
	if err != nil {
		e.NetworkError = sanitize.Text(err.Error())
		tl.Add(e)
		return resp, err
	}
	e.HTTPStatus = resp.StatusCode
	e.RequestID = resp.Header.Get("X-Request-Id")
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		e.NetworkError = sanitize.Text(rerr.Error())
	}
	red.LearnJSON(body)
	tl.LearnAnswer(call, body)
	var ans struct {
		RequestID    string `json:"request_id"`
		ItemID       string `json:"item_id"`
		ErrorType    string `json:"error_type"`
		ErrorCode    string `json:"error_code"`
		ErrorMessage string `json:"error_message"`
		Item         *struct {
			ItemID string `json:"item_id"`
		} `json:"item"`
		Accounts []struct {
			AccountID string `json:"account_id"`
		} `json:"accounts"`
	}
	if json.Unmarshal(body, &ans) == nil {
		if ans.RequestID != "" {
			e.RequestID = ans.RequestID
		}
		e.ItemID = ans.ItemID
		if ans.Item != nil && e.ItemID == "" {
			e.ItemID = ans.Item.ItemID
		}
		for _, a := range ans.Accounts {
			e.AccountIDs = append(e.AccountIDs, a.AccountID)
		}
		e.ErrorType, e.ErrorCode, e.ErrorMessage = ans.ErrorType, ans.ErrorCode, ans.ErrorMessage
	}
	tl.Add(e)
	return resp, nil
}
