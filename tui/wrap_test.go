package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWrapBreaksOnlyAtSpaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		w          int
		want       []string
	}{
		{"a hyphenated name moves whole to the next line", "Sandbox shortcut: an Item (scenario uk-bacs-iban).", 30,
			[]string{"Sandbox shortcut: an Item", "(scenario uk-bacs-iban)."}},
		{"a backquoted command is one piece", "esc cancel · the same as `plaid-onboard sandbox link --scenario NAME`", 60,
			[]string{"esc cancel · the same as", "`plaid-onboard sandbox link --scenario NAME`"}},
		{"a path wider than the line keeps its file name", "Saved to /home/someone/.local/state/plaid-onboard/plaid-onboard-20250314-092653.jsonl", 40,
			[]string{"Saved to", "/home/someone…oard-20250314-092653.jsonl"}},
		{"the paragraph's indent is kept", "  https://plaid.com/docs/auth/", 40, []string{"  https://plaid.com/docs/auth/"}},
		{"spaces at a break are dropped", "one two  three", 8, []string{"one two", "three"}},
		{"paragraphs stay paragraphs", "a\nb", 10, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.text, tt.w); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: wrap(%q, %d) = %q, want %q", tt.name, tt.text, tt.w, got, tt.want)
		}
		for _, l := range wrap(tt.text, tt.w) {
			if ansi.StringWidth(l) > tt.w {
				t.Errorf("%s: %q is wider than %d", tt.name, l, tt.w)
			}
		}
	}
}

// A style that runs over a break is closed at the line's end and opened again on the next,
// so what is drawn beside the line (a card's border) keeps its own colour.
func TestWrapCarriesStylesOverABreak(t *testing.T) {
	t.Parallel()
	const red = "\x1b[31m"
	got := wrap(red+"one two three"+ansi.ResetStyle, 8)
	if len(got) != 2 || !strings.HasSuffix(got[0], ansi.ResetStyle) || !strings.HasPrefix(got[1], red) {
		t.Errorf("wrap of a styled sentence = %q", got)
	}
	if ansi.Strip(strings.Join(got, " ")) != "one two three" {
		t.Errorf("the words changed: %q", got)
	}
}

func TestCloseCutBoxesKeepsTheBordersOfACutBox(t *testing.T) {
	t.Parallel()
	content := []string{"title", "╭─ box ─╮", "│ a     │", "│ b     │", "│ c     │", "╰───────╯", "after"}
	// The window is lines 2..4: inside the box, top and bottom cut.
	got := closeCutBoxes(content, 2, 3)
	if got[2] != "╭─ box ─╮" || got[3] != "│ b     │" || got[4] != "╰───────╯" {
		t.Errorf("a window inside a box: %q", got[2:5])
	}
	if content[2] != "│ a     │" {
		t.Error("the content itself was changed")
	}
	// The window ends on the box's top: nothing of it would show, so it is left out.
	got = closeCutBoxes(content, 0, 2)
	if got[0] != "title" || got[1] != "" {
		t.Errorf("a window ending on a box's top: %q", got[0:2])
	}
	// A window that holds the whole box is left alone.
	if got := closeCutBoxes(content, 0, 7); !reflect.DeepEqual(got, content) {
		t.Errorf("a whole box was changed: %q", got)
	}
}
