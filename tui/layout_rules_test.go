package tui

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// The layout rules (wrap.go, status.go, chrome.go) checked on every screen at 60×20, 80×24,
// 100×30 and 160×50, with the help closed and open, with and without a status message: the
// window is filled and never overflowed, the footer says how to quit and how to get help, the
// status line shows, no identifier, id, path, URL or command is broken across lines (shortened
// with … is fine), and every box has its four corners.

var layoutSizes = [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 50}}

// layoutStatus is the status message every screen is also checked with: a path and a command,
// as a transcript saved or a suggestion would put there.
const (
	layoutStatusPath = "~/.local/state/plaid-onboard/plaid-onboard-20250314-092653.jsonl"
	layoutStatus     = "Saved the transcript (12 entries, redacted) to " + layoutStatusPath + " and its summary beside it (.md); `plaid-onboard report " + layoutStatusPath + "` prints it"
)

// unbrokenTokens are what the screens show that must never be broken across lines: the ids,
// paths, URLs and commands of the fixtures and of the program's own words.
var unbrokenTokens = []string{
	// ids
	"eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6", "kq8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM", "Jd8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM",
	"m8MDnv9okwxFNBV", "HNTDNrA8F1shFEW", "7pZq1wERt9LkYb2", "0f3c1a2b-9d4e-4f6a-8b7c-5d2e1f0a9b8c", testLinkSessionID,
	testLastRequestID, "M5eVJqLnv3tbzdLDqr3pXmVjR6KQm9Fk9aN8e", "Q2lvbmVsbG9Nb3N", "Zm9vYmFyYmF6cXV", "cm90YXRlZHJvdGF",
	"ins_109508", "ins_109512", "ins_116240", "ins_117650",
	"processor-sandbox-0b7c1e2f-4a5d-4e6f-8a9b-1c2d3e4f5a6b", "access-sandbox-8f14e45f-ceea-467f-a0e6-6c2b3c4d5e6f",
	"first-platypus-bank", "houndstooth-bank", "tartan-bank", "uk-bacs-iban", "item-login-required", "us-checking-savings",
	"ITEM_LOGIN_REQUIRED", "INVALID_CREDENTIALS", "INVALID_API_KEYS", "DBUS_SESSION_BUS_ADDRESS",
	"pending_automatic_verification", "/sandbox/item/set_verification_status", "/sandbox/public_token/create",
	"GB33BUKB20201555555555", "DE89370400440532013000",
	// paths and URLs
	"~/.config/plaid-onboard/items.json", layoutStatusPath, "http://127.0.0.1:43117/",
	"https://plaid.com/docs/?ref=error#invalid-input-errors", "https://plaid.com/docs/auth/partnerships/dwolla/",
	"https://example.com/plaid/webhook", hostedTestURL,
	// commands
	"plaid-onboard sandbox link --scenario NAME", "plaid-onboard link --flow NAME", "plaid-onboard report " + layoutStatusPath,
	"set -g set-clipboard on",
}

// hostedTestURL is a Hosted Link URL as long as Plaid's.
const hostedTestURL = "https://secure.plaid.com/hl/lp6q8o8s0n1r5p7q2n4s6q0p3m1r8o5n2q9r7p4s6o3n1"

// layoutStates are every screen: the golden states, and the ones only checked here.
func layoutStates() []goldenState {
	var all []goldenState
	all = append(all, goldenStates...)
	all = append(all, authFlowGoldenStates...)
	all = append(all, timelineGoldenStates...)
	return append(all,
		goldenState{"keys_environment", func(t *testing.T, w, h int) *Model {
			m := newTestModel(t, testDeps(t, baseConfig()), w, h)
			m.Init()
			m.Update(press("tab"))
			m.Update(press("tab"))
			return m
		}},
		goldenState{"working", func(t *testing.T, w, h int) *Model {
			m := linkOpen(t, w, h)
			m.Update(accountLinkedMsg{journey: m.c.flow.LinkJourney(nil, nil), kind: journeyLink, title: "Connecting First Platypus Bank"})
			return m
		}},
		goldenState{"sandbox_picker", func(t *testing.T, w, h int) *Model {
			m := linkOpen(t, w, h)
			m.Update(press("s"))
			return m
		}},
		goldenState{"hosted_link", func(t *testing.T, w, h int) *Model {
			m := linkOpen(t, w, h)
			m.link.hosted.on = true
			m.Update(linkUpdatedMsg{run: m.link.runID, hosted: plaidflow.HostedUpdate{Kind: plaidflow.HostedStarted, URL: hostedTestURL, Expires: at(1800)}})
			return m
		}},
		goldenState{"results_ca", func(t *testing.T, w, h int) *Model { return resultsModel(t, w, h, canadaResult()) }},
		goldenState{"results_uk", func(t *testing.T, w, h int) *Model { return resultsModel(t, w, h, ukResult()) }},
		goldenState{"results_eu", func(t *testing.T, w, h int) *Model { return resultsModel(t, w, h, euResult()) }},
		goldenState{"results_not_saved", func(t *testing.T, w, h int) *Model {
			res := platypusResult()
			res.Storage = plaidapi.Storage{Problem: "no OS keyring is reachable (DBUS_SESSION_BUS_ADDRESS is not set); nothing was written to a plain file"}
			return resultsModel(t, w, h, res)
		}},
		goldenState{"items_processor_prompt", func(t *testing.T, w, h int) *Model {
			m := itemsOpen(t, w, h)
			it, _ := m.items.selected()
			deliver(m, actAccounts, it, &plaidflow.LiveBalances{ItemID: it.ItemID, Accounts: platypusResult().Accounts, RequestID: "Zm9vYmFyYmF6cXV", FetchedAt: fixedNow}, nil)
			m.Update(press("enter"))
			typeText(m, "d")
			return m
		}},
	)
}

func canadaResult() *plaidapi.Result {
	res := platypusResult()
	res.ItemID, res.ItemName = "kq8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM", "tartan-bank"
	res.Institution = &plaidapi.Institution{ID: "ins_116240", Name: "Tartan Bank"}
	res.Accounts = res.Accounts[:2]
	res.Accounts[0].Balances.ISOCurrencyCode = str("CAD")
	res.Numbers = plaidapi.Numbers{EFT: []plaidapi.EFT{
		{AccountID: "acc-checking", Account: "111122220000", Institution: "021", Branch: "01140"},
		{AccountID: "acc-saving", Account: "111122221111", Institution: "021", Branch: "01140"},
	}}
	return res
}

func ukResult() *plaidapi.Result {
	res := platypusResult()
	res.ItemID, res.ItemName = "Jd8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM", "uk-bacs-iban"
	res.Institution = &plaidapi.Institution{ID: "ins_117650", Name: "Royal Bank of Plaid"}
	res.Accounts = res.Accounts[:1]
	res.Numbers = plaidapi.Numbers{
		BACS:          []plaidapi.BACS{{AccountID: "acc-checking", Account: "31926819", SortCode: "601613"}},
		International: []plaidapi.International{{AccountID: "acc-checking", IBAN: "GB33BUKB20201555555555", BIC: "BUKBGB22"}},
	}
	return res
}

func euResult() *plaidapi.Result {
	res := platypusResult()
	res.Institution = &plaidapi.Institution{ID: "ins_117650", Name: "Banco Plata"}
	res.Accounts = res.Accounts[:1]
	res.Numbers = plaidapi.Numbers{International: []plaidapi.International{{AccountID: "acc-checking", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}}}
	return res
}

func TestEveryScreenKeepsTheLayoutRules(t *testing.T) {
	t.Parallel()
	for _, st := range layoutStates() {
		for _, size := range layoutSizes {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%s/%dx%d", st.name, w, h), func(t *testing.T) {
				m := st.build(t, w, h)
				checkLayout(t, "help closed", m.View(), w, h, false)
				m.Update(press("?"))
				checkLayout(t, "help open", m.View(), w, h, true)
				m.c.setStatus(statusOK, layoutStatus)
				m.state++ // a change to draw, as Update counts one
				out := m.View()
				checkLayout(t, "help open, status", out, w, h, true)
				checkStatusShown(t, "help open", out)
				m.Update(press("?"))
				out = m.View()
				checkLayout(t, "help closed, status", out, w, h, false)
				checkStatusShown(t, "help closed", out)
			})
		}
	}
}

// checkLayout checks one frame of a w×h window.
func checkLayout(t *testing.T, when, out string, w, h int, helpOpen bool) {
	t.Helper()
	lines := strings.Split(ansi.Strip(out), "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines in a window %d high", when, len(lines), h)
	}
	for _, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%s: a line is %d cells in a window %d wide: %q", when, lw, w, l)
		}
	}
	last := lines[len(lines)-1]
	help := "? help"
	if helpOpen {
		help = "? close help"
	}
	if !strings.Contains(last, " quit") || !strings.Contains(last, help) {
		t.Errorf("%s: the footer does not say how to quit and %q: %q", when, help, last)
	}
	for _, p := range brokenTokens(lines) {
		t.Errorf("%s: %s\n%s", when, p, strings.Join(lines, "\n"))
	}
	for _, p := range openBoxes(lines) {
		t.Errorf("%s: %s\n%s", when, p, strings.Join(lines, "\n"))
	}
}

// checkStatusShown: the status line is on screen, above the footer, its path whole or
// shortened with ….
func checkStatusShown(t *testing.T, when, out string) {
	t.Helper()
	v := ansi.Strip(out)
	if !strings.Contains(v, "✓ Saved the transcript") {
		t.Errorf("%s: the status line is not on screen:\n%s", when, v)
	}
	if !strings.Contains(v, layoutStatusPath) && !strings.Contains(v, "~/.local/s…") && !strings.Contains(v, "…") {
		t.Errorf("%s: the status line lost the path:\n%s", when, v)
	}
}

// textOf is a line without its indent and the edges of the boxes around it.
func textOf(l string) string {
	return strings.TrimRight(strings.TrimLeft(l, " │╭╰─┃"), " │╮╯─┃")
}

// brokenTokens finds the tokens that run from the end of one line into the next: a known id,
// path, URL or command found only when lines are joined, and any line that ends in a word
// broken after a hyphen ("plaid-" / "onboard") where the next goes on with a word.
func brokenTokens(lines []string) []string {
	var problems []string
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = textOf(l)
	}
	for _, sep := range []string{"", " "} {
		joined := strings.Join(texts, sep)
		for _, tok := range unbrokenTokens {
			whole := 0
			for _, l := range texts {
				whole += strings.Count(l, tok)
			}
			if n := strings.Count(joined, tok); n > whole {
				problems = append(problems, fmt.Sprintf("%q is broken across lines", tok))
			}
		}
	}
	for i := 0; i+1 < len(texts); i++ {
		a, b := []rune(texts[i]), []rune(texts[i+1])
		if len(a) >= 2 && a[len(a)-1] == '-' && (unicode.IsLetter(a[len(a)-2]) || unicode.IsDigit(a[len(a)-2]) || a[len(a)-2] == '-') &&
			len(b) > 0 && (unicode.IsLetter(b[0]) || unicode.IsDigit(b[0])) {
			problems = append(problems, fmt.Sprintf("a word is broken after a hyphen: %q / %q", texts[i], texts[i+1]))
		}
	}
	return problems
}

// openBoxes finds the boxes whose corners are not paired: a ╭ with no ╰ under it in the same
// column (or the other way round), or a top or bottom edge without its right corner.
func openBoxes(lines []string) []string {
	var problems []string
	open := map[int]int{} // column → line of its ╭
	for i, l := range lines {
		rs := []rune(l)
		for col, r := range rs {
			switch r {
			case '╭':
				if !strings.ContainsRune(string(rs[col:]), '╮') {
					problems = append(problems, fmt.Sprintf("line %d: a top edge without ╮: %q", i, l))
				}
				open[col] = i
			case '╰':
				if !strings.ContainsRune(string(rs[col:]), '╯') {
					problems = append(problems, fmt.Sprintf("line %d: a bottom edge without ╯: %q", i, l))
				}
				if _, ok := open[col]; !ok {
					problems = append(problems, fmt.Sprintf("line %d: a box bottom with no top: %q", i, l))
				}
				delete(open, col)
			}
		}
	}
	for col, i := range open {
		problems = append(problems, fmt.Sprintf("line %d: a box top (column %d) with no bottom", i, col))
	}
	return problems
}
