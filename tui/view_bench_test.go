package tui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// A key press waits on Bubble Tea's event loop for Update and then View, which draws the new
// state (frame.go); a slow draw makes every key press and every spinner frame late. Goal: a key
// press on an Item with 500 accounts, on the results screen and on the Items screen, draws its
// frame in well under 10 ms, rendered in colour as in a true-colour terminal. (A View with no
// Update before it draws nothing: it gives the frame already drawn.)

const bigItemAccounts = 500

// keyBudget is what one key press may take, Update then View, at the median: the drawing of a
// table of 500 rows once per press took 30–55 ms, twice per frame; drawing it once per result
// and width takes 1–5 ms on a busy 2-core machine. The race detector slows this code about
// tenfold (390–455 ms before, 20–50 ms now, two suites at once), so -race scales it (race_on_test.go).
const keyBudget = 15 * time.Millisecond

// bigItem is an Item with n accounts, each with ACH numbers and balances.
func bigItem(n int) *plaidapi.Result {
	res := platypusResult()
	res.Accounts, res.Numbers.ACH = nil, nil
	for i := range n {
		id := fmt.Sprintf("acc-%04d", i)
		res.Accounts = append(res.Accounts, plaidapi.Account{ID: id, Name: fmt.Sprintf("Plaid Checking %d", i),
			Mask: str(fmt.Sprintf("%04d", i)), Type: "depository", Subtype: str("checking"),
			Balances: bal(num(float64(100*i)+0.5), num(float64(110*i)))})
		res.Numbers.ACH = append(res.Numbers.ACH, plaidapi.ACH{AccountID: id, Account: fmt.Sprintf("11112222333%05d", i),
			Routing: "011401533", WireRouting: str("021000021")})
	}
	return res
}

// colourModel is the root model at w×h with a true-colour renderer and a Link page said to
// be open (nothing listens), for views only: no command it returns is run.
func colourModel(tb testing.TB, w, h int) *Model {
	tb.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	cfg := linkOpenConfig()
	cfg.APIURL = "http://127.0.0.1:1" // refused at once: nothing here may reach Plaid
	deps := Deps{
		HTTPClient: plaidapi.NewHTTPClient(),
		In:         strings.NewReader(""),
		Out:        &syncBuffer{},
		Config:     cfg,
		Vault:      vault.NewVault(vault.NewMemoryStore(), tb.TempDir()),
		Browser:    &fakeBrowser{},
		NoBrowser:  true,
		Now:        func() time.Time { return fixedNow },
		Getenv:     func(string) string { return "" },
		Renderer:   r,
	}
	deps.fill()
	ctx, cancel := context.WithCancel(context.Background())
	m := newModel(ctx, deps)
	tb.Cleanup(func() {
		cancel()
		m.shutdown()
	})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	m.Update(keysConfirmedMsg{client: client, token: &plaidapi.LinkToken{Token: "link-sandbox-x"}})
	return m
}

// bigResults is the results screen of an Item with 500 accounts.
func bigResults(tb testing.TB) *Model { return resultsOf(tb, bigItem(bigItemAccounts)) }

// resultsOf is the results screen of res, at 120×40 in colour.
func resultsOf(tb testing.TB, res *plaidapi.Result) *Model {
	tb.Helper()
	m := colourModel(tb, 120, 40)
	j := m.c.flow.LinkJourney(nil, nil)
	m.Update(accountLinkedMsg{journey: j, kind: journeyLink, title: "Connecting First Platypus Bank"})
	m.Update(numbersShownMsg{id: m.working.runID, res: res, kind: journeyLink})
	if m.screen != screenResults {
		tb.Fatalf("the results did not show (screen %v)", m.screen)
	}
	return m
}

// bigItems is the Items screen showing the live balances of an Item with 500 accounts.
func bigItems(tb testing.TB) *Model {
	tb.Helper()
	m := colourModel(tb, 120, 40)
	it := savedPlatypus("sandbox")
	m.Update(savedItemsLoadedMsg{ns: "sandbox", items: []vault.SavedItem{it}})
	_, cmd := m.Update(press("i"))
	follow(m, cmd) // the request to open the Items screen
	if m.screen != screenItems {
		tb.Fatalf("a did not open the Items screen (screen %v)", m.screen)
	}
	m.Update(press("b")) // asks for the balances; the answer is delivered below
	if m.items.pending == 0 {
		tb.Fatalf("b did not ask for the balances")
	}
	res := bigItem(bigItemAccounts)
	m.Update(itemActedMsg{id: m.items.pending, action: actBalances, item: it, out: &plaidflow.LiveBalances{
		Environment: "sandbox", ItemID: it.ItemID, ItemName: it.Name, Institution: res.Institution,
		Accounts: res.Accounts, RequestID: "m8MDnv9okwxFNBV", FetchedAt: fixedNow}})
	return m
}

// bigItemList is the Items screen listing 500 saved Items.
func bigItemList(tb testing.TB) *Model { return itemListOf(tb, manySaved(bigItemAccounts)) }

// itemListOf is the Items screen listing items (oldest first, as the vault lists them), at
// 120×40 in colour.
func itemListOf(tb testing.TB, items []vault.SavedItem) *Model {
	tb.Helper()
	m := colourModel(tb, 120, 40)
	m.Update(savedItemsLoadedMsg{ns: "sandbox", items: items})
	_, cmd := m.Update(press("i"))
	follow(m, cmd) // the request to open the Items screen
	if m.screen != screenItems || len(m.items.shown) != len(items) {
		tb.Fatalf("i did not open the Items screen listing %d Items (screen %v, %d listed)", len(items), m.screen, len(m.items.shown))
	}
	return m
}

// manySaved are n saved Items of Sandbox, oldest first, every fourth one needing a login.
func manySaved(n int) []vault.SavedItem {
	items := make([]vault.SavedItem, n)
	for i := range items {
		it := savedPlatypus("sandbox")
		it.ItemID = fmt.Sprintf("item-%04d", i)
		it.Name = fmt.Sprintf("platypus-%d", i)
		it.CreatedAt = it.CreatedAt.Add(time.Duration(i) * time.Minute)
		if i%4 == 3 {
			it.Health = "ITEM_LOGIN_REQUIRED"
		}
		items[i] = it
	}
	return items
}

var (
	pgDown = tea.KeyMsg{Type: tea.KeyPgDown}
	pgUp   = tea.KeyMsg{Type: tea.KeyPgUp}
)

// keyScreens are the screens a key press is timed on: the model, the keys pressed in turn
// (each changes what is shown), and what the screen must show (it must not get quick by
// dropping the accounts).
var keyScreens = []struct {
	name  string
	model func(testing.TB) *Model
	keys  []tea.KeyMsg
	want  []string
}{
	{"results", bigResults, []tea.KeyMsg{press("down"), press("up")},
		[]string{"Plaid Checking 0 ", "Plaid Checking 1 ", "2,200.00 USD", "more lines below"}},
	{"items balances", bigItems, []tea.KeyMsg{pgDown, pgUp},
		[]string{"Live balances of first-platypus-bank", "Plaid Checking 0 ", "Plaid Checking 1 "}},
	{"items list", bigItemList, []tea.KeyMsg{press("down"), press("up")},
		[]string{"Saved Items", "platypus-499 ", "platypus-498 ", "ITEM_LOGIN_REQUIRED"}},
}

// pressThenView presses key as Bubble Tea delivers it, then draws the frame it leaves.
func pressThenView(m *Model, key tea.KeyMsg) string {
	m.Update(key)
	return m.View()
}

// BenchmarkResultsKeyThenView500Accounts is what a key press costs the event loop on the
// results of an Item with 500 accounts: Update, then View, as Bubble Tea runs them.
func BenchmarkResultsKeyThenView500Accounts(b *testing.B) { benchmarkKeys(b, 0) }

// BenchmarkItemsKeyThenView500Accounts is the same on the Items screen showing the live
// balances of an Item with 500 accounts: the scrolling keys, as a user reads them.
func BenchmarkItemsKeyThenView500Accounts(b *testing.B) { benchmarkKeys(b, 1) }

// BenchmarkItemListKeyThenView500Items is the same on the Items screen listing 500 Items.
func BenchmarkItemListKeyThenView500Items(b *testing.B) { benchmarkKeys(b, 2) }

func benchmarkKeys(b *testing.B, screen int) {
	sc := keyScreens[screen]
	m := sc.model(b)
	m.View()
	i := 0
	for b.Loop() {
		pressThenView(m, sc.keys[i%len(sc.keys)])
		i++
	}
}

// TestKeyPressOnAnItemWith500AccountsIsQuick holds a key press on each screen, Update then the
// View that draws it, to the budget at the median of many presses, and checks that every
// press drew a new frame (a frame given again costs nothing and would measure nothing).
func TestKeyPressOnAnItemWith500AccountsIsQuick(t *testing.T) {
	const presses = 41
	budget := keyBudget * raceSlowdown
	for _, sc := range keyScreens {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model(t)
			v := view(m)
			for _, w := range sc.want {
				if !strings.Contains(v, w) {
					t.Fatalf("the %s screen lacks %q:\n%s", sc.name, w, v)
				}
			}
			pressThenView(m, sc.keys[0]) // warm-up: first-use allocations
			prev := pressThenView(m, sc.keys[1])
			ds := make([]time.Duration, presses)
			for i := range ds {
				key := sc.keys[i%len(sc.keys)]
				start := time.Now()
				frame := pressThenView(m, key)
				ds[i] = time.Since(start)
				if frame == prev {
					t.Fatalf("press %d (%s) on the %s screen drew the same frame again:\n%s", i, key, sc.name, view(m))
				}
				prev = frame
			}
			slices.Sort(ds)
			d := ds[presses/2]
			t.Logf("%s screen: a key press, Update then View, median %s of %d (fastest %s, slowest %s; budget %s)",
				sc.name, d, presses, ds[0], ds[presses-1], budget)
			if d > budget {
				t.Errorf("a key press on the %s screen takes %s to draw (median of %d); the budget is %s", sc.name, d, presses, budget)
			}
		})
	}
}
