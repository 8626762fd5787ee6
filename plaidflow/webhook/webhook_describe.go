package webhook

import (
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Record puts a webhook the session received on the timeline: its type and code, the
// fields a person reads, and whether it verified (and why not).
func Record(t *transcript.Timeline, wh Webhook) {
	if t == nil {
		return
	}
	t.Add(transcript.Entry{Time: wh.ReceivedAt, Kind: transcript.KindWebhook,
		Name:   strings.TrimSpace(sanitize.Line(wh.Type, sanitize.Field) + " " + sanitize.Line(wh.Code, sanitize.Field)),
		ItemID: sanitize.Line(wh.ItemID, sanitize.Field), Message: Describe(wh)})
}

// Describe is a webhook in one line, whether it verified first (so a narrow screen keeps
// it, and no value from the body can stand where the verdict stands): "webhook ✓ AUTH
// AUTOMATICALLY_VERIFIED · account_id …". Anyone can post a webhook to the receiver: every
// value from it goes through sanitize.Line.
func Describe(wh Webhook) string {
	verdict := "✓"
	if !wh.Verified {
		verdict = "✗ NOT VERIFIED"
	}
	parts := []string{"webhook " + verdict + " " + dash(sanitize.Line(wh.Type, sanitize.Field)) + " " + dash(sanitize.Line(wh.Code, sanitize.Field))}
	for _, k := range []string{"account_id", "new_webhook_url", "error"} {
		switch v := wh.Payload[k].(type) {
		case string:
			if v != "" {
				parts = append(parts, k+" "+sanitize.Line(v, sanitize.Field))
			}
		case map[string]any:
			if code, _ := v["error_code"].(string); code != "" {
				parts = append(parts, "error "+sanitize.Line(code, sanitize.Field))
			}
		}
	}
	if !wh.Verified {
		parts = append(parts, "why: "+sanitize.Line(wh.Reason, sanitize.Field))
	}
	return strings.Join(parts, " · ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
