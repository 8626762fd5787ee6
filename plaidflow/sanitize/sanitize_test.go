package sanitize_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// TestTextLeavesNothingATerminalWouldAct: escape sequences (clear screen, OSC 52 clipboard
// writes, window titles), C1 controls and bidirectional overrides are dropped; line breaks become
// spaces, so a value cannot forge a line of its own; ordinary text, accents included, is kept.
func TestTextLeavesNothingATerminalWouldAct(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"First Platypus Bank", "First Platypus Bank"},
		{"Crédit Agricole", "Crédit Agricole"},
		{"\x1b[2Jcleared", "[2Jcleared"},
		{"\x1b]52;c;cm0gLXJmIH4=\x07copy", "]52;c;cm0gLXJmIH4=copy"},
		{"evil\u202eknaB", "evilknaB"},
		{"\u009b31mred", "31mred"},
		{"two\nlines\r\tand a tab", "two lines  and a tab"},
		{"bad \xff byte", "bad \uFFFD byte"},
	} {
		if got := sanitize.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLineIsOneBoundedLine: a value from outside shows as one clean line of at most max
// characters, the cut marked; a value that fits is left whole.
func TestLineIsOneBoundedLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"AUTH", 10, "AUTH"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"Crédit Agricole", 6, "Crédi…"},
		{"a\x1b]0;title\x07\nb", 0, "a]0;title b"},
		{"line\u2028separator", 40, "line separator"},
	} {
		if got := sanitize.Line(tc.in, tc.max); got != tc.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	long := strings.Repeat("X", 900<<10)
	if got := sanitize.Line(long, sanitize.Field); utf8.RuneCountInString(got) != sanitize.Field || !strings.HasSuffix(got, "…") {
		t.Errorf("a 900 KB value gives %d characters, want %d ending in …", utf8.RuneCountInString(got), sanitize.Field)
	}
}

// TestJSONEscapesWhatEncodingJSONLeaves: DEL, C1 controls and bidirectional overrides become
// \u escapes, so a --json document on a terminal acts on nothing, and decodes to the same value.
func TestJSONEscapesWhatEncodingJSONLeaves(t *testing.T) {
	in := map[string]string{"webhook_code": "X\u009b2J\u202eevil\u007f\u0085", "name": "Crédit Agricole"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := sanitize.JSON(raw)
	for _, r := range string(out) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e' {
			t.Fatalf("JSON left %U in %s", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["webhook_code"] != in["webhook_code"] || back["name"] != in["name"] {
		t.Errorf("JSON changed the document: %s (%v)", out, err)
	}
	if plain := []byte(`{"a":"b"}`); string(sanitize.JSON(plain)) != string(plain) {
		t.Error("JSON changed a document with nothing to escape")
	}
}
