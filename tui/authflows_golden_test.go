package tui

import (
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// The Auth flow lab's screens as golden files under testdata/TestAuthFlowGolden, at the same
// sizes as TestGolden: the verification choice, the Link screen with a flow's Sandbox inputs,
// and the verification status under the results. Regenerate with `go test ./tui -update`.

var authFlowGoldenStates = []goldenState{
	{"link_flow_choice", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		m.Update(press("f"))
		m.Update(press("4")) // Automated micro-deposits
		return m
	}},
	{"link_flow_automated", func(t *testing.T, w, h int) *Model {
		deps := testDeps(t, linkOpenConfig())
		deps.AuthFlow = "automated-microdeposits"
		deps.NoBrowser = true
		return linkOpenAt(t, deps, w, h)
	}},
	{"results_flow_pending", func(t *testing.T, w, h int) *Model {
		return resultsModel(t, w, h, pendingResult())
	}},
	{"results_flow_insights", func(t *testing.T, w, h int) *Model {
		return resultsModel(t, w, h, insightsResult())
	}},
}

func TestAuthFlowGolden(t *testing.T) {
	checkGoldens(t, authFlowGoldenStates, func(m *Model, _ string) string { return view(m) + "\n" })
}

// pendingResult is an Automated micro-deposits Item right after Link: one account waiting for
// Plaid to verify its deposit, no numbers yet.
func pendingResult() *plaidapi.Result {
	return &plaidapi.Result{
		Environment: "sandbox",
		ItemID:      "kq8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM",
		ItemName:    "houndstooth-bank",
		Institution: &plaidapi.Institution{ID: "ins_109512", Name: "Houndstooth Bank"},
		Flow:        "automated-microdeposits",
		AuthMethod:  "AUTOMATED_MICRODEPOSITS",
		Accounts: []plaidapi.Account{
			{ID: "acc-checking", Name: "Plaid Checking", Mask: str("0000"), Type: "depository", Subtype: str("checking"),
				Balances: bal(num(100), num(110)), VerificationStatus: "pending_automatic_verification"},
		},
		Numbers:   plaidapi.Numbers{ACH: []plaidapi.ACH{}},
		RequestID: "m8MDnv9okwxFNBV",
		Storage:   plaidapi.Storage{Saved: true, Where: "the OS keyring (service plaid-onboard); index in ~/.config/plaid-onboard/items.json"},
		FetchedAt: fixedNow,
	}
}

// insightsResult is a Database Insights Item: the account passed, with the signals behind it.
func insightsResult() *plaidapi.Result {
	score := int32(95)
	return &plaidapi.Result{
		Environment: "sandbox",
		ItemID:      "Jd8Xv1ZBmwTzPLd3aR6yQeNJ9o4KcxLlbD0gM",
		ItemName:    "first-platypus-bank",
		Institution: &plaidapi.Institution{ID: "ins_109508", Name: "First Platypus Bank"},
		Flow:        "database-insights",
		AuthMethod:  "DATABASE_INSIGHTS",
		Accounts: []plaidapi.Account{
			{ID: "acc-checking", Name: "Plaid Checking", Mask: str("0000"), Type: "depository", Subtype: str("checking"),
				Balances: bal(nil, nil), VerificationStatus: "database_insights_pass",
				VerificationInsights: &plaidapi.VerificationInsights{NameMatchScore: &score, HasNumbersMatch: true,
					IsNumbersMatchVerified: true, AccountNumberFormat: "valid"}},
		},
		Numbers: plaidapi.Numbers{ACH: []plaidapi.ACH{
			{AccountID: "acc-checking", Account: "1111222233330000", Routing: "011401533", WireRouting: str("021000021")},
		}},
		RequestID: "m8MDnv9okwxFNBV",
		Storage:   plaidapi.Storage{Saved: true, Where: "the OS keyring (service plaid-onboard); index in ~/.config/plaid-onboard/items.json"},
		FetchedAt: fixedNow,
	}
}
