package plaidapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

func TestDecodeErrorPlaidJSON(t *testing.T) {
	body := `{"error_type":"INVALID_INPUT","error_code":"INVALID_API_KEYS","error_message":"invalid client_id or secret provided","display_message":null,"request_id":"Ab12Cd34Ef56Gh7","causes":[],"status":400,"documentation_url":"https://plaid.com/docs/?ref=error#invalid-input-errors","suggested_action":null}`
	var model plaid.PlaidError
	if err := model.UnmarshalJSON([]byte(body)); err != nil {
		t.Fatal(err)
	}
	generic := plaid.MakeGenericOpenAPIError([]byte(body), "400 Bad Request", model)
	err := decodeError("create link token", generic, &http.Response{StatusCode: 400, Header: http.Header{}})

	pe, ok := AsError(err)
	if !ok {
		t.Fatalf("not a *Error: %v", err)
	}
	if pe.Code != "INVALID_API_KEYS" || pe.Type != "INVALID_INPUT" || pe.RequestID != "Ab12Cd34Ef56Gh7" || pe.HTTPStatus != 400 {
		t.Errorf("decoded %+v", pe)
	}
	msg := err.Error()
	for _, want := range []string{"create link token", "INVALID_API_KEYS", "INVALID_INPUT", "invalid client_id", "Ab12Cd34Ef56Gh7"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if next := pe.NextStep(); !strings.Contains(next, "Dashboard") {
		t.Errorf("no next step pointing at the Dashboard for bad keys: %q", next)
	}
}

func TestDecodeErrorNonJSONBody(t *testing.T) {
	body := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	generic := plaid.MakeGenericOpenAPIError([]byte(body), "undefined response type", nil)
	resp := &http.Response{StatusCode: 502, Header: http.Header{"X-Request-Id": {"proxy-req-1"}}}
	err := decodeError("get auth numbers", generic, resp)
	pe, ok := AsError(err)
	if !ok {
		t.Fatalf("not a *Error: %v", err)
	}
	if pe.HTTPStatus != 502 || pe.Code != "UNEXPECTED_RESPONSE" || !strings.Contains(pe.Message, "502 Bad Gateway") || pe.RequestID != "proxy-req-1" {
		t.Errorf("decoded %+v", pe)
	}
}

func TestDecodeErrorTransport(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:1: connection refused")
	err := decodeError("exchange public token", fmt.Errorf("post: %w", cause), nil)
	if _, ok := AsError(err); ok {
		t.Fatal("a transport error must not pose as a Plaid error")
	}
	if !errors.Is(err, cause) || !strings.HasPrefix(err.Error(), "exchange public token: ") {
		t.Errorf("err = %v, want the cause wrapped with the operation", err)
	}
}

func TestEveryCommonCodeHasANextStep(t *testing.T) {
	for _, code := range []string{"INVALID_API_KEYS", "INVALID_PUBLIC_TOKEN", "INVALID_ACCESS_TOKEN", "ITEM_LOGIN_REQUIRED", "INVALID_LINK_TOKEN", "SANDBOX_ONLY", "INSTITUTION_DOWN"} {
		if (&Error{Code: code}).NextStep() == "" {
			t.Errorf("%s has no next step", code)
		}
	}
	if (&Error{Type: "RATE_LIMIT_EXCEEDED", Code: "RATE_LIMIT"}).NextStep() == "" {
		t.Error("rate limits have no next step")
	}
}

// TestForcedErrorAtCreationIsNotRepairAdvice: ITEM_LOGIN_REQUIRED from an Item's product call
// is repaired in update mode; the same code forced by force_error at
// /sandbox/public_token/create came with no Item, so the next step says so instead.
func TestForcedErrorAtCreationIsNotRepairAdvice(t *testing.T) {
	if next := (&Error{Code: "ITEM_LOGIN_REQUIRED"}).NextStep(); !strings.Contains(next, "update mode") {
		t.Errorf("a real ITEM_LOGIN_REQUIRED: %q, want update mode", next)
	}
	for _, code := range []string{"ITEM_LOGIN_REQUIRED", "ITEM_LOCKED"} {
		next := (&Error{Code: code, In: Circumstances{ForcedError: code}}).NextStep()
		if strings.Contains(next, "update mode") || strings.Contains(next, "unlock") || !strings.Contains(next, "no Item was made") || !strings.Contains(next, "--force-error") {
			t.Errorf("forced %s: %q", code, next)
		}
	}
	// Another code than the one forced keeps its own hint.
	if next := (&Error{Code: "INVALID_CREDENTIALS", In: Circumstances{ForcedError: "ITEM_LOCKED"}}).NextStep(); !strings.Contains(next, "user_good") {
		t.Errorf("INVALID_CREDENTIALS with another code forced: %q", next)
	}
}

func TestMaskAndFormat(t *testing.T) {
	if got := Mask("1111222233330000"); got != "••••0000" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("GB33 BUKB 2020 1555 5555 55"); got != "••••5555" {
		t.Errorf("Mask(IBAN) = %q", got)
	}
	if got := Mask("12"); got != "••••" {
		t.Errorf("Mask(short) = %q, must not reveal a short number", got)
	}
	if got := FormatIBAN("GB33BUKB20201555555555"); got != "GB33 BUKB 2020 1555 5555 55" {
		t.Errorf("FormatIBAN = %q", got)
	}
	if got := FormatSortCode("123456"); got != "12-34-56" {
		t.Errorf("FormatSortCode = %q", got)
	}
}

// An HTML error page is named by its title (or first heading), not dumped as markup: a person
// in a terminal learns nothing from tags.
func TestDecodeErrorHTMLPageIsNamedByItsTitle(t *testing.T) {
	for body, want := range map[string]string{
		"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><p>x</p></body></html>": `an HTML page titled "503 Service Unavailable"`,
		"<html><body><h1>502 Bad Gateway</h1></body></html>":                                                   `an HTML page titled "502 Bad Gateway"`,
		"<html><body>Sign in to the <b>hotel</b> Wi-Fi</body></html>":                                          `an HTML page saying "Sign in to the hotel Wi-Fi"`,
	} {
		generic := plaid.MakeGenericOpenAPIError([]byte(body), "undefined response type", nil)
		resp := &http.Response{StatusCode: 503, Header: http.Header{"Content-Type": {"text/html"}}}
		pe, ok := AsError(decodeError("get auth numbers", generic, resp))
		if !ok || !strings.Contains(pe.Message, want) || strings.Contains(pe.Message, "<") {
			t.Errorf("body %q: message %q, want it to contain %s and no markup", body, pe.Message, want)
		}
	}
}

// TestDecodeErrorCarriesNoToken: an answer cut short after its access token, and a Plaid-shaped
// error whose fields repeat a token and the secret (a proxy echoing the request, or something
// posing as Plaid): no field of the error holds either, whatever was sent.
func TestDecodeErrorCarriesNoToken(t *testing.T) {
	const token, secret = "access-sandbox-0b8c7d9e-1111-2222-3333-444455556666", "s3cr3t-value-of-the-client"
	c := &Client{cfg: config.Config{Secret: secret}}
	cut := `{"access_token":"` + token + `","item_id":"`
	generic := plaid.MakeGenericOpenAPIError([]byte(cut), "unexpected end of JSON input", nil)
	err := c.decodeError("exchange public token", generic, &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}})
	if pe, ok := AsError(err); !ok || pe.Code != CodeUnexpectedResponse || strings.Contains(err.Error(), "access-sandbox") || !strings.Contains(pe.Message, "not shown") {
		t.Errorf("a cut-short exchange answer gives %v", err)
	}

	body := `{"error_type":"INVALID_INPUT","error_code":"INVALID_FIELD","error_message":"got ` + token + ` with secret ` + secret + `","display_message":"` + token + `","request_id":"r1","suggested_action":"use ` + secret + `"}`
	var model plaid.PlaidError
	if err := model.UnmarshalJSON([]byte(body)); err != nil {
		t.Fatal(err)
	}
	err = c.decodeError("get auth numbers", plaid.MakeGenericOpenAPIError([]byte(body), "400 Bad Request", model), &http.Response{StatusCode: 400, Header: http.Header{}})
	pe, _ := AsError(err)
	if pe == nil || pe.Code != "INVALID_FIELD" {
		t.Fatalf("decoded %v", err)
	}
	for _, s := range []string{pe.Error(), pe.Message, pe.DisplayMessage, pe.NextStep()} {
		if strings.Contains(s, token) || strings.Contains(s, secret) {
			t.Errorf("an error field carries a credential: %q", s)
		}
	}
}

// The commands a hint suggests carry the run's mode, environment and profile: pasted, they act
// where the error happened (a demo's repair in the demo, a Production one in Production).
func TestHintCommandsCarryTheRunsMode(t *testing.T) {
	for _, tt := range []struct {
		in   Circumstances
		code string
		want string
	}{
		{Circumstances{}, "ITEM_LOGIN_REQUIRED", "(plaid-onboard link --update ITEM)"},
		{Circumstances{Demo: true}, "ITEM_LOGIN_REQUIRED", "(plaid-onboard --demo link --update ITEM)"},
		{Circumstances{Env: config.Production, Profile: "acme"}, "PENDING_EXPIRATION", "(plaid-onboard --profile acme --env production link --update ITEM)"},
		{Circumstances{Demo: true}, "PRODUCT_NOT_READY", "(plaid-onboard --demo auth)"},
		{Circumstances{Demo: true, Store: "file"}, "ITEM_LOGIN_REQUIRED", "(plaid-onboard --store file --demo link --update ITEM)"},
	} {
		if got := Hint(tt.code, "ITEM_ERROR", "", tt.in); !strings.Contains(got, tt.want) {
			t.Errorf("Hint(%s, %+v) = %q; want it to suggest %s", tt.code, tt.in, got, tt.want)
		}
	}
	demo := circumstancesOf(config.Config{Demo: true, Profile: "acme", ProfilesInUse: true, Store: "file"})
	if !demo.Demo || demo.Profile != "acme" || demo.Store != "file" {
		t.Errorf("circumstancesOf a demo run in profile acme = %+v", demo)
	}
}
