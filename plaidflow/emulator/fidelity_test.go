package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

// The emulator held to what Plaid's own public artifacts assert about Sandbox: the integration
// tests of Plaid's client libraries (plaid-node test/, plaid-go tests/, plaid-python
// tests/integration), the Sandbox answers plaid-ruby recorded in test/vcr_cassettes, and the
// requests of Plaid's Postman collection (plaid/plaid-postman). Each check restates, in our
// words, one assertion of one file about what the emulator serves, and names that file; the
// assertions about products the emulator does not serve (transactions, assets, investments,
// income, payment initiation, /item/import) are left out, and those it does not meet are in
// the README's "Known differences from Plaid Sandbox" and in fidelityKnownDifferences below,
// where the test checks that they still differ (a difference that goes away must leave the
// list). Every answer is also checked against Plaid's OpenAPI document (newTestServer).
//
// go test -v -run 'TestFidelity' ./plaidflow/emulator/ lists each check by artifact.

// fidelityCheck is one assertion of one of Plaid's artifacts.
type fidelityCheck struct {
	name string // FILE: what it asserts
	run  func(t *testing.T, f *fidelityFixture)
}

// fidelityFixture is an emulator checked against the OpenAPI document, for one artifact's checks.
type fidelityFixture struct {
	srv *Server
}

// runFidelity runs an artifact's checks as subtests, one emulator for them all, in parallel.
func runFidelity(t *testing.T, checks []fidelityCheck) {
	t.Parallel()
	srv, _ := newTestServer(t)
	f := &fidelityFixture{srv: srv}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, f)
		})
	}
}

// call posts body to path with the demo keys in Plaid's headers and returns the status and
// the answer's JSON object.
func (f *fidelityFixture) call(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	a := rawCall(t, f.srv, path, body)
	return a.status, a.decode(t)
}

// ok is call that fails the test unless the answer is 200.
func (f *fidelityFixture) ok(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	status, m := f.call(t, path, body)
	if status != 200 {
		t.Fatalf("%s: HTTP %d %v", path, status, m)
	}
	return m
}

// item makes an Item at institution with products through /sandbox/public_token/create and
// /item/public_token/exchange, as the suites' helpers do, and returns its access token.
func (f *fidelityFixture) item(t *testing.T, institution string, products []string, options map[string]any) string {
	t.Helper()
	req := map[string]any{"institution_id": institution, "initial_products": products}
	if options != nil {
		req["options"] = options
	}
	pt := f.ok(t, "/sandbox/public_token/create", req)
	ex := f.ok(t, "/item/public_token/exchange", map[string]any{"public_token": pt["public_token"]})
	return str(ex["access_token"])
}

// wantError fails unless the answer is Plaid's error with this status, type and code and, when
// message is not empty, exactly this error_message, with a request_id.
func wantError(t *testing.T, status int, m map[string]any, wantStatus int, typ, code, message string) {
	t.Helper()
	if status != wantStatus || m["error_type"] != typ || m["error_code"] != code || str(m["request_id"]) == "" ||
		(message != "" && m["error_message"] != message) {
		t.Errorf("got HTTP %d %s/%s %q (request_id %q); want HTTP %d %s/%s %q",
			status, m["error_type"], m["error_code"], m["error_message"], m["request_id"], wantStatus, typ, code, message)
	}
}

// str is v as a string ("" for anything else).
func str(v any) string { s, _ := v.(string); return s }

// list is v as a JSON array (nil for anything else).
func list(v any) []any { l, _ := v.([]any); return l }

// obj is v as a JSON object (nil for anything else).
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// present reports whether v is "truthy" as the suites' checks mean it: there, not null, not
// an empty string.
func present(v any) bool { return v != nil && v != "" }

// jsonEqual compares two values as JSON.
func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// accountIDs are the account_ids of an answer's accounts.
func accountIDs(m map[string]any) []string {
	var ids []string
	for _, a := range list(m["accounts"]) {
		ids = append(ids, str(obj(a)["account_id"]))
	}
	return ids
}

// linkTokenWithOptionalFields is the /link/token/create body the suites use to check that
// /link/token/get says back what the token was made with.
func linkTokenWithOptionalFields(countries ...string) map[string]any {
	return map[string]any{
		"client_name": "Plaid App", "language": "en", "country_codes": countries,
		"user": map[string]any{"client_user_id": "fidelity-user", "legal_name": "John Doe", "phone_number": "+1 415 555 0123",
			"phone_number_verified_time": "2020-01-01T00:00:00Z", "email_address": "example@plaid.com",
			"email_address_verified_time": "2020-01-01T00:00:00Z"},
		"products": []string{"auth", "transactions"}, "webhook": "https://sample-web-hook.com",
		"account_filters": map[string]any{"depository": map[string]any{"account_subtypes": []string{"checking", "savings"}}},
	}
}

// The known differences: what Plaid's artifacts assert that the emulator does not do, each
// with the reason (README, "Known differences from Plaid Sandbox"). The test runs each and
// fails if the emulator now does it, so the list stays true.
var fidelityKnownDifferences = []struct {
	artifact, name, why string
	differs             func(t *testing.T, f *fidelityFixture) bool
}{
	{"plaid-node, plaid-go, plaid-python, plaid-ruby", "/webhook_verification_key/get answers key_id 6c5516e1-92dc-479e-a8ff-5a51992e0001",
		"that is Plaid Sandbox's own signing key; the emulator signs with a key of its own, under another key_id, so a verifier must take the kid from the JWT header as Plaid's docs say",
		func(t *testing.T, f *fidelityFixture) bool {
			status, m := f.call(t, "/webhook_verification_key/get", map[string]any{"key_id": "6c5516e1-92dc-479e-a8ff-5a51992e0001"})
			return status == 400 && m["error_code"] == "INVALID_WEBHOOK_VERIFICATION_KEY_ID"
		}},
	{"plaid-go (tests/institutions_test.go), plaid-postman", "Production institutions: ins_12, ins_1, ins_3 and the banks of routing numbers 021200339 and 052001633",
		"Plaid's list of Production institutions (thousands, with their routing numbers) is not published as data; the emulator knows Sandbox's own institutions and the three Production banks whose ids Plaid's documents give (Chase ins_56, Bank of America ins_127989, Capital One ins_128026)",
		func(t *testing.T, f *fidelityFixture) bool {
			for _, id := range []string{"ins_12", "ins_1", "ins_3"} {
				if status, _ := f.call(t, "/institutions/get_by_id", map[string]any{"institution_id": id, "country_codes": []string{"US"}}); status == 200 {
					return false
				}
			}
			m := f.ok(t, "/institutions/get", map[string]any{"count": 1, "offset": 0, "country_codes": []string{"US"},
				"options": map[string]any{"routing_numbers": []string{"021200339", "052001633"}}})
			return len(list(m["institutions"])) == 0
		}},
	{"plaid-python (tests/integration/test_item.py)", "/item/remove of an Item already removed is ITEM_NOT_FOUND",
		"the emulator forgets a removed Item's access token, so it answers INVALID_ACCESS_TOKEN, as for a token it never made; the program's own messages after `items remove` are written for that answer",
		func(t *testing.T, f *fidelityFixture) bool {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			f.ok(t, "/item/remove", map[string]any{"access_token": access})
			_, m := f.call(t, "/item/remove", map[string]any{"access_token": access})
			return m["error_code"] == "INVALID_ACCESS_TOKEN"
		}},
	{"plaid-ruby (PlaidProcessorTest_test_stripe_bank_account_token_create_invalid_account_id.yml)", "an account_id not on the Item is INVALID_FIELD \"account_id must be a valid account ID\" for processor tokens",
		"the emulator answers INVALID_ACCOUNT_ID, the code Plaid's error reference gives for an account_id that is not the Item's (https://plaid.com/docs/errors/invalid-input/#invalid_account_id); the 2021 recording shows INVALID_FIELD",
		func(t *testing.T, f *fidelityFixture) bool {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			_, m := f.call(t, "/processor/stripe/bank_account_token/create", map[string]any{"access_token": access, "account_id": "ABCDEFG1234567"})
			return m["error_code"] == "INVALID_ACCOUNT_ID"
		}},
}

func TestFidelityKnownDifferencesStillDiffer(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	f := &fidelityFixture{srv: srv}
	for _, d := range fidelityKnownDifferences {
		t.Run(d.name, func(t *testing.T) {
			if !d.differs(t, f) {
				t.Errorf("%s no longer differs from Plaid Sandbox (%s): move it to the checks and out of the README's known differences", d.name, d.artifact)
			}
		})
	}
}

// parseTime reads an RFC 3339 time of an answer.
func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("%q is not an RFC 3339 time: %v", s, err)
	}
	return v
}
