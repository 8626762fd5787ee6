package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"
)

// --dry-run on every command that calls Plaid prints the requests it would make as code and
// sends nothing: the Plaid it points at (an emulator behind a counter) sees no request, the
// saved Item is untouched, and the last session's transcript is not replaced.
func TestDryRunSendsNothingAndPrintsTheRequests(t *testing.T) {
	te := newTestEnv(t)
	srv := te.useFakePlaid(t)
	te.mustRun(t, exitOK, "sandbox", "link")
	items := te.mustRun(t, exitOK, "items")
	name := strings.Fields(strings.Split(strings.TrimSpace(items), "\n")[1])[0]
	te.mustRun(t, exitOK, "auth", name, "--json")
	account := te.jsonDocument(t)["accounts"].([]any)[0].(map[string]any)["account_id"].(string)

	var asked atomic.Int32
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	defer counter.Close()
	te.environ["PLAID_API_URL"] = counter.URL

	tests := map[string]struct {
		args []string
		want []string
	}{
		"link":                            {[]string{"link", "--no-browser"}, []string{"/link/token/create", `"client_name"`}},
		"sandbox link":                    {[]string{"sandbox", "link", "--scenario", "ca-eft"}, []string{"/sandbox/public_token/create", "/item/public_token/exchange", "override_username"}},
		"auth":                            {[]string{"auth", name}, []string{"/auth/get", "PLAID_ACCESS_TOKEN"}},
		"balances":                        {[]string{"balances", name}, []string{"/accounts/balance/get"}},
		"verify":                          {[]string{"verify", name}, []string{"/accounts/get", "PLAID_ACCESS_TOKEN"}},
		"processor-token":                 {[]string{"processor-token", name, "--processor", "dwolla", "--account", account}, []string{"/processor/token/create", "dwolla"}},
		"items status":                    {[]string{"items", "status", name}, []string{"/item/get"}},
		"items remove":                    {[]string{"items", "remove", name, "--yes"}, []string{"/item/remove"}},
		"items rotate":                    {[]string{"items", "rotate", name}, []string{"/item/access_token/invalidate"}},
		"sandbox reset-login":             {[]string{"sandbox", "reset-login", name}, []string{"/sandbox/item/reset_login"}},
		"sandbox set-verification-status": {[]string{"sandbox", "set-verification-status", name, "--status", "automatically_verified"}, []string{"/accounts/get", "PLAID_ACCESS_TOKEN"}},
		"sandbox fire-webhook":            {[]string{"sandbox", "fire-webhook", name, "NEW_ACCOUNTS_AVAILABLE"}, []string{"/sandbox/item/fire_webhook", "NEW_ACCOUNTS_AVAILABLE"}},
		"webhooks listen":                 {[]string{"webhooks", "listen", "--public-url", "https://hooks.example.com/plaid"}, []string{"/item/webhook/update", "https://hooks.example.com/plaid"}},
	}
	walkCommands(newRootCmd(&app{d: te.d}), func(c *cobra.Command) {
		_, path, _ := strings.Cut(c.CommandPath(), " ")
		if c.Flags().Lookup("dry-run") != nil {
			if _, ok := tests[path]; !ok {
				t.Errorf("`%s` has --dry-run but is not in this test", c.CommandPath())
			}
		}
	})
	for path, tc := range tests {
		t.Run(path, func(t *testing.T) {
			for _, lang := range []string{"curl", "go"} {
				args := append(append([]string{}, tc.args...), "--dry-run", "--lang", lang)
				code := te.run(args...)
				out, errOut := te.stdout.String(), te.stderr.String()
				if code != exitOK {
					t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
				}
				wantAll(t, strings.Join(args, " "), out, tc.want...)
				wantAll(t, "stderr", errOut, "nothing was sent to Plaid")
				wantNoSecrets(t, strings.Join(args, " "), out)
			}
		})
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the dry runs sent %d requests", n)
	}
	te.environ["PLAID_API_URL"] = srv.URL
	if after := te.mustRun(t, exitOK, "items"); !strings.Contains(after, name) {
		t.Errorf("after items remove --dry-run, the Item is gone:\n%s", after)
	}
}
