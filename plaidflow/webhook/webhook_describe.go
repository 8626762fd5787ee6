package webhook

import (
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Record puts a webhook the session received on the timeline: its type and code, the
// fields a person reads, and whether it verified (and why not).
func Record(t *transcript.Timeline, wh Webhook) {
	if t == nil {
		return
	}
	t.Add(transcript.Entry{Time: wh.ReceivedAt, Kind: transcript.KindWebhook, Name: strings.TrimSpace(wh.Type + " " + wh.Code),
		ItemID: wh.ItemID, Message: Describe(wh)})
}

// Describe is a webhook in one line, whether it verified first (so a narrow screen keeps
// it): "webhook ✓ AUTH AUTOMATICALLY_VERIFIED · account_id …".
func Describe(wh Webhook) string {
	verdict := "✓"
	if !wh.Verified {
		verdict = "✗ NOT VERIFIED"
	}
	parts := []string{"webhook " + verdict + " " + dash(wh.Type) + " " + dash(wh.Code)}
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
	if !wh.Verified {
		parts = append(parts, "why: "+wh.Reason)
	}
	return strings.Join(parts, " · ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
