package tui

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
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
	m := resultsModel(t, 80, 24, platypusResult())
	m.Update(press("down")) // Plaid Saving
	m.Update(press("v"))
	v := view(m)
	if !strings.Contains(v, "› Plaid Saving") || !strings.Contains(v, "1111222233331111") {
		t.Errorf("moving down does not select Plaid Saving and show its number:\n%s", v)
	}
	m.Update(press("down")) // Plaid CD has no numbers
	if v := view(m); !strings.Contains(v, "Plaid returned no account or routing numbers for this account") {
		t.Errorf("an account without numbers is not explained:\n%s", v)
	}
}

func TestResultsShowEveryNumberFamily(t *testing.T) {
	res := &plaidflow.Result{
		Institution: &plaidflow.Institution{ID: "ins_x", Name: "Every Family Bank"},
		Accounts:    []plaidflow.Account{{ID: "a", Name: "Everything", Mask: str("6789"), Type: "depository", Subtype: str("checking"), Balances: bal(num(1), num(2))}},
		Numbers: plaidflow.Numbers{
			ACH:           []plaidflow.ACH{{AccountID: "a", Account: "1111222233336789", Routing: "011401533", WireRouting: str("021000021")}},
			EFT:           []plaidflow.EFT{{AccountID: "a", Account: "111122226789", Institution: "021", Branch: "01140"}},
			International: []plaidflow.International{{AccountID: "a", IBAN: "GB33RBPL60837111116789", BIC: "RBPLGB2L"}},
			BACS:          []plaidflow.BACS{{AccountID: "a", Account: "11116789", SortCode: "608371"}},
		},
		Storage: plaidflow.Storage{Where: "not saved (saving is off for this session)"},
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

func TestResultsCopySendsTheNumbersThroughTheTerminal(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	out := m.c.deps.Out.(*syncBuffer)
	_, cmd := m.Update(press("c"))
	if cmd == nil {
		t.Fatal("c did nothing")
	}
	m.Update(cmd())

	seq := out.String()
	if !strings.HasPrefix(seq, "\x1b]52;c;") {
		t.Fatalf("no OSC 52 sequence written to the terminal: %q", seq)
	}
	payload := strings.TrimSuffix(strings.TrimPrefix(seq, "\x1b]52;c;"), "\x07")
	text, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("OSC 52 payload is not base64: %v", err)
	}
	for _, want := range []string{"Plaid Checking (First Platypus Bank)", "ACH account: 1111222233330000", "ACH routing: 011401533"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the clipboard lacks %q:\n%s", want, text)
		}
	}
	if v := view(m); !strings.Contains(v, "Copied Plaid Checking's numbers") {
		t.Errorf("the screen does not say what was copied:\n%s", v)
	}
}

func TestResultsCopyInsideTmuxAlsoUsesPassthrough(t *testing.T) {
	m := resultsModel(t, 80, 24, platypusResult())
	m.c.deps.Getenv = func(k string) string {
		if k == "TMUX" {
			return "/tmp/tmux-0/default,1,0"
		}
		return ""
	}
	_, cmd := m.Update(press("c"))
	cmd()
	seq := m.c.deps.Out.(*syncBuffer).String()
	if !strings.HasPrefix(seq, "\x1b]52;c;") || !strings.Contains(seq, "\x1bPtmux;") {
		t.Errorf("inside tmux both the plain and the passthrough sequence should be sent: %q", seq)
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
	if !strings.Contains(v, "› Plaid Cash Management 2") && !strings.Contains(v, "› Plaid Cash Manage") {
		t.Errorf("the last account is not on screen after scrolling to it:\n%s", v)
	}
	if !strings.Contains(v, "above") {
		t.Errorf("the table does not say accounts are above:\n%s", v)
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
}

func TestMoneyIsGroupedWithItsCurrency(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{{0, "0.00 USD"}, {110, "110.00 USD"}, {43200, "43,200.00 USD"}, {1234567.891, "1,234,567.89 USD"}, {-56302.06, "-56,302.06 USD"}} {
		if got := money(&tc.v, usd()); got != tc.want {
			t.Errorf("money(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	if got := money(nil, usd()); got != "—" {
		t.Errorf("a missing balance prints %q, want —", got)
	}
}
