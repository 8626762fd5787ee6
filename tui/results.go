package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// The results screen: the institution, where the Item was saved, a table of accounts with their
// balances, and every number family of the selected account. Account numbers and IBANs are
// masked until `v` (with --mask, until the explicit `V`), so the screen is safe to share; what
// is copied and what is left in the scrollback follow what is shown.

// copyChoice is one thing the copy picker offers.
type copyChoice struct {
	key, label, value, what string
	text                    string // what is sent; "" when it is masked and cannot be copied
}

type resultsScreen struct {
	c             *common
	keys          resultsKeys
	width, height int

	res     *plaidapi.Result
	shows   int      // counts the results shown (SetResult): the table is drawn once for each
	table   pickList // the accounts as last drawn
	cursor  int
	reveal  bool
	picking bool // the copy picker is open
	// asking: "remove the unsaved Item at Plaid?" waits for y or n.
	asking bool
	// unsaved is the journey of an Item that exists at Plaid but was not saved; removing is
	// true while /item/remove is under way.
	unsaved  *plaidflow.Journey
	removing bool
	// turn counts the reveals and hides of the numbers: each brings the selected account's
	// numbers into view (focusTurner), so v at 60×20 shows what it revealed.
	turn int
}

func newResultsScreen(c *common) *resultsScreen {
	s := &resultsScreen{c: c, keys: newResultsKeys()}
	s.updateKeys()
	return s
}

// Init implements tea.Model.
func (s *resultsScreen) Init() tea.Cmd { return nil }

// SetSize implements component.
func (s *resultsScreen) SetSize(w, h int) { s.width, s.height = w, h }

// busy implements component.
func (s *resultsScreen) busy() bool { return false }

// failure implements component.
func (s *resultsScreen) failure() error { return nil }

// SetResult shows a new result, masked, with the first account that has numbers selected.
// unsaved is the journey when its Item exists at Plaid but was not saved (nil otherwise): the
// screen offers to remove it while its token is still in memory.
func (s *resultsScreen) SetResult(res *plaidapi.Result, unsaved *plaidflow.Journey) {
	s.res, s.unsaved, s.removing = res, unsaved, false
	s.c.notSaved = nil
	if !res.Storage.Saved && res.Storage.Problem != "" {
		s.c.notSaved = res
	}
	s.shows++
	s.cursor, s.reveal, s.picking, s.asking = 0, false, false, false
	for i, a := range res.Accounts {
		if !res.NumbersFor(a.ID).Empty() {
			s.cursor = i
			break
		}
	}
	s.updateKeys()
}

// shown is the result on screen and whether its numbers may be printed unmasked: only when
// the user revealed them and --mask is off.
func (s *resultsScreen) shown() (*plaidapi.Result, bool) {
	return s.res, s.reveal && !s.c.deps.Mask
}

func (s *resultsScreen) masked() bool { return !s.reveal }

func (s *resultsScreen) selected() (plaidapi.Account, bool) {
	if s.res == nil || s.cursor < 0 || s.cursor >= len(s.res.Accounts) {
		return plaidapi.Account{}, false
	}
	return s.res.Accounts[s.cursor], true
}

// updateKeys switches the screen's bindings on and off for its state.
func (s *resultsScreen) updateKeys() {
	k := &s.keys
	on := s.res != nil && !s.picking && !s.asking
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Reveal, &k.Copy, &k.LinkAnother, &k.Quit} {
		b.SetEnabled(on)
	}
	k.Items.SetEnabled(on && s.c.deps.Vault != nil && s.c.flow != nil)
	k.RemoveUnsaved.SetEnabled(on && s.unsaved != nil && !s.removing)
	k.RevealAnyway.SetEnabled(on && s.c.deps.Mask && !s.reveal)
	k.CopyPick.SetEnabled(s.picking)
	k.CopyCancel.SetEnabled(s.picking || s.asking)
	k.CopyCancel.SetHelp("esc", "cancel copy")
	if s.asking {
		k.CopyCancel.SetHelp("esc", "keep it")
	}
	k.Yes.SetEnabled(s.asking)
	k.No.SetEnabled(s.asking)
	switch {
	case s.reveal:
		k.Reveal.SetHelp("v", "hide")
	case s.c.deps.Mask:
		k.Reveal.SetHelp("v", "masked (--mask)") // v says to press V
	default:
		k.Reveal.SetHelp("v", "reveal")
	}
}

// Update implements tea.Model.
func (s *resultsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return s, keyed(s, s.update(msg)) }

// focusTurn implements focusTurner.
func (s *resultsScreen) focusTurn() int { return s.turn }

func (s *resultsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case numbersShownMsg:
		s.SetResult(msg.res, msg.unsaved)
		return nil

	case unsavedRemovedMsg:
		s.removing = false
		if msg.err != nil {
			s.c.setStatus(statusBad, "Could not remove "+msg.itemID+" "+s.c.voice().At()+": "+msg.err.Error()+". It still exists there; d tries again.")
			return nil
		}
		s.unsaved = nil
		s.c.setStatus(statusOK, "Removed "+msg.itemID+" "+s.c.voice().At()+": its access token no longer works"+s.c.voice().Billing(" and Plaid stops billing it")+".")
		return nil

	case tea.KeyMsg:
		if s.picking {
			return s.pick(msg)
		}
		if s.asking {
			return s.answer(msg)
		}
		return s.handleKey(msg)
	}
	return nil
}

func (s *resultsScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(s.res.Accounts)-1)
	case key.Matches(msg, k.Reveal) && s.c.deps.Mask && !s.reveal:
		s.c.setStatus(statusWarn, "--mask is on: press V (shift+v) to reveal the numbers anyway.")
	case key.Matches(msg, k.Reveal):
		s.reveal, s.turn = !s.reveal, s.turn+1
		if s.reveal {
			s.c.setStatus(statusWarn, "Numbers revealed: mind who can see this screen. v hides them.")
		} else {
			s.c.setStatus(statusOK, "Numbers masked again.")
		}
	case key.Matches(msg, k.RevealAnyway):
		s.reveal, s.turn = true, s.turn+1
		s.c.setStatus(statusWarn, "Revealed despite --mask: mind who can see this screen. v hides them; the report printed on quit stays masked.")
	case key.Matches(msg, k.Copy):
		if _, ok := s.selected(); ok {
			s.picking = true
		}
	case key.Matches(msg, k.LinkAnother):
		return func() tea.Msg { return anotherLinkRequestedMsg{} }
	case key.Matches(msg, k.Items):
		return func() tea.Msg { return itemsRequestedMsg{} }
	case key.Matches(msg, k.RemoveUnsaved):
		s.asking = true
	case key.Matches(msg, k.Quit):
		return tea.Quit
	}
	return nil
}

// answer is a key while "remove the unsaved Item at Plaid?" is asked.
func (s *resultsScreen) answer(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, s.keys.Yes):
		s.asking, s.removing = false, true
		s.c.setStatus(statusInfo, "Removing "+s.unsaved.ItemID()+" "+s.c.voice().At()+"…")
		return removeUnsaved(s.c.ctx, s.unsaved)
	case key.Matches(msg, s.keys.No, s.keys.CopyCancel):
		s.asking = false
		s.c.setStatus(statusInfo, "Kept: "+s.unsaved.ItemID()+" still exists "+s.c.voice().At()+".")
	}
	return nil
}

// choices are what the copy picker offers for the selected account: each number as shown
// (a masked one cannot be copied until it is revealed), and the whole account as JSON,
// masked when the numbers are.
func (s *resultsScreen) choices() []copyChoice {
	a, ok := s.selected()
	if !ok {
		return nil
	}
	var out []copyChoice
	n := 0
	for _, f := range present.Families(s.res.NumbersFor(a.ID), s.masked()) {
		for _, r := range f.Rows {
			n++
			c := copyChoice{key: fmt.Sprint(n), label: f.Name + " " + r.Label, value: r.Value,
				what: "the " + f.Name + " " + r.Label + " of " + a.Name, text: r.Raw}
			if r.Secret && s.masked() {
				c.text = ""
			}
			out = append(out, c)
		}
	}
	res := s.res
	what := "the account " + a.Name + " as JSON"
	if s.masked() {
		res = present.MaskedCopy(res)
		what += " (numbers masked)"
	}
	doc, err := present.AccountJSON(res, a.ID)
	if err == nil {
		out = append(out, copyChoice{key: "0", label: "JSON", value: "the account and all its numbers", what: what, text: string(doc)})
	}
	return out
}

// pick is a key while the copy picker is open.
func (s *resultsScreen) pick(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, s.keys.CopyCancel) {
		s.picking = false
		return nil
	}
	if !key.Matches(msg, s.keys.CopyPick) {
		return nil
	}
	for _, c := range s.choices() {
		if msg.String() != c.key {
			continue
		}
		if c.text == "" {
			s.c.setStatus(statusWarn, "That number is masked: press esc, reveal it (v), then copy it.")
			return nil
		}
		s.picking = false
		return sendToClipboard(s.c.deps.Out, s.c.deps.Getenv, c.text, c.what)
	}
	return nil
}

// View implements tea.Model.
func (s *resultsScreen) View() string {
	v, _, _ := s.focusView()
	return v
}

// focusView implements focuser: the selected account's row, down to the end of its numbers
// (or of the copy picker).
func (s *resultsScreen) focusView() (string, int, int) {
	if s.res == nil {
		return "", -1, -1
	}
	w := s.width
	lines := s.headLines(w)
	lines = append(lines, "")
	first := len(lines) + 1 + s.cursor // under the table's header
	lines = append(lines, s.tableLines(w)...)
	lines = append(lines, "")
	if s.picking {
		lines = append(lines, s.pickerLines(w)...)
	} else {
		lines = append(lines, s.numbersLines(w)...)
	}
	last := len(lines) - 1
	if s.unsaved != nil {
		lines = append(lines, "")
		for _, l := range wrap(s.unsaved.UnsavedHint(), w) {
			lines = append(lines, s.c.styles.Warn.Render(l))
		}
		lines = append(lines, s.c.styles.Key.Render("d")+s.c.styles.Muted.Render(" removes it "+s.c.voice().At()+" (asks first)."))
	}
	if s.asking {
		// The question is part of the screen until it is answered: it is not news.
		first = len(lines)
		q := "Remove " + s.unsaved.ItemID() + " " + s.c.voice().At() + "? Its access token stops working" + s.c.voice().Billing(" and Plaid stops billing it") + "; it was never saved here, so nothing else can use it."
		lines = append(lines, "")
		for _, l := range wrap(q, w) {
			lines = append(lines, s.c.styles.Warn.Render(l))
		}
		lines = append(lines, s.c.styles.Key.Render("y")+s.c.styles.Muted.Render(" remove it · ")+s.c.styles.Key.Render("n")+s.c.styles.Muted.Render(" keep it"))
		last = len(lines) - 1
	}
	return strings.Join(lines, "\n"), first, last
}

// headLines name the institution and the Item, and say where the Item was saved.
func (s *resultsScreen) headLines(w int) []string {
	st := s.c.styles
	res := s.res
	inst := st.Heading.Render(present.InstitutionName(res))
	if res.Institution != nil && res.Institution.ID != "" {
		inst += st.Faint.Render("  " + res.Institution.ID)
	}
	if ref := present.ItemRef(res); ref != "" {
		inst += st.Muted.Render("  ·  Item " + ref)
	}
	lines := []string{"", truncate(inst, w)}
	style, mark := st.Warn, "! "
	// "Saved in <the keyring>; index in <file>": the file on a line of its own, so a long path
	// is not broken at one of its hyphens.
	text := strings.Replace(present.StorageLine(res.Storage), "; ", "\n", 1)
	switch {
	case s.c.removed[res.ItemID]:
		// Removed on the Items screen since the numbers came: the screen must not still say saved.
		text = "Removed on the Items screen: no longer saved here; the numbers below are from before."
	case res.Storage.Saved:
		style, mark = st.Muted, st.OK.Render("✓ ")
	case res.Storage.Problem == "":
		style, mark = st.Muted, "– " // the user chose not to save (--no-save)
	}
	for i, l := range wrap(text, w-2) {
		if i > 0 {
			mark = "  "
		}
		lines = append(lines, mark+style.Render(l))
	}
	return lines
}

// tableLines are the accounts, one row each, the selected one marked, through lipgloss/table:
// drawn once per result and width (pickList), as a key moves the cursor.
func (s *resultsScreen) tableLines(w int) []string {
	return s.table.lines(pickKey{s.shows, w}, len(s.res.Accounts), s.cursor, func(picked func(int) bool) []string {
		return s.drawTable(w, picked)
	})
}

// drawTable draws the accounts with the rows picked reports selected. Narrow terminals lose
// the type column first, then the name gets shorter.
func (s *resultsScreen) drawTable(w int, picked func(row int) bool) []string {
	st := s.c.styles
	showType, fullType := w >= 70, w >= 96
	headers := []string{"", "ACCOUNT", "MASK", "TYPE", "AVAILABLE", "CURRENT"}
	if !showType {
		headers = append(headers[:3:3], "AVAILABLE", "CURRENT")
	}
	money := len(headers) - 2 // the balance columns, aligned right
	render := func(nameW int) string {
		t := listTable(st, headers, picked, func(col int, style lipgloss.Style) lipgloss.Style {
			if col >= money {
				return style.Align(lipgloss.Right)
			}
			return style
		})
		for i, a := range s.res.Accounts {
			pointer := "  "
			if picked(i) {
				pointer = "› "
			}
			row := []string{pointer, truncate(a.Name, nameW), present.MaskLabel(a)}
			if showType {
				typ := present.TypeLabel(a)
				if !fullType && a.Subtype != nil && *a.Subtype != "" {
					typ = *a.Subtype
				}
				row = append(row, typ)
			}
			t.Row(append(row, present.Available(a), present.Current(a))...)
		}
		return t.Render()
	}
	out := widest(render, 30, 8, w)
	lines := strings.Split(out, "\n")
	for i := range lines {
		lines[i] = truncate(lines[i], w)
	}
	return lines
}

// widest is render(n) for the widest n from most down to least whose lines fit in w cells,
// render(least) when none does. A table only narrows as n does, so it is found in halves: a
// narrow window costs a few tables, not one per cell given up.
func widest(render func(n int) string, most, least, w int) string {
	out := render(most)
	if maxWidth(out) <= w || most <= least {
		return out
	}
	// fits(i): render(most-1-i) fits; false for small i, true from some i on.
	drawn := map[int]string{}
	fits := func(i int) bool {
		drawn[i] = render(most - 1 - i)
		return maxWidth(drawn[i]) <= w
	}
	i := sort.Search(most-least, fits)
	if i == most-least {
		i-- // none fits: the narrowest
	}
	if out, ok := drawn[i]; ok {
		return out
	}
	return render(most - 1 - i)
}

func maxWidth(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, lipgloss.Width(l))
	}
	return n
}

// numbersLines show every number family of the selected account.
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
	var hint string
	switch {
	case s.reveal:
		hint = st.Warn.Render("revealed · v hides")
	case s.c.deps.Mask:
		hint = st.Faint.Render("--mask · V reveals")
	default:
		hint = st.Faint.Render("masked · v reveals")
	}
	var body []string
	fams := present.Families(s.res.NumbersFor(a.ID), s.masked())
	if len(fams) == 0 {
		none := present.NoNumbers
		if status := a.VerificationStatus; strings.HasPrefix(status, "pending") || status == "verification_expired" || status == "verification_failed" {
			// An Auth flow's account: /auth/get returns its numbers only once it is verified.
			none = "No numbers: the account is " + status + " (see Verification below)."
		}
		body = append(body, wrap(st.Muted.Render(none), w-4)...)
		hint = ""
	}
	famW, labW := 15, 14
	if w < 64 {
		famW, labW = 6, 13
	}
	for _, f := range fams {
		for i, r := range f.Rows {
			fam := ""
			if i == 0 {
				fam = f.Name
			}
			if famW < 10 && fam == "International" {
				fam = "Intl"
			}
			body = append(body, st.Accent.Render(padRight(fam, famW))+st.Label.Render(padRight(r.Label, labW))+st.Number.Render(r.Value))
		}
	}
	return card(s.c.border(s.c.cfg.Env), title, hint, body, w, 0)
}

// pickerLines are the copy picker: a key per number, and j for the whole account as JSON.
func (s *resultsScreen) pickerLines(w int) []string {
	st := s.c.styles
	a, _ := s.selected()
	var body []string
	choices := s.choices()
	labW := 0
	for _, c := range choices {
		labW = max(labW, len(c.label)+2)
	}
	for _, c := range choices {
		line := st.Key.Render(c.key) + "  " + st.Label.Render(padRight(c.label, labW)) + st.Number.Render(c.value)
		if c.text == "" {
			line = st.Faint.Render(c.key + "  " + padRight(c.label, labW) + c.value + "  (masked: reveal first)")
		}
		body = append(body, line)
	}
	body = append(body, "", st.Muted.Render("Press a key to copy; esc cancels."))
	return card(s.c.border(s.c.cfg.Env), st.CardTitle.Render("Copy from "+a.Name), "", body, w, 0)
}

// ShortHelp implements help.KeyMap.
func (s *resultsScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Yes, k.No, k.CopyPick, k.CopyCancel, k.RemoveUnsaved, withHelp(k.Down, "↑/↓", "account"), k.Reveal, k.RevealAnyway, k.Copy, k.LinkAnother, k.Items, k.Quit}
}

// FullHelp implements help.KeyMap.
func (s *resultsScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.CopyPick, k.CopyCancel},
		{withHelp(k.Reveal, "v", "reveal / hide numbers"), k.RevealAnyway, withHelp(k.Copy, "c", "copy a number or the account (OSC 52)")},
		{withHelp(k.LinkAnother, "l", "link another account"), withHelp(k.Items, "i", "saved Items: status, balances, actions"), k.Quit},
		{withHelp(k.RemoveUnsaved, "d", "remove the unsaved Item at Plaid (its token is only in memory; asks first)")},
	}
}

// modal reports whether the screen waits for an answer (the copy picker, the removal's y/n):
// the panels under it keep their keys until it has one.
func (s *resultsScreen) modal() bool { return s.picking || s.asking }
