package plaidflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// benchLatency stands for the round trip to Plaid; what matters is how many of them a step
// waits for in a row, so results are read as ratios between the sub-benchmarks.
const benchLatency = 10 * time.Millisecond

func benchFixture(b *testing.B) (*plaidflow.Flow, string) {
	b.Helper()
	srv := emulator.NewServer(emulator.WithLatency(benchLatency))
	b.Cleanup(srv.Close)
	cfg := config.Config{
		ClientID: emulator.DemoClientID, Secret: emulator.DemoSecret, Env: config.Sandbox,
		APIURL: srv.URL, Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "bench",
	}
	client, err := plaidapi.NewClient(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	flow := plaidflow.NewFlow(client, vault.NewVault(vault.NewMemoryStore(), b.TempDir()))
	res, err := sandboxLink(flow, "")
	if err != nil {
		b.Fatal(err)
	}
	return flow, res.ItemID
}

// BenchmarkSavedItemNumbers compares the flow's numbers step (/auth/get beside
// /institutions/get_by_id) with the same two calls made one after the other.
func BenchmarkSavedItemNumbers(b *testing.B) {
	flow, _ := benchFixture(b)
	ctx := context.Background()
	item, err := flow.Vault.FindItem("sandbox", "")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := flow.Vault.AccessToken("sandbox", item.ItemID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("overlapped", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := flow.SavedJourney("").RunAll(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := flow.Client.Auth(ctx, tok); err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Institution(ctx, item.InstitutionID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSandboxLink measures the whole browserless flow: create → exchange → save → numbers.
func BenchmarkSandboxLink(b *testing.B) {
	flow, _ := benchFixture(b)
	ctx := context.Background()
	b.Run("overlapped", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := sandboxLink(flow, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			pub, err := flow.Client.SandboxPublicToken(ctx, plaidapi.DefaultSandboxInstitution)
			if err != nil {
				b.Fatal(err)
			}
			ex, err := flow.Client.Exchange(ctx, pub)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Auth(ctx, ex.AccessToken); err != nil {
				b.Fatal(err)
			}
			if _, err := flow.Client.Institution(ctx, plaidapi.DefaultSandboxInstitution); err != nil {
				b.Fatal(err)
			}
		}
	})
}
