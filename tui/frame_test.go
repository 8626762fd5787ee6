package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
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

// change is something that happens on a screen: a key, a message, a resize.
type change struct {
	what string
	do   func(m *Model)
}

// followsEveryChange makes each change on m in turn and checks the frame after it: it is not
// the frame before (the user sees the change), and it is the frame drawn from nothing, the
// tables the screens keep drawn again (what a screen keeps of an earlier frame never shows
// stale text).
func followsEveryChange(t *testing.T, m *Model, changes []change) {
	t.Helper()
	prev := m.View()
	for _, c := range changes {
		c.do(m)
		got := m.View()
		if got == prev {
			t.Errorf("%s: the frame did not change:\n%s", c.what, view(m))
		}
		m.results.table, m.items.table = pickList{}, pickList{}
		if want := m.draw().out; got != want {
			t.Errorf("%s: the frame is not the one drawn from nothing:\n%s\n--- drawn from nothing:\n%s", c.what, ansi.Strip(got), ansi.Strip(want))
		}
		prev = got
	}
}

func keyChange(k tea.KeyMsg) change {
	return change{"pressing " + k.String(), func(m *Model) { m.Update(k) }}
}

func sizeChange(w, h int) change {
	return change{fmt.Sprintf("a window of %d×%d", w, h), func(m *Model) { m.Update(tea.WindowSizeMsg{Width: w, Height: h}) }}
}

// TestTheResultsFrameFollowsEveryChange changes, one at a time, everything the results screen
// shows (the selected account, masking, the copy picker, a notice, the width, the result, the
// verification status) and the root's help and scrolling around it.
func TestTheResultsFrameFollowsEveryChange(t *testing.T) {
	res := bigItem(30)
	res.Accounts[2].VerificationStatus = "pending_automatic_verification"
	m := resultsOf(t, res)
	m.verify.reqID = m.c.nextID() // the refreshes below answer a request the panel made
	// refreshed is the Item read again, as the verification panel asks for it after a change.
	refreshed := func(res *plaidapi.Result) func(m *Model) {
		return func(m *Model) { m.Update(flowRefreshedMsg{id: m.verify.reqID, res: res}) }
	}
	again := *res
	again.Accounts = slices.Clone(res.Accounts)
	again.Accounts[0].Name = "Plaid Checking Zero"
	again.Accounts[2].VerificationStatus = "automatically_verified"
	followsEveryChange(t, m, []change{
		keyChange(press("down")),
		keyChange(press("down")),
		keyChange(press("up")),
		keyChange(press("v")), // reveals
		keyChange(press("v")), // masks again
		keyChange(press("c")), // the copy picker
		keyChange(press("esc")),
		keyChange(pgDown),
		keyChange(pgUp),
		keyChange(press("?")),
		keyChange(press("?")),
		{"a copy that failed", func(m *Model) {
			m.Update(errMsg{op: opCopy, err: errors.New("the terminal did not take the copy")})
		}},
		sizeChange(100, 40),
		sizeChange(60, 40), // the type column goes, the names get shorter
		sizeChange(120, 30),
		{"the Item read again: a name and a verification status changed", refreshed(&again)},
		{"the same result changed where it is and shown again", func(m *Model) {
			again.Accounts[1].Name = "Plaid Checking One"
			refreshed(&again)(m)
		}},
		keyChange(press("down")),
	})
	if v := view(m); !strings.Contains(v, "› Plaid Checking One") {
		t.Errorf("the renamed account is not the selected one:\n%s", v)
	}
}

// TestTheItemsFrameFollowsEveryChange does the same on the Items screen: the selection, the
// filter, a new read of the index, the width, an action and its outcome.
func TestTheItemsFrameFollowsEveryChange(t *testing.T) {
	items := manySaved(30)
	m := itemListOf(t, items)
	reread := slices.Clone(items)
	reread[len(reread)-1].Health = "ITEM_LOGIN_REQUIRED" // the newest, listed first
	followsEveryChange(t, m, []change{
		keyChange(press("down")),
		keyChange(press("down")),
		keyChange(press("up")),
		keyChange(press("/")),
		keyChange(press("2")), // platypus-2 and platypus-12, -20, …
		keyChange(press("down")),
		keyChange(press("esc")), // the filter cleared
		{"the index read again with one Item's health changed", func(m *Model) {
			m.Update(savedItemsLoadedMsg{ns: "sandbox", items: reread})
		}},
		sizeChange(90, 40), // the date goes
		sizeChange(44, 40), // the institution goes, the names get shorter
		sizeChange(120, 40),
		keyChange(press("b")), // asks for the balances
		{"the balances answered", func(m *Model) {
			it := m.items.target
			res := bigItem(5)
			m.Update(itemActedMsg{id: m.items.pending, action: actBalances, item: it, out: &plaidflow.LiveBalances{
				Environment: "sandbox", ItemID: it.ItemID, ItemName: it.Name, Institution: res.Institution,
				Accounts: res.Accounts, RequestID: "m8MDnv9okwxFNBV", FetchedAt: fixedNow}})
		}},
		{"a copy that failed", func(m *Model) {
			m.Update(errMsg{op: opCopy, err: errors.New("the terminal did not take the copy")})
		}},
		keyChange(pgUp), // the outcome is in view; the list's top comes back into it
		keyChange(press("down")),
	})
}

// TestAListWithATallRowIsDrawnWhole: when a row takes two lines (a name with a line break),
// lines cannot be swapped one for one, and the table is drawn with the cursor's row selected.
func TestAListWithATallRowIsDrawnWhole(t *testing.T) {
	rows := []string{"one", "two\nlines", "three"}
	draw := func(picked func(int) bool) []string {
		out := []string{"HEADER"}
		for i, r := range rows {
			if picked(i) {
				r = "› " + r
			}
			out = append(out, strings.Split(r, "\n")...)
		}
		return out
	}
	var p pickList
	for cursor := range rows {
		got := p.lines(pickKey{1, 80}, len(rows), cursor, draw)
		want := draw(func(row int) bool { return row == cursor })
		if !slices.Equal(got, want) {
			t.Errorf("cursor %d: got %q, want %q", cursor, got, want)
		}
	}
}
