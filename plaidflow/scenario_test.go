package plaidflow_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// Each shipped scenario makes its Item against the emulator, and the numbers of its
// configuration are the ones the flow shows. The configurations use only the fields of
// https://plaid.com/docs/sandbox/user-custom/ so that Plaid's Sandbox takes them too.
func TestShippedScenariosAgainstTheEmulator(t *testing.T) {
	want := map[string]struct {
		institution, account string
		family               string
	}{
		"us-checking-savings": {"First Platypus Bank", "7100023456", "ach"},
		"ca-eft":              {"Tartan-Dominion Bank of Canada", "5023417", "eft"},
		"uk-bacs-iban":        {"Royal Bank of Plaid", "31926819", "bacs"},
		"business":            {"First Platypus Bank", "8800012345", "ach"},
	}
	all, err := plaidflow.Scenarios()
	if err != nil {
		t.Fatalf("Scenarios: %v", err)
	}
	if len(all) != 5 {
		t.Fatalf("%d scenarios shipped, want 5", len(all))
	}
	for _, sc := range all {
		t.Run(sc.Name, func(t *testing.T) {
			fx := newFixture(t, "US,CA,GB")
			j, err := fx.flow.SandboxJourneyAs(sc.Institution, sc.User())
			if err != nil {
				t.Fatal(err)
			}
			var details []string
			res, err := j.RunAll(context.Background(), func(r plaidflow.StepReport) { details = append(details, r.Detail) })
			if sc.ForceError != "" {
				if !plaidapi.HasCode(err, sc.ForceError) {
					t.Fatalf("scenario %s: err = %v, want %s", sc.Name, err, sc.ForceError)
				}
				if items, _ := fx.vault.Items("sandbox"); len(items) != 0 {
					t.Errorf("a failed creation saved %d Items", len(items))
				}
				return
			}
			if err != nil {
				t.Fatalf("scenario %s: %v", sc.Name, err)
			}
			w, ok := want[sc.Name]
			if !ok {
				t.Fatalf("no expectation for scenario %s", sc.Name)
			}
			if res.Institution == nil || res.Institution.Name != w.institution {
				t.Errorf("institution = %+v, want %s", res.Institution, w.institution)
			}
			if !strings.Contains(strings.Join(details, "\n"), "scenario "+sc.Name) {
				t.Errorf("step details %q do not say which scenario made the Item", details)
			}
			var found bool
			switch w.family {
			case "ach":
				for _, n := range res.Numbers.ACH {
					found = found || n.Account == w.account
				}
			case "eft":
				for _, n := range res.Numbers.EFT {
					found = found || (n.Account == w.account && n.Institution == "004" && n.Branch == "01140")
				}
			case "bacs":
				for _, n := range res.Numbers.BACS {
					found = found || (n.Account == w.account && n.SortCode == "601613")
				}
				if len(res.Numbers.International) != 1 || res.Numbers.International[0].IBAN != "GB29NWBK60161331926819" {
					t.Errorf("international = %+v", res.Numbers.International)
				}
			}
			if !found {
				t.Errorf("%s account %s not in the numbers %+v", w.family, w.account, res.Numbers)
			}
			// Auth returns depository accounts only: a scenario with others (business's credit
			// card) must say, in the title the picker shows, where they are seen instead.
			if len(res.Accounts) != sc.Accounts && !strings.Contains(sc.Title, "balances") {
				t.Errorf("the numbers show %d accounts, the scenario has %d, and its title %q promises what never shows", len(res.Accounts), sc.Accounts, sc.Title)
			}
		})
	}
}

func TestScenariosListing(t *testing.T) {
	all, err := plaidflow.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]string{}
	for _, sc := range all {
		families[sc.Name] = strings.Join(sc.Families, ",")
		if sc.Title == "" || sc.Description == "" || sc.Institution == "" {
			t.Errorf("scenario %+v lacks a title, description or institution", sc)
		}
	}
	if families["us-checking-savings"] != "ach" || families["ca-eft"] != "eft" || families["uk-bacs-iban"] != "international,bacs" {
		t.Errorf("number families = %v", families)
	}
	if _, err := plaidflow.FindScenario("nope"); !errors.Is(err, plaidflow.ErrUnknownScenario) || !strings.Contains(err.Error(), "us-checking-savings") {
		t.Errorf("FindScenario(nope) = %v, want ErrUnknownScenario listing the names", err)
	}
}

func TestLoadUserCustomNamesFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ticket-1234.json")
	os.WriteFile(path, []byte("{\n  \"override_accounts\": [\n    {\"type\": \"depository\",\n     \"subtype\": \"checking\",\n     \"numbers\": {\"bacs_sort_code\": \"60-16-13\"}}\n  ]\n}\n"), 0o600)
	_, err := plaidflow.LoadUserCustom(path)
	var ue *usercustom.Error
	if !errors.As(err, &ue) || ue.Path != "override_accounts[0].numbers.bacs_sort_code" || ue.Line != 5 {
		t.Fatalf("err = %v, want line 5, override_accounts[0].numbers.bacs_sort_code", err)
	}
	if !strings.HasPrefix(err.Error(), path+":5:") {
		t.Errorf("error %q does not start with file:line", err)
	}
	if _, err := plaidflow.LoadUserCustom(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestForceErrorOnAnyUser(t *testing.T) {
	fx := newFixture(t, "US")
	sc, err := plaidflow.FindScenario("us-checking-savings")
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []*plaidflow.SandboxUser{nil, sc.User()} {
		u, err := base.WithForceError("ITEM_LOCKED")
		if err != nil {
			t.Fatal(err)
		}
		j, _ := fx.flow.SandboxJourneyAs("", u)
		if _, err := j.RunAll(context.Background(), nil); !plaidapi.HasCode(err, "ITEM_LOCKED") {
			t.Errorf("force_error ITEM_LOCKED on %s: %v", u.Label, err)
		}
	}
	if _, err := (*plaidflow.SandboxUser)(nil).WithForceError("NOT_A_CODE"); err == nil || !strings.Contains(err.Error(), "force_error") {
		t.Errorf("an undocumented code is refused naming force_error, got %v", err)
	}
}

// TestSandboxJourneyRecordsWhatWasForced: a Sandbox journey records in the session's settings
// the institution, the user_custom file (its name, not its folder, and the SHA-256 of its
// bytes; never the configuration) and the error forced on top, and the failure's next step
// says no Item was made instead of advising update mode for an Item that does not exist.
// force_error: https://plaid.com/docs/sandbox/user-custom/
func TestSandboxJourneyRecordsWhatWasForced(t *testing.T) {
	fx, tl := timelineFixture(t)
	src := []byte(`{"override_accounts": [{"type": "depository", "subtype": "checking", "meta": {"name": "Secret Name 42"}}]}`)
	path := filepath.Join(t.TempDir(), "ticket-1234.json")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := plaidflow.LoadUserCustom(path)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = u.WithForceError("ITEM_LOGIN_REQUIRED"); err != nil {
		t.Fatal(err)
	}
	j, _ := fx.flow.SandboxJourneyAs("ins_117650", u)
	_, err = j.RunAll(context.Background(), nil)
	if !plaidapi.HasCode(err, "ITEM_LOGIN_REQUIRED") {
		t.Fatalf("err = %v, want the forced ITEM_LOGIN_REQUIRED", err)
	}
	sum := sha256.Sum256(src)
	s := tl.Entries()[0].Settings
	if s.UserCustomFile != "ticket-1234.json" || s.UserCustomSHA256 != hex.EncodeToString(sum[:]) || s.ForceError != "ITEM_LOGIN_REQUIRED" || s.Institution != "ins_117650" || s.Scenario != "" {
		t.Errorf("session settings = %+v", s)
	}
	raw, _ := json.Marshal(tl.Entries())
	if strings.Contains(string(raw), "Secret Name 42") {
		t.Errorf("the configuration's contents are in the timeline:\n%s", raw)
	}
	pe, _ := plaidapi.AsError(err)
	if next := pe.NextStep(); strings.Contains(next, "update") || !strings.Contains(next, "/sandbox/public_token/create") || !strings.Contains(next, "no Item was made") {
		t.Errorf("next step for a forced ITEM_LOGIN_REQUIRED at creation = %q", next)
	}

	// The next journey of the session (a scenario with no forced error) replaces all of it.
	sc, _ := plaidflow.FindScenario("business")
	j, _ = fx.flow.SandboxJourneyAs(sc.Institution, sc.User())
	if _, err := j.RunAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if s := tl.Entries()[0].Settings; s.Scenario != "business" || s.ForceError != "" || s.UserCustomFile != "" || s.UserCustomSHA256 != "" {
		t.Errorf("after the scenario's journey, settings = %+v", s)
	}
}
