package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The saved Items screen lists the Items earlier runs kept in the vault; picking one hands a
// saved-Item journey (numbers only, with the saved access token) to the working screen. With
// one Item it is picked at once. The Link page keeps running meanwhile, so esc returns to it.

type savedScreen struct {
	c             *common
	keys          savedKeys
	width, height int

	items  []plaidflow.SavedItem
	cursor int
}

func newSavedScreen(c *common) *savedScreen {
	s := &savedScreen{c: c, keys: newSavedKeys()}
	s.updateKeys()
	return s
}

// Init implements tea.Model.
func (s *savedScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *savedScreen) SetSize(w, h int) { s.width, s.height = w, h }

// busy implements component.
func (s *savedScreen) busy() bool { return false }

// failure implements component.
func (s *savedScreen) failure() error { return nil }

// focusLines implements focuser: the selected Item's row (after a blank, the card's top
// edge and the header).
func (s *savedScreen) focusLines() (int, int) { return 3 + s.cursor, 3 + s.cursor }

// Open shows the saved Items; with only one, it is picked at once.
func (s *savedScreen) Open(items []plaidflow.SavedItem) tea.Cmd {
	s.items, s.cursor = items, 0
	s.updateKeys()
	if len(items) == 1 {
		return s.pick()
	}
	return nil
}

func (s *savedScreen) pick() tea.Cmd {
	it := s.items[s.cursor]
	return func() tea.Msg { return savedItemPickedMsg{item: it} }
}

func (s *savedScreen) updateKeys() {
	s.keys.Pick.SetEnabled(len(s.items) > 0)
	s.keys.Up.SetEnabled(len(s.items) > 1)
	s.keys.Down.SetEnabled(len(s.items) > 1)
}

// Update implements tea.Model.
func (s *savedScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	k := s.keys
	switch {
	case key.Matches(km, k.Back):
		return s, func() tea.Msg { return linkReturnRequestedMsg{} }
	case key.Matches(km, k.Quit):
		return s, tea.Quit
	case key.Matches(km, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(km, k.Down):
		s.cursor = min(s.cursor+1, len(s.items)-1)
	case key.Matches(km, k.Pick):
		return s, s.pick()
	}
	return s, nil
}

// View implements tea.Model.
func (s *savedScreen) View() string {
	st := s.c.styles
	w := s.width
	inner := max(min(w-4, cardWidth(w)), 10)
	date := func(it plaidflow.SavedItem) string { return linkedAt(s.c, it.CreatedAt) }
	render := func(nameW int, withInst, withDate bool) string {
		headers := []string{"", "NAME"}
		if withInst {
			headers = append(headers, "INSTITUTION")
		}
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
		for i, it := range s.items {
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
				row = append(row, inst)
			}
			if withDate {
				row = append(row, date(it))
			}
			t.Row(row...)
		}
		return t.Render()
	}
	// The date gives way first, then the institution, then the name gets shorter.
	out := render(24, true, true)
	for _, try := range []struct {
		inst, date bool
	}{{true, false}, {false, false}} {
		if maxWidth(out) <= inner {
			break
		}
		out = render(24, try.inst, try.date)
	}
	for nameW := 23; nameW >= 6 && maxWidth(out) > inner; nameW-- {
		out = render(nameW, false, false)
	}
	body := strings.Split(out, "\n")
	lines := []string{""}
	lines = append(lines, card(s.c.border(s.c.cfg.Env), st.CardTitle.Render("Saved Items"), st.Faint.Render("in "+savedWhere(s.c.cfg)), body, w, cardWidth(w))...)
	lines = append(lines, "", truncate(st.Key.Render("enter")+st.Muted.Render(" fetches the selected Item's numbers (no Link)."), w))
	return strings.Join(lines, "\n")
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
func (s *savedScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{withHelp(k.Down, "↑/↓", "item"), k.Pick, k.Back, k.Quit}
}

// FullHelp implements help.KeyMap.
func (s *savedScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down},
		{withHelp(k.Pick, "enter", "fetch the numbers of the selected Item"), k.Back, k.Quit},
	}
}
