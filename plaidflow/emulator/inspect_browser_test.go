package emulator

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid/plaid-go/v42/plaid"
)

// The page at /_emulator/ in a real browser: it lists an Item made through the API, and what
// happens next shows up on it as it happens, with no reload: a call appears in the requests,
// an Item answered ITEM_LOGIN_REQUIRED changes its state. Its own strict Content-Security-Policy
// holds (no console errors), since it needs nothing from elsewhere.
func TestInspectPageInBrowser(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	api := newClient(srv).PlaidApi
	access := mustAccessToken(t, srv, "ins_109508")
	itemID := peek(srv).ItemIDs()[0]

	ctx := e2etest.Tab(t)
	logs := browserLog{e2etest.Listen(ctx)}
	item := `article[data-item-id="` + itemID + `"]`
	err := chromedp.Do(ctx,
		e2etest.Step("open the page", chromedp.Navigate(srv.URL+"/_emulator/")),
		e2etest.Step("wait for the Item", chromedp.WaitVisible(chromedp.CSS(item+`[data-state="healthy"]`))),
		e2etest.Step("wait for the page to be live", chromedp.WaitVisible(chromedp.CSS(`#live[data-live="live"]`))),
	)
	if err != nil {
		t.Fatalf("the page does not show the Item: %v", err)
	}
	var shown string
	if err := chromedp.Do(ctx, readPageText(item, &shown)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"First Platypus Bank", "Plaid Checking", "••0000", "100.00 USD", "access-sandbox-"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the Item on the page lacks %q:\n%s", want, shown)
		}
	}
	if strings.Contains(shown, access) {
		t.Errorf("the page shows the access token in full:\n%s", shown)
	}

	// A call made now appears on the page that is already open.
	_, resp, err := api.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/auth/get: %v", err)
	}
	row := `tr[data-request-id="` + resp.Header.Get("X-Request-Id") + `"]`
	if err := chromedp.Do(ctx, e2etest.Step("wait for the /auth/get call", chromedp.WaitVisible(chromedp.CSS(row)))); err != nil {
		t.Fatalf("the call does not appear on the open page: %v", err)
	}
	if err := chromedp.Do(ctx, readPageText(row, &shown)); err != nil || !strings.Contains(shown, "/auth/get") || !strings.Contains(shown, "200") {
		t.Errorf("the call's row %q (%v), want /auth/get and 200", shown, err)
	}

	// The Item's login breaks: the page says so.
	if a := postFault(t, srv, `{"path": "/auth/get", "error_code": "ITEM_LOGIN_REQUIRED"}`); a.status != http.StatusOK {
		t.Fatalf("queue the fault: %d %s", a.status, a.body)
	}
	_, resp, _ = api.AuthGet(context.Background()).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	err = chromedp.Do(ctx,
		e2etest.Step("wait for the Item to need its login", chromedp.WaitVisible(chromedp.CSS(item+`[data-state="ITEM_LOGIN_REQUIRED"]`))),
		e2etest.Step("wait for the failed call", chromedp.WaitVisible(chromedp.CSS(`tr[data-request-id="`+resp.Header.Get("X-Request-Id")+`"]`))),
		pageScreenshot(t, "inspect-page"),
	)
	if err != nil {
		t.Fatalf("the page does not follow the Item into ITEM_LOGIN_REQUIRED: %v", err)
	}
	logs.check(t)
}

// readPageText reads the text of the page's element sel into dst.
func readPageText(sel string, dst *string) chromedp.Action[chromedp.Void] {
	return e2etest.Step("read "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		*dst, err = chromedp.Text(chromedp.CSS(sel))(ctx, tg)
		return err
	}))
}

// pageScreenshot saves the whole tab as a PNG, in -screenshots or else in the test's TempDir,
// for a person to look at.
func pageScreenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	return e2etest.Step("screenshot "+name, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name+".png")
		if *screenshotDir != "" {
			t.Logf("screenshot %s", path)
		}
		return os.WriteFile(path, png, 0o644)
	}))
}
