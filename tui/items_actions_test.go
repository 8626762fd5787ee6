package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Items screen's actions against the emulator: each one's happy path and its failure, as a
// user would see them. The demo configuration is used so the Sandbox-only keys are on.

// itemsOnEmulator is the demo against a fresh emulator with one Item made through the Sandbox
// shortcut, and the Items screen opened on it from the results (i). tweak may change the
// dependencies first (a keyring that refuses writes).
func itemsOnEmulator(t *testing.T, w, h int, tweak func(*Deps)) (*Model, *driver, *emulator.Server) {
	t.Helper()
	m, d, srv := demoOnLink(t, w, h, tweak)
	d.sandboxShortcut()
	d.send(press("i"))
	d.until("the Items screen listing the Item", func() bool { return m.screen == screenItems && len(m.items.items) == 1 })
	return m, d, srv
}

// act presses k and waits for the outcome panel.
func act(d *driver, k, what string) {
	d.t.Helper()
	d.send(press(k))
	d.until(what, func() bool { return d.m.items.pending == 0 && d.m.items.panel != nil })
}

// confirmAct presses k, which asks first, checks the question is up with nothing sent yet, and
// answers y, then waits for the outcome panel.
func confirmAct(d *driver, k, what string) {
	d.t.Helper()
	before := d.m.items.pending
	d.send(press(k))
	if !d.m.items.asking() || d.m.items.pending != before {
		d.t.Fatalf("%s should ask first; screen:\n%s", k, view(d.m))
	}
	act(d, "y", what)
}

// wantView fails unless the stripped body holds every string.
func wantView(t *testing.T, m *Model, what string, all ...string) {
	t.Helper()
	v := bodyText(m)
	for _, s := range all {
		if !strings.Contains(v, s) {
			t.Errorf("%s: the screen lacks %q:\n%s", what, s, v)
		}
	}
}

func savedToken(t *testing.T, m *Model, it vault.SavedItem) string {
	t.Helper()
	tok, err := m.c.deps.Vault.AccessToken("demo", it.ItemID)
	if err != nil {
		t.Fatalf("the access token of %s is not in the keyring: %v", it.Name, err)
	}
	return tok
}

func TestItemsStatusShowsHealthProductsConsentAndWebhook(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	act(d, "h", "the status")
	// The demo bills nothing: Plaid's billed_products are the products in use.
	wantView(t, m, "status", "Status of first-platypus-bank", "Health: ok", "products in use", "auth",
		"available products", "consent expires", "webhook", "request_id")
	if v := view(m); strings.Contains(strings.ToLower(v), "billed") {
		t.Errorf("the demo's status speaks of billing:\n%s", v)
	}
	if n := emulatortest.Requests(srv, "/item/get"); n != 1 {
		t.Errorf("/item/get called %d times, want 1", n)
	}
	d.until("the list to show the health learnt", func() bool { return m.items.items[0].Health == plaidflow.HealthOK })

	// Every attempt fails: /item/get is retried, and the last 500 is what the screen shows.
	srv.InjectError("/item/get", 0, "INTERNAL_SERVER_ERROR")
	act(d, "h", "the failed status")
	wantView(t, m, "failed status", "Could not get the status of first-platypus-bank", "INTERNAL_SERVER_ERROR (API_ERROR)", "request_id")
	if m.items.keys.Repair.Enabled() {
		t.Errorf("a server error is not repaired by update mode, yet u is offered")
	}
}

func TestItemsBalancesShowWhenTheyWereFetched(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	act(d, "b", "the balances")
	wantView(t, m, "balances", "Live balances of first-platypus-bank", "Plaid Checking", "AVAILABLE", "USD",
		"Fetched 2025-03-14 09:26:53 from the bank (/accounts/balance/get)")

	srv.InjectError("/accounts/balance/get", 1, "ITEM_LOGIN_REQUIRED")
	act(d, "b", "the failed balances")
	wantView(t, m, "failed balances", "Could not fetch the balances of first-platypus-bank", "ITEM_LOGIN_REQUIRED",
		"meaning", "the bank needs the user to log in again", "press u to repair with Link (update mode)")
	if !hasHelp(m, "u repair with Link") {
		t.Errorf("ITEM_LOGIN_REQUIRED should put u in the help:\n%s", view(m))
	}
}

func TestItemsRenameKeepsNamesUniqueAndSaysWhy(t *testing.T) {
	m, d, _ := itemsOnEmulator(t, 100, 40, nil)
	d.send(press("e"))
	wantView(t, m, "rename prompt", "Rename first-platypus-bank", "› first-platypus-bank")
	clearInput := tea.KeyMsg{Type: tea.KeyCtrlU}
	d.send(clearInput)
	typeText(m, "house bank")
	d.send(press("enter"))
	d.until("the refusal of a name with a space", func() bool { return m.items.pending == 0 && strings.Contains(m.items.promptErr, "letters, digits") })

	d.send(clearInput)
	typeText(m, "house-bank")
	act(d, "enter", "the rename")
	wantView(t, m, "renamed", "Renamed", "first-platypus-bank is now house-bank.")
	d.until("the list to show the new name", func() bool {
		it, _ := m.items.selected()
		return it.Name == "house-bank"
	})
	if _, err := m.c.deps.Vault.FindItem("demo", "house-bank"); err != nil {
		t.Errorf("the index does not know the new name: %v", err)
	}
}

func TestItemsRenameRefusesANameAnotherItemHas(t *testing.T) {
	m, d, _ := itemsOnEmulator(t, 100, 40, nil)
	other := vault.SavedItem{Namespace: "demo", ItemID: "Zx9yWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1zY", Name: "tartan-bank",
		InstitutionID: "ins_109511", InstitutionName: "Tartan Bank", CreatedAt: fixedNow.Add(-time.Hour)}
	if _, err := m.c.deps.Vault.SaveItem(other, "access-sandbox-other"); err != nil {
		t.Fatal(err)
	}
	d.exec(m.loadSaved())
	d.until("both Items", func() bool { return len(m.items.items) == 2 })
	d.send(press("e"))
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	typeText(m, "tartan-bank")
	d.send(press("enter"))
	d.until("the answer", func() bool { return m.items.pending == 0 })
	if m.items.mode != itemsRenaming || !strings.Contains(m.items.promptErr, "taken") {
		t.Fatalf("a taken name should leave the prompt open with the reason (mode %v, %q):\n%s", m.items.mode, m.items.promptErr, bodyText(m))
	}
	wantView(t, m, "taken name", "✗ ", "taken")
}

func TestItemsRemoveAsksFirstThenRemovesAtPlaidAndHere(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	d.send(press("d"))
	wantView(t, m, "confirmation", "Remove first-platypus-bank?", "calls /item/remove", "y remove in the emulator")
	if !hasHelp(m, "y remove the Item") || !hasHelp(m, "n no") {
		t.Errorf("the question's keys are not in the help:\n%s", view(m))
	}
	d.send(press("n"))
	if m.items.mode != itemsBrowsing || emulatortest.Requests(srv, "/item/remove") != 0 {
		t.Fatalf("n should keep the Item without calling Plaid")
	}

	d.send(press("d"))
	act(d, "y", "the removal")
	wantView(t, m, "removed", "Removed first-platypus-bank", "in the emulator and", "deleted its token and its entry in the index here.")
	if n := emulatortest.Requests(srv, "/item/remove"); n != 1 {
		t.Errorf("/item/remove called %d times, want 1", n)
	}
	d.until("the empty list", func() bool { return len(m.items.items) == 0 })
	wantView(t, m, "empty list", "No Items saved in the offline demo yet")
	if keys := m.c.deps.Vault.Secrets.(*vault.MemoryStore).Keys(); len(keys) != 0 {
		t.Errorf("the keyring still holds %v", keys)
	}
}

// The results the Items screen was opened from showed the Item saved; after removing it there,
// going back must not still say so.
func TestResultsOfARemovedItemNoLongerSaySaved(t *testing.T) {
	m, d, _ := itemsOnEmulator(t, 100, 40, nil)
	d.send(press("d"))
	act(d, "y", "the removal")
	d.until("the empty list", func() bool { return len(m.items.items) == 0 })
	d.send(press("esc"))
	d.until("the results again (esc)", func() bool { return m.screen == screenResults })
	body := bodyText(m)
	if strings.Contains(body, "Saved in") || !strings.Contains(body, "Removed on the Items screen: no longer saved here") {
		t.Errorf("the results of the removed Item do not say it was removed:\n%s", body)
	}
}

func TestItemsRemoveOfAnItemAlreadyGoneAtPlaidCleansUpHere(t *testing.T) {
	m, d, _ := itemsOnEmulator(t, 100, 40, nil)
	it, _ := m.items.selected()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m.c.flow.Client.RemoveItem(ctx, savedToken(t, m, it)); err != nil {
		t.Fatal(err) // removed at Plaid behind this screen's back
	}
	d.send(press("d"))
	act(d, "y", "the removal")
	wantView(t, m, "already gone", "The emulator no longer knew first-platypus-bank", "Cleaned up here")
	if m.items.panel.kind != statusWarn {
		t.Errorf("an Item already gone at Plaid should be a warning, not a plain success")
	}
	d.until("the empty list", func() bool { return len(m.items.items) == 0 })
}

func TestItemsRemoveWithTheTokenMissingSaysItIsNotRemovedAtPlaid(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	it, _ := m.items.selected()
	if err := m.c.deps.Vault.Secrets.Delete("demo/item/" + it.ItemID); err != nil {
		t.Fatal(err)
	}
	d.send(press("d"))
	act(d, "y", "the refusal")
	wantView(t, m, "token missing", "NOT removed in the emulator: first-platypus-bank", "Could NOT remove first-platypus-bank",
		"/item/remove needs it", "stays live in the emulator", "Forget first-platypus-bank here only?", "y forget it here")
	if emulatortest.Requests(srv, "/item/remove") != 0 {
		t.Errorf("/item/remove was called without a token")
	}
	if !errors.Is(m.Err(), plaidflow.ErrNotRemovedAtPlaid) {
		t.Errorf("quitting now should exit 1 with the failure; Err() = %v", m.Err())
	}
	d.send(press("n"))
	if v := view(m); !strings.Contains(v, "Kept here: first-platypus-bank is still listed") {
		t.Errorf("n does not say on the status line that the Item is kept here:\n%s", v)
	}
	if len(m.items.items) != 1 {
		t.Fatalf("n should keep the Item listed")
	}

	d.send(press("d"))
	act(d, "y", "the refusal again")
	m.items.panel = nil // wait for the forget's own outcome below
	act(d, "y", "the forget")
	wantView(t, m, "forgotten", "It was forgotten here, as you confirmed.")
	d.until("the empty list", func() bool { return len(m.items.items) == 0 })
}

func TestItemsRotateKeepsExactlyOneWorkingToken(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	it, _ := m.items.selected()
	old := savedToken(t, m, it)
	confirmAct(d, "R", "the rotation")
	wantView(t, m, "rotated", "Rotated the access token of first-platypus-bank", "The emulator invalidated the old access token")
	if now := savedToken(t, m, it); now == old {
		t.Errorf("the keyring still holds the old token")
	}
	if strings.Contains(bodyText(m), savedToken(t, m, it)) {
		t.Errorf("a token that was saved must not be shown")
	}
	d.send(press("enter"))
	d.until("the numbers with the new token", func() bool { return m.screen == screenResults })
	if n := emulatortest.Requests(srv, "/item/access_token/invalidate"); n != 1 {
		t.Errorf("/item/access_token/invalidate called %d times, want 1", n)
	}
}

// refusingStore is a keyring that can be made to refuse writes, as a locked one does.
type refusingStore struct {
	*vault.MemoryStore
	refuse atomic.Bool
}

func (s *refusingStore) Set(key, value string) error {
	if s.refuse.Load() {
		return fmt.Errorf("write %s: %w", key, vault.ErrKeyringUnavailable)
	}
	return s.MemoryStore.Set(key, value)
}

func TestItemsRotateShowsTheNewTokenOnceWhenItCouldNotBeSaved(t *testing.T) {
	store := &refusingStore{MemoryStore: vault.NewMemoryStore()}
	m, d, _ := itemsOnEmulator(t, 100, 40, func(deps *Deps) {
		deps.Vault = vault.NewVault(store, t.TempDir())
	})
	store.refuse.Store(true)
	confirmAct(d, "R", "the rotation")
	p := m.items.panel
	if p.copyText == "" || !strings.HasPrefix(p.copyText, "access-") {
		t.Fatalf("the new token should be kept for the copy key; panel %+v", p)
	}
	wantView(t, m, "not saved", "Rotated, but the new token was NOT saved", "shown once", p.copyText, "Copy it now (c)")
	if !hasHelp(m, "c copy token") {
		t.Errorf("c is not offered:\n%s", view(m))
	}
	d.send(press("c"))
	d.screenShows("Sent the new access token of first-platypus-bank to the terminal clipboard")
	if out := m.c.deps.Out.(*syncBuffer).String(); !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(p.copyText))) {
		t.Errorf("the token did not go out as OSC 52: %q", out)
	}
	act(d, "h", "another action")
	if strings.Contains(bodyText(m), p.copyText) || m.items.keys.Copy.Enabled() {
		t.Errorf("the token should be gone once the panel is left")
	}
}

func TestItemsProcessorTokenPicksTheAccountAndCompletesTheProcessor(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 50, nil)
	d.send(press("p"))
	d.until("the account picker", func() bool { return m.items.mode == itemsPickAccount })
	wantView(t, m, "accounts", "which account?", "› Plaid Checking ", "••0000  depository/checking")
	d.send(press("enter"))
	wantView(t, m, "processor prompt", "Processor token for Plaid Checking ••0000", "processor ›")

	typeText(m, "dwola")
	d.send(press("enter"))
	wantView(t, m, "unknown processor", "not a processor Plaid knows", "did you mean dwolla")
	if emulatortest.Requests(srv, "/processor/token/create") != 0 {
		t.Errorf("an unknown processor reached Plaid")
	}
	for range 5 {
		d.send(press("backspace"))
	}
	// tab goes through the processors that match what was typed: "ap" has apex_clearing,
	// then the others; tab on a completed name moves to the next, not back to itself.
	typeText(m, "ap")
	var seen []string
	for range 3 {
		d.send(press("tab"))
		seen = append(seen, m.items.input.Value())
	}
	if seen[0] == seen[1] || seen[1] == seen[2] || !slices.Contains(seen, "apex_clearing") {
		t.Errorf("tab after ap went %v; want it to cycle through the matches", seen)
	}
	wantView(t, m, "cycling", "tab: apex_clearing")
	for range len(m.items.input.Value()) {
		d.send(press("backspace"))
	}
	typeText(m, "dwo")
	wantView(t, m, "completion", "tab: dwolla")
	d.send(press("tab"))
	if v := m.items.input.Value(); v != "dwolla" {
		t.Fatalf("tab should complete dwo to dwolla, got %q", v)
	}
	act(d, "enter", "the token")
	tok := m.items.panel.copyText
	if !strings.HasPrefix(tok, "processor-sandbox-") {
		t.Fatalf("not a processor token: %q", tok)
	}
	wantView(t, m, "token", "dwolla token for Plaid Checking ••0000", tok, "Next:", "plaidToken", "c copies it")
	d.send(press("c"))
	d.screenShows("Sent the dwolla token for Plaid Checking ••0000 to the terminal clipboard")

	// Stripe has its own endpoint and a btok_ token.
	d.send(press("p"))
	d.until("the account picker", func() bool { return m.items.mode == itemsPickAccount })
	d.send(press("enter"))
	typeText(m, "stripe")
	act(d, "enter", "the Stripe token")
	if tok := m.items.panel.copyText; !strings.HasPrefix(tok, "btok_") {
		t.Errorf("Stripe's token should be a btok_, got %q", tok)
	}

	// Plaid's own failure.
	srv.InjectError("/processor/token/create", 1, "INTERNAL_SERVER_ERROR")
	d.send(press("p"))
	d.until("the account picker", func() bool { return m.items.mode == itemsPickAccount })
	d.send(press("enter"))
	typeText(m, "apex_clearing")
	act(d, "enter", "the failure")
	wantView(t, m, "processor failure", "Could not create a processor token for first-platypus-bank", "INTERNAL_SERVER_ERROR")
	if m.items.keys.Copy.Enabled() {
		t.Errorf("nothing to copy after a failure, yet c is offered")
	}
}

func TestItemsResetLoginOnlyInSandbox(t *testing.T) {
	cfg := linkOpenConfig()
	cfg.Env = config.Production
	m := linkOpenAt(t, testDeps(t, cfg), 100, 30)
	m.Update(savedItemsLoadedMsg{ns: "production", items: []vault.SavedItem{savedPlatypus("production")}})
	pressA(t, m)
	if m.screen != screenItems || m.items.keys.ResetLogin.Enabled() {
		t.Errorf("L must not be offered in Production (screen %v)", m.screen)
	}
	if !m.items.keys.Status.Enabled() {
		t.Errorf("the other actions should be offered in Production")
	}
}

// TestItemsResetLoginThenRepairWithLinkUpdateMode is the support engineer's story: reset the
// login, see ITEM_LOGIN_REQUIRED on the numbers, repair with Link in update mode (the stand-in
// Link driven as a browser would), and land on the refreshed numbers with the Item healthy.
func TestItemsResetLoginThenRepairWithLinkUpdateMode(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	confirmAct(d, "L", "the reset")
	wantView(t, m, "reset", "Reset the login of first-platypus-bank", "ITEM_LOGIN_REQUIRED", "press u to repair with Link (update mode)")
	d.until("the list to show the new health", func() bool { return m.items.items[0].Health == "ITEM_LOGIN_REQUIRED" })
	wantView(t, m, "list", "ITEM_LOGIN_REQUIRED")

	d.send(press("enter"))
	d.until("the numbers to fail", func() bool { return m.working.failed() >= 0 })
	if !hasHelp(m, "u repair with Link") {
		t.Fatalf("the failed numbers should offer the repair:\n%s", view(m))
	}
	wantView(t, m, "failed numbers", "ITEM_LOGIN_REQUIRED", "Press u to repair it with Link (update mode) now.")

	d.send(press("u"))
	d.until("the update-mode Link page", func() bool { return m.screen == screenLink && m.link.url != "" })
	wantView(t, m, "update mode", "Repair first-platypus-bank: Link in update mode")
	if hasHelp(m, "s sandbox shortcut") {
		t.Errorf("the Sandbox shortcut makes a new Item; it has no place in a repair:\n%s", view(m))
	}
	relink(t, m.link.url, srv.URL)
	d.until("the refreshed numbers", func() bool { return m.screen == screenResults })
	wantView(t, m, "results", "Plaid Checking", "011401533")
	if n := emulatortest.Requests(srv, "/item/public_token/exchange"); n != 1 {
		t.Errorf("update mode must exchange nothing; %d exchanges in all", n)
	}
	items, _ := m.c.deps.Vault.Items("demo")
	if len(items) != 1 || items[0].Health != plaidflow.HealthOK {
		t.Errorf("after the repair the Item should be healthy in the index: %+v", items)
	}
}

var (
	linkTokenAttr = regexp.MustCompile(`data-link-token="([^"]+)"`)
	nonceAttr     = regexp.MustCompile(`data-session-nonce="([^"]+)"`)
)

// pageTokens reads the Link token and the session nonce from the Link page, as the stand-in
// Link does in a browser.
func pageTokens(t *testing.T, client *http.Client, pageURL string) (token, nonce string) {
	t.Helper()
	resp, err := client.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lt, n := linkTokenAttr.FindSubmatch(page), nonceAttr.FindSubmatch(page)
	if lt == nil || n == nil {
		t.Fatalf("the Link page holds no link token or nonce:\n%s", page)
	}
	return string(lt[1]), string(n[1])
}

// relink does in update mode what the browser does with the stand-in Link: it reads the Link
// token and the nonce from the page, logs in to the emulator's stand-in Link as user_good,
// finishes, and reports the success to the page.
func relink(t *testing.T, pageURL, emulatorURL string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	lt, nonce := pageTokens(t, client, pageURL)
	post := func(url string, hdr map[string]string, body, into any) {
		t.Helper()
		if err := postJSON(client, url, hdr, body, into); err != nil {
			t.Fatal(err)
		}
	}
	var login struct {
		Data struct {
			Login string `json:"login"`
		} `json:"data"`
	}
	origin := map[string]string{"Origin": emulatorURL}
	post(emulatorURL+"/link/stand-in/login", origin, map[string]any{"token": lt, "username": "user_good", "password": "pass_good"}, &login)
	var fin struct {
		Data struct {
			PublicToken string `json:"public_token"`
		} `json:"data"`
	}
	post(emulatorURL+"/link/stand-in/finish", origin, map[string]any{"token": lt, "login": login.Data.Login}, &fin)
	post(strings.TrimSuffix(pageURL, "/")+"/callback/success", map[string]string{"X-Link-Nonce": nonce},
		map[string]any{"public_token": fin.Data.PublicToken, "metadata": map[string]any{}}, nil)
}

// postJSON posts body as JSON to url with the headers in hdr, as the browser does to the
// stand-in Link and to the page, and decodes the answer into into unless into is nil. An
// answer other than 2xx is an error naming it.
func postJSON(client *http.Client, url string, hdr map[string]string, body, into any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s %s", url, resp.Status, out)
	}
	if into != nil {
		return json.Unmarshal(out, into)
	}
	return nil
}

// TestItemsResetLoginSurvivesAWebhookPointedLate: the Item's webhook is pointed at the
// session's receiver beside the flow, and on a busy machine that call can end after the user
// has reset the login. /item/webhook/update succeeds whatever the login's state, so it must not
// put "healthy" back over ITEM_LOGIN_REQUIRED, in the index or in the list.
func TestItemsResetLoginSurvivesAWebhookPointedLate(t *testing.T) {
	m, d, _ := itemsOnEmulator(t, 100, 40, nil)
	confirmAct(d, "L", "the reset")
	d.until("the list to show the new health", func() bool { return m.items.items[0].Health == "ITEM_LOGIN_REQUIRED" })

	it := m.items.items[0]
	if msg := pointItem(m.c.ctx, m.c.flow, m.c.deps.Timeline, it.ItemID, "http://127.0.0.1:9/webhook")(); msg.(webhookSetMsg).err != nil {
		t.Fatalf("pointing the webhook: %v", msg.(webhookSetMsg).err)
	}
	d.send(loadSavedItems(m.c)())
	if h := m.items.items[0].Health; h != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("after the webhook was pointed the list says %q; the login still needs repairing:\n%s", h, view(m))
	}
	items, _ := m.c.deps.Vault.Items("demo")
	if len(items) != 1 || items[0].Health != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("after the webhook was pointed the index says %+v; the login still needs repairing", items)
	}
}
