package present_test

import (
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

func TestMoney(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tt := range []struct {
		v    *float64
		cur  string
		want string
	}{
		{f(12060), "USD", "12,060.00 USD"},
		{f(100), "USD", "100.00 USD"},
		{f(-1234567.5), "GBP", "-1,234,567.50 GBP"},
		{f(-0.001), "", "0.00"},
		{nil, "USD", "—"},
	} {
		if got := present.Money(tt.v, tt.cur); got != tt.want {
			t.Errorf("Money(%v, %q) = %q, want %q", tt.v, tt.cur, got, tt.want)
		}
	}
}

// TestFamiliesMaskAccountNumbersAndKeepWhatNamesTheBank: masked, an account number and an IBAN
// show their last 4 characters, and what is copied from them is masked too; routing numbers,
// sort codes and BICs name the bank, not the account, and stay whole.
func TestFamiliesMaskAccountNumbersAndKeepWhatNamesTheBank(t *testing.T) {
	wire := "021000021"
	n := plaidapi.AccountNumbers{
		ACH:           []plaidapi.ACH{{AccountID: "a", Account: "1111222233330000", Routing: "011401533", WireRouting: &wire}},
		International: []plaidapi.International{{AccountID: "a", IBAN: "GB33BUKB20201555555555", BIC: "BUKBGB22"}},
		BACS:          []plaidapi.BACS{{AccountID: "a", Account: "31926819", SortCode: "601613"}},
	}
	var shown []string
	for _, f := range present.Families(n, true) {
		for _, r := range f.Rows {
			shown = append(shown, f.Name+" "+r.Label+"="+r.Value+"|"+r.Raw)
		}
	}
	got := strings.Join(shown, "\n")
	for _, want := range []string{"ACH account=••••0000|••••0000", "ACH routing=011401533|011401533", "ACH wire routing=021000021|021000021",
		"International IBAN=••••5555|••••5555", "International BIC=BUKBGB22|BUKBGB22", "BACS account=••••6819|••••6819", "BACS sort code=60-16-13|601613"} {
		if !strings.Contains(got, want) {
			t.Errorf("masked families lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "1111222233330000") || strings.Contains(got, "GB33BUKB") || strings.Contains(got, "31926819") {
		t.Errorf("a masked family shows a whole number:\n%s", got)
	}
	for _, f := range present.Families(n, false) {
		if f.Name == "International" && f.Rows[0].Value != "GB33 BUKB 2020 1555 5555 55" {
			t.Errorf("unmasked IBAN shown as %q, want it in groups of four", f.Rows[0].Value)
		}
	}
}
