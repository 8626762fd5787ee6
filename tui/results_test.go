package tui

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

func TestResultsAreMaskedUntilRevealed(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	v := view(m)
	if !strings.Contains(v, "••••0000") || strings.Contains(v, "1111222233330000") {
		t.Fatalf("the account number is not masked at first:\n%s", v)
	}
	if !strings.Contains(v, "011401533") || !strings.Contains(v, "021000021") {
		t.Errorf("routing numbers should show while masked (they name the bank, not the account):\n%s", v)
	}

	m.Update(press("v"))
	if v := view(m); !strings.Contains(v, "1111222233330000") || !strings.Contains(v, "revealed") {
		t.Fatalf("v does not reveal the account number:\n%s", v)
	}
	m.Update(press("v"))
	if v := view(m); strings.Contains(v, "1111222233330000") {
		t.Fatalf("v again does not hide the account number:\n%s", v)
	}
}

func TestResultsShowTheSelectedAccountsNumbers(t *testing.T) {
	m := resultsModel(t, 80, 30, platypusResult())
	m.Update(press("down")) // Plaid Saving
	m.Update(press("v"))
	v := view(m)
	// The pointer, the card's title and the numbers must all be Plaid Saving's: a row of
	// another account, or another account's numbers, must not pass.
	if row := selectedRow(v); !strings.Contains(row, "Plaid Saving ") || !strings.Contains(row, "1111") {
		t.Errorf("the selected row is %q, want Plaid Saving ••1111:\n%s", row, v)
	}
	if !strings.Contains(v, "╭─ Plaid Saving ••1111 ") || !strings.Contains(v, "account       1111222233331111") {
		t.Errorf("the numbers shown are not Plaid Saving's:\n%s", v)
	}
	if strings.Contains(v, "1111222233330000") || strings.Contains(v, "1111222233339002") {
		t.Errorf("another account's number is on screen:\n%s", v)
	}
	m.Update(press("down")) // Plaid CD has no numbers
	if v := view(m); !strings.Contains(selectedRow(v), "Plaid CD") || !strings.Contains(v, present.NoNumbers) {
		t.Errorf("an account without numbers is not explained:\n%s", v)
	}
}

// selectedRow is the table row with the pointer.
func selectedRow(v string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "› ") {
			return l
		}
	}
	return ""
}

func TestResultsShowEveryNumberFamily(t *testing.T) {
	res := &plaidapi.Result{
		Institution: &plaidapi.Institution{ID: "ins_x", Name: "Every Family Bank"},
		Accounts:    []plaidapi.Account{{ID: "a", Name: "Everything", Mask: str("6789"), Type: "depository", Subtype: str("checking"), Balances: bal(num(1), num(2))}},
		Numbers: plaidapi.Numbers{
			ACH:           []plaidapi.ACH{{AccountID: "a", Account: "1111222233336789", Routing: "011401533", WireRouting: str("021000021")}},
			EFT:           []plaidapi.EFT{{AccountID: "a", Account: "111122226789", Institution: "021", Branch: "01140"}},
			International: []plaidapi.International{{AccountID: "a", IBAN: "GB33RBPL60837111116789", BIC: "RBPLGB2L"}},
			BACS:          []plaidapi.BACS{{AccountID: "a", Account: "11116789", SortCode: "608371"}},
		},
		Storage: plaidapi.Storage{Where: "not saved (saving is off for this session)"},
	}
	m := resultsModel(t, 100, 34, res)
	masked := view(m)
	for _, want := range []string{"ACH", "routing       011401533", "wire routing  021000021",
		"EFT", "institution   021", "branch        01140",
		"International", "IBAN          ••••6789", "BIC           RBPLGB2L",
		"BACS", "sort code     60-83-71"} {
		if !strings.Contains(masked, want) {
			t.Errorf("masked numbers lack %q:\n%s", want, masked)
		}
	}
	for _, secret := range []string{"1111222233336789", "111122226789", "GB33", "11116789"} {
		if strings.Contains(masked, secret) {
			t.Errorf("%q is shown while masked:\n%s", secret, masked)
		}
	}
	m.Update(press("v"))
	revealed := view(m)
	for _, want := range []string{"1111222233336789", "111122226789", "GB33 RBPL 6083 7111 1167 89", "11116789"} {
		if !strings.Contains(revealed, want) {
			t.Errorf("revealed numbers lack %q:\n%s", want, revealed)
		}
	}
	if !strings.Contains(revealed, "! Saving is off for this session") && !strings.Contains(revealed, "Not saved") {
		t.Errorf("the results do not say the Item was not saved:\n%s", revealed)
	}
}

func TestResultsStateWhereTheItemWasSaved(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	v := view(m)
	if !strings.Contains(v, "✓ Saved in the OS keyring (service plaid-onboard)") || !strings.Contains(v, "Item first-platypus-bank") {
		t.Errorf("the results do not say where the Item is:\n%s", v)
	}
}

// clipboard is what the last OSC 52 sequence written to the terminal carried.
func clipboard(t *testing.T, m *Model) string {
	t.Helper()
	seq := m.c.deps.Out.(*syncBuffer).String()
	i := strings.LastIndex(seq, "\x1b]52;c;")
	if i < 0 {
		t.Fatalf("no OSC 52 sequence written to the terminal: %q", seq)
	}
	payload := seq[i+len("\x1b]52;c;"):]
	payload = payload[:strings.IndexByte(payload, '\a')]
	text, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("OSC 52 payload is not base64: %v", err)
	}
	return string(text)
}

// copyWith opens the copy picker and presses k, then delivers what the command reports.
func copyWith(m *Model, k string) {
	m.Update(press("c"))
	_, cmd := m.Update(press(k))
	for _, msg := range collect(cmd) {
		m.Update(msg)
	}
}

func TestResultsCopyPickerSendsOneValue(t *testing.T) {
	m := resultsModel(t, 80, 30, platypusResult())
	m.Update(press("c"))
	v := view(m)
	for _, want := range []string{"Copy from Plaid Checking", "1  ACH account", "(masked: reveal first)", "2  ACH routing       011401533", "0  JSON"} {
		if !strings.Contains(v, want) {
			t.Errorf("the copy picker lacks %q:\n%s", want, v)
		}
	}
	if !hasHelp(m, "esc cancel copy") || hasHelp(m, "l link another") {
		t.Errorf("while picking, the help should offer the picker's keys only:\n%s", v)
	}
	_, cmd := m.Update(press("2"))
	for _, msg := range collect(cmd) {
		m.Update(msg)
	}
	if got := clipboard(t, m); got != "011401533" {
		t.Errorf("copying the routing number sent %q", got)
	}
	v = view(m)
	if !strings.Contains(v, "Sent the ACH routing of Plaid Checking to the terminal clipboard (OSC 52)") || strings.Contains(v, "Copied") {
		t.Errorf("the screen should say what was sent, not claim it arrived:\n%s", v)
	}
}

func TestResultsCopyFollowsWhatIsShown(t *testing.T) {
	m := resultsModel(t, 80, 30, platypusResult())
	m.Update(press("c"))
	m.Update(press("1")) // the account number, masked
	if strings.Contains(m.c.deps.Out.(*syncBuffer).String(), "\x1b]52") {
		t.Fatalf("a masked number was sent to the clipboard")
	}
	if v := view(m); !strings.Contains(v, "That number is masked") {
		t.Errorf("pressing a masked number's key says nothing:\n%s", v)
	}
	m.Update(press("esc"))
	copyWith(m, "0")
	doc := clipboard(t, m)
	if !strings.Contains(doc, `"masked": true`) || strings.Contains(doc, "1111222233330000") || !strings.Contains(doc, "Plaid Checking") {
		t.Errorf("the masked account's JSON leaks the number or is not marked masked:\n%s", doc)
	}

	m.Update(press("v"))
	copyWith(m, "1")
	if got := clipboard(t, m); got != "1111222233330000" {
		t.Errorf("the revealed account number copied as %q", got)
	}
	copyWith(m, "0")
	if doc := clipboard(t, m); !strings.Contains(doc, "1111222233330000") || !strings.Contains(doc, `"masked": false`) {
		t.Errorf("the revealed account's JSON lacks its number:\n%s", doc)
	}
}

func TestResultsCopyInsideTmuxSaysHowToLetItThrough(t *testing.T) {
	deps := testDeps(t, linkOpenConfig())
	deps.Getenv = func(k string) string {
		if k == "TMUX" {
			return "/tmp/tmux-0/default,1,0"
		}
		return ""
	}
	m := resultsWith(t, deps, 100, 30, platypusResult())
	copyWith(m, "2")
	seq := m.c.deps.Out.(*syncBuffer).String()
	if !strings.HasPrefix(seq, "\x1b]52;c;") || !strings.Contains(seq, "\x1bPtmux;") {
		t.Errorf("inside tmux both the plain and the passthrough sequence should be sent: %q", seq)
	}
	if v := view(m); !strings.Contains(v, "set -g set-clipboard on") {
		t.Errorf("inside tmux the screen does not say how to enable the clipboard:\n%s", v)
	}
}

func TestResultsMaskFlagNeedsAnExplicitReveal(t *testing.T) {
	deps := testDeps(t, linkOpenConfig())
	deps.Mask = true
	m := resultsWith(t, deps, 100, 30, platypusResult())
	m.Update(press("v"))
	v := view(m)
	if strings.Contains(v, "1111222233330000") {
		t.Fatalf("with --mask, v revealed the account number:\n%s", v)
	}
	if !strings.Contains(v, "--mask is on: press V") || !hasHelp(m, "V reveal anyway") {
		t.Errorf("v with --mask does not say how to reveal anyway:\n%s", v)
	}
	m.Update(press("V"))
	if v := view(m); !strings.Contains(v, "1111222233330000") || !strings.Contains(v, "Revealed despite --mask") {
		t.Errorf("V does not reveal, or does not say it overrode --mask:\n%s", v)
	}
	var b strings.Builder
	if err := m.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "1111222233330000") {
		t.Errorf("with --mask the report left in the scrollback shows the number:\n%s", b.String())
	}
}

func TestResultsQuitLeavesTheReportInTheScrollback(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	_, cmd := m.Update(press("q"))
	if !quits(cmd) {
		t.Fatalf("q does not quit")
	}
	var b strings.Builder
	if err := m.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Institution  First Platypus Bank (ins_109508)", "Plaid Cash Management", "12,060.00 USD",
		"account ••••0000  routing 011401533", "Next: plaid-onboard auth first-platypus-bank"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "1111222233330000") {
		t.Errorf("the numbers were never revealed, but the report shows them:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 120 {
			t.Errorf("a report line is %d characters: %q", len([]rune(l)), l)
		}
	}

	m.Update(press("v"))
	b.Reset()
	m.WriteReport(&b)
	if !strings.Contains(b.String(), "1111222233330000") {
		t.Errorf("revealed on screen (no --mask), the report should show the numbers:\n%s", b.String())
	}
}

func TestResultsTableScrollsOnASmallTerminal(t *testing.T) {
	res := platypusResult()
	for i := 0; i < 6; i++ { // twelve accounts, like user_good
		a := res.Accounts[i]
		a.ID, a.Name = a.ID+"-2", a.Name+" 2"
		res.Accounts = append(res.Accounts, a)
	}
	m := resultsModel(t, 60, 20, res)
	for i := 0; i < 11; i++ {
		m.Update(press("down"))
		out := m.View()
		if w, line := maxLineWidth(out); w > 60 {
			t.Fatalf("a line is %d cells wide at 60 columns: %q", w, line)
		}
		if n := strings.Count(out, "\n") + 1; n != 20 {
			t.Fatalf("the view is %d lines high at 20 rows", n)
		}
	}
	v := view(m)
	if row := selectedRow(v); !strings.Contains(row, "Plaid Cash") || !strings.Contains(row, "9002") {
		t.Errorf("the last account is not on screen after moving to it (selected %q):\n%s", row, v)
	}
	if !strings.Contains(v, "above") {
		t.Errorf("nothing says there is more above:\n%s", v)
	}
}

func TestResultsLinkAnotherStartsAFreshLinkSession(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	_, cmd := m.Update(press("l"))
	for _, msg := range collect(cmd) {
		m.Update(msg)
	}
	if m.screen != screenLink || m.link.state != linkStarting {
		t.Errorf("l should go back to Link with a new token (screen %v, state %v)", m.screen, m.link.state)
	}
	if step, _ := m.link.journey.Next(); step != plaidflow.StepLinkToken {
		t.Errorf("the new Link journey starts at %v, want a fresh Link token", step)
	}
}

func TestResultsShowMoneyAsTheCommandsDo(t *testing.T) {
	m := resultsModel(t, 100, 30, platypusResult())
	v := view(m)
	for _, want := range []string{"12,060.00 USD", "43,200.00 USD", "100.00 USD"} {
		if !strings.Contains(v, want) {
			t.Errorf("the table lacks %q (present.Money):\n%s", want, v)
		}
	}
}
