package emulator

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid/plaid-go/v42/plaid"
)

// The stand-in Link in a real browser: a page on another 127.0.0.1 port, with a strict
// Content-Security-Policy that allows the SDK's origin only (as the product's Link page does),
// loads link-initialize.js, and a user goes through the panes.

// screenshotDir is where the panes are saved for a person to look at. Without it the pictures
// are still taken, so the step keeps working, but go to the test's TempDir and are removed.
var screenshotDir = flag.String("screenshots", "", "save the stand-in Link's panes as PNG files in this directory")

// testPageScript records what Link reports, and opens Link before it has loaded, which the
// SDK must queue.
const testPageScript = `
window.__link = {loaded: 0, events: [], success: null, exit: null, csp: []};
document.addEventListener('securitypolicyviolation', function (e) {
  window.__link.csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
var handler = Plaid.create({
  token: new URLSearchParams(location.search).get('token'),
  onLoad: function () { window.__link.loaded++; },
  onEvent: function (name, metadata) { window.__link.events.push({name: name, metadata: metadata}); },
  onSuccess: function (publicToken, metadata) { window.__link.success = {public_token: publicToken, metadata: metadata}; },
  onExit: function (error, metadata) { window.__link.exit = {error: error, metadata: metadata}; },
});
handler.open();
`

// newTestPage serves the embedding page.
func newTestPage(t *testing.T, fake *Server) *httptest.Server {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Security-Policy", fmt.Sprintf(
				"default-src 'none'; script-src 'self' %[1]s; frame-src %[1]s; style-src 'self'", fake.URL))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>Acme onboarding</title></head>
<body><h1>Acme onboarding</h1><p>Connect your bank to continue.</p>
<script src="%s"></script><script src="/page.js"></script></body></html>`, fake.LinkScriptURL())
		case "/page.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, testPageScript)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(page.Close)
	return page
}

// browserLog is what a tab's pages write to the console as errors, CSP violations included.
type browserLog struct{ *e2etest.Console }

// check fails the test with each console error, less the stand-in's calls that answer a Plaid
// error (400), which are expected.
func (l browserLog) check(t *testing.T) {
	t.Helper()
	for _, e := range l.Errors("status of 400", "favicon") {
		t.Errorf("browser: %s", e)
	}
}

// linkResult is window.__link.
type linkResult struct {
	Loaded int `json:"loaded"`
	Events []struct {
		Name     string         `json:"name"`
		Metadata map[string]any `json:"metadata"`
	} `json:"events"`
	Success *struct {
		PublicToken string         `json:"public_token"`
		Metadata    map[string]any `json:"metadata"`
	} `json:"success"`
	Exit *struct {
		Error    map[string]any `json:"error"`
		Metadata map[string]any `json:"metadata"`
	} `json:"exit"`
	CSP []string `json:"csp"`
}

func (r linkResult) eventNames() []string {
	var out []string
	for _, e := range r.Events {
		name := e.Name
		if v, _ := e.Metadata["view_name"].(string); e.Name == "TRANSITION_VIEW" && v != "" {
			name += ":" + v
		}
		out = append(out, name)
	}
	return out
}

// tab opens the embedding page for a link token in a new tab and returns the tab and the
// stand-in iframe, once Link has loaded.
func tab(t *testing.T, page *httptest.Server, token string) (context.Context, *chromedp.Node, browserLog) {
	t.Helper()
	ctx := e2etest.Tab(t)
	logs := browserLog{e2etest.Listen(ctx)}
	err := chromedp.Do(ctx,
		e2etest.Step("open the page", chromedp.Navigate(page.URL+"/?token="+token)),
		e2etest.WaitJS(`window.__link && window.__link.loaded === 1`),
	)
	if err != nil {
		t.Fatalf("open the page: %v", err)
	}
	var frames []*chromedp.Node
	err = chromedp.Do(ctx, e2etest.Step("find the Link iframe", func(ctx context.Context, tg *chromedp.Target) (v chromedp.Void, err error) {
		frames, err = chromedp.Nodes(chromedp.CSS("iframe"))(ctx, tg)
		return v, err
	}))
	if err != nil || len(frames) != 1 {
		t.Fatalf("find the Link iframe: %d iframes, %v", len(frames), err)
	}
	return ctx, frames[0], logs
}

func result(t *testing.T, ctx context.Context) linkResult {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.__link)`))
	if err != nil {
		t.Fatalf("read the page's record: %v", err)
	}
	var r linkResult
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return r
}

// In the iframe: actions on its elements.

func pane(name string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Step("wait for the "+name+" pane", chromedp.WaitVisible(chromedp.CSS(`#pane[data-pane="`+name+`"]`), chromedp.FromNode(frame)))
}

func click(sel string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Step("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.FromNode(frame), chromedp.NodeVisible))
}

func typeInto(sel, text string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Step("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.FromNode(frame), chromedp.NodeVisible))
}

// paste puts text into a field of the stand-in as one input, as pasting it does. The search
// reports the query the user settled on, 300 ms after the last change: keys typed one by one
// can arrive further apart than that on a busy machine, and each pause is then a search.
func paste(sel, text string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Step("paste into "+sel, e2etest.Steps(
		chromedp.Focus(chromedp.CSS(sel), chromedp.FromNode(frame), chromedp.NodeVisible),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		})))
}

// finishLink goes from the account picker to onSuccess: the default account, then Continue on
// the success pane.
func finishLink(frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Steps(pane("SELECT_ACCOUNT", frame), click("#continue", frame),
		pane("CONNECTED", frame), click("#continue", frame),
		e2etest.WaitJS(`window.__link.success !== null`))
}

// readText reads the text of an element of the stand-in into dst.
func readText(sel string, dst *string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return e2etest.Step("read "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		*dst, err = chromedp.Text(chromedp.CSS(sel), chromedp.FromNode(frame))(ctx, tg)
		return err
	}))
}

// animationsDone holds once every finite animation and transition in the document has finished
// (the stand-in's spinner runs forever, so it does not count).
const animationsDone = `document.getAnimations().every(a =>
  a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)`

// screenshot saves the tab as it looks once the pane's entrance animation in frame has finished,
// in -screenshots or else in the test's TempDir.
func screenshot(t *testing.T, name string, frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	settled := chromedp.Poll[chromedp.Void](animationsDone, chromedp.WithPollingInFrame(frame),
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(e2etest.Timeout))
	return e2etest.Step("screenshot "+name, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := settled(ctx, tg); err != nil {
			return fmt.Errorf("wait for the animations to finish: %w", err)
		}
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "standin-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			return err
		}
		if *screenshotDir != "" {
			t.Logf("screenshot %s", path)
		}
		return nil
	}))
}

func TestStandInLinkInBrowser(t *testing.T) {
	srv, _ := newTestServer(t)
	page := newTestPage(t, srv)

	t.Run("user_good links an account and onSuccess gets a real public token", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		err := chromedp.Do(ctx,
			pane("CONSENT", frame), screenshot(t, "1-consent", frame),
			click("#continue", frame),
			pane("SELECT_INSTITUTION", frame),
			paste("#search", "platypus", frame),
			e2etest.Step("wait for the search to hide ins_109509", chromedp.WaitNotPresent(chromedp.CSS(`[data-institution-id="ins_109509"]`), chromedp.FromNode(frame))),
			screenshot(t, "2-select-institution", frame),
			click(`[data-institution-id="ins_109508"]`, frame),
			pane("CREDENTIAL", frame),
			typeInto("#username", "user_good", frame),
			typeInto("#password", "pass_good", frame),
			screenshot(t, "3-credentials", frame),
			click("#submit", frame),
			pane("SELECT_ACCOUNT", frame), screenshot(t, "4-select-account", frame),
			// Keep the checking account only.
			click(`input[data-mask="1111"]`, frame),
			click(`input[data-mask="9002"]`, frame),
			click("#continue", frame),
			pane("CONNECTED", frame), screenshot(t, "5-connected", frame),
			click("#continue", frame),
			e2etest.WaitJS(`window.__link.success !== null`),
		)
		if err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		r := result(t, ctx)
		s := r.Success
		if !publicRE.MatchString(s.PublicToken) {
			t.Errorf("public token %q", s.PublicToken)
		}
		inst, _ := s.Metadata["institution"].(map[string]any)
		accounts, _ := s.Metadata["accounts"].([]any)
		if inst["institution_id"] != "ins_109508" || inst["name"] != "First Platypus Bank" || len(accounts) != 1 {
			t.Fatalf("onSuccess metadata %v", s.Metadata)
		}
		acct := accounts[0].(map[string]any)
		for _, k := range []string{"id", "name", "mask", "type", "subtype", "verification_status"} {
			if _, ok := acct[k]; !ok {
				t.Errorf("account metadata lacks %s: %v", k, acct)
			}
		}
		if acct["mask"] != "0000" || acct["subtype"] != "checking" {
			t.Errorf("account %v", acct)
		}
		if _, ok := s.Metadata["transfer_status"]; !ok || !uuidRE.MatchString(fmt.Sprint(s.Metadata["link_session_id"])) {
			t.Errorf("metadata %v", s.Metadata)
		}

		names := strings.Join(r.eventNames(), " ")
		want := "OPEN TRANSITION_VIEW:CONSENT TRANSITION_VIEW:SELECT_INSTITUTION SEARCH_INSTITUTION SELECT_INSTITUTION " +
			"TRANSITION_VIEW:CREDENTIAL SUBMIT_CREDENTIALS TRANSITION_VIEW:LOADING TRANSITION_VIEW:SELECT_ACCOUNT " +
			"TRANSITION_VIEW:LOADING TRANSITION_VIEW:CONNECTED HANDOFF"
		if names != want {
			t.Errorf("events\n got %s\nwant %s", names, want)
		}
		for _, e := range r.Events {
			for _, k := range []string{"error_code", "error_message", "error_type", "exit_status", "institution_id",
				"institution_name", "institution_search_query", "mfa_type", "view_name", "request_id", "link_session_id", "timestamp"} {
				if _, ok := e.Metadata[k]; !ok {
					t.Errorf("%s metadata lacks %s", e.Name, k)
				}
			}
			if _, err := time.Parse(time.RFC3339, fmt.Sprint(e.Metadata["timestamp"])); err != nil {
				t.Errorf("%s timestamp %v", e.Name, e.Metadata["timestamp"])
			}
			if e.Name == "SEARCH_INSTITUTION" && e.Metadata["institution_search_query"] != "platypus" {
				t.Errorf("search query %v", e.Metadata["institution_search_query"])
			}
		}
		if len(r.CSP) > 0 {
			t.Errorf("CSP violations: %v", r.CSP)
		}
		logs.check(t)

		// The token is real: the API exchanges it, for the account chosen.
		api := newClient(srv).PlaidApi
		ex, _, err := api.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(s.PublicToken)).Execute()
		if err != nil {
			t.Fatalf("exchange the Link public token: %v", err)
		}
		auth, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(ex.GetAccessToken())).Execute()
		if err != nil || len(auth.Numbers.Ach) != 1 || auth.Numbers.Ach[0].AccountId != acct["id"] {
			t.Errorf("auth/get after Link: %v %+v", err, auth.Numbers)
		}
	})

	t.Run("error_INVALID_CREDENTIALS shows the error and exits with it", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		var code string
		err := chromedp.Do(ctx,
			pane("CONSENT", frame),
			click("#continue", frame),
			pane("SELECT_INSTITUTION", frame),
			click(`[data-institution-id="ins_109508"]`, frame),
			pane("CREDENTIAL", frame),
			typeInto("#username", "user_good", frame),
			typeInto("#password", "error_INVALID_CREDENTIALS", frame),
			click("#submit", frame),
			pane("ERROR", frame), screenshot(t, "6-error", frame),
			readText("#error-code", &code, frame),
			// Back to the form, then give up.
			click("#retry", frame),
			pane("CREDENTIAL", frame),
			click("#close", frame),
			e2etest.WaitJS(`window.__link.exit !== null`),
		)
		if err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		if code != "INVALID_CREDENTIALS" {
			t.Errorf("error pane shows %q", code)
		}
		r := result(t, ctx)
		e, md := r.Exit.Error, r.Exit.Metadata
		if e["error_code"] != "INVALID_CREDENTIALS" || e["error_type"] != "ITEM_ERROR" || e["display_message"] == nil {
			t.Errorf("onExit error %v", e)
		}
		inst, _ := md["institution"].(map[string]any)
		if md["status"] != "requires_credentials" || inst["institution_id"] != "ins_109508" ||
			!requestIDRE.MatchString(fmt.Sprint(md["request_id"])) || md["link_session_id"] == nil {
			t.Errorf("onExit metadata %v", md)
		}
		names := strings.Join(r.eventNames(), " ")
		if !strings.Contains(names, "SUBMIT_CREDENTIALS TRANSITION_VIEW:LOADING ERROR TRANSITION_VIEW:ERROR") ||
			!strings.HasSuffix(names, "EXIT") || r.Success != nil {
			t.Errorf("events %s", names)
		}
		for _, ev := range r.Events {
			if ev.Name == "ERROR" && ev.Metadata["error_code"] != "INVALID_CREDENTIALS" {
				t.Errorf("ERROR event %v", ev.Metadata)
			}
			if ev.Name == "EXIT" && ev.Metadata["exit_status"] != "requires_credentials" {
				t.Errorf("EXIT event %v", ev.Metadata)
			}
		}
		logs.check(t)
	})

	t.Run("closing at the institution search", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv, "GB", "CA"))
		err := chromedp.Do(ctx,
			pane("CONSENT", frame),
			click("#continue", frame),
			pane("SELECT_INSTITUTION", frame),
			e2etest.Step("wait for ins_117650 in the list", chromedp.WaitVisible(chromedp.CSS(`[data-institution-id="ins_117650"]`), chromedp.FromNode(frame))),
			screenshot(t, "7-select-institution-gb-ca", frame),
			click("#close", frame),
			e2etest.WaitJS(`window.__link.exit !== null`),
		)
		if err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		r := result(t, ctx)
		if r.Exit.Error != nil || r.Exit.Metadata["status"] != "institution_not_found" || r.Exit.Metadata["institution"] != nil {
			t.Errorf("onExit %v %v", r.Exit.Error, r.Exit.Metadata)
		}
		display, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('iframe').style.display`))
		if display != "none" {
			t.Errorf("the iframe should be hidden after exit, display=%q", display)
		}
		logs.check(t)
	})

	t.Run("an invalid link token shows an error and exits with INVALID_LINK_TOKEN", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, "link-sandbox-"+newUUID())
		err := chromedp.Do(ctx,
			pane("ERROR", frame), screenshot(t, "8-invalid-link-token", frame),
			click("#exit", frame),
			e2etest.WaitJS(`window.__link.exit !== null`),
		)
		if err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		r := result(t, ctx)
		if r.Exit.Error["error_code"] != "INVALID_LINK_TOKEN" || r.Exit.Error["error_type"] != "INVALID_INPUT" {
			t.Errorf("onExit error %v", r.Exit.Error)
		}
		logs.check(t)
	})

	handlerInBrowser(t, srv, page)
}

// handlerInBrowser checks the handler's exit and destroy, and update mode.
func handlerInBrowser(t *testing.T, srv *Server, page *httptest.Server) {
	t.Run("exit({force: true}) closes Link with onExit(null)", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx, frame, logs := tab(t, page, newLinkToken(t, srv))
		err := chromedp.Do(ctx,
			pane("CONSENT", frame),
			e2etest.Step("call handler.exit", chromedp.Evaluate[chromedp.Void](`handler.exit({force: true})`)),
			e2etest.WaitJS(`window.__link.exit !== null`),
		)
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
		r := result(t, ctx)
		if r.Exit.Error != nil || r.Exit.Metadata["status"] != nil || r.Exit.Metadata["link_session_id"] == nil {
			t.Errorf("onExit %v %v", r.Exit.Error, r.Exit.Metadata)
		}
		// destroy removes the iframe; later calls do nothing.
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`handler.destroy(); handler.open(); document.querySelectorAll('iframe').length`))
		if err != nil || n != 0 {
			t.Errorf("after destroy: %d iframes, %v", n, err)
		}
		logs.check(t)
	})

	t.Run("update mode repairs an Item that needs a login", func(t *testing.T) {
		t.Parallel() // a tab of its own, and an Item of its own at the shared emulator
		ctx := context.Background()
		api := newClient(srv).PlaidApi
		access := mustAccessToken(t, srv, "ins_109511")
		if _, _, err := api.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute(); err != nil {
			t.Fatal(err)
		}
		req := linkTokenRequest()
		req.SetAccessToken(access)
		lt, _, err := api.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
		if err != nil {
			t.Fatal(err)
		}
		tabCtx, frame, logs := tab(t, page, lt.GetLinkToken())
		err = chromedp.Do(tabCtx,
			pane("CREDENTIAL", frame), screenshot(t, "9-update-mode", frame),
			typeInto("#username", "user_good", frame),
			typeInto("#password", "pass_good", frame),
			click("#submit", frame),
			pane("CONNECTED", frame),
			click("#continue", frame),
			e2etest.WaitJS(`window.__link.success !== null`),
		)
		if err != nil {
			t.Fatalf("drive Link: %v", err)
		}
		inst, _ := result(t, tabCtx).Success.Metadata["institution"].(map[string]any)
		if inst["institution_id"] != "ins_109511" {
			t.Errorf("institution %v", inst)
		}
		if _, _, err := api.AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute(); err != nil {
			t.Errorf("auth/get after update mode: %v", err)
		}
		logs.check(t)
	})
}

var uuidRE = regexp.MustCompile(`^` + uuidPattern + `$`)
