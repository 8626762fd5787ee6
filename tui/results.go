package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The results screen: the institution, where the Item was saved, a table of accounts with their
// balances, and every number family of the selected account. Account numbers and IBANs are
// masked until `v`, so the screen is safe to share.

type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusWarn
	statusBad
)

type resultsScreen struct {
	c             *common
	width, height int

	res    *plaidflow.Result
	cursor int
	offset int // first account row on show
	reveal bool

	status     string
	statusKind statusKind
}

func newResultsScreen(c *common) *resultsScreen { return &resultsScreen{c: c} }

// Init implements tea.Model.
func (s *resultsScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *resultsScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.scroll()
}

// SetResult shows a new result, masked, with the first account that has numbers selected.
func (s *resultsScreen) SetResult(res *plaidflow.Result) {
	s.res = res
	s.cursor, s.offset, s.reveal = 0, 0, false
	s.status = ""
	for i, a := range res.Accounts {
		if !res.NumbersFor(a.ID).Empty() {
			s.cursor = i
			break
		}
	}
	s.scroll()
}

func (s *resultsScreen) selected() (plaidflow.Account, bool) {
	if s.res == nil || s.cursor < 0 || s.cursor >= len(s.res.Accounts) {
		return plaidflow.Account{}, false
	}
	return s.res.Accounts[s.cursor], true
}

// Update implements tea.Model.
func (s *resultsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case clipboardCopiedMsg:
		s.status, s.statusKind = "✓ Copied "+msg.what+" to the clipboard through the terminal (OSC 52; some terminals need it allowed).", statusOK
		return s, nil

	case errMsg:
		if msg.op == opCopy {
			s.status, s.statusKind = "✗ "+msg.err.Error(), statusBad
		}
		return s, nil

	case tea.KeyMsg:
		if s.res == nil {
			return s, nil
		}
		k := s.c.keys
		switch {
		case key.Matches(msg, k.Up):
			if s.cursor > 0 {
				s.cursor--
			}
			s.scroll()
		case key.Matches(msg, k.Down):
			if s.cursor < len(s.res.Accounts)-1 {
				s.cursor++
			}
			s.scroll()
		case key.Matches(msg, k.Reveal):
			s.reveal = !s.reveal
			if s.reveal {
				s.status, s.statusKind = "Numbers revealed: mind who can see this screen. v hides them.", statusWarn
			} else {
				s.status, s.statusKind = "Numbers masked again.", statusInfo
			}
		case key.Matches(msg, k.Copy):
			return s, s.copy()
		case key.Matches(msg, k.LinkAnother):
			return s, func() tea.Msg { return anotherLinkRequestedMsg{} }
		case key.Matches(msg, k.QuitQ):
			return s, tea.Quit
		}
	}
	return s, nil
}

// copy sends the selected account's numbers, unmasked, to the clipboard.
func (s *resultsScreen) copy() tea.Cmd {
	a, ok := s.selected()
	if !ok {
		return nil
	}
	n := s.res.NumbersFor(a.ID)
	if n.Empty() {
		s.status, s.statusKind = "Plaid returned no numbers for "+a.Name+": nothing to copy.", statusInfo
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", a.Name, institutionName(s.res))
	for _, f := range numberFamilies(n, true) {
		for _, r := range f.rows {
			fmt.Fprintf(&b, "%s %s: %s\n", f.name, r.label, r.value)
		}
	}
	return copyToClipboard(s.c.deps.Out, s.c.deps.Getenv, b.String(), a.Name+"'s numbers")
}

// tableRoom is the number of account rows that fit once everything else has its lines.
func (s *resultsScreen) tableRoom() int {
	if s.res == nil {
		return 1
	}
	w := s.width
	fixed := len(s.headLines(w)) + 2 /* blank, table header */ + 1 /* blank */ + len(s.numbersLines(w))
	if st := s.statusLines(w); len(st) > 0 {
		fixed += 1 + len(st)
	}
	room := s.height - fixed
	if len(s.res.Accounts) > room {
		room-- // the "more" line
	}
	if room < 1 {
		room = 1
	}
	return room
}

func (s *resultsScreen) scroll() {
	if s.res == nil {
		return
	}
	room := s.tableRoom()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+room {
		s.offset = s.cursor - room + 1
	}
	if max := len(s.res.Accounts) - room; s.offset > max {
		s.offset = max
	}
	if s.offset < 0 {
		s.offset = 0
	}
}

// View implements tea.Model.
func (s *resultsScreen) View() string {
	if s.res == nil {
		return ""
	}
	w := s.width
	lines := s.headLines(w)
	lines = append(lines, "")
	lines = append(lines, s.tableLines(w)...)
	lines = append(lines, "")
	lines = append(lines, s.numbersLines(w)...)
	if st := s.statusLines(w); len(st) > 0 {
		lines = append(lines, "")
		lines = append(lines, st...)
	}
	return strings.Join(lines, "\n")
}

// headLines name the institution and the Item, and say where the Item was saved.
func (s *resultsScreen) headLines(w int) []string {
	st := s.c.styles
	res := s.res
	lines := []string{""}
	inst := st.Heading.Render(institutionName(res))
	if res.Institution != nil && res.Institution.ID != "" {
		inst += st.Faint.Render("  " + res.Institution.ID)
	}
	item := res.ItemName
	if item == "" {
		item = res.ItemID
	}
	if item != "" {
		inst += st.Muted.Render("  ·  Item " + item)
	}
	lines = append(lines, inst)
	switch {
	case res.Storage.Saved:
		// Where reads "<the keyring>; index in <file>": one line each.
		for i, part := range strings.SplitN(res.Storage.Where, "; ", 2) {
			if i == 0 {
				lines = append(lines, st.OK.Render("✓ ")+st.Muted.Render(truncate("Saved in "+part, w-2)))
			} else {
				lines = append(lines, "  "+st.Faint.Render(truncate(part, w-2)))
			}
		}
	default:
		why := "Not saved: " + res.Storage.Problem
		if res.Storage.Problem == "" {
			why = capitalize(res.Storage.Where)
		}
		limit := 3
		if w < 80 {
			limit = 2
		}
		wrapped := wrap(why, w-2)
		if len(wrapped) > limit {
			wrapped = wrapped[:limit]
			wrapped[limit-1] = truncate(wrapped[limit-1]+" …", w-2)
		}
		style, mark := st.Warn, "! "
		if res.Storage.Problem == "" {
			style, mark = st.Muted, "– " // the user chose not to save (--no-save)
		}
		for i, l := range wrapped {
			if i > 0 {
				mark = "  "
			}
			lines = append(lines, style.Render(mark+l))
		}
	}
	return lines
}

func (s *resultsScreen) statusLines(w int) []string {
	if s.status == "" {
		return nil
	}
	st := s.c.styles
	style := st.Muted
	switch s.statusKind {
	case statusOK:
		style = st.OK
	case statusWarn:
		style = st.Warn
	case statusBad:
		style = st.Bad
	}
	var out []string
	for _, l := range wrap(s.status, w) {
		out = append(out, style.Render(l))
	}
	return out
}

// columns of the accounts table; a zero width hides a column on narrow screens.
type tableCols struct {
	name, mask, typ, avail, cur int
	fullType                    bool
}

func (s *resultsScreen) columns(w int) tableCols {
	c := tableCols{mask: 4, avail: 14, cur: 14}
	rest := w - 2 - c.mask - c.avail - c.cur - 4 // pointer, gaps
	switch {
	case rest >= 22+28:
		c.typ, c.fullType = 27, true
	case rest >= 14+16:
		c.typ = 15
	}
	if c.typ > 0 {
		rest -= c.typ + 1
	}
	c.name = rest
	if c.name > 30 {
		c.name = 30
	}
	if c.name < 10 {
		// Very narrow: drop the available balance before the name gets unreadable.
		c.name += c.avail + 1
		c.avail = 0
	}
	return c
}

func (s *resultsScreen) tableLines(w int) []string {
	st := s.c.styles
	c := s.columns(w)
	cells := func(name, mask, typ, avail, cur string) string {
		parts := []string{padRight(name, c.name), padRight(mask, c.mask)}
		if c.typ > 0 {
			parts = append(parts, padRight(typ, c.typ))
		}
		if c.avail > 0 {
			parts = append(parts, padLeft(avail, c.avail))
		}
		parts = append(parts, padLeft(cur, c.cur))
		return strings.Join(parts, " ")
	}
	lines := []string{"  " + st.TableHeader.Render(cells("ACCOUNT", "MASK", "TYPE", "AVAILABLE", "CURRENT"))}
	room := s.tableRoom()
	accts := s.res.Accounts
	end := s.offset + room
	if end > len(accts) {
		end = len(accts)
	}
	for i := s.offset; i < end; i++ {
		a := accts[i]
		typ := a.Type
		if a.Subtype != nil && *a.Subtype != "" {
			typ = *a.Subtype
			if c.fullType {
				typ = a.Type + "/" + *a.Subtype
			}
		}
		row := cells(a.Name, deref(a.Mask, "—"), typ, money(a.Balances.Available, a.Balances), money(a.Balances.Current, a.Balances))
		if i == s.cursor {
			lines = append(lines, st.Pointer.Render("› ")+st.RowSelected.Render(row))
		} else {
			lines = append(lines, "  "+st.Row.Render(row))
		}
	}
	if len(accts) > room {
		var more []string
		if s.offset > 0 {
			more = append(more, fmt.Sprintf("↑ %d above", s.offset))
		}
		if below := len(accts) - end; below > 0 {
			more = append(more, fmt.Sprintf("↓ %d below", below))
		}
		lines = append(lines, "  "+st.Faint.Render(strings.Join(more, " · ")+fmt.Sprintf("  (%d accounts)", len(accts))))
	}
	return lines
}

// numbersLines shows every number family of the selected account.
func (s *resultsScreen) numbersLines(w int) []string {
	st := s.c.styles
	a, ok := s.selected()
	if !ok {
		return nil
	}
	title := st.CardTitle.Render(a.Name)
	if a.Mask != nil {
		title += st.Muted.Render(" ••" + *a.Mask)
	}
	hint := st.Faint.Render("masked · v reveals")
	if s.reveal {
		hint = st.Warn.Render("revealed · v hides")
	}
	var body []string
	fams := numberFamilies(s.res.NumbersFor(a.ID), s.reveal)
	if len(fams) == 0 {
		body = append(body, st.Muted.Render("Plaid returned no account or routing numbers for this account."))
		hint = ""
	}
	famW, labW := 15, 14
	if w < 64 {
		famW, labW = 6, 13
	}
	for _, f := range fams {
		for i, r := range f.rows {
			fam := ""
			if i == 0 {
				fam = f.name
			}
			if famW < 10 && fam == "International" {
				fam = "Intl"
			}
			body = append(body, st.Accent.Render(padRight(fam, famW))+st.Label.Render(padRight(r.label, labW))+st.Number.Render(r.value))
		}
	}
	return card(s.c.border(s.c.cfg.Env), title, hint, body, w, 0)
}

type numberRow struct{ label, value string }

type numberFamily struct {
	name string
	rows []numberRow
}

// numberFamilies lays out every family present, masking account numbers and IBANs unless
// reveal is set. Routing numbers, sort codes and BICs identify the bank, not the account, and
// are shown as they are.
func numberFamilies(n plaidflow.AccountNumbers, reveal bool) []numberFamily {
	hide := func(v string) string {
		if reveal {
			return v
		}
		return plaidflow.Mask(v)
	}
	var out []numberFamily
	for _, x := range n.ACH {
		f := numberFamily{name: "ACH", rows: []numberRow{{"account", hide(x.Account)}, {"routing", x.Routing}}}
		if x.WireRouting != nil && *x.WireRouting != "" {
			f.rows = append(f.rows, numberRow{"wire routing", *x.WireRouting})
		}
		if x.Tokenized {
			f.rows[0].value += " (tokenized)"
		}
		out = append(out, f)
	}
	for _, x := range n.EFT {
		out = append(out, numberFamily{name: "EFT", rows: []numberRow{
			{"account", hide(x.Account)}, {"institution", x.Institution}, {"branch", x.Branch}}})
	}
	for _, x := range n.International {
		iban := plaidflow.FormatIBAN(x.IBAN)
		if !reveal {
			iban = plaidflow.Mask(x.IBAN)
		}
		out = append(out, numberFamily{name: "International", rows: []numberRow{{"IBAN", iban}, {"BIC", x.BIC}}})
	}
	for _, x := range n.BACS {
		out = append(out, numberFamily{name: "BACS", rows: []numberRow{
			{"account", hide(x.Account)}, {"sort code", plaidflow.FormatSortCode(x.SortCode)}}})
	}
	return out
}

// money prints an amount with thousands separators and the currency.
func money(v *float64, b plaidflow.Balances) string {
	if v == nil {
		return "—"
	}
	neg := *v < 0
	s := fmt.Sprintf("%.2f", abs(*v))
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var g []string
	for len(intPart) > 3 {
		g = append([]string{intPart[len(intPart)-3:]}, g...)
		intPart = intPart[:len(intPart)-3]
	}
	g = append([]string{intPart}, g...)
	out := strings.Join(g, ",") + frac
	if neg {
		out = "-" + out
	}
	if cur := b.Currency(); cur != "" {
		out += " " + cur
	}
	return out
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ShortHelp implements help.KeyMap.
func (s *resultsScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	reveal := withHelp(k.Reveal, "v", "reveal")
	if s.reveal {
		reveal = withHelp(k.Reveal, "v", "hide")
	}
	return []key.Binding{withHelp(k.Down, "↑/↓", "account"), reveal, withHelp(k.Copy, "c", "copy"), k.LinkAnother, k.QuitQ}
}

// FullHelp implements help.KeyMap.
func (s *resultsScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	return [][]key.Binding{
		{k.Up, k.Down},
		{withHelp(k.Reveal, "v", "reveal / hide numbers"), withHelp(k.Copy, "c", "copy numbers (OSC 52)")},
		{withHelp(k.LinkAnother, "l", "link another account"), k.QuitQ},
	}
}
