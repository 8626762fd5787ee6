package plaidapi

import (
	"context"
	"net/http"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

// Hosted Link: Plaid serves Link on its own page (hosted_link_url), which anyone can open on any
// device, and keeps what happened there for the app to read back with /link/token/get
// (https://plaid.com/docs/link/hosted-link/, https://plaid.com/docs/api/link/#linktokenget).

// setHostedOptions adds the hosted_link object (empty: Plaid's defaults, the URL living as long
// as the token) and the webhook to a /link/token/create request.
func setHostedOptions(req *plaid.LinkTokenCreateRequest, opts LinkTokenOptions) {
	if opts.Hosted {
		h := plaid.NewLinkTokenCreateHostedLink()
		if opts.HostedLifetime > 0 {
			h.SetUrlLifetimeSeconds(int32(max(opts.HostedLifetime/time.Second, 1)))
		}
		req.SetHostedLink(*h)
	}
	if opts.Webhook != "" {
		req.SetWebhook(opts.Webhook)
	}
}

// LinkSession is one Link session of a link token, as /link/token/get reports it.
type LinkSession struct {
	ID       string
	Finished bool
	// PublicTokens are the Items the session added (results.item_add_results, in order).
	PublicTokens []string
	// Institution is the bank of the first Item added, as Link named it; nil when none.
	Institution *Institution
	// Exit is set when the session ended without an Item: the error Link showed, if any.
	Exit *SessionExit
}

// SessionExit is a Link session's exit: Link's error fields (empty when the user just closed
// Link) and its metadata.
type SessionExit struct {
	ErrorType, ErrorCode, ErrorMessage, DisplayMessage string
	Status, RequestID, Institution                     string
}

// LinkTokenSessions is /link/token/get's answer: the token's expiry and its sessions so far.
type LinkTokenSessions struct {
	Expiration time.Time
	Sessions   []LinkSession
	RequestID  string
}

// LinkSessions calls /link/token/get for linkToken's Link sessions and their results.
func (c *Client) LinkSessions(ctx context.Context, linkToken string) (LinkTokenSessions, error) {
	const op = "get link token"
	req := plaid.NewLinkTokenGetRequest(linkToken)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.LinkTokenGetResponse, *http.Response, error) {
		return c.api.PlaidApi.LinkTokenGet(ctx).LinkTokenGetRequest(*req).Execute()
	})
	if err != nil {
		return LinkTokenSessions{}, err
	}
	out := LinkTokenSessions{Expiration: resp.GetExpiration(), RequestID: resp.GetRequestId()}
	for _, s := range resp.GetLinkSessions() {
		ls := LinkSession{ID: s.GetLinkSessionId(), Finished: s.FinishedAt.Get() != nil}
		if r, ok := s.GetResultsOk(); ok && r != nil {
			for _, add := range r.GetItemAddResults() {
				if add.GetPublicToken() == "" {
					continue
				}
				ls.PublicTokens = append(ls.PublicTokens, add.GetPublicToken())
				if in, ok := add.GetInstitutionOk(); ok && in != nil && ls.Institution == nil {
					ls.Institution = &Institution{ID: in.GetInstitutionId(), Name: in.GetName(), FromLink: true}
				}
			}
		}
		if len(ls.PublicTokens) == 0 {
			if on, ok := s.GetOnSuccessOk(); ok && on != nil && on.GetPublicToken() != "" {
				// Older answers carry the token only in on_success.
				ls.PublicTokens = []string{on.GetPublicToken()}
			}
		}
		if x, ok := s.GetExitOk(); ok && x != nil && len(ls.PublicTokens) == 0 {
			ls.Exit = &SessionExit{}
			if e, ok := x.GetErrorOk(); ok && e != nil {
				ls.Exit.ErrorType, ls.Exit.ErrorCode = string(e.GetErrorType()), e.GetErrorCode()
				ls.Exit.ErrorMessage, ls.Exit.DisplayMessage = e.GetErrorMessage(), e.GetDisplayMessage()
			}
			if m, ok := x.GetMetadataOk(); ok && m != nil {
				ls.Exit.Status, ls.Exit.RequestID = m.GetStatus(), m.GetRequestId()
				if in, ok := m.GetInstitutionOk(); ok && in != nil {
					ls.Exit.Institution = in.GetName()
				}
			}
		}
		out.Sessions = append(out.Sessions, ls)
	}
	return out, nil
}
