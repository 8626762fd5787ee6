package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestUpdateLeavesTheDrawingToView: a key press on the results of an Item with 500 accounts
// renders nothing in Update, the next View draws the change, and a View with no Update before
// it draws the same frame again.
func TestUpdateLeavesTheDrawingToView(t *testing.T) {
	m := bigResults(t)
	before := m.View()
	drawn := m.frame.state
	m.Update(press("down"))
	if m.frame.state != drawn {
		t.Fatalf("Update drew a frame (state %d, was %d)", m.frame.state, drawn)
	}
	after := m.View()
	if after == before {
		t.Fatalf("the cursor moved down but the frame did not change:\n%s", view(m))
	}
	if !strings.Contains(view(m), "› Plaid Checking 1 ") {
		t.Fatalf("the cursor is not on the second account:\n%s", view(m))
	}
	if again := m.View(); again != after {
		t.Errorf("a second View with no Update between drew another frame:\n%s\n---\n%s", after, again)
	}
}

// TestHowOftenViewRunsChangesNothingShown scrolls a Link-exit error at 60×20 twice, drawing
// each state once in one model and three times in the other: the screens must be the same.
func TestHowOftenViewRunsChangesNothingShown(t *testing.T) {
	run := func(views int) []string {
		m := linkOpen(t, 60, 20)
		for _, ev := range linkEvents()[:3] {
			linkEvent(m, ev)
		}
		linkExits(m)
		var seen []string
		for _, k := range []tea.KeyType{tea.KeyPgDown, tea.KeyPgDown, tea.KeyPgUp, tea.KeyPgDown} {
			for range views {
				m.View()
			}
			seen = append(seen, view(m))
			m.Update(tea.KeyMsg{Type: k})
		}
		return append(seen, view(m))
	}
	once, thrice := run(1), run(3)
	if !strings.Contains(once[1], "↑") {
		t.Fatalf("pgdown did not scroll the Link exit at 60×20:\n%s", once[1])
	}
	for i := range once {
		if once[i] != thrice[i] {
			t.Errorf("step %d differs when View runs three times per state:\n%s\n--- once:\n%s", i, thrice[i], once[i])
		}
	}
}
