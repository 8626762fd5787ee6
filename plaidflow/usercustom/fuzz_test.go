package usercustom

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the user_custom reader: it must never panic, every
// refusal must be an *Error that points inside the input, and whatever it accepts must be one
// JSON object that reads back the same (Raw is what is sent to Plaid as the password).
// The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{full, `{}`, `{"override_accounts": []}`, `{"mfa": {"type": "device"}}`,
		`{"override_accounts": [{"type": "loan", "subtype": "student"}]}`, `{"seed": "\u00e9\"}"}`, `[`, `{"a":1,"a":2}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, strict bool) {
		cfg, err := Parse(src, Options{Source: "fuzz.json", Strict: strict})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if e.Line > strings.Count(string(src), "\n")+1 {
				t.Fatalf("error line %d is past the end of a %d-line input", e.Line, strings.Count(string(src), "\n")+1)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Fatalf("error does not name the source: %v", err)
			}
			return
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(cfg.Raw), &obj); err != nil {
			t.Fatalf("accepted input whose Raw is not a JSON object: %q: %v", cfg.Raw, err)
		}
		again, err := Parse([]byte(cfg.Raw), Options{Strict: strict})
		if err != nil {
			t.Fatalf("Raw of an accepted input is refused: %v", err)
		}
		if len(again.Accounts) != len(cfg.Accounts) || again.Raw != cfg.Raw || len(cfg.Accounts) > maxAccounts {
			t.Fatalf("Raw reads back differently: %d vs %d accounts", len(again.Accounts), len(cfg.Accounts))
		}
	})
}
