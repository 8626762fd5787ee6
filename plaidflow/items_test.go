package plaidflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The Item's life, against the emulator and a MemoryStore vault. Each behaviour cites the Plaid
// page it follows.

func linkedItem(t *testing.T, fx fixture) *plaidapi.Result {
	t.Helper()
	res, err := sandboxLink(fx.flow, "")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func savedItem(t *testing.T, fx fixture, ref string) vault.SavedItem {
	t.Helper()
	it, err := fx.vault.FindItem("sandbox", ref)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// /item/get reports an Item that needs a new login in item.error instead of failing
// (https://plaid.com/docs/api/items/#itemget); the status says what it means and how to repair.
func TestItemStatusShowsHealthAndTheRepair(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()

	st, err := fx.flow.ItemStatus(ctx, res.ItemName)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Health.Healthy || !slices.Contains(st.BilledProducts, "auth") || st.ConsentExpiration != nil || st.Webhook != nil {
		t.Errorf("healthy status = %+v", st)
	}
	if got := savedItem(t, fx, res.ItemName); got.Health != plaidflow.HealthOK || got.LastUsed.IsZero() {
		t.Errorf("index after status: health %q, last used %v", got.Health, got.LastUsed)
	}

	// https://plaid.com/docs/api/sandbox/#sandboxitemreset_login
	if _, err := fx.flow.ResetLogin(ctx, res.ItemName); err != nil {
		t.Fatal(err)
	}
	st, err = fx.flow.ItemStatus(ctx, res.ItemName)
	if err != nil {
		t.Fatal(err)
	}
	if st.Health.Healthy || st.Health.Code != "ITEM_LOGIN_REQUIRED" || st.Health.Repair != "plaid-onboard link --update "+res.ItemName {
		t.Errorf("status after reset_login = %+v", st.Health)
	}
	if st.Error == nil || st.Error.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("item.error = %+v", st.Error)
	}
}

// A product call answering ITEM_LOGIN_REQUIRED records that health, and Explain offers the
// repair with Link in update mode (https://plaid.com/docs/errors/item/#item_login_required).
func TestLoginRequiredIsRecordedAndExplained(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	if _, err := fx.flow.ResetLogin(ctx, res.ItemName); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"auth":     func() error { _, err := fx.flow.SavedJourney(res.ItemName).RunAll(ctx, nil); return err },
		"balances": func() error { _, err := fx.flow.Balances(ctx, res.ItemName); return err },
		"processor token": func() error {
			_, err := fx.flow.ProcessorToken(ctx, res.ItemName, "0000", "dwolla")
			return err
		},
	} {
		err := call()
		if !plaidapi.HasCode(err, "ITEM_LOGIN_REQUIRED") {
			t.Fatalf("%s after reset_login: %v", name, err)
		}
		p := plaidflow.Explain(err)
		if p.Repair != "plaid-onboard link --update "+res.ItemName || !strings.Contains(p.Meaning, "log in again") || p.Item != res.ItemName {
			t.Errorf("%s: Explain = %+v", name, p)
		}
		if got := savedItem(t, fx, res.ItemName); got.Health != "ITEM_LOGIN_REQUIRED" {
			t.Errorf("%s: recorded health %q", name, got.Health)
		}
	}
	var buf bytes.Buffer
	plaidflow.WriteItems(&buf, []vault.SavedItem{savedItem(t, fx, res.ItemName)}, "sandbox", present.Voice{})
	if !strings.Contains(buf.String(), "repair: plaid-onboard link --update "+res.ItemName) {
		t.Errorf("items list does not offer the repair:\n%s", buf.String())
	}
}

func TestRenameKeepsNamesUniqueAndNeverSilentlyReusesARemovedOne(t *testing.T) {
	fx := newFixture(t, "US")
	a := linkedItem(t, fx)
	b := linkedItem(t, fx)
	if a.ItemName != "first-platypus-bank" || b.ItemName != "first-platypus-bank-2" {
		t.Fatalf("names %q, %q", a.ItemName, b.ItemName)
	}
	if _, err := fx.flow.RenameItem(b.ItemName, "First-Platypus-Bank"); !errors.Is(err, vault.ErrNameTaken) {
		t.Errorf("rename onto another Item's name (other case): %v", err)
	}
	if _, err := fx.flow.RenameItem(b.ItemName, a.ItemID); !errors.Is(err, vault.ErrNameTaken) {
		t.Errorf("rename onto another Item's id: %v", err)
	}
	if _, err := fx.flow.RenameItem(b.ItemName, "has space"); !errors.Is(err, vault.ErrBadName) {
		t.Errorf("rename to a name with a space: %v", err)
	}
	r, err := fx.flow.RenameItem(b.ItemName, "spare")
	if err != nil || r.OldName != "first-platypus-bank-2" || r.Item.Name != "spare" {
		t.Fatalf("rename = %+v, %v", r, err)
	}

	// Removing first-platypus-bank retires its name: the next Item of that bank is not given it.
	if _, err := fx.flow.RemoveItem(context.Background(), a.ItemName); err != nil {
		t.Fatal(err)
	}
	c := linkedItem(t, fx)
	if c.ItemName == "first-platypus-bank" {
		t.Errorf("a new Item silently took the removed Item's name %q", c.ItemName)
	}
	// Choosing it on purpose is allowed, and said.
	r, err = fx.flow.RenameItem(c.ItemName, "first-platypus-bank")
	if err != nil || r.ReusedRemovedName != a.ItemID {
		t.Errorf("rename to a removed Item's name = %+v, %v", r, err)
	}
}

// /item/remove ends the Item; its token stops working (https://plaid.com/docs/api/items/#itemremove).
func TestRemoveOutcomes(t *testing.T) {
	ctx := context.Background()

	t.Run("removed at Plaid", func(t *testing.T) {
		fx := newFixture(t, "US")
		res := linkedItem(t, fx)
		tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
		r, err := fx.flow.RemoveItem(ctx, res.ItemName)
		if err != nil || r.Outcome != plaidflow.RemovedAtPlaid || !r.Forgotten || r.RequestID == "" {
			t.Fatalf("remove = %+v, %v", r, err)
		}
		if _, err := fx.flow.Client.Auth(ctx, tok); !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") {
			t.Errorf("the removed Item's token still works: %v", err)
		}
		assertForgotten(t, fx, res.ItemID)
	})

	t.Run("already gone at Plaid", func(t *testing.T) {
		fx := newFixture(t, "US")
		res := linkedItem(t, fx)
		tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
		if _, err := fx.flow.Client.RemoveItem(ctx, tok); err != nil { // removed elsewhere
			t.Fatal(err)
		}
		r, err := fx.flow.RemoveItem(ctx, res.ItemName)
		if err != nil || r.Outcome != plaidflow.AlreadyGoneAtPlaid || !r.Forgotten {
			t.Fatalf("remove = %+v, %v", r, err)
		}
		if !strings.Contains(r.Message(), "already removed") {
			t.Errorf("message = %q", r.Message())
		}
		assertForgotten(t, fx, res.ItemID)
	})

	t.Run("token missing", func(t *testing.T) {
		fx := newFixture(t, "US")
		res := linkedItem(t, fx)
		if err := fx.store.Delete("sandbox/item/" + res.ItemID); err != nil {
			t.Fatal(err)
		}
		before := emulatortest.Requests(fx.srv, "/item/remove")
		r, err := fx.flow.RemoveItem(ctx, res.ItemName)
		if !errors.Is(err, plaidflow.ErrNotRemovedAtPlaid) || r.Outcome != plaidflow.NotRemovedTokenMissing || r.Forgotten {
			t.Fatalf("remove = %+v, %v", r, err)
		}
		if emulatortest.Requests(fx.srv, "/item/remove") != before {
			t.Error("/item/remove was called without a token")
		}
		if !strings.Contains(r.Message(), "Could NOT remove") || !strings.Contains(r.Message(), "billed") {
			t.Errorf("message = %q", r.Message())
		}
		if _, err := fx.vault.FindItem("sandbox", res.ItemName); err != nil {
			t.Errorf("forgotten without confirmation: %v", err)
		}
		r, err = fx.flow.ForgetItem(res.ItemName)
		if err != nil || !r.Forgotten {
			t.Fatalf("forget = %+v, %v", r, err)
		}
		assertForgotten(t, fx, res.ItemID)
	})
}

func assertForgotten(t *testing.T, fx fixture, itemID string) {
	t.Helper()
	if _, err := fx.store.Get("sandbox/item/" + itemID); !errors.Is(err, vault.ErrSecretNotFound) {
		t.Errorf("keyring still holds the token: %v", err)
	}
	items, _ := fx.vault.Items("sandbox")
	for _, it := range items {
		if it.ItemID == itemID {
			t.Errorf("index still lists %s", itemID)
		}
	}
}

// /item/access_token/invalidate: the old token is dead at once, the new one works
// (https://plaid.com/docs/api/items/#itemaccess_tokeninvalidate).
func TestRotateKeepsExactlyOneWorkingToken(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	old, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	rot, err := fx.flow.RotateItem(ctx, res.ItemName)
	if err != nil || !rot.Saved || rot.NewToken != "" {
		t.Fatalf("rotate = %+v, %v", rot, err)
	}
	now, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	if now == old {
		t.Fatal("the keyring still holds the old token")
	}
	if _, err := fx.flow.Client.Auth(ctx, old); !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") {
		t.Errorf("old token still works: %v", err)
	}
	if _, err := fx.flow.SavedJourney(res.ItemName).RunAll(ctx, nil); err != nil {
		t.Errorf("auth after rotate: %v", err)
	}
}

// refusingStore refuses to write: the keyring went away between the read and the write.
type refusingStore struct{ *vault.MemoryStore }

func (refusingStore) Set(string, string) error { return errors.New("keyring locked") }

func TestRotateShowsTheNewTokenWhenItCannotBeSaved(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	old, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	fx.vault.Secrets = refusingStore{fx.store}
	rot, err := fx.flow.RotateItem(ctx, res.ItemName)
	if !errors.Is(err, plaidflow.ErrRotatedNotSaved) || rot.Saved || !strings.HasPrefix(rot.NewToken, "access-sandbox-") {
		t.Fatalf("rotate = %+v, %v", rot, err)
	}
	if _, err := fx.flow.Client.Auth(ctx, rot.NewToken); err != nil {
		t.Errorf("the token handed back does not work: %v", err)
	}
	if _, err := fx.flow.Client.Auth(ctx, old); !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") {
		t.Errorf("old token still works: %v", err)
	}
}

// /accounts/balance/get (https://plaid.com/docs/api/products/balance/#accountsbalanceget).
func TestBalancesAreLiveWithTheirTime(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	b, err := fx.flow.Balances(context.Background(), res.ItemName)
	if err != nil {
		t.Fatal(err)
	}
	if b.FetchedAt.IsZero() || b.RequestID == "" || len(b.Accounts) != 12 || emulatortest.Requests(fx.srv, "/accounts/balance/get") != 1 {
		t.Errorf("balances = %+v", b)
	}
	var buf bytes.Buffer
	plaidflow.WriteBalances(&buf, b)
	if !strings.Contains(buf.String(), "Fetched") || !strings.Contains(buf.String(), "100.00 USD") {
		t.Errorf("balances table:\n%s", buf.String())
	}
}

// /processor/token/create and the Stripe variant
// (https://plaid.com/docs/api/processors/#processortokencreate,
// https://plaid.com/docs/api/processors/#processorstripebank_account_tokencreate); what to do
// next from https://plaid.com/docs/auth/partnerships/dwolla/ and
// https://plaid.com/docs/auth/partnerships/apex-clearing/.
func TestProcessorTokens(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	for _, tt := range []struct{ account, processor, prefix, kind, next string }{
		{"0000", "dwolla", "processor-sandbox-", "processor_token", "plaidToken"},
		{"Plaid Saving", "apex_clearing", "processor-sandbox-", "processor_token", "ACH relationship"},
		{"0000", "stripe", "btok_", "stripe_bank_account_token", "Stripe customer"},
	} {
		pt, err := fx.flow.ProcessorToken(ctx, res.ItemName, tt.account, tt.processor)
		if err != nil {
			t.Fatalf("%s: %v", tt.processor, err)
		}
		if !strings.HasPrefix(pt.Token, tt.prefix) || pt.Kind != tt.kind || !strings.Contains(strings.Join(pt.Next, " "), tt.next) || len(pt.Docs) == 0 {
			t.Errorf("%s: %+v", tt.processor, pt)
		}
	}
	if emulatortest.Requests(fx.srv, "/processor/stripe/bank_account_token/create") != 1 || emulatortest.Requests(fx.srv, "/processor/token/create") != 2 {
		t.Error("stripe must use its own endpoint, the others /processor/token/create")
	}

	if _, err := fx.flow.ProcessorToken(ctx, res.ItemName, "0000", "apex"); !errors.Is(err, plaidflow.ErrUnknownProcessor) || !strings.Contains(err.Error(), "apex_clearing") {
		t.Errorf("apex: %v", err)
	}
	if _, err := fx.flow.ProcessorToken(ctx, res.ItemName, "0000", "dwola"); err == nil || !strings.Contains(err.Error(), "did you mean dwolla") {
		t.Errorf("dwola: %v", err)
	}
	if _, err := fx.flow.ProcessorToken(ctx, res.ItemName, "0001", "dwolla"); !errors.Is(err, plaidflow.ErrAccountNotFound) || !strings.Contains(err.Error(), "Plaid Checking") {
		t.Errorf("unknown account: %v", err)
	}
	if got, err := plaidflow.CheckProcessor(" Apex-Clearing "); err != nil || got != "apex_clearing" {
		t.Errorf("CheckProcessor = %q, %v", got, err)
	}
}

// TestProcessorTokenTrustsTheIndexOnlyAfterPlaidConfirms: the index's accounts let the token
// call start before /accounts/get answers, but the token returned is always for the account
// Plaid lists now under the name the user typed. When the index is out of date (here: it says
// mask 0000 is an account Plaid no longer has), the token is made again for the right account
// and the index is brought up to date.
func TestProcessorTokenTrustsTheIndexOnlyAfterPlaidConfirms(t *testing.T) {
	fx := newFixture(t, "US")
	srv, f := fx.srv, fx.flow
	mustSandboxLink(t, f)
	item := savedItem(t, fx, "first-platypus-bank")
	var checking vault.KnownAccount
	for _, a := range item.Accounts {
		if a.Mask != nil && *a.Mask == "0000" {
			checking = a
		}
	}
	if checking.ID == "" || len(item.Accounts) < 2 {
		t.Fatalf("the first numbers should have recorded the Item's accounts in the index; it has %+v", item.Accounts)
	}

	// In date: one token call, for the account the index named, confirmed by /accounts/get.
	pt, err := f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
	if err != nil {
		t.Fatal(err)
	}
	if pt.Account.ID != checking.ID || pt.Token == "" {
		t.Errorf("token for %+v, want one for %s", pt.Account, checking.ID)
	}
	if n, m := emulatortest.Requests(srv, "/accounts/get"), emulatortest.Requests(srv, "/processor/token/create"); n != 1 || m != 1 {
		t.Errorf("/accounts/get called %d times and /processor/token/create %d times, want 1 and 1", n, m)
	}

	// Out of date: mask 0000 now names an account Plaid does not have.
	stale := []vault.KnownAccount{{ID: "account-closed-since", Name: "Plaid Checking", Mask: checking.Mask}}
	if err := f.Vault.SetAccounts("sandbox", item.ItemID, stale); err != nil {
		t.Fatal(err)
	}
	pt, err = f.ProcessorToken(ctx, "first-platypus-bank", "0000", "dwolla")
	if err != nil {
		t.Fatalf("an out-of-date index must not fail the token: %v", err)
	}
	if pt.Account.ID != checking.ID || pt.Token == "" {
		t.Errorf("with an out-of-date index the token is for %+v, want one for %s", pt.Account, checking.ID)
	}
	if n := emulatortest.Requests(srv, "/processor/token/create"); n != 3 {
		t.Errorf("/processor/token/create called %d times in all, want 3 (one refused for the closed account, one made again)", n)
	}
	item, _ = f.Vault.FindItem("sandbox", "first-platypus-bank")
	if len(item.Accounts) < 2 || item.Accounts[0].ID == "account-closed-since" {
		t.Errorf("the index still holds the out-of-date accounts: %+v", item.Accounts)
	}
}

// The emulator's own answers for a processor it does not know and an account not on the Item.
func TestEmulatorProcessorErrors(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	acct := res.Accounts[0].ID
	for _, tt := range []struct {
		path string
		body map[string]string
		code string
	}{
		{"/processor/token/create", map[string]string{"access_token": tok, "account_id": acct, "processor": "apex"}, "INVALID_FIELD"},
		{"/processor/token/create", map[string]string{"access_token": tok, "account_id": "nope", "processor": "dwolla"}, "INVALID_ACCOUNT_ID"},
		{"/processor/stripe/bank_account_token/create", map[string]string{"access_token": tok, "account_id": "nope"}, "INVALID_ACCOUNT_ID"},
	} {
		tt.body["client_id"], tt.body["secret"] = emulator.DemoClientID, emulator.DemoSecret
		b, _ := json.Marshal(tt.body)
		resp, err := http.Post(fx.srv.URL+tt.path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			ErrorCode string `json:"error_code"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 400 || e.ErrorCode != tt.code {
			t.Errorf("%s %v: %d %s, want 400 %s", tt.path, tt.body["processor"], resp.StatusCode, e.ErrorCode, tt.code)
		}
	}
}

func TestResetLoginIsSandboxOnly(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	cfg := fx.flow.Client.Config()
	cfg.Env = config.Production
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	prod := plaidflow.NewFlow(client, fx.vault)
	if _, err := prod.ResetLogin(context.Background(), res.ItemName); !errors.Is(err, config.ErrSandboxOnly) {
		t.Errorf("reset-login in Production: %v", err)
	}
	if emulatortest.Requests(fx.srv, "/sandbox/item/reset_login") != 0 {
		t.Error("reset_login reached Plaid outside Sandbox")
	}
}

// standInUpdateLink completes Link in update mode the way the stand-in Link page does: log in
// with user_good, then (with account selection) keep the accounts with the given masks.
type standInUpdateLink struct {
	quietPage
	srv   *emulator.Server
	masks []string
	mu    sync.Mutex
	seen  map[string]any // the login answer
}

func (l *standInUpdateLink) Link(_ context.Context, token string) (string, string, string, error) {
	login, err := standInCall(l.srv, "login", map[string]any{"token": token, "username": "user_good", "password": "pass_good"})
	if err != nil {
		return "", "", "", err
	}
	l.mu.Lock()
	l.seen = login
	l.mu.Unlock()
	var ids []string
	for _, a := range login["accounts"].([]any) {
		a := a.(map[string]any)
		if l.masks == nil || slices.Contains(l.masks, a["mask"].(string)) {
			ids = append(ids, a["id"].(string))
		}
	}
	fin, err := standInCall(l.srv, "finish", map[string]any{"token": token, "login": login["login"], "account_ids": ids})
	if err != nil {
		return "", "", "", err
	}
	return fin["public_token"].(string), "", "", nil
}

// Update mode (https://plaid.com/docs/link/update-mode/): a Link token made with the Item's
// access token and no products; after Link nothing is exchanged and the Item works again.
func TestUpdateJourneyRepairsTheItemWithoutAnExchange(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	tok, _ := fx.vault.AccessToken("sandbox", res.ItemID)
	if _, err := fx.flow.ResetLogin(ctx, res.ItemName); err != nil {
		t.Fatal(err)
	}
	exchanges := emulatortest.Requests(fx.srv, "/item/public_token/exchange")
	ui := &standInUpdateLink{srv: fx.srv}
	j := fx.flow.UpdateJourney(func() plaidflow.LinkUI { return ui }, res.ItemName, false)
	if got := stepNames(j.Steps()); got != "Create a Link token → Log in again with Link (update mode) → Fetch the account and routing numbers" {
		t.Errorf("steps = %s", got)
	}
	out, err := j.RunAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if emulatortest.Requests(fx.srv, "/item/public_token/exchange") != exchanges {
		t.Error("update mode exchanged the public token")
	}
	if now, _ := fx.vault.AccessToken("sandbox", res.ItemID); now != tok {
		t.Error("update mode changed the saved access token")
	}
	if out.ItemID != res.ItemID || len(out.Numbers.ACH) == 0 {
		t.Errorf("numbers after repair = %+v", out)
	}
	if got := savedItem(t, fx, res.ItemName); got.Health != plaidflow.HealthOK {
		t.Errorf("health after repair = %q", got.Health)
	}
	if ui.seen["update"] != true || ui.seen["account_select"] == true {
		t.Errorf("stand-in Link did not run update mode without account selection: %v", ui.seen)
	}
}

// With account selection in update mode the stand-in Link shows the picker with every account
// of the login, and the Item keeps those picked
// (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts).
func TestUpdateJourneyWithAccountSelection(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	ctx := context.Background()
	ui := &standInUpdateLink{srv: fx.srv, masks: []string{"0000", "1111"}}
	out, err := fx.flow.UpdateJourney(func() plaidflow.LinkUI { return ui }, res.ItemName, true).RunAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ui.seen["account_select"] != true || len(ui.seen["accounts"].([]any)) != 12 {
		t.Errorf("the picker did not offer every account: %v", ui.seen)
	}
	var masks []string
	for _, a := range out.Accounts {
		masks = append(masks, present.MaskLabel(a))
	}
	if strings.Join(masks, ",") != "0000,1111" {
		t.Errorf("accounts after account selection = %v", masks)
	}
}

// phaseRecorder counts sequential round trips: a request that starts while none is in flight
// opens a new phase; one that starts while another is in flight joins its phase.
type phaseRecorder struct {
	next     http.RoundTripper
	mu       sync.Mutex
	inflight int
	phases   [][]string
}

func (p *phaseRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	if p.inflight == 0 {
		p.phases = append(p.phases, nil)
	}
	p.inflight++
	p.phases[len(p.phases)-1] = append(p.phases[len(p.phases)-1], r.URL.Path)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inflight--
		p.mu.Unlock()
	}()
	return p.next.RoundTrip(r)
}

// Update mode costs 2 sequential round trips after the keys are known: /link/token/create, then
// /auth/get with /institutions/get_by_id in flight at the same time (the barrier holds each
// until both have arrived, so a sequential implementation fails instead of passing slowly).
func TestUpdateModeCostsTwoRoundTrips(t *testing.T) {
	fx := newFixture(t, "US")
	res := linkedItem(t, fx)
	barrier := &pairBarrier{t: t, next: http.DefaultTransport}
	rec := &phaseRecorder{next: barrier}
	client, err := plaidapi.NewClient(fx.flow.Client.Config(), &http.Client{Transport: rec})
	if err != nil {
		t.Fatal(err)
	}
	flow := plaidflow.NewFlow(client, fx.vault)
	barrier.expect("/auth/get", "/institutions/get_by_id")
	ui := &standInUpdateLink{srv: fx.srv}
	if _, err := flow.UpdateJourney(func() plaidflow.LinkUI { return ui }, res.ItemName, false).RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ph := range rec.phases {
		sort.Strings(ph)
		got = append(got, strings.Join(ph, "+"))
	}
	want := []string{"/link/token/create", "/auth/get+/institutions/get_by_id"}
	if strings.Join(got, " → ") != strings.Join(want, " → ") {
		t.Errorf("round trips = %s, want %s", strings.Join(got, " → "), strings.Join(want, " → "))
	}
}

// Linking a bank that already has a saved Item warns and names it (Plaid bills per Item:
// https://plaid.com/docs/link/duplicate-items/).
func TestLinkingTheSameBankAgainWarns(t *testing.T) {
	fx := newFixture(t, "US")
	first := linkedItem(t, fx)
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	if _, err := j.RunAll(context.Background(), func(r plaidflow.StepReport) {
		if r.Notice != "" {
			notices = append(notices, r.Notice)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], first.ItemName) || !strings.Contains(notices[0], "bills per Item") {
		t.Errorf("notices = %q", notices)
	}
}

// An Item made with saving off still exists at Plaid: the save step says so and how to remove it.
func TestUnsavedItemIsSaidToStillExistAtPlaid(t *testing.T) {
	fx := newFixture(t, "US")
	fx.flow.Vault = nil
	j, save, _, err := sandboxSave(t, fx)
	if err != nil {
		t.Fatal(err)
	}
	notice := save.Notice
	if !strings.Contains(notice, "still exists at Plaid") || !strings.Contains(notice, "/item/remove") || notice != j.UnsavedHint() {
		t.Errorf("notice = %q", notice)
	}
	if err := j.RemoveUnsaved(context.Background()); err != nil || emulatortest.Requests(fx.srv, "/item/remove") != 1 {
		t.Errorf("remove unsaved: %v", err)
	}
}
