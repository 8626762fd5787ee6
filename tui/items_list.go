package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Items screen's list: the vault's index as last read, newest first, the filter over it,
// and the table that draws it (which narrows with the window).

// setItems takes a new list, newest first, keeping the selected Item selected when it is
// still there.
func (s *itemsScreen) setItems(items []vault.SavedItem, err error) {
	keep := s.selectedID()
	s.items = make([]vault.SavedItem, len(items))
	for i, it := range items {
		s.items[len(items)-1-i] = it // the vault lists oldest first
	}
	s.listErr = err
	s.applyFilter(keep)
	s.updateKeys()
}

// loaded takes the vault's list when it is about the namespace in use.
func (s *itemsScreen) loaded(msg savedItemsLoadedMsg) {
	if msg.ns != s.c.cfg.Namespace() {
		return
	}
	if msg.err != nil {
		s.setItems(nil, msg.err)
		return
	}
	s.setItems(msg.items, nil)
}

// applyFilter recomputes which Items pass the filter: every word of it must appear in the
// Item's name, institution, id or health, ignoring case. The Item keep stays selected when it
// passes.
func (s *itemsScreen) applyFilter(keep string) {
	words := strings.Fields(strings.ToLower(s.filter.Value()))
	s.shown = s.shown[:0]
	s.listed++
	for i, it := range s.items {
		hay := strings.ToLower(strings.Join([]string{it.Name, it.InstitutionName, it.InstitutionID, it.ItemID, plaidflow.HealthLabel(it)}, " "))
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			s.shown = append(s.shown, i)
		}
	}
	s.cursor = max(min(s.cursor, len(s.shown)-1), 0)
	for i, ix := range s.shown {
		if s.items[ix].ItemID == keep {
			s.cursor = i
		}
	}
}

// selectedID is the selected Item's id, "" when none is.
func (s *itemsScreen) selectedID() string {
	it, _ := s.selected()
	return it.ItemID
}

func (s *itemsScreen) selected() (vault.SavedItem, bool) {
	if s.cursor < 0 || s.cursor >= len(s.shown) {
		return vault.SavedItem{}, false
	}
	return s.items[s.shown[s.cursor]], true
}

func (s *itemsScreen) filterKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.FilterDone):
		s.mode = itemsBrowsing
		s.filter.Blur()
		return nil
	case key.Matches(msg, k.FilterCancel):
		s.mode = itemsBrowsing
		s.filter.Blur()
		s.filter.SetValue("")
		s.applyFilter(s.selectedID())
		return nil
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown:
		// The list still moves while typing, so a match can be picked without leaving.
		if msg.Type == tea.KeyUp {
			s.cursor = max(s.cursor-1, 0)
		} else {
			s.cursor = max(min(s.cursor+1, len(s.shown)-1), 0)
		}
		return nil
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	s.applyFilter(s.selectedID())
	return cmd
}

// matchCount says how many Items pass the filter.
func matchCount(n, of int) string {
	if n == of {
		return plural(of, "Item")
	}
	return plural(n, "Item") + " of " + strconv.Itoa(of)
}

// tableLines are the Items, one row each: name, institution, last known health, linked; the
// table drawn once per list, filter and width (pickList), as a key moves the cursor.
func (s *itemsScreen) tableLines(w int) []string {
	st := s.c.styles
	inner := max(w-4, 10) // the card grows to the table, up to the window
	if s.listErr != nil {
		return wrap(st.Warn.Render("! Could not read the saved Items: "+s.listErr.Error()), inner)
	}
	if len(s.items) == 0 {
		if res := s.c.notSaved; res != nil {
			return wrap(st.Warn.Render("! No Items saved in "+savedWhere(s.c.cfg)+". The Item linked in this session ("+
				present.InstitutionName(res)+", "+present.ItemRef(res)+") was not saved: "+res.Storage.Problem+". Its numbers are on the results until you quit; make the OS keyring reachable (`"+
				s.c.voice().Command("doctor")+"` checks it), then link again to keep one."), inner)
		}
		return wrap(st.Muted.Render("No Items saved in "+savedWhere(s.c.cfg)+" yet: link one first."), inner)
	}
	if len(s.shown) == 0 {
		return []string{st.Muted.Render("No Item matches the filter.")}
	}
	return s.table.lines(pickKey{s.listed, inner}, len(s.shown), s.cursor, func(picked func(int) bool) []string {
		return strings.Split(s.drawTable(inner, picked), "\n")
	})
}

// drawTable draws the Items that pass the filter, with the rows picked reports selected, in
// inner cells: a narrow window loses the date first, then the institution, then the name gets
// shorter.
func (s *itemsScreen) drawTable(inner int, picked func(row int) bool) string {
	st := s.c.styles
	render := func(nameW int, withInst, withDate bool) string {
		headers := []string{"", "NAME"}
		if withInst {
			headers = append(headers, "INSTITUTION")
		}
		headers = append(headers, "HEALTH")
		if withDate {
			headers = append(headers, "LINKED")
		}
		t := listTable(st, headers, picked, nil)
		for i, ix := range s.shown {
			it := s.items[ix]
			pointer := "  "
			if picked(i) {
				pointer = "› "
			}
			inst := it.InstitutionName
			if inst == "" {
				inst = "—"
			}
			row := []string{pointer, truncate(it.Name, nameW)}
			if withInst {
				row = append(row, truncate(inst, 22))
			}
			row = append(row, plaidflow.HealthLabel(it))
			if withDate {
				row = append(row, linkedAt(s.c, it.CreatedAt))
			}
			t.Row(row...)
		}
		return t.Render()
	}
	for _, withDate := range []bool{true, false} {
		if out := render(24, true, withDate); maxWidth(out) <= inner {
			return out
		}
	}
	return widest(func(nameW int) string { return render(nameW, false, false) }, 24, 6, inner)
}

// hintLines say what enter does, or what the filter does while it is typed into.
func (s *itemsScreen) hintLines(w int) []string {
	st := s.c.styles
	switch {
	case s.mode == itemsFiltering:
		return wrap(st.Muted.Render("Type to filter; ")+st.Key.Render("enter")+st.Muted.Render(" keeps it, ")+st.Key.Render("esc")+st.Muted.Render(" clears it."), w)
	case len(s.shown) == 0 || s.mode != itemsBrowsing || s.panel != nil || s.pending != 0:
		return nil
	}
	return wrap(st.Key.Render("enter")+st.Muted.Render(" fetches the selected Item's numbers (no Link); ")+
		st.Key.Render("?")+st.Muted.Render(" lists what else you can do with it."), w)
}

// savedWhere names the vault namespace in use, for people.
func savedWhere(cfg config.Config) string {
	if cfg.Demo {
		return "the offline demo"
	}
	return cfg.Env.Title()
}

// savedDetail is an Item's institution and when it was linked: "First Platypus Bank, linked
// 2026-11-22 10:04".
func savedDetail(c *common, it vault.SavedItem) string {
	linked := "linked " + linkedAt(c, it.CreatedAt)
	if it.InstitutionName == "" {
		return linked
	}
	return it.InstitutionName + ", " + linked
}

// linkedAt shows a time in the clock's zone (the local one; the tests' fixed clock is UTC).
func linkedAt(c *common, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.now().Location()).Format("2006-01-02 15:04")
}
