package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The saved Items screen: the Items that earlier runs kept in the vault, and the fetch of one's
// numbers with its saved access token, without Link and without an exchange. With one Item it
// goes straight to the fetch; with several it lists them first. The Link page keeps running
// meanwhile, so esc returns to it as it was.

type savedState int

const (
	savedPicking  savedState = iota // choosing among several Items
	savedFetching                   // /auth/get for the chosen Item is under way
	savedFailed                     // Plaid (or the keyring) refused
)

type savedScreen struct {
	c             *common
	width, height int

	state  savedState
	items  []plaidflow.SavedItem
	cursor int
	offset int // first Item row on show

	reqID int
	item  plaidflow.SavedItem // the Item being fetched
	err   error

	spinner spinner.Model
}

func newSavedScreen(c *common) *savedScreen {
	return &savedScreen{c: c, spinner: newSpinner(c.styles)}
}

// Init implements tea.Model.
func (s *savedScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *savedScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.scroll()
}

func (s *savedScreen) owns(id int) bool { return id != 0 && s.reqID == id }

// Open shows the saved Items; with only one, its numbers are fetched at once.
func (s *savedScreen) Open(items []plaidflow.SavedItem) tea.Cmd {
	s.items = items
	s.cursor, s.offset = 0, 0
	s.reqID, s.err = 0, nil
	s.state = savedPicking
	if len(items) == 1 {
		return s.fetch(items[0])
	}
	return nil
}

func (s *savedScreen) fetch(it plaidflow.SavedItem) tea.Cmd {
	s.item, s.state, s.err = it, savedFetching, nil
	s.reqID = s.c.nextID()
	return tea.Batch(fetchSavedNumbers(s.c.ctx, s.reqID, s.c.flow, it), s.spinner.Tick)
}

// back leaves a fetch or its failure: to the list when there is one to choose from again, to the
// link screen otherwise. An answer still on its way is dropped.
func (s *savedScreen) back() tea.Cmd {
	s.reqID = 0
	if s.state != savedPicking && len(s.items) > 1 {
		s.state, s.err = savedPicking, nil
		return nil
	}
	return func() tea.Msg { return linkReturnRequestedMsg{} }
}

// Update implements tea.Model.
func (s *savedScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.state != savedFetching {
			return s, nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return s, cmd

	case errMsg:
		if msg.op == opSavedNumbers && s.owns(msg.id) {
			s.state, s.err = savedFailed, msg.err
		}
		return s, nil

	case tea.KeyMsg:
		return s, s.handleKey(msg)
	}
	return s, nil
}

func (s *savedScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Back):
		return s.back()
	case key.Matches(msg, k.QuitQ):
		return tea.Quit
	}
	switch s.state {
	case savedPicking:
		switch {
		case key.Matches(msg, k.Up):
			if s.cursor > 0 {
				s.cursor--
			}
			s.scroll()
		case key.Matches(msg, k.Down):
			if s.cursor < len(s.items)-1 {
				s.cursor++
			}
			s.scroll()
		case key.Matches(msg, k.Submit):
			if s.cursor < len(s.items) {
				return s.fetch(s.items[s.cursor])
			}
		}
	case savedFailed:
		switch {
		case key.Matches(msg, k.Retry):
			return s.fetch(s.item)
		}
	}
	return nil
}

// pickerFixed is the picker's lines other than the Item rows: blank, card edges, column
// header, blank, hint.
const pickerFixed = 6

// listRoom is the number of Item rows that fit.
func (s *savedScreen) listRoom() int {
	room := s.height - pickerFixed
	if len(s.items) > room {
		room-- // the "more" line
	}
	return max(room, 1)
}

func (s *savedScreen) scroll() {
	room := s.listRoom()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+room {
		s.offset = s.cursor - room + 1
	}
	s.offset = max(min(s.offset, len(s.items)-room), 0)
}

// View implements tea.Model.
func (s *savedScreen) View() string {
	if s.state == savedPicking {
		return s.pickerView()
	}
	st := s.c.styles
	w := s.width
	it := s.item
	border := s.c.border(s.c.cfg.Env)
	if s.state == savedFailed {
		border = st.CardBad
	}
	body := []string{
		st.Muted.Render(capitalize(savedDetail(s.c, it))),
		st.Faint.Render("item_id " + it.ItemID),
	}
	lines := []string{""}
	lines = append(lines, card(border, st.CardTitle.Render("Saved Item "+it.Name), st.Faint.Render("in "+savedWhere(s.c.cfg)), body, w, cardWidth(w))...)
	lines = append(lines, "")
	switch s.state {
	case savedFetching:
		lines = append(lines, s.spinner.View()+" Fetching the numbers of "+it.Name+"…")
		lines = append(lines, st.Muted.Render("Using the access token saved in the keyring."))
	case savedFailed:
		lines = append(lines, strings.Split(s.c.errorBlock("Could not fetch the numbers of "+it.Name, s.err, w), "\n")...)
		back := "Link"
		if len(s.items) > 1 {
			back = "the saved Items"
		}
		lines = append(lines, "")
		lines = append(lines, wrap(st.Muted.Render("Press ")+st.Key.Render("r")+st.Muted.Render(" to try again, ")+
			st.Key.Render("esc")+st.Muted.Render(" to go back to "+back+", or ")+st.Key.Render("q")+st.Muted.Render(" to quit."), w)...)
	}
	return strings.Join(lines, "\n")
}

func (s *savedScreen) pickerView() string {
	st := s.c.styles
	w := s.width
	inner := min(w-4, max(cardWidth(w), 0))
	nameW, instW, dateW := len("NAME"), len("INSTITUTION"), len("2006-01-02 15:04")
	for _, it := range s.items {
		nameW = max(nameW, len(it.Name))
		instW = max(instW, len(it.InstitutionName))
	}
	nameW = min(nameW, 24)
	// pointer, then two spaces between columns; the institution gives way first, then the date.
	if rest := inner - 2 - nameW - 2 - dateW - 2; rest < instW {
		instW = rest
	}
	if instW < 8 {
		instW, dateW = 0, 0
		nameW = inner - 2
	}
	cells := func(name, inst, date string) string {
		out := padRight(name, nameW)
		if instW > 0 {
			out += "  " + padRight(inst, instW) + "  " + date
		}
		return out
	}
	body := []string{"  " + st.TableHeader.Render(cells("NAME", "INSTITUTION", "LINKED"))}
	room := s.listRoom()
	end := min(s.offset+room, len(s.items))
	for i := s.offset; i < end; i++ {
		it := s.items[i]
		inst := it.InstitutionName
		if inst == "" {
			inst = "—"
		}
		row := cells(it.Name, inst, linkedAt(s.c, it.CreatedAt))
		if i == s.cursor {
			body = append(body, st.Pointer.Render("› ")+st.RowSelected.Render(row))
		} else {
			body = append(body, "  "+st.Row.Render(row))
		}
	}
	if len(s.items) > room {
		var more []string
		if s.offset > 0 {
			more = append(more, fmt.Sprintf("↑ %d above", s.offset))
		}
		if below := len(s.items) - end; below > 0 {
			more = append(more, fmt.Sprintf("↓ %d below", below))
		}
		body = append(body, "  "+st.Faint.Render(strings.Join(more, " · ")))
	}
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
	k := s.c.keys
	back := withHelp(k.Back, "esc", "back to Link")
	if s.state != savedPicking && len(s.items) > 1 {
		back = withHelp(k.Back, "esc", "back to the list")
	}
	switch s.state {
	case savedPicking:
		return []key.Binding{withHelp(k.Down, "↑/↓", "item"), withHelp(k.Submit, "enter", "numbers"), back, k.QuitQ}
	case savedFailed:
		return []key.Binding{withHelp(k.Retry, "r", "try again"), back, k.QuitQ}
	}
	return []key.Binding{back, k.QuitQ}
}

// FullHelp implements help.KeyMap.
func (s *savedScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	if s.state == savedPicking {
		return [][]key.Binding{
			{withHelp(k.Up, "↑/k", "previous Item"), withHelp(k.Down, "↓/j", "next Item")},
			{withHelp(k.Submit, "enter", "fetch the numbers of the selected Item"), withHelp(k.Back, "esc", "back to Link"), k.QuitQ},
		}
	}
	return [][]key.Binding{s.ShortHelp()}
}
