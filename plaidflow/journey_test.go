package plaidflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// fakeLink stands in for the Link page: it hands over publicToken, or fails with exit.
type fakeLink struct {
	mu          sync.Mutex
	publicToken string
	instID      string
	instName    string
	exit        error

	tokens   []string // link tokens Link was opened with
	finished []string // what the page was told, "ok: …" or "failed: …"
	closed   int
}

func (f *fakeLink) Link(ctx context.Context, token string) (string, string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, token)
	if f.exit != nil {
		return "", "", "", f.exit
	}
	return f.publicToken, f.instID, f.instName, nil
}

func (f *fakeLink) Finish(ok bool, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	prefix := "failed: "
	if ok {
		prefix = "ok: "
	}
	f.finished = append(f.finished, prefix+message)
}

func (f *fakeLink) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

// linkExit is a Link exit as the Link page reports it.
type linkExit map[string]string

func (e linkExit) Error() string                    { return "link exited with " + e["error_code"] }
func (e linkExit) LinkExitField(name string) string { return e[name] }

func stepNames(steps []plaidflow.StepID) string {
	var s []string
	for _, st := range steps {
		s = append(s, st.Todo())
	}
	return strings.Join(s, " → ")
}

func TestLinkJourneyRunsTheStepsInPlaidsOrder(t *testing.T) {
	fx := newFixture(t, "US")
	pub := publicToken(t, fx)
	ui := &fakeLink{publicToken: pub, instID: "ins_109508", instName: "First Platypus Bank"}
	j := fx.flow.LinkJourney(func() plaidflow.LinkUI { return ui }, nil)

	want := "Create a Link token → Link a bank account in the browser → Exchange the public token → Save the Item in the keyring → Fetch the account and routing numbers"
	if got := stepNames(j.Steps()); got != want {
		t.Fatalf("steps = %s\nwant   %s", got, want)
	}
	var ran []plaidflow.StepID
	for !j.Done() {
		next, _ := j.Next()
		rep, err := j.Run(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", next.Failed(), err)
		}
		if rep.Step != next {
			t.Errorf("Run ran %v, Next said %v", rep.Step, next)
		}
		ran = append(ran, rep.Step)
	}
	if stepNames(ran) != want {
		t.Errorf("ran %s", stepNames(ran))
	}
	if len(ui.tokens) != 1 || !strings.HasPrefix(ui.tokens[0], "link-sandbox-") {
		t.Errorf("Link opened with %q, want the token the first step created", ui.tokens)
	}
	res := j.Result()
	if res == nil || present.InstitutionName(res) != "First Platypus Bank" || !res.Storage.Saved {
		t.Fatalf("result = %+v", res)
	}
	if len(ui.finished) != 1 || ui.finished[0] != "ok: Connected to First Platypus Bank. You can close this tab and return to the terminal." {
		t.Errorf("the page was told %q", ui.finished)
	}
	if _, err := j.Run(context.Background()); err == nil {
		t.Error("Run after the last step succeeded")
	}
	j.Close()
	if ui.closed != 1 {
		t.Errorf("Close closed the page %d times, want 1", ui.closed)
	}
}

func TestLinkJourneyWithATokenMadeAheadStartsAtLink(t *testing.T) {
	fx := newFixture(t, "US")
	ready, err := fx.flow.Client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ui := &fakeLink{exit: linkExit{}}
	j := fx.flow.LinkJourney(func() plaidflow.LinkUI { return ui }, &ready)
	if next, _ := j.Next(); next != plaidflow.StepLink {
		t.Fatalf("first step = %v, want Link (the token was made ahead)", next.Todo())
	}
	if _, err := j.Run(context.Background()); err == nil {
		t.Fatal("a Link exit was not an error")
	}
	if len(ui.tokens) != 1 || ui.tokens[0] != ready.Token {
		t.Errorf("Link opened with %q, want %q", ui.tokens, ready.Token)
	}
}

func TestLinkExitGoesBackToANewLinkSession(t *testing.T) {
	fx := newFixture(t, "US")
	pub := publicToken(t, fx)
	first := &fakeLink{exit: linkExit{"error_code": "ITEM_LOCKED", "error_type": "ITEM_ERROR", "error_message": "the account is locked", "link_session_id": "sess-1", "status": "requires_credentials"}}
	second := &fakeLink{publicToken: pub}
	uis := []*fakeLink{first, second}
	opened := 0
	j := fx.flow.LinkJourney(func() plaidflow.LinkUI { ui := uis[opened]; opened++; return ui }, nil)

	if _, err := j.Run(context.Background()); err != nil { // link token
		t.Fatal(err)
	}
	_, err := j.Run(context.Background())
	var le plaidflow.LinkExit
	if !errors.As(err, &le) {
		t.Fatalf("Link step err = %v, want the Link exit", err)
	}
	p := plaidflow.Explain(err)
	if p.ErrorCode != "ITEM_LOCKED" || p.LinkSessionID != "sess-1" || p.Status != "requires_credentials" || !strings.Contains(p.Next, "unlock") {
		t.Errorf("explained as %+v", p)
	}
	if next, _ := j.Next(); next != plaidflow.StepLinkToken {
		t.Fatalf("after a Link exit the next step is %s, want a new Link token", next.Todo())
	}
	if len(first.finished) != 0 {
		t.Errorf("the page was told %q after a Link exit; Link shows its own exit", first.finished)
	}
	if _, err := j.RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if first.closed != 1 {
		t.Errorf("the first Link page was closed %d times before the second opened, want 1", first.closed)
	}
	if len(first.tokens) != 1 || len(second.tokens) != 1 || first.tokens[0] == second.tokens[0] {
		t.Errorf("Link tokens %q then %q: want a fresh one for the new session", first.tokens, second.tokens)
	}
}

func TestAFailedStepIsRetriedAloneAndTheItemIsAlreadySaved(t *testing.T) {
	fx := newFixture(t, "US")
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	fx.srv.InjectError("/auth/get", 1, "INSTITUTION_NOT_RESPONDING")
	_, err = j.RunAll(context.Background(), nil)
	if !plaidapi.HasCode(err, "INSTITUTION_NOT_RESPONDING") {
		t.Fatalf("err = %v", err)
	}
	if next, _ := j.Next(); next != plaidflow.StepNumbers {
		t.Fatalf("after the failure the next step is %s, want the numbers again", next.Todo())
	}
	p := plaidflow.Explain(err)
	if !strings.Contains(p.Context, "saved as \"first-platypus-bank\"") || !strings.Contains(p.Context, "plaid-onboard auth first-platypus-bank") {
		t.Errorf("context = %q: want it to say the Item is safe and how to get its numbers", p.Context)
	}
	if items, _ := fx.vault.Items("sandbox"); len(items) != 1 {
		t.Fatalf("saved before the numbers failed: %d items, want 1", len(items))
	}
	rep, err := j.Run(context.Background())
	if err != nil || !j.Done() || rep.Step != plaidflow.StepNumbers {
		t.Fatalf("retry: %+v, %v", rep, err)
	}
	if got := emulatortest.Requests(fx.srv, "/item/public_token/exchange"); got != 1 {
		t.Errorf("the exchange ran %d times; a retry must run the failed step alone", got)
	}
}

func TestSandboxJourneyIsRefusedOutsideSandboxBeforeAnyCall(t *testing.T) {
	_, err := plaidflow.NewFlow(productionClient(t), nil).SandboxJourney("")
	if !errors.Is(err, config.ErrSandboxOnly) || !strings.Contains(err.Error(), "Production") {
		t.Fatalf("err = %v, want ErrSandboxOnly naming the environment", err)
	}
	if next := plaidflow.Explain(err).Next; !strings.Contains(next, "sandbox") {
		t.Errorf("next step %q", next)
	}
}

// sandboxSave runs the browserless journey to the end; it returns the journey with what its
// save step reported.
func sandboxSave(t *testing.T, fx fixture) (*plaidflow.Journey, plaidflow.StepReport, *plaidapi.Result, error) {
	t.Helper()
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	var save plaidflow.StepReport
	res, err := j.RunAll(context.Background(), func(r plaidflow.StepReport) {
		if r.Step == plaidflow.StepSave {
			save = r
		}
	})
	return j, save, res, err
}

func TestSaveStepSaysPlainlyWhenNothingIsSaved(t *testing.T) {
	fx := newFixture(t, "US")
	fx.flow.Vault = nil // --no-save
	_, save, res, err := sandboxSave(t, fx)
	if err != nil {
		t.Fatal(err)
	}
	if !save.Skipped || save.Detail != "Not saved: saving is off for this session (--no-save)" {
		t.Errorf("save step = %+v", save)
	}
	if present.StorageLine(res.Storage) != save.Detail || present.NextCommand(res) != "" {
		t.Errorf("storage line %q, next command %q", present.StorageLine(res.Storage), present.NextCommand(res))
	}
}

func TestSaveStepWarnsWhenTheKeyringIsMissing(t *testing.T) {
	fx := newFixture(t, "US")
	fx.flow.Vault = vault.NewVault(failingStore{}, t.TempDir())
	_, save, res, err := sandboxSave(t, fx)
	if err != nil {
		t.Fatalf("a keyring failure must not stop the numbers: %v", err)
	}
	if !strings.HasPrefix(save.Warning, "Not saved: no OS keyring is reachable") || strings.Contains(save.Warning, "not saved: not saved") {
		t.Errorf("warning = %q", save.Warning)
	}
	if len(res.Accounts) == 0 {
		t.Error("no numbers")
	}
}

type failingStore struct{}

func (failingStore) Get(string) (string, error) {
	return "", &vault.KeyringError{Op: "read", Cause: errors.New("no session bus")}
}
func (failingStore) Set(string, string) error {
	return &vault.KeyringError{Op: "write", Cause: errors.New("no session bus")}
}
func (failingStore) Delete(string) error { return nil }
func (failingStore) Describe() string    { return "a keyring that is not there" }

func TestMaskHoldsInJSONAndFamilies(t *testing.T) {
	fx := newFixture(t, "US,GB")
	res, err := sandboxLink(fx.flow, "ins_117650")
	if err != nil {
		t.Fatal(err)
	}
	masked := present.MaskedCopy(res)
	b, err := json.Marshal(masked)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range res.Numbers.International {
		if strings.Contains(string(b), x.IBAN) {
			t.Errorf("masked JSON holds the IBAN %s", x.IBAN)
		}
	}
	for _, x := range res.Numbers.BACS {
		if strings.Contains(string(b), `"`+x.Account+`"`) {
			t.Errorf("masked JSON holds the account number %s", x.Account)
		}
	}
	if !strings.Contains(string(b), `"masked":true`) {
		t.Error("masked JSON does not say it is masked")
	}
	if res.Masked || len(res.Numbers.BACS) == 0 || strings.HasPrefix(res.Numbers.BACS[0].Account, "•") {
		t.Error("MaskedCopy changed the original")
	}
	a := res.Accounts[0]
	for _, f := range present.Families(res.NumbersFor(a.ID), true) {
		for _, r := range f.Rows {
			if r.Secret && (!strings.HasPrefix(r.Value, "••••") || r.Raw != r.Value) {
				t.Errorf("%s %s masked as %q, copies as %q", f.Name, r.Label, r.Value, r.Raw)
			}
		}
	}
	doc, err := present.AccountJSON(masked, a.ID)
	if err != nil || !strings.Contains(string(doc), "••••") || !strings.Contains(string(doc), `"masked": true`) {
		t.Errorf("account JSON of a masked result: %s, %v", doc, err)
	}
}

func TestWriteReportIsTheOnePresentation(t *testing.T) {
	fx := newFixture(t, "US")
	res, err := sandboxLink(fx.flow, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := present.WriteReport(&b, res, true); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"First Platypus Bank (ins_109508)",
		"Storage      Saved in memory only",
		"12,060.00 USD", // the same money as the terminal UI
		"routing 011401533",
		"account ••••0000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "1111222233330000") {
		t.Errorf("masked report shows a full account number:\n%s", out)
	}
}

func TestWriteProblemGivesEveryFieldAndTheNextStep(t *testing.T) {
	fx := newFixture(t, "US")
	fx.srv.InjectError("/link/token/create", 1, "INVALID_API_KEYS")
	_, err := fx.flow.Client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	var b strings.Builder
	plaidflow.WriteProblem(&b, err)
	out := b.String()
	for _, want := range []string{"error: create link token: INVALID_API_KEYS", "error_code:", "error_type:", "INVALID_INPUT", "request_id:", "next:", "Dashboard"} {
		if !strings.Contains(out, want) {
			t.Errorf("problem lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	plaidflow.WriteProblem(&b, vault.ErrNoItems)
	if strings.Count(b.String(), "no saved items yet") != 1 || !strings.Contains(b.String(), "next:") {
		t.Errorf("a plain error is said once, with its next step:\n%s", b.String())
	}
}

// A new Item's first numbers are its first health check: `items` lists it as healthy and
// used, not "not checked".
func TestANewItemIsRecordedHealthy(t *testing.T) {
	fx := newFixture(t, "US")
	res, err := sandboxLink(fx.flow, "")
	if err != nil {
		t.Fatal(err)
	}
	if it := savedItem(t, fx, ""); it.ItemID != res.ItemID || it.Health != plaidflow.HealthOK || it.LastUsed.IsZero() {
		t.Errorf("after linking: health %q, last used %v; want ok and a time", it.Health, it.LastUsed)
	}
}

// A Plaid that cannot be reached gets a next step, not a bare transport error.
func TestUnreachablePlaidSaysWhatToCheck(t *testing.T) {
	cfg := config.Config{ClientID: "0123456789abcdef01234567", Secret: "0123456789abcdef0123456789abcd", Env: config.Sandbox,
		APIURL: "http://127.0.0.1:1", Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "t"}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{})
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	p := plaidflow.Explain(err)
	if !strings.Contains(p.ErrorMessage, "could not reach Plaid at http://127.0.0.1:1") || !strings.Contains(p.Next, "PLAID_API_URL") {
		t.Errorf("message = %q, next = %q", p.ErrorMessage, p.Next)
	}
}

// A Link session that exits with ITEM_LOGIN_REQUIRED made no Item: its next step is not a
// repair command for one (which, pasted with its ITEM placeholder, would fail).
func TestLinkExitNeedingALoginIsNotRepairAdvice(t *testing.T) {
	for _, code := range []string{"ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION"} {
		p := plaidflow.Explain(linkExit{"error_code": code, "error_type": "ITEM_ERROR", "link_session_id": "sess-1"})
		if strings.Contains(p.Next, "--update") || !strings.Contains(p.Next, "start Link again") {
			t.Errorf("a Link exit with %s advises %q", code, p.Next)
		}
	}
}
