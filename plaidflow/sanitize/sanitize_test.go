package sanitize_test

import (
	"testing"

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
