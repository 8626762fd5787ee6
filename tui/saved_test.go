package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// savedPlatypus is First Platypus Bank as an earlier run saved it in Sandbox.
func savedPlatypus(ns string) plaidflow.SavedItem {
	return plaidflow.SavedItem{Namespace: ns, ItemID: "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6", Name: "first-platypus-bank",
		InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank", CreatedAt: time.Date(2025, 3, 10, 10, 4, 0, 0, time.UTC)}
}

// threeSaved are three Items of earlier runs, oldest first, as the vault lists them.
func threeSaved(ns string) []plaidflow.SavedItem {
	return []plaidflow.SavedItem{
		savedPlatypus(ns),
		{Namespace: ns, ItemID: "Lk3pQr8sTuVwXyZaBcDeFgHiJkLmNoPqRsTuV", Name: "tartan-bank", InstitutionID: "ins_109511",
			InstitutionName: "Tartan Bank", CreatedAt: time.Date(2025, 3, 12, 16, 45, 0, 0, time.UTC)},
		{Namespace: ns, ItemID: "Zx9yWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1zY", Name: "first-platypus-bank-2", InstitutionID: "ins_109508",
			InstitutionName: "First Platypus Bank", CreatedAt: time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)},
	}
}

// linkSaved is the link screen (page up, no events) after the vault listed items.
func linkSaved(t *testing.T, w, h int, items ...plaidflow.SavedItem) *Model {
	t.Helper()
	m := linkOpen(t, w, h)
	m.Update(savedItemsLoadedMsg{ns: "sandbox", items: items})
	return m
}

// follow runs cmd and feeds the messages that come back promptly to the model, the way the
// program would; it returns the commands those messages issued.
func follow(m *Model, cmd tea.Cmd) tea.Cmd {
	var cmds []tea.Cmd
	for _, msg := range collect(cmd) {
		_, c := m.Update(msg)
		cmds = append(cmds, c)
	}
	return tea.Batch(cmds...)
}

// pressA presses a on the link screen and delivers the request it makes to the root.
func pressA(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	_, cmd := m.Update(press("a"))
	return follow(m, cmd)
}

func TestLinkShowsTheItemsSavedByEarlierRuns(t *testing.T) {
	tests := []struct {
		name     string
		items    []plaidflow.SavedItem
		want     []string
		dontWant []string
		help     bool
	}{
		{"none", nil, nil, []string{"Saved in", "saved Items", "press a"}, false},
		{"one", []plaidflow.SavedItem{savedPlatypus("sandbox")},
			[]string{"Saved in Sandbox: first-platypus-bank (First Platypus Bank, linked 2025-03-10 10:04) · press a for its numbers"},
			[]string{"saved Items"}, true},
		{"three", threeSaved("sandbox"),
			[]string{"3 saved Items in Sandbox · press a to pick one"},
			[]string{"Saved in Sandbox:"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Given the Link page is open, when the vault's list arrives,
			m := linkSaved(t, 120, 40, tt.items...)
			v := view(m)
			// then the screen says what is saved, and a is offered only when something is.
			for _, want := range tt.want {
				if !strings.Contains(v, want) {
					t.Errorf("the link screen lacks %q:\n%s", want, v)
				}
			}
			for _, not := range tt.dontWant {
				if strings.Contains(v, not) {
					t.Errorf("the link screen shows %q:\n%s", not, v)
				}
			}
			if got := hasHelp(m, "a saved items"); got != tt.help {
				t.Errorf("help offers a: %v, want %v:\n%s", got, tt.help, v)
			}
			m.Update(press("?"))
			if got := strings.Contains(view(m), "numbers of a saved Item"); got != tt.help {
				t.Errorf("full help explains a: %v, want %v:\n%s", got, tt.help, view(m))
			}
			if tt.help {
				return
			}
			if cmd := pressA(t, m); cmd != nil || m.screen != screenLink {
				t.Errorf("with nothing saved, a should do nothing (screen %v)", m.screen)
			}
		})
	}
}

func TestLinkSavedLineWrapsOnNarrowScreens(t *testing.T) {
	m := linkSaved(t, 80, 24, savedPlatypus("sandbox"))
	v := view(m)
	for _, want := range []string{"Saved in Sandbox: first-platypus-bank · press a for its numbers",
		"\n    First Platypus Bank, linked 2025-03-10 10:04\n"} {
		if !strings.Contains(v, want) {
			t.Errorf("at 80 columns the saved Item should take two whole lines; lacks %q:\n%s", want, v)
		}
	}
}

func TestSavedItemsOfAnotherEnvironmentAreNotOffered(t *testing.T) {
	// The list was asked for before the user switched to Sandbox on the keys screen.
	m := linkOpen(t, 120, 40)
	m.Update(savedItemsLoadedMsg{ns: "production", items: []plaidflow.SavedItem{savedPlatypus("production")}})
	if v := view(m); strings.Contains(v, "first-platypus-bank") || hasHelp(m, "saved items") {
		t.Errorf("Production's Items are offered in Sandbox:\n%s", v)
	}
}

func TestSavedOneItemFetchesItsNumbersAtOnce(t *testing.T) {
	m := linkSaved(t, 100, 30, savedPlatypus("sandbox"))
	page := m.link.page

	cmd := pressA(t, m)
	if m.screen != screenSaved || m.saved.state != savedFetching || cmd == nil {
		t.Fatalf("a with one saved Item should fetch its numbers at once (screen %v, state %v)", m.screen, m.saved.state)
	}
	if m.saved.item.ItemID != savedPlatypus("").ItemID {
		t.Errorf("fetching %q, want first-platypus-bank", m.saved.item.Name)
	}
	v := view(m)
	for _, want := range []string{"Fetching the numbers of first-platypus-bank…", "✓ Keys ─ ✓ Link ─ ● Working"} {
		if !strings.Contains(v, want) {
			t.Errorf("while fetching, the screen lacks %q:\n%s", want, v)
		}
	}
	if m.link.page != page || m.link.state != linkWaiting {
		t.Errorf("a must leave the Link page running, as s does")
	}

	_, cmd = m.Update(savedNumbersFetchedMsg{id: m.saved.reqID, item: savedPlatypus("sandbox"), res: platypusResult()})
	if m.screen != screenResults {
		t.Fatalf("screen %v after the numbers came, want results", m.screen)
	}
	v = view(m)
	for _, want := range []string{"First Platypus Bank", "Item first-platypus-bank", "✓ Saved in", "Plaid Checking", "••••0000", "011401533"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "1111222233330000") {
		t.Errorf("the account number shows unmasked:\n%s", v)
	}
	if cmd == nil || !m.link.finished {
		t.Errorf("the Link page was not told it is no longer needed")
	}
	if s := m.summary(); !strings.HasPrefix(s, "Fetched the numbers of First Platypus Bank") {
		t.Errorf("summary %q should not claim a new link", s)
	}
	if m.Err() != nil {
		t.Errorf("q on these results should exit 0; Err() = %v", m.Err())
	}
}

func TestSavedPickerListsTheItemsAndEnterPicksTheSelected(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	if cmd := pressA(t, m); cmd != nil || m.screen != screenSaved || m.saved.state != savedPicking {
		t.Fatalf("a with several saved Items should list them, not fetch (screen %v, state %v)", m.screen, m.saved.state)
	}
	v := view(m)
	for _, want := range []string{
		"NAME                   INSTITUTION          LINKED",
		"› first-platypus-bank    First Platypus Bank  2025-03-10 10:04",
		"  tartan-bank            Tartan Bank          2025-03-12 16:45",
		"  first-platypus-bank-2  First Platypus Bank  2025-03-14 08:30",
		"● Link",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the picker lacks %q:\n%s", want, v)
		}
	}

	m.Update(press("down"))
	m.Update(press("down"))
	m.Update(press("up"))
	_, cmd := m.Update(press("enter"))
	if cmd == nil || m.saved.state != savedFetching || m.saved.item.Name != "tartan-bank" {
		t.Fatalf("enter should fetch the selected Item, tartan-bank; fetching %q (state %v)", m.saved.item.Name, m.saved.state)
	}
	if v := view(m); !strings.Contains(v, "Fetching the numbers of tartan-bank…") {
		t.Errorf("the fetch is not shown:\n%s", v)
	}
}

func invalidAccessToken() error {
	return &plaidflow.Error{Op: "get auth numbers", HTTPStatus: 400, Type: "INVALID_INPUT", Code: "INVALID_ACCESS_TOKEN",
		Message:   "provided access token is in an invalid format. expected format: access-<environment>-<identifier>",
		RequestID: "Qw3rTy7uI9oP1aS"}
}

func TestSavedFetchFailureShowsPlaidsErrorAndEscReturnsToLink(t *testing.T) {
	m := linkSaved(t, 100, 30, savedPlatypus("sandbox"))
	pressA(t, m)
	id := m.saved.reqID
	m.Update(errMsg{op: opSavedNumbers, id: id, err: invalidAccessToken()})

	v := view(m)
	for _, want := range []string{"Could not fetch the numbers of first-platypus-bank", "INVALID_ACCESS_TOKEN (INVALID_INPUT)",
		"request_id  Qw3rTy7uI9oP1aS", "no longer valid", "Press r to try again, esc to go back to Link"} {
		if !strings.Contains(v, want) {
			t.Errorf("the failure lacks %q:\n%s", want, v)
		}
	}
	if m.Err() == nil {
		t.Errorf("quitting on the failure should exit 1")
	}
	if !hasHelp(m, "r try again") || !hasHelp(m, "esc back to Link") {
		t.Errorf("the help does not offer r and esc:\n%s", v)
	}

	_, cmd := m.Update(press("esc"))
	follow(m, cmd)
	if m.screen != screenLink || m.link.state != linkWaiting || m.link.page == nil {
		t.Fatalf("esc should return to the waiting Link page (screen %v, link state %v)", m.screen, m.link.state)
	}
	if m.Err() != nil {
		t.Errorf("back on Link the failure still counts: %v", m.Err())
	}
	if !strings.Contains(view(m), "press a for its numbers") {
		t.Errorf("back on Link the saved Item is no longer offered:\n%s", view(m))
	}

	// An answer that comes after the user left is dropped.
	m.Update(savedNumbersFetchedMsg{id: id, item: savedPlatypus("sandbox"), res: platypusResult()})
	if m.screen != screenLink {
		t.Errorf("a late answer took the user to screen %v", m.screen)
	}
}

func TestSavedFetchFailureRetriesWithR(t *testing.T) {
	m := linkSaved(t, 100, 30, savedPlatypus("sandbox"))
	pressA(t, m)
	id := m.saved.reqID
	m.Update(errMsg{op: opSavedNumbers, id: id, err: &plaidflow.Error{Type: "ITEM_ERROR", Code: "ITEM_LOGIN_REQUIRED",
		Message: "the login details of this item have changed", RequestID: "Zx8cVb7nM6aSdFg"}})
	if v := view(m); !strings.Contains(v, "ITEM_LOGIN_REQUIRED") || !strings.Contains(v, "Zx8cVb7nM6aSdFg") {
		t.Fatalf("the failure is not shown:\n%s", v)
	}
	_, cmd := m.Update(press("r"))
	if cmd == nil || m.saved.state != savedFetching || m.saved.reqID == id {
		t.Errorf("r should fetch again with a new request (state %v)", m.saved.state)
	}
}

func TestSavedEscFromAFailureGoesBackToTheListWhenThereAreSeveral(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	pressA(t, m)
	m.Update(press("enter"))
	m.Update(errMsg{op: opSavedNumbers, id: m.saved.reqID, err: invalidAccessToken()})
	if !strings.Contains(view(m), "esc to go back to the saved Items") {
		t.Errorf("the failure does not say where esc goes:\n%s", view(m))
	}
	_, cmd := m.Update(press("esc"))
	follow(m, cmd)
	if m.screen != screenSaved || m.saved.state != savedPicking {
		t.Fatalf("esc should return to the list (screen %v, state %v)", m.screen, m.saved.state)
	}
	_, cmd = m.Update(press("esc"))
	follow(m, cmd)
	if m.screen != screenLink {
		t.Errorf("esc on the list should return to Link (screen %v)", m.screen)
	}
}

func TestStartupListsTheSavedItemsOnlyWithAVault(t *testing.T) {
	cfg := liveConfigNoServer()
	deps := testDeps(t, cfg)
	if _, err := deps.Vault.SaveItem(savedPlatypus("sandbox"), "access-sandbox-x"); err != nil {
		t.Fatal(err)
	}
	var got *savedItemsLoadedMsg
	for _, msg := range collect(New(deps).Init()) {
		if l, ok := msg.(savedItemsLoadedMsg); ok {
			got = &l
		}
	}
	if got == nil || got.ns != "sandbox" || len(got.items) != 1 || got.items[0].Name != "first-platypus-bank" {
		t.Errorf("at startup the saved Items were not listed: %+v", got)
	}

	deps = testDeps(t, cfg)
	deps.Vault = nil // --no-save
	for _, msg := range collect(New(deps).Init()) {
		if _, ok := msg.(savedItemsLoadedMsg); ok {
			t.Errorf("without a vault nothing should be listed")
		}
	}
}

func TestLinkAnotherListsTheItemJustLinked(t *testing.T) {
	m := resultsModel(t, 100, 30, platypusResult())
	_, cmd := m.Update(press("l"))
	var listed bool
	for _, msg := range collect(cmd) {
		if _, ok := msg.(anotherLinkRequestedMsg); ok {
			_, c := m.Update(msg)
			for _, msg := range collect(c) {
				if _, ok := msg.(savedItemsLoadedMsg); ok {
					listed = true
				}
			}
		}
	}
	if !listed {
		t.Errorf("after l the saved Items were not listed again, so the new Item would not be offered")
	}
}
