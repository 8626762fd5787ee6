package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// savedPlatypus is First Platypus Bank as an earlier run saved it in Sandbox.
func savedPlatypus(ns string) vault.SavedItem {
	return vault.SavedItem{Namespace: ns, ItemID: "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6", Name: "first-platypus-bank",
		InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank", CreatedAt: time.Date(2025, 3, 10, 10, 4, 0, 0, time.UTC),
		Health: plaidflow.HealthOK, HealthAt: time.Date(2025, 3, 13, 11, 0, 0, 0, time.UTC)}
}

// threeSaved are three Items of earlier runs, oldest first, as the vault lists them.
func threeSaved(ns string) []vault.SavedItem {
	return []vault.SavedItem{
		savedPlatypus(ns),
		{Namespace: ns, ItemID: "Lk3pQr8sTuVwXyZaBcDeFgHiJkLmNoPqRsTuV", Name: "tartan-bank", InstitutionID: "ins_109511",
			InstitutionName: "Tartan Bank", CreatedAt: time.Date(2025, 3, 12, 16, 45, 0, 0, time.UTC),
			Health: "ITEM_LOGIN_REQUIRED", HealthAt: time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC)},
		{Namespace: ns, ItemID: "Zx9yWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1zY", Name: "first-platypus-bank-2", InstitutionID: "ins_109508",
			InstitutionName: "First Platypus Bank", CreatedAt: time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)},
	}
}

// linkSaved is the link screen (page up, no events) after the vault listed items.
func linkSaved(t *testing.T, w, h int, items ...vault.SavedItem) *Model {
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
	_, cmd := m.Update(press("i"))
	return follow(m, cmd)
}

func TestLinkShowsTheItemsSavedByEarlierRuns(t *testing.T) {
	tests := []struct {
		name     string
		items    []vault.SavedItem
		want     []string
		dontWant []string
		help     bool
	}{
		{"none", nil, nil, []string{"Saved in", "saved Items", "press i"}, false},
		{"one", []vault.SavedItem{savedPlatypus("sandbox")},
			[]string{"Saved in Sandbox: first-platypus-bank (First Platypus Bank, linked 2025-03-10 10:04) · press i for Items"},
			[]string{"saved Items"}, true},
		{"three", threeSaved("sandbox"),
			[]string{"3 saved Items in Sandbox · press i to see them"},
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
			if got := hasHelp(m, "i items"); got != tt.help {
				t.Errorf("help offers a: %v, want %v:\n%s", got, tt.help, v)
			}
			m.Update(press("?"))
			if got := strings.Contains(view(m), "saved Items: numbers, health, actions"); got != tt.help {
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
	for _, want := range []string{"Saved in Sandbox: first-platypus-bank · press i for Items",
		"\n    First Platypus Bank, linked 2025-03-10 10:04\n"} {
		if !strings.Contains(v, want) {
			t.Errorf("at 80 columns the saved Item should take two whole lines; lacks %q:\n%s", want, v)
		}
	}
}

func TestSavedItemsOfAnotherEnvironmentAreNotOffered(t *testing.T) {
	// The list was asked for before the user switched to Sandbox on the keys screen.
	m := linkOpen(t, 120, 40)
	m.Update(savedItemsLoadedMsg{ns: "production", items: []vault.SavedItem{savedPlatypus("production")}})
	if v := view(m); strings.Contains(v, "first-platypus-bank") || hasHelp(m, "i items") {
		t.Errorf("Production's Items are offered in Sandbox:\n%s", v)
	}
}

// linkedOnce runs a first session through the Sandbox shortcut to its results (the Item is
// saved in deps.Vault), then links again: the link screen offers the Item just saved.
func linkedOnce(t *testing.T, w, h int) (*Model, *driver, *emulator.Server) {
	t.Helper()
	m, d, srv := demoOnLink(t, w, h, nil)
	d.sandboxShortcut()
	d.send(press("l"))
	d.until("the Link page offering the saved Item", func() bool {
		return m.screen == screenLink && m.link.state == linkWaiting && len(m.link.saved) == 1
	})
	return m, d, srv
}

func TestItemsOpenedFromLinkFetchTheSelectedItemsNumbers(t *testing.T) {
	m, d, srv := linkedOnce(t, 100, 30)
	sess := m.link.box.get()
	d.screenShows("press i for Items")

	d.send(press("i"))
	d.screenShows("› first-platypus-bank")
	d.send(press("enter"))
	d.until("the results of the saved Item", func() bool { return m.screen == screenResults })
	v := view(m)
	for _, want := range []string{"First Platypus Bank", "Item first-platypus-bank", "✓ Saved in", "Plaid Checking", "••••0000", "011401533"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	if n := emulatortest.Requests(srv, "/item/public_token/exchange"); n != 1 {
		t.Errorf("the saved Item was exchanged again (%d exchanges in all)", n)
	}
	if n := emulatortest.Requests(srv, "/auth/get"); n != 2 {
		t.Errorf("/auth/get called %d times in all, want 2 (the first link, then the saved Item)", n)
	}
	d.until("the waiting Link page to stop", func() bool { return !listening(sess.URL()) })
	if m.Err() != nil {
		t.Errorf("q on these results should exit 0; Err() = %v", m.Err())
	}
}

func TestItemsListsTheItemsNewestFirstAndEnterPicksTheSelected(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	if pressA(t, m); m.screen != screenItems {
		t.Fatalf("i should open the Items screen (screen %v)", m.screen)
	}
	v := view(m)
	for _, want := range []string{
		"NAME                   INSTITUTION          HEALTH               LINKED",
		"› first-platypus-bank-2  First Platypus Bank  unknown              2025-03-14 08:30",
		"  tartan-bank            Tartan Bank          ITEM_LOGIN_REQUIRED  2025-03-12 16:45",
		"  first-platypus-bank    First Platypus Bank  ok                   2025-03-10 10:04",
		"● Link",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the Items screen lacks %q:\n%s", want, v)
		}
	}

	m.Update(press("down"))
	m.Update(press("down"))
	m.Update(press("up"))
	_, cmd := m.Update(press("enter"))
	follow(m, cmd)
	if m.screen != screenWorking || m.working.kind != journeySaved || m.working.title != "Saved Item tartan-bank" {
		t.Fatalf("enter should fetch the selected Item, tartan-bank (screen %v, %q)", m.screen, m.working.title)
	}
	if v := view(m); !strings.Contains(v, "Fetching the account and routing numbers") {
		t.Errorf("the fetch is not shown:\n%s", v)
	}
}

func TestItemsFilterNarrowsTheListAndEscClearsIt(t *testing.T) {
	m := linkSaved(t, 100, 30, threeSaved("sandbox")...)
	pressA(t, m)
	m.Update(press("/"))
	if !hasHelp(m, "enter keep filter") || hasHelp(m, "q quit") {
		t.Errorf("while typing the filter the help should offer enter and esc only:\n%s", view(m))
	}
	typeText(m, "platypus")
	v := view(m)
	if strings.Contains(v, "tartan-bank") || !strings.Contains(v, "first-platypus-bank-2") || !strings.Contains(v, "2 Items of 3") {
		t.Errorf("the filter platypus should leave the two Platypus Items:\n%s", v)
	}
	typeText(m, " 2025-03-10") // words all have to match; dates are not searched
	if v := view(m); !strings.Contains(v, "No Item matches the filter.") {
		t.Errorf("a filter nothing matches should say so:\n%s", v)
	}
	for range len(" 2025-03-10") {
		m.Update(press("backspace"))
	}
	m.Update(press("down"))
	m.Update(press("enter")) // keeps the filter
	if m.items.mode != itemsBrowsing || !strings.Contains(view(m), "/ platypus") || !m.items.keys.ClearFilter.Enabled() {
		t.Errorf("enter should keep the filter and go back to the list:\n%s", view(m))
	}
	if it, _ := m.items.selected(); it.Name != "first-platypus-bank" {
		t.Errorf("the selection should move within the filtered list; selected %q", it.Name)
	}
	m.Update(press("esc"))
	if v := view(m); !strings.Contains(v, "tartan-bank") || m.screen != screenItems {
		t.Errorf("esc with a filter should clear it, not leave:\n%s", v)
	}
	if it, _ := m.items.selected(); it.Name != "first-platypus-bank" {
		t.Errorf("clearing the filter should keep the selected Item; selected %q", it.Name)
	}
	_, cmd := m.Update(press("esc"))
	follow(m, cmd)
	if m.screen != screenLink {
		t.Errorf("esc without a filter should go back to Link (screen %v)", m.screen)
	}
}

func TestSavedFetchFailureShowsPlaidsErrorAndEscReturnsToItems(t *testing.T) {
	m, d, srv := linkedOnce(t, 100, 40)
	// An error that passes: an ITEM_LOGIN_REQUIRED would stay until update mode, as at Plaid,
	// and the retry below would meet it again.
	srv.InjectError("/auth/get", 1, "INSTITUTION_DOWN")
	d.send(press("i"))
	d.screenShows("› first-platypus-bank")
	d.send(press("enter"))
	d.until("the failure", func() bool { return m.working.failed() >= 0 })

	v := view(m)
	for _, want := range []string{"✗ Could not fetch the numbers", "INSTITUTION_DOWN (INSTITUTION_ERROR)", "request_id", "Press r to try this step again"} {
		if !strings.Contains(v, want) {
			t.Errorf("the failure lacks %q:\n%s", want, v)
		}
	}
	if !plaidapi.HasCode(m.Err(), "INSTITUTION_DOWN") {
		t.Errorf("quitting on the failure should exit 1 with it; Err() = %v", m.Err())
	}
	if !hasHelp(m, "r retry step") || !hasHelp(m, "esc back to Items") {
		t.Errorf("the help does not offer r and esc:\n%s", v)
	}

	d.send(press("esc"))
	d.until("the Items", func() bool { return m.screen == screenItems })
	d.send(press("esc"))
	d.until("the Link page", func() bool { return m.screen == screenLink })
	if m.link.state != linkWaiting {
		t.Errorf("esc should return to the waiting Link page (state %v)", m.link.state)
	}
	if m.Err() != nil {
		t.Errorf("back on Link the failure still counts: %v", m.Err())
	}
	if !strings.Contains(view(m), "press i for Items") {
		t.Errorf("back on Link the saved Item is no longer offered:\n%s", view(m))
	}

	d.send(press("i"))
	d.screenShows("› first-platypus-bank")
	d.send(press("enter"))
	d.until("the results after trying again", func() bool { return m.screen == screenResults })
}

func TestStartupListsTheSavedItemsOnlyWithAVault(t *testing.T) {
	cfg := liveConfigNoServer()
	deps := testDeps(t, cfg)
	if _, err := deps.Vault.SaveItem(savedPlatypus("sandbox"), "access-sandbox-x"); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, deps, 80, 24)
	d := newDriver(t, m)
	d.exec(m.loadSaved())
	d.until("the saved Items", func() bool { return len(m.link.saved) == 1 })
	if m.link.saved[0].Name != "first-platypus-bank" {
		t.Errorf("at startup the saved Items were not listed: %+v", m.link.saved)
	}

	deps = testDeps(t, cfg)
	deps.Vault = nil // --no-save
	if cmd := newTestModel(t, deps, 80, 24).loadSaved(); cmd != nil {
		t.Errorf("without a vault nothing should be listed")
	}
}

// Loads of the index run side by side: an older read that answers after a newer one (the
// load made when the screen opened, after a reset's reload) does not put the old health back.
func TestAnOlderReadOfTheIndexDoesNotReplaceANewerOne(t *testing.T) {
	m := linkOpenAt(t, testDeps(t, linkOpenConfig()), 100, 30)
	reset := savedPlatypus("sandbox")
	reset.Health = "ITEM_LOGIN_REQUIRED"
	m.Update(savedItemsLoadedMsg{ns: "sandbox", items: []vault.SavedItem{reset}, read: 2})
	m.Update(savedItemsLoadedMsg{ns: "sandbox", items: []vault.SavedItem{savedPlatypus("sandbox")}, read: 1})
	if got := m.items.items[0].Health; got != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("after a late older read the list says %q, want the newer ITEM_LOGIN_REQUIRED", got)
	}
}

// Right after linking with no keyring, the Items screen is empty: it says the Item linked in
// this session was not saved and why, not "link one first" as if nothing had been linked.
func TestEmptyItemsSayTheItemLinkedThisSessionWasNotSaved(t *testing.T) {
	_, deps := liveOnEmulator(t)
	deps.NoBrowser = true
	deps.Vault = vault.NewVault(unreachableKeyring{}, t.TempDir())
	m, d := started(t, deps, 100, 40)
	d.until("the keys check", func() bool { return m.keys.check.state == checkOK })
	d.send(press("enter"))
	d.until("the offer to save the keys", func() bool { return m.keys.phase == phaseSaveOffer })
	d.send(press("n")) // not now: there is no keyring to save them in
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	d.sandboxShortcut()
	d.send(press("i"))
	d.until("the Items screen", func() bool { return m.screen == screenItems })
	body := strings.Join(strings.Fields(strings.ReplaceAll(bodyText(m), "│", "")), " ")
	for _, want := range []string{"The Item linked in this session (First Platypus Bank, " + present.ItemRef(m.results.res) + ") was not saved: no OS keyring is reachable", "plaid-onboard doctor"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Items screen does not say %q:\n%s", want, bodyText(m))
		}
	}
	if strings.Contains(body, "link one first") {
		t.Errorf("the Items screen asks to link an Item just linked:\n%s", bodyText(m))
	}
}
