package tui

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// lineOf is the index of the first line of v holding s, -1 when none does.
func lineOf(v, s string) int {
	for i, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// A confirmation lands where it is seen: on the status line just above the footer, however
// long the screen (here an unsaved Item, whose hint makes the results taller than 100×30,
// where "Sent the ACH account…" used to land under "pgdn ↓ 6 more lines below").
func TestCopyConfirmationIsOnTheStatusLineAboveTheFooter(t *testing.T) {
	t.Parallel()
	res := platypusResult()
	res.Storage = plaidapi.Storage{Problem: "no OS keyring is reachable (DBUS_SESSION_BUS_ADDRESS is not set)"}
	for _, size := range [][2]int{{100, 30}, {80, 24}, {60, 20}} {
		m := resultsModel(t, size[0], size[1], res)
		copyWith(m, "2")
		v := view(m)
		at := lineOf(v, "✓ Sent the ACH routing of Plaid Checking")
		if at < 0 || at < size[1]-6 {
			t.Fatalf("at %dx%d the copy's confirmation is not just above the footer (line %d):\n%s", size[0], size[1], at, v)
		}
		m.Update(press("pgdown"))
		if !strings.Contains(view(m), "✓ Sent the ACH routing") {
			t.Errorf("scrolling took the confirmation away:\n%s", view(m))
		}
		m.Update(press("?"))
		if !strings.Contains(view(m), "✓ Sent the ACH routing") {
			t.Errorf("opening the help took the confirmation away:\n%s", view(m))
		}
		m.Update(press("?"))
		m.Update(press("down"))
		if strings.Contains(view(m), "Sent the ACH routing") {
			t.Errorf("the confirmation outlived the next key that acts:\n%s", view(m))
		}
	}
}

// Success, caution and failure read apart without colour (NO_COLOR): each has its glyph.
func TestStatusLineGlyphsReadWithoutColour(t *testing.T) {
	t.Parallel()
	m := resultsModel(t, 80, 24, platypusResult())
	for kind, glyph := range map[statusKind]string{statusOK: "✓ Done", statusWarn: "! Done", statusBad: "✗ Done", statusInfo: "· Done"} {
		m.Update(statusMsg{kind: kind, text: "Done"})
		if v := view(m); !strings.Contains(v, glyph) {
			t.Errorf("status kind %d: want %q on screen:\n%s", kind, glyph, v)
		}
	}
}

// The results open at their top: the bank's name and where the Item was saved, at every
// size (at 60×20 they used to open scrolled to the numbers card).
func TestResultsOpenAtTheirTop(t *testing.T) {
	t.Parallel()
	for _, size := range layoutSizes {
		m := resultsModel(t, size[0], size[1], platypusResult())
		v := view(m)
		if !strings.Contains(v, "First Platypus Bank  ins_109508") || !strings.Contains(v, "Saved in the OS keyring") {
			t.Errorf("at %dx%d the results do not open at their top:\n%s", size[0], size[1], v)
		}
	}
}

// On the Items screen with a tall panel open, ↑/↓ keep the selected Item in view.
func TestItemsArrowsKeepTheSelectionInViewWithAPanelOpen(t *testing.T) {
	t.Parallel()
	var items []vault.SavedItem
	for i := range 12 {
		it := savedPlatypus("sandbox")
		it.Name, it.ItemID = fmt.Sprintf("bank-%02d", i), fmt.Sprintf("item-%02d", i)
		items = append(items, it)
	}
	m := linkSaved(t, 60, 20, items...)
	pressA(t, m)
	m.View()
	it, _ := m.items.selected()
	deliver(m, actStatus, it, &plaidflow.ItemStatus{ItemID: it.ItemID, InstitutionName: "Tartan Bank",
		Health: plaidflow.HealthOf("ITEM_LOGIN_REQUIRED", it.Name, fixedNow, present.Voice{}), RequestID: "Q2lvbmVsbG9Nb3N", FetchedAt: fixedNow}, nil)
	if v := view(m); !strings.Contains(v, "Status of "+it.Name) {
		t.Fatalf("the new panel is not brought into view:\n%s", v)
	}
	for _, k := range []string{"down", "down", "down", "up", "up", "up", "up"} {
		m.Update(press(k))
		sel, _ := m.items.selected()
		if v := view(m); !strings.Contains(v, "› "+sel.Name) {
			t.Fatalf("after %s the selected Item %s is out of view:\n%s", k, sel.Name, v)
		}
	}
}

// tab in the processor prompt completes what was typed, then goes round the matches.
func TestProcessorPromptTabGoesRoundTheMatches(t *testing.T) {
	t.Parallel()
	m := itemsOpen(t, 100, 40)
	it, _ := m.items.selected()
	deliver(m, actAccounts, it, &plaidflow.LiveBalances{ItemID: it.ItemID, Accounts: platypusResult().Accounts, RequestID: "Zm9vYmFyYmF6cXV", FetchedAt: fixedNow}, nil)
	m.Update(press("enter"))
	if m.items.mode != itemsPickProcessor {
		t.Fatalf("the processor prompt did not open (mode %v)", m.items.mode)
	}
	all := plaidflow.ProcessorNames()
	seen := map[string]bool{}
	for i := range 4 {
		m.Update(press("tab"))
		v := m.items.input.Value()
		if v != all[i] {
			t.Errorf("tab %d on an empty prompt gives %q, want %q (Plaid's list in order)", i+1, v, all[i])
		}
		seen[v] = true
	}
	if len(seen) != 4 {
		t.Errorf("tab does not go round the processors: %v", seen)
	}
	for range 20 {
		m.Update(press("backspace"))
	}
	typeText(m, "dwo")
	m.Update(press("tab"))
	if v := m.items.input.Value(); v != "dwolla" {
		t.Errorf("tab completes dwo to %q, want dwolla", v)
	}
}

// The Hosted Link URL is cut with … at 60×20; c copies it whole, and the footer says so.
func TestLinkCopiesTheURLOnShowWhole(t *testing.T) {
	t.Parallel()
	m := linkOpen(t, 60, 20)
	m.link.hosted.on = true
	m.Update(linkUpdatedMsg{run: m.link.runID, hosted: plaidflow.HostedUpdate{Kind: plaidflow.HostedStarted, URL: hostedTestURL, Expires: at(1800)}})
	v := view(m)
	if strings.Contains(v, hostedTestURL) || !strings.Contains(v, "…") {
		t.Fatalf("at 60×20 the Hosted Link URL was expected cut with …:\n%s", v)
	}
	if !strings.Contains(v, "c copies it") {
		t.Errorf("the screen does not say which key copies the URL:\n%s", v)
	}
	if footer := v[strings.LastIndex(v, "\n")+1:]; !strings.Contains(footer, "c copy URL") {
		t.Errorf("the footer does not offer c at 60 columns: %q", footer)
	}
	m.Update(press("?"))
	if !strings.Contains(view(m), "c copy the URL") {
		t.Errorf("the help does not list c:\n%s", view(m))
	}
	m.Update(press("?"))
	_, cmd := m.Update(press("c"))
	follow(m, cmd)
	if seq := m.c.deps.Out.(*syncBuffer).String(); !strings.Contains(seq, base64.StdEncoding.EncodeToString([]byte(hostedTestURL))) {
		t.Errorf("c did not send the whole URL to the clipboard: %q", seq)
	}
	if v := view(m); !strings.Contains(v, "✓ Sent the Hosted Link URL") {
		t.Errorf("the status line does not say the URL was sent:\n%s", v)
	}
}
