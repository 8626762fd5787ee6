package emulator

import (
	"bytes"
	"encoding/json"
)

// webhookBody encodes a webhook's payload as Plaid's servers write it: the keys in
// alphabetical order, indented by two spaces, "key": value, no newline at the end. The bytes
// matter: the Plaid-Verification JWT carries their SHA-256, and a receiver that hashes the raw
// body it got (as Plaid's docs tell it to) must get the same hash for the same webhook. The
// format is the one that reproduces the request_body_sha256 of a real Sandbox webhook quoted in
// plaid/plaid-node#399 (webhooks_bodies_test.go). HTML characters are not escaped: Plaid's
// bodies carry URLs (new_webhook_url) as they are.
func webhookBody(payload map[string]any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(payload); err != nil {
		panic("emulator: encode webhook: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
