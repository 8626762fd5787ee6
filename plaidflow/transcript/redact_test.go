package transcript_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Secrets of every kind a transcript must never hold, in Plaid's formats (CONTRACT.md: token
// formats; Stripe's btok_ from /processor/stripe/bank_account_token/create).
const (
	knownSecret    = "dbd3e3a36eb55aa0552aa432dccfca"
	knownAccess    = "access-sandbox-6f1c2b1e-1111-4a4a-9c9c-123456789abc"
	knownPublic    = "public-sandbox-0a0b0c0d-2222-4b4b-8d8d-abcdefabcdef"
	knownProcessor = "processor-sandbox-7e7e7e7e-3333-4c4c-8e8e-fedcbafedcba"
	knownStripe    = "btok_5oEetfLzPklE1fwJZ7SG"
	knownACH       = "1111222233330000"
	knownEFT       = "111122220000" // EFT account numbers run 7 to 12 digits
	knownBACS      = "31926819"     // BACS: 8 digits, short enough to pass for anything
	knownIBAN      = "GB33BUKB20201555555555"
)

func knownRedactor() *transcript.Redactor {
	r := &transcript.Redactor{}
	r.Learn("token", knownSecret, knownAccess, knownPublic, knownProcessor, knownStripe)
	r.Learn("number", knownACH, knownEFT, knownBACS, knownIBAN)
	return r
}

func TestRedactRemovesEverySecretKind(t *testing.T) {
	known := knownRedactor()
	blank := &transcript.Redactor{} // knows nothing: shapes and field names must do
	cases := []struct {
		name, in, secret string
		r                *transcript.Redactor
		keep             string // what must survive (a mask)
	}{
		{"client secret, known", "PLAID-SECRET: " + knownSecret, knownSecret, known, ""},
		{"access token, by shape", "token " + "access-production-aaaa-bbbb", "access-production-aaaa-bbbb", blank, ""},
		{"public token, by shape", "got public-sandbox-1234-5678 from Link", "public-sandbox-1234-5678", blank, ""},
		{"processor token, by shape", knownProcessor, knownProcessor, blank, ""},
		{"stripe token, by shape", "use " + knownStripe, knownStripe, blank, ""},
		{"ACH account, by shape", "account 1111222233330000 routing 011401533", knownACH, blank, "0000"},
		{"EFT account, known", "eft " + knownEFT, knownEFT, known, "0000"},
		{"BACS account, known", "bacs " + knownBACS + " sort 560029", knownBACS, known, "6819"},
		{"IBAN, by shape", "iban " + knownIBAN, knownIBAN, blank, "5555"},
		{"access token in JSON, by field", `{"access_token":"tok-unknown-shape"}`, "tok-unknown-shape", blank, ""},
		{"secret in JSON, by field", `{"secret":"s3cr3t-value"}`, "s3cr3t-value", blank, ""},
		{"account in JSON, by field", `{"numbers":{"bacs":[{"account":"31926819","sort_code":"560029"}]}}`, "31926819", blank, "6819"},
		{"account number sent as a number", `{"account":31926819}`, "31926819", blank, "6819"},
		{"iban in JSON, by field", `{"iban":"DE89370400440532013000"}`, "DE89370400440532013000", blank, "3000"},
	}
	for _, c := range cases {
		var got string
		if strings.HasPrefix(c.in, "{") {
			got = string(c.r.JSON(json.RawMessage(c.in)))
		} else {
			got = c.r.String(c.in)
		}
		if strings.Contains(got, c.secret) {
			t.Errorf("%s: %q kept the secret: %q", c.name, c.in, got)
		}
		if c.keep != "" && !strings.Contains(got, c.keep) {
			t.Errorf("%s: %q lost its last 4 %q: %q", c.name, c.in, c.keep, got)
		}
	}
}

func TestRedactKeepsWhatSupportNeeds(t *testing.T) {
	r := knownRedactor()
	in := `{"request_id":"m8MDnv9okwxFNBV","link_session_id":"356dbb28-7f98-44d9-8e6d-4b3e5b1c3b41","mask":"0000","routing":"011401533","link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176","item_id":"eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6"}`
	got := string(r.JSON(json.RawMessage(in)))
	for _, keep := range []string{"m8MDnv9okwxFNBV", "356dbb28-7f98-44d9-8e6d-4b3e5b1c3b41", `"0000"`, "011401533", "link-sandbox-af1a0311", "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6"} {
		if !strings.Contains(got, keep) {
			t.Errorf("redaction lost %q: %s", keep, got)
		}
	}
	// Digits inside an identifier are part of it, even 10 and more of them; a number standing
	// alone in the same text is still masked.
	text := "link_session_id 944d4c06-35dc-452d-9409-d62450887599 · plaid-onboard v0.0.0-20261122083200-eff61734b1aa · account 9900112233445566"
	got = r.String(text)
	for _, keep := range []string{"944d4c06-35dc-452d-9409-d62450887599", "v0.0.0-20261122083200-eff61734b1aa"} {
		if !strings.Contains(got, keep) {
			t.Errorf("redaction lost %q: %s", keep, got)
		}
	}
	if strings.Contains(got, "9900112233445566") {
		t.Errorf("a number standing alone survived: %s", got)
	}
}

func TestRedactEntryCoversEveryField(t *testing.T) {
	r := knownRedactor()
	e := r.Entry(transcript.Entry{
		Kind: transcript.KindStep, Command: "link --secret " + knownSecret, Detail: "token " + knownAccess,
		Message: "pub " + knownPublic, ErrorMessage: "acct " + knownACH, NetworkError: "dial " + knownSecret,
		Name: knownStripe, URL: "http://x/?t=" + knownProcessor, RequestID: knownAccess, ItemID: knownPublic,
		AccountIDs: []string{knownProcessor}, Settings: &transcript.Settings{RedirectURI: "http://localhost/" + knownSecret},
		Metadata: json.RawMessage(`{"public_token":"` + knownPublic + `","accounts":[{"id":"a1","mask":"0000"}]}`),
		Error:    json.RawMessage(`{"error_message":"` + knownIBAN + `"}`),
	})
	blob, _ := json.Marshal(e)
	for _, s := range []string{knownSecret, knownAccess, knownPublic, knownProcessor, knownStripe, knownACH, knownIBAN} {
		if strings.Contains(string(blob), s) {
			t.Errorf("entry kept %q: %s", s, blob)
		}
	}
}

// FuzzRedactTranscript puts every known secret into arbitrary text, JSON values and JSON field
// names around the fuzzer's input, and asserts none survives redaction.
func FuzzRedactTranscript(f *testing.F) {
	for _, seed := range []string{"", "hello", `{"a":"b"}`, "access-", "acc", "[redacted]", "\x00\xff", "1111", "GB33", "btok_"} {
		f.Add(seed)
	}
	secrets := []string{knownSecret, knownAccess, knownPublic, knownProcessor, knownStripe, knownACH, knownEFT, knownBACS, knownIBAN}
	f.Fuzz(func(t *testing.T, s string) {
		r := knownRedactor()
		for _, secret := range secrets {
			text := s + secret + s + " " + secret
			if got := r.String(text); strings.Contains(got, secret) {
				t.Fatalf("String(%q) kept %q: %q", text, secret, got)
			}
			doc, _ := json.Marshal(map[string]any{s: secret, "note": s + secret, "list": []string{secret, s}})
			if got := r.JSON(doc); strings.Contains(string(got), secret) {
				t.Fatalf("JSON(%s) kept %q: %s", doc, secret, got)
			}
			e := r.Entry(transcript.Entry{Message: text, Detail: s, RequestID: secret + s, Metadata: doc})
			if blob, _ := json.Marshal(e); strings.Contains(string(blob), secret) {
				t.Fatalf("Entry kept %q: %s", secret, blob)
			}
		}
	})
}

// BenchmarkRedactLinkEvent is the cost of redacting one Link event with Link's full metadata,
// which every entry of a browser session pays once.
func BenchmarkRedactLinkEvent(b *testing.B) {
	r := knownRedactor()
	meta := json.RawMessage(`{"error_code":null,"institution_id":"ins_109508","institution_name":"First Platypus Bank","link_session_id":"cf549d3d-65c5-4555-b77e-667d4ffcda77","request_id":"Eotp78fr9236qwi","timestamp":"2026-11-22T07:45:35.205Z","view_name":"SELECT_INSTITUTION"}`)
	e := transcript.Entry{Kind: transcript.KindLinkEvent, Name: "SELECT_INSTITUTION", LinkSessionID: "cf549d3d-65c5-4555-b77e-667d4ffcda77", RequestID: "Eotp78fr9236qwi", Metadata: meta}
	for i := 0; i < b.N; i++ {
		_ = r.Entry(e)
	}
}

// TestRedactNeverSpinsOnWhatItWrote: a Plaid answer carrying "[redacted]" (an emulator or a
// proxy that redacts), or a mask learned back as a number, used to make the redactor replace a
// value by a string holding it again, forever, with its lock held so every later Learn stalled.
func TestRedactNeverSpinsOnWhatItWrote(t *testing.T) {
	done := make(chan string, 1)
	r := &transcript.Redactor{}
	go func() {
		r.Learn("token", transcript.Redacted)
		r.Learn("number", "••1234", "•••••••1234")
		r.LearnJSON([]byte(`{"access_token":"[redacted]","secret":"` + knownSecret + `"}`))
		r.Learn("token", knownAccess) // would block behind a spinning reader
		done <- r.String("tokens [redacted] ••1234 " + knownSecret + " " + knownAccess)
	}()
	select {
	case got := <-done:
		if strings.Contains(got, knownSecret) || strings.Contains(got, knownAccess) {
			t.Errorf("a secret learned after the redacted values survived: %q", got)
		}
		if !strings.Contains(got, "••1234") {
			t.Errorf("the mask itself should read as it was: %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("redacting text that holds a redactor's own output did not finish in 10 s (it loops forever)")
	}
}
