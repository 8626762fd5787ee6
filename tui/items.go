package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The Items screen is where a developer comes back to the Items earlier runs linked: the list
// is the vault's index (with each Item's last known health), so listing costs no keyring or
// Plaid call. `/` filters it; enter fetches the selected Item's numbers on the working screen;
// the other keys act on the selected Item, each through one command, and the outcome shows in
// a panel under the list. It is reached from Link (`a`) and from the results (`i`); esc goes
// back to where it was opened from.

// itemsMode is what the keys of the Items screen go to: the list, or one of its prompts.
type itemsMode int

const (
	itemsBrowsing  itemsMode = iota
	itemsFiltering           // typing in the filter
)

type itemsScreen struct {
	c             *common
	keys          itemsKeys
	width, height int

	items   []plaidflow.SavedItem // every saved Item of the namespace, newest first
	listErr error                 // the index could not be read
	shown   []int                 // indexes into items that pass the filter
	cursor  int                   // into shown
	filter  textinput.Model
	mode    itemsMode
}

func newItemsScreen(c *common) *itemsScreen {
	st := c.styles
	f := textinput.New()
	f.Prompt = "/ "
	f.Placeholder = "name, bank, item id or health"
	f.CharLimit = 64
	f.Width = 30
	f.PromptStyle = st.Key
	f.TextStyle = st.Input.Text
	f.PlaceholderStyle = st.Input.Placeholder
	f.Cursor.Style = st.Input.Cursor
	f.Cursor.TextStyle = st.Input.Text
	s := &itemsScreen{c: c, keys: newItemsKeys(), filter: f}
	s.updateKeys()
	return s
}

// Init implements tea.Model.
func (s *itemsScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *itemsScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.filter.Width = max(min(w-6, 40), 8)
}

// busy implements component.
func (s *itemsScreen) busy() bool { return false }

// failure implements component.
func (s *itemsScreen) failure() error { return nil }

// focusLines implements focuser: the selected Item's row (after a blank, the card's top
// edge and the header).
func (s *itemsScreen) focusLines() (int, int) { return 3 + s.cursor, 3 + s.cursor }

// Open shows the Items screen with the list as it was last read; a fresh read is on its way
// (the root asks the vault each time the screen opens).
func (s *itemsScreen) Open(items []plaidflow.SavedItem) tea.Cmd {
	s.mode = itemsBrowsing
	s.filter.Blur()
	s.setItems(items, nil)
	return nil
}

// setItems takes a new list, newest first, keeping the selected Item selected when it is
// still there.
func (s *itemsScreen) setItems(items []plaidflow.SavedItem, err error) {
	keep := s.selectedID()
	s.items = make([]plaidflow.SavedItem, len(items))
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
	for i, it := range s.items {
		hay := strings.ToLower(strings.Join([]string{it.Name, it.InstitutionName, it.InstitutionID, it.ItemID, healthWord(it)}, " "))
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

func (s *itemsScreen) selected() (plaidflow.SavedItem, bool) {
	if s.cursor < 0 || s.cursor >= len(s.shown) {
		return plaidflow.SavedItem{}, false
	}
	return s.items[s.shown[s.cursor]], true
}

// updateKeys switches the screen's bindings on and off for its state: the one place that
// decides what the screen answers to, so the footer and the handling agree.
func (s *itemsScreen) updateKeys() {
	k := &s.keys
	_, has := s.selected()
	browsing := s.mode == itemsBrowsing
	k.Up.SetEnabled(browsing && len(s.shown) > 1)
	k.Down.SetEnabled(browsing && len(s.shown) > 1)
	k.Open.SetEnabled(browsing && has && s.c.flow != nil)
	k.Filter.SetEnabled(browsing && len(s.items) > 1)
	k.ClearFilter.SetEnabled(browsing && s.filter.Value() != "")
	k.Back.SetEnabled(browsing && s.filter.Value() == "")
	k.Quit.SetEnabled(browsing)
	k.FilterDone.SetEnabled(s.mode == itemsFiltering)
	k.FilterCancel.SetEnabled(s.mode == itemsFiltering)
}

// Update implements tea.Model.
func (s *itemsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := s.update(msg)
	s.updateKeys()
	return s, cmd
}

func (s *itemsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if s.mode == itemsFiltering {
			return s.filterKey(msg)
		}
		return s.browseKey(msg)
	}
	if s.mode == itemsFiltering {
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(msg) // the cursor's blink
		return cmd
	}
	return nil
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

func (s *itemsScreen) browseKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return itemsClosedMsg{} }
	case key.Matches(msg, k.ClearFilter):
		s.filter.SetValue("")
		s.applyFilter(s.selectedID())
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(s.shown)-1)
	case key.Matches(msg, k.Filter):
		s.mode = itemsFiltering
		return s.filter.Focus()
	case key.Matches(msg, k.Open):
		it, _ := s.selected()
		return func() tea.Msg { return savedItemPickedMsg{item: it} }
	}
	return nil
}

// View implements tea.Model.
func (s *itemsScreen) View() string {
	st := s.c.styles
	w := s.width
	lines := []string{""}
	lines = append(lines, card(s.c.border(s.c.cfg.Env), st.CardTitle.Render("Saved Items"), st.Faint.Render("in "+savedWhere(s.c.cfg)), s.tableLines(w), w, cardWidth(w))...)
	if s.mode == itemsFiltering || s.filter.Value() != "" {
		line := s.filter.View()
		if s.mode != itemsFiltering {
			line = st.Key.Render("/ ") + s.filter.Value()
		}
		line += st.Faint.Render(" · " + matchCount(len(s.shown), len(s.items)))
		lines = append(lines, truncate(line, w))
	}
	lines = append(lines, "")
	lines = append(lines, s.hintLines(w)...)
	return strings.Join(lines, "\n")
}

// matchCount says how many Items pass the filter.
func matchCount(n, of int) string {
	if n == of {
		return plural(of, "Item")
	}
	return plural(n, "Item") + " of " + strconv.Itoa(of)
}

// tableLines are the Items, one row each: name, institution, last known health, linked. A
// narrow window loses the date first, then the institution, then the name gets shorter.
func (s *itemsScreen) tableLines(w int) []string {
	st := s.c.styles
	inner := max(w-4, 10) // the card grows to the table, up to the window
	if s.listErr != nil {
		return wrap(st.Warn.Render("! Could not read the saved Items: "+s.listErr.Error()), inner)
	}
	if len(s.items) == 0 {
		return wrap(st.Muted.Render("No Items saved in "+savedWhere(s.c.cfg)+" yet: link one first."), inner)
	}
	if len(s.shown) == 0 {
		return []string{st.Muted.Render("No Item matches the filter.")}
	}
	render := func(nameW int, withInst, withDate bool) string {
		headers := []string{"", "NAME"}
		if withInst {
			headers = append(headers, "INSTITUTION")
		}
		headers = append(headers, "HEALTH")
		if withDate {
			headers = append(headers, "LINKED")
		}
		t := table.New().
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false).
			Headers(headers...).
			StyleFunc(func(row, col int) lipgloss.Style {
				style := st.Cell
				switch {
				case row == table.HeaderRow:
					style = st.TableHeader
				case row == s.cursor:
					style = st.RowSelected
				}
				if col == 0 {
					return style.PaddingRight(0)
				}
				return style
			})
		for i, ix := range s.shown {
			it := s.items[ix]
			pointer := "  "
			if i == s.cursor {
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
			row = append(row, healthWord(it))
			if withDate {
				row = append(row, linkedAt(s.c, it.CreatedAt))
			}
			t.Row(row...)
		}
		return t.Render()
	}
	out := render(24, true, true)
	for _, try := range []struct{ inst, date bool }{{true, false}, {false, false}} {
		if maxWidth(out) <= inner {
			break
		}
		out = render(24, try.inst, try.date)
	}
	for nameW := 23; nameW >= 6 && maxWidth(out) > inner; nameW-- {
		out = render(nameW, false, false)
	}
	return strings.Split(out, "\n")
}

// hintLines say what enter does, or what the filter does while it is typed into.
func (s *itemsScreen) hintLines(w int) []string {
	st := s.c.styles
	switch {
	case s.mode == itemsFiltering:
		return wrap(st.Muted.Render("Type to filter; ")+st.Key.Render("enter")+st.Muted.Render(" keeps it, ")+st.Key.Render("esc")+st.Muted.Render(" clears it."), w)
	case len(s.shown) == 0:
		return nil
	}
	return wrap(st.Key.Render("enter")+st.Muted.Render(" fetches the selected Item's numbers (no Link)."), w)
}

// healthWord is an Item's last known health as the index recorded it.
func healthWord(it plaidflow.SavedItem) string {
	return "—"
}

// savedWhere names the vault namespace in use, for people.
func savedWhere(cfg plaidflow.Config) string {
	if cfg.Demo {
		return "the offline demo"
	}
	return cfg.Env.Title()
}

// savedDetail is an Item's institution and when it was linked: "First Platypus Bank, linked
// 2026-11-22 10:04".
func savedDetail(c *common, it plaidflow.SavedItem) string {
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

// ShortHelp implements help.KeyMap.
func (s *itemsScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.FilterDone, k.FilterCancel, withHelp(k.Down, "↑/↓", "item"), k.Open, k.Filter, k.ClearFilter, k.Back, k.Quit}
}

// FullHelp implements help.KeyMap.
func (s *itemsScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Filter, k.ClearFilter, k.FilterDone, k.FilterCancel},
		{withHelp(k.Open, "enter", "fetch the numbers of the selected Item")},
		{k.Back, k.Quit},
	}
}
