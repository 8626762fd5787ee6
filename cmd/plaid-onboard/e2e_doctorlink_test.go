package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/doctor"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// doctor --link, through the built binary, as a user runs it: against `plaid-onboard emulator`
// with a Dashboard set up by its flags, and against a stand-in that answers with the error bodies
// Plaid sends (PLAID_API_URL in the process environment: .env may not set it).

// runDoctorLink runs the binary's doctor --link against the API at apiURL with the demo keys, and
// decodes the report when --json is among args.
func runDoctorLink(t *testing.T, apiURL string, env []string, args ...string) (doctor.Report, string, int) {
	t.Helper()
	dirs := newUserDirs(t)
	environ := dirs.env(append([]string{"PLAID_API_URL=" + apiURL, "PLAID_CLIENT_ID=" + emulator.DemoClientID, "PLAID_SECRET=" + emulator.DemoSecret}, env...)...)
	stdout, stderr, code := runBinary(t, dirs, environ, append([]string{"doctor", "--link"}, args...)...)
	var rep doctor.Report
	if slices.Contains(args, "--json") {
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("doctor --link --json: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
	}
	return rep, stdout + stderr, code
}

// linkChecks returns the report's checks with the given name, in order.
func linkChecks(rep doctor.Report, name string) []doctor.Check {
	var out []doctor.Check
	for _, c := range rep.Checks {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Each Link setting the emulator's Dashboard refuses fails its own check with the exit status
// README's doctor section gives it and says the exact fix; with the fix applied, doctor --link
// passes. The emulator answers with the bodies Plaid sends (see TestDoctorLinkReplayedPlaidBodies).
func TestE2EDoctorLinkAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	emu := startEmulatorBinary(t, "--redirect-uri", "http://localhost:8765/oauth-return",
		"--android-package-name", "com.example.app", "--products-enabled", "auth,transactions,payment_initiation")
	tests := []struct {
		name     string
		broken   []string // the settings as the user first had them
		fixed    []string // the same with the fix applied
		code     int
		check    string
		setting  string
		want     []string // in the failed check's summary, fix and Plaid's error
		calls    map[string]int
		textWant []string
	}{
		{
			name:   "redirect URI not registered (plaid/quickstart#286, tiny-quickstart#65)",
			broken: []string{"--redirect-uri", "http://localhost:3000/"}, fixed: []string{"--redirect-uri", "http://localhost:8765/oauth-return"},
			code: 17, check: doctor.LinkRedirectURI, setting: "http://localhost:3000/",
			want:  []string{"INVALID_FIELD", "OAuth redirect URI must be configured in the developer dashboard", "register http://localhost:3000/ in the Plaid Dashboard under Developers > API > Allowed redirect URIs"},
			calls: map[string]int{"/link/token/create": 2, "/institutions/get": 1},
			textWant: []string{"FAIL  link-redirect-uri", "fix: register http://localhost:3000/", "Plaid calls: 3 (/link/token/create ×2, /institutions/get ×1).",
				"Exit status 17 (link-redirect-uri, the first)."},
		},
		{
			name:   "Android package name not registered (react-native-plaid-link-sdk#169, plaid-link-android#135)",
			broken: []string{"--android-package-name", "com.example.app.debug"}, fixed: []string{"--android-package-name", "com.example.app"},
			code: 18, check: doctor.LinkAndroid, setting: "com.example.app.debug",
			want:     []string{"INVALID_FIELD", "Android package name must be configured in the developer dashboard", "register com.example.app.debug", "Allowed Android package names"},
			calls:    map[string]int{"/link/token/create": 2, "/institutions/get": 1},
			textWant: []string{"FAIL  link-android-package-name", "fix: register com.example.app.debug", "Exit status 18"},
		},
		{
			name:   "a product the team is not enabled for (plaid/pattern#246)",
			broken: []string{"--products", "auth,transfer,transactions"}, fixed: []string{"--products", "auth,transactions"},
			code: 16, check: doctor.LinkProduct, setting: "transfer",
			want:     []string{"INVALID_PRODUCT", `client is not authorized to access the following products: ["transfer"]`, "not enabled for transfer", "request-product-access", "drop transfer"},
			calls:    map[string]int{"/link/token/create": 3, "/institutions/get": 1},
			textWant: []string{"FAIL  link-product", "the product transfer (INVALID_PRODUCT)", "Exit status 16"},
		},
		{
			name:   "products and countries that leave no institution (plaid/quickstart#369)",
			broken: []string{"--products", "auth,payment_initiation", "--country-codes", "US"}, fixed: []string{"--products", "auth,payment_initiation", "--country-codes", "GB"},
			code: 19, check: doctor.LinkInstitutions, setting: "auth,payment_initiation in US",
			want:     []string{"no institution in US supports payment_initiation", "drop payment_initiation", "add a country"},
			calls:    map[string]int{"/link/token/create": 2, "/institutions/get": 3},
			textWant: []string{"FAIL  link-institutions", "Link would offer no bank", "Exit status 19"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, out, code := runDoctorLink(t, emu.info.URL, nil, append(tt.broken, "--json")...)
			if code != tt.code || rep.ExitCode != tt.code || rep.FirstFailed != tt.check {
				t.Fatalf("exit %d, first failed %q (exit_code %d); want %d %s\n%s", code, rep.FirstFailed, rep.ExitCode, tt.code, tt.check, out)
			}
			var failed *doctor.Check
			for _, c := range linkChecks(rep, tt.check) {
				if c.Status == doctor.Fail {
					failed = &c
					break
				}
			}
			if failed == nil || failed.Setting != tt.setting {
				t.Fatalf("no failed %s check for %q: %+v", tt.check, tt.setting, rep.Checks)
			}
			said := failed.Summary + "\n" + failed.Fix
			if failed.Error != nil {
				said += "\n" + failed.Error.ErrorCode + "\n" + failed.Error.ErrorMessage
			}
			wantAll(t, tt.check, said, tt.want...)
			if !maps.Equal(rep.PlaidCalls, tt.calls) {
				t.Errorf("plaid_calls %v, want %v", rep.PlaidCalls, tt.calls)
			}

			_, text, code := runDoctorLink(t, emu.info.URL, nil, tt.broken...)
			if code != tt.code {
				t.Errorf("text: exit %d, want %d", code, tt.code)
			}
			wantAll(t, "doctor --link", text, tt.textWant...)

			rep, out, code = runDoctorLink(t, emu.info.URL, nil, append(tt.fixed, "--json")...)
			if code != 0 || !rep.OK {
				t.Fatalf("with the fix (%v): exit %d, want 0\n%s", tt.fixed, code, out)
			}
		})
	}
}

// plaidStandIn answers /link/token/create and /institutions/get with the bodies Plaid documents
// and users reported, and counts the calls by path.
type plaidStandIn struct {
	mu        sync.Mutex
	calls     map[string]int
	redirects int // the calls that carried a redirect_uri
}

// The error bodies, as users saw them from Plaid.
const (
	// plaid/tiny-quickstart#65, plaid/plaid-postman#51; Plaid's errors reference: INVALID_FIELD
	// (https://plaid.com/docs/errors/invalid-request/#invalid_field).
	bodyRedirectNotAllowed = `{"display_message":null,"error_code":"INVALID_FIELD","error_message":"OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris","error_type":"INVALID_REQUEST","request_id":"replayRedirect1"}`
	// react-native-plaid-link-sdk#169 (and #164), plaid-link-android#135.
	bodyAndroidNotAllowed = `{"display_message":"","error_code":"INVALID_FIELD","error_message":"Android package name must be configured in the developer dashboard. See https://plaid.com/docs/link/android/#register-app-id","error_type":"INVALID_REQUEST","request_id":"replayAndroid01"}`
	// plaid/pattern#246, verbatim but its request_id; plaid-node#540 is the same for investments.
	// https://plaid.com/docs/errors/invalid-input/#invalid_product
	bodyProductNotEnabled = `{"display_message":null,"documentation_url":"https://plaid.com/docs/?ref=error#invalid-input-errors","error_code":"INVALID_PRODUCT","error_message":"client is not authorized to access the following products: [\"transfer\"]","error_type":"INVALID_INPUT","request_id":"bTmjHtEoYBmcXlS"}`
)

func (p *plaidStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Products     []string `json:"products"`
		RedirectURI  *string  `json:"redirect_uri"`
		AndroidName  *string  `json:"android_package_name"`
		CountryCodes []string `json:"country_codes"`
		Options      struct {
			Products []string `json:"products"`
		} `json:"options"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &req)
	p.mu.Lock()
	p.calls[r.URL.Path]++
	if req.RedirectURI != nil {
		p.redirects++
	}
	n := p.calls[r.URL.Path]
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fail := func(body string) { w.WriteHeader(http.StatusBadRequest); _, _ = io.WriteString(w, body) }
	switch r.URL.Path {
	case "/link/token/create":
		switch {
		case req.RedirectURI != nil:
			fail(bodyRedirectNotAllowed)
		case req.AndroidName != nil:
			fail(bodyAndroidNotAllowed)
		case slices.Contains(req.Products, "transfer"):
			fail(bodyProductNotEnabled)
		default:
			fmt.Fprintf(w, `{"expiration":"2030-01-01T00:00:00Z","link_token":"link-sandbox-00000000-0000-4000-8000-%012d","request_id":"replayLink%05d"}`, n, n)
		}
	case "/institutions/get":
		// What Plaid answers a search no institution matches: none, and a total of 0
		// (https://plaid.com/docs/api/institutions/#institutionsget).
		total := 3
		if slices.Contains(req.Options.Products, "investments") {
			total = 0
		}
		fmt.Fprintf(w, `{"institutions":[],"total":%d,"request_id":"replayInst%05d"}`, total, n)
	default:
		http.NotFound(w, r)
	}
}

func (p *plaidStandIn) counts() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.calls), p.redirects
}

func startPlaidStandIn(t *testing.T) (*plaidStandIn, string) {
	t.Helper()
	p := &plaidStandIn{calls: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// Plaid's own bodies, replayed, are turned into the same fixes as the emulator's: every setting
// is tried once, in its own call, and the counts doctor prints are the calls Plaid received.
func TestE2EDoctorLinkReplayedPlaidBodies(t *testing.T) {
	t.Parallel()
	plaid, url := startPlaidStandIn(t)
	rep, out, code := runDoctorLink(t, url, nil, "--json", "--products", "auth,transfer,investments",
		"--redirect-uri", "http://localhost:8765/oauth-return", "--android-package-name", "com.example.app")
	if code != 16 || rep.FirstFailed != doctor.LinkProduct {
		t.Fatalf("exit %d, first failed %q; want 16 link-product\n%s", code, rep.FirstFailed, out)
	}
	var products []string
	for _, c := range linkChecks(rep, doctor.LinkProduct) {
		products = append(products, c.Setting+"="+c.Status)
	}
	if got := strings.Join(products, " "); got != "auth=ok transfer=fail investments=ok" {
		t.Errorf("link-product checks: %s", got)
	}
	for _, tt := range []struct {
		check string
		want  []string
	}{
		{doctor.LinkProduct, []string{"not enabled for transfer", "request-product-access"}},
		{doctor.LinkRedirectURI, []string{"register http://localhost:8765/oauth-return", "Developers > API > Allowed redirect URIs"}},
		{doctor.LinkAndroid, []string{"register com.example.app", "Developers > API > Allowed Android package names"}},
		{doctor.LinkInstitutions, []string{"no institution in US supports investments", "drop investments"}},
	} {
		var fixes []string
		for _, c := range linkChecks(rep, tt.check) {
			if c.Status == doctor.Fail {
				fixes = append(fixes, c.Summary+"\n"+c.Fix)
			}
		}
		if len(fixes) != 1 {
			t.Errorf("%s: %d failures, want 1: %+v", tt.check, len(fixes), rep.Checks)
			continue
		}
		wantAll(t, tt.check, fixes[0], tt.want...)
	}
	got, _ := plaid.counts()
	// The base settings (auth), transfer, investments, the redirect URI, the package name; the
	// institutions for auth+investments, then each alone.
	want := map[string]int{"/link/token/create": 5, "/institutions/get": 3}
	if !maps.Equal(got, want) || !maps.Equal(rep.PlaidCalls, want) {
		t.Errorf("Plaid received %v, doctor counted %v; want %v", got, rep.PlaidCalls, want)
	}
}

// In Production an http redirect URI is refused before any call: Plaid requires https there
// (https://plaid.com/docs/link/oauth/), so doctor says so and sends nothing with it.
func TestE2EDoctorLinkProductionHTTPRedirectNotSent(t *testing.T) {
	t.Parallel()
	plaid, url := startPlaidStandIn(t)
	rep, out, code := runDoctorLink(t, url, []string{"PLAID_ENV=production"}, "--json", "--redirect-uri", "http://localhost:8765/oauth-return")
	if code != 17 || rep.FirstFailed != doctor.LinkRedirectURI || rep.Environment != "production" {
		t.Fatalf("exit %d, first failed %q in %s; want 17 link-redirect-uri in production\n%s", code, rep.FirstFailed, rep.Environment, out)
	}
	c := linkChecks(rep, doctor.LinkRedirectURI)[0]
	wantAll(t, "link-redirect-uri", c.Summary+"\n"+c.Fix, "requires https for a Production redirect URI", "not sent to Plaid", "register an https redirect URI")
	if c.Error != nil {
		t.Errorf("an error from Plaid for a URI never sent: %+v", c.Error)
	}
	calls, redirects := plaid.counts()
	want := map[string]int{"/link/token/create": 1, "/institutions/get": 1}
	if redirects != 0 || !maps.Equal(calls, want) || !maps.Equal(rep.PlaidCalls, want) {
		t.Errorf("Plaid received %v (%d with a redirect_uri), doctor counted %v; want %v and none", calls, redirects, rep.PlaidCalls, want)
	}
}

// The Link settings flags mean something only with --link; --help documents them with their
// exit statuses.
func TestDoctorLinkUsageAndHelp(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun(t, exitUsage, "doctor", "--products", "auth,transactions")
	wantAll(t, "stderr", te.stderr.String(), "--products is a Link setting: add --link")
	te.mustRun(t, exitOK, "doctor", "--help")
	wantAll(t, "doctor --help", te.stdout.String(), "--link", "--android-package-name", "--country-codes",
		"16 link-product, 17 link-redirect-uri, 18 link-android-package-name, 19 link-institutions", "Allowed Android package names")
}
