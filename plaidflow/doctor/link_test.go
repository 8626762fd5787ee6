package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// linkDeps are a doctor --link run against an emulator whose Dashboard is set up by opts.
func linkDeps(t *testing.T, env map[string]string, android string, opts ...emulator.Option) (Deps, *emulator.Server) {
	t.Helper()
	srv := emulator.NewServer(opts...)
	t.Cleanup(srv.Close)
	d := depsAt(t, srv.URL, env)
	d.Link = &LinkSettings{AndroidPackageName: android}
	return d, srv
}

// With --link the Link settings checks replace the redirect URI, keyring and browser checks,
// each setting is its own check with its own exit status, and the calls doctor counts are the
// calls the emulator answered.
func TestLinkChecksInOrder(t *testing.T) {
	t.Parallel()
	d, srv := linkDeps(t, map[string]string{"PLAID_PRODUCTS": "auth,transactions", "PLAID_REDIRECT_URI": "http://localhost:8765/oauth-return"},
		"com.example.app", emulator.WithAndroidPackageNames("com.example.app"))
	rep := Run(context.Background(), d)
	if !rep.OK {
		t.Fatalf("report %+v, want every check passed", rep)
	}
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.Name+":"+c.Setting)
		if c.ExitCode != ExitCode(c.Name) || c.ExitCode == 1 {
			t.Errorf("%s has exit code %d", c.Name, c.ExitCode)
		}
	}
	want := "keys:,api:,keys-accepted:,link-product:auth,link-product:transactions,link-redirect-uri:http://localhost:8765/oauth-return," +
		"link-android-package-name:com.example.app,link-institutions:auth,transactions in US"
	if strings.Join(got, ",") != want {
		t.Errorf("checks\n %s\nwant\n %s", strings.Join(got, ","), want)
	}
	if n := emulatortest.Requests(srv, "/link/token/create"); rep.PlaidCalls["/link/token/create"] != n || n != 4 {
		t.Errorf("doctor counted %v, the emulator answered %d /link/token/create: want 4 (base, transactions, redirect, package)", rep.PlaidCalls, n)
	}
	if n := emulatortest.Requests(srv, "/institutions/get"); rep.PlaidCalls["/institutions/get"] != n || n != 1 {
		t.Errorf("doctor counted %v, the emulator answered %d /institutions/get: want 1", rep.PlaidCalls, n)
	}
}

// A first product the team lacks is a product's failure, not the keys': Plaid checks the keys
// before the products, so keys-accepted passes and the later products are still tried alone.
func TestLinkFirstProductRefused(t *testing.T) {
	t.Parallel()
	d, _ := linkDeps(t, map[string]string{"PLAID_PRODUCTS": "transfer,auth"}, "", emulator.WithProductsEnabled("auth"))
	rep := Run(context.Background(), d)
	if rep.FirstFailed != LinkProduct || rep.ExitCode != 16 {
		t.Fatalf("first failed %q (exit %d), want link-product (16): %+v", rep.FirstFailed, rep.ExitCode, rep.Checks)
	}
	if c := find(t, rep, KeysAccepted); c.Status != OK || !strings.Contains(c.Summary, "refused the product transfer") {
		t.Errorf("keys-accepted = %+v, want ok, naming the refused product", c)
	}
	var statuses []string
	for _, c := range rep.Checks {
		if c.Name == LinkProduct {
			statuses = append(statuses, c.Setting+"="+c.Status)
		}
	}
	if got := strings.Join(statuses, " "); got != "transfer=fail auth=ok" {
		t.Errorf("products %s, want transfer=fail auth=ok", got)
	}
	if c := find(t, rep, LinkInstitutions); c.Status != OK || c.Setting != "auth in US" {
		t.Errorf("institutions = %+v, want ok for auth alone", c)
	}
}
