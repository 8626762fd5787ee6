package plaidflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/plaid/plaid-go/v42/plaid"
)

// What the terminal UI's verification status screen reads and records: a saved Item's accounts
// with their verification_status and, for Database Insights, the insights behind the score
// (https://plaid.com/docs/auth/coverage/database/), and each webhook on the session's timeline.

// KindWebhook is a webhook the session's receiver got, with whether it verified.
const KindWebhook = "webhook"

// Insights are the verification_insights of a Database Insights (or Database Auth) account.
type Insights struct {
	AccountNumberFormat             string `json:"account_number_format,omitempty"`
	NameMatchScore                  *int   `json:"name_match_score"`
	HasNumbersMatch                 bool   `json:"has_numbers_match"`
	IsNumbersMatchVerified          bool   `json:"is_numbers_match_verified"`
	HasPreviousAdministrativeReturn bool   `json:"has_previous_administrative_return"`
}

// VerificationState is a saved Item's accounts as /accounts/get returns them now, with the
// insights of the accounts that have them (by account_id).
type VerificationState struct {
	AuthMethod string              `json:"auth_method,omitempty"`
	Accounts   []Account           `json:"accounts"`
	Insights   map[string]Insights `json:"insights,omitempty"`
}

// VerificationState reads a saved Item's accounts, their verification_status and insights.
func (f *Flow) VerificationState(ctx context.Context, ref string) (*VerificationState, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	const op = "get accounts"
	cctx, cancel := callContext(ctx)
	defer cancel()
	resp, httpResp, err := f.Client.api.PlaidApi.AccountsGet(cctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(c.token)).Execute()
	if err != nil {
		return nil, f.observe(c, decodeError(op, err, httpResp))
	}
	item := resp.GetItem()
	out := &VerificationState{AuthMethod: string(item.GetAuthMethod()), Accounts: accountsFrom(resp.GetAccounts())}
	for _, a := range resp.GetAccounts() {
		vi, ok := a.GetVerificationInsightsOk()
		if !ok || vi == nil {
			continue
		}
		in := Insights{AccountNumberFormat: string(vi.GetAccountNumberFormat())}
		if score, ok := vi.GetNameMatchScoreOk(); ok && score != nil {
			n := int(*score)
			in.NameMatchScore = &n
		}
		ns := vi.GetNetworkStatus()
		in.HasNumbersMatch, in.IsNumbersMatchVerified = ns.GetHasNumbersMatch(), ns.GetIsNumbersMatchVerified()
		pr := vi.GetPreviousReturns()
		in.HasPreviousAdministrativeReturn = pr.GetHasPreviousAdministrativeReturn()
		if out.Insights == nil {
			out.Insights = map[string]Insights{}
		}
		out.Insights[a.GetAccountId()] = in
	}
	return out, f.observe(c, nil)
}

// Lines are the insights as a person reads them, one fact a line.
func (in Insights) Lines() []string {
	score := "none (no name given or no account to compare)"
	if in.NameMatchScore != nil {
		score = fmt.Sprintf("%d of 100", *in.NameMatchScore)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	return []string{
		"name_match_score " + score,
		"network_status: has_numbers_match " + yes(in.HasNumbersMatch) + ", is_numbers_match_verified " + yes(in.IsNumbersMatchVerified),
		"previous_returns: has_previous_administrative_return " + yes(in.HasPreviousAdministrativeReturn),
		"account_number_format " + orNone(in.AccountNumberFormat),
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// SetItemWebhook points a saved Item's webhook at target (/item/webhook/update), so the
// session's receiver gets what Plaid sends for it.
func (f *Flow) SetItemWebhook(ctx context.Context, ref, target string) error {
	return f.setWebhook(ctx, ref, target)
}

// RecordWebhook puts a webhook the session received on the timeline: its type and code, the
// fields a person reads, and whether it verified (and why not).
func (t *Timeline) RecordWebhook(wh Webhook) {
	if t == nil {
		return
	}
	t.Add(Entry{Time: wh.ReceivedAt, Kind: KindWebhook, Name: strings.TrimSpace(wh.Type + " " + wh.Code),
		ItemID: wh.ItemID, Message: DescribeWebhook(wh)})
}

// DescribeWebhook is a webhook in one line: "webhook AUTH AUTOMATICALLY_VERIFIED · account_id …
// · ✓ verified".
func DescribeWebhook(wh Webhook) string {
	parts := []string{"webhook " + strings.TrimSpace(dash(wh.Type)+" "+dash(wh.Code))}
	for _, k := range []string{"account_id", "new_webhook_url", "error"} {
		switch v := wh.Payload[k].(type) {
		case string:
			if v != "" {
				parts = append(parts, k+" "+v)
			}
		case map[string]any:
			if code, _ := v["error_code"].(string); code != "" {
				parts = append(parts, "error "+code)
			}
		}
	}
	if wh.Verified {
		parts = append(parts, "✓ verified")
	} else {
		parts = append(parts, "✗ NOT verified: "+wh.Reason)
	}
	return strings.Join(parts, " · ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
