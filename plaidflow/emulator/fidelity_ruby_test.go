package emulator

import (
	"strings"
	"testing"
)

// plaid/plaid-ruby test/vcr_cassettes (the last commit that has them, 608de32b6's parent):
// Sandbox's own answers, recorded, to the requests of plaid-ruby's tests. The checks send the
// recorded request (minus the keys) and hold the emulator to the recorded error's status, type,
// code and message. The cassettes predate API version 2020-09-14 in places (/item/remove's
// "removed": true); those answers are left out.

// msgBadAccessTokenFormat is Sandbox's message for an access token that is not access-…-….
const msgBadAccessTokenFormat = "provided access token is in an invalid format. expected format: access-<environment>-<identifier>"

func TestFidelityPlaidRubyCassettes(t *testing.T) {
	runFidelity(t, []fidelityCheck{
		{"PlaidAccountsTest, PlaidAuthTest, PlaidIdentityTest, PlaidItemTest *_invalid_access_token.yml: INVALID_ACCESS_TOKEN for ABCDEFG1234567, with Sandbox's message", func(t *testing.T, f *fidelityFixture) {
			for path, body := range map[string]map[string]any{
				"/accounts/get":                 {"access_token": "ABCDEFG1234567"},
				"/accounts/balance/get":         {"access_token": "ABCDEFG1234567"},
				"/auth/get":                     {"access_token": "ABCDEFG1234567"},
				"/identity/get":                 {"access_token": "ABCDEFG1234567"},
				"/item/remove":                  {"access_token": "ABCDEFG1234567"},
				"/item/access_token/invalidate": {"access_token": "ABCDEFG1234567"},
				"/item/webhook/update":          {"access_token": "ABCDEFG1234567", "webhook": "https://plaid.com/webhook-test"},
			} {
				status, m := f.call(t, path, body)
				t.Run(path, func(t *testing.T) {
					wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", msgBadAccessTokenFormat)
				})
			}
		}},
		{"Plaid{Accounts,Auth}Test_test_*get_invalid_options.yml: options.account_ids as a string is INVALID_FIELD, with Sandbox's message", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			for _, path := range []string{"/accounts/get", "/accounts/balance/get", "/auth/get"} {
				status, m := f.call(t, path, map[string]any{"access_token": access, "options": map[string]any{"account_ids": "ABCDEFG1234567"}})
				t.Run(path, func(t *testing.T) {
					wantError(t, status, m, 400, "INVALID_REQUEST", "INVALID_FIELD", "options.account_ids must be a non-empty array of valid account ids")
				})
			}
		}},
		{"PlaidInstitutionsTest_test_get_by_id_invalid_parameters.yml: an unknown institution_id is INVALID_INSTITUTION", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/get_by_id", map[string]any{"institution_id": "ABCDEFG1234567", "country_codes": []string{"US"}})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_INSTITUTION", "invalid institution_id provided")
		}},
		{"PlaidInstitutionsTest_test_get_invalid_parameters.yml: a count that is not a number is INVALID_FIELD, count must be an integer", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/get", map[string]any{"count": "ABCDEFG1234567", "offset": "ABCDEFG1234567", "country_codes": []string{"US"}})
			wantError(t, status, m, 400, "INVALID_REQUEST", "INVALID_FIELD", "count must be an integer")
		}},
		{"PlaidInstitutionsTest_test_search_bad_products.yml, _invalid_products.yml: INVALID_PRODUCT for products not a list, and for an unknown product", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/search", map[string]any{"query": "First Platypus Bank", "products": "ABCDEFG1234567", "country_codes": []string{"US"}})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_PRODUCT", "products must either be null or a list of strings containing at least one valid product")
			status, m = f.call(t, "/institutions/search", map[string]any{"query": "First Platypus Bank", "products": []string{"ABCDEFG1234567"}, "country_codes": []string{"US"}})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_PRODUCT", `invalid product in products: "ABCDEFG1234567"`)
		}},
		{"PlaidItemTest_test_create_bad_initial_products.yml: initial_products not a list is INVALID_FIELD", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": "ABCDEFG1234567", "options": map[string]any{}})
			wantError(t, status, m, 400, "INVALID_REQUEST", "INVALID_FIELD", "initial_products must be a list of strings containing at least one product")
		}},
		{"PlaidItemTest_test_create_invalid_initial_products.yml: an unknown product is PRODUCTS_NOT_SUPPORTED", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"ABCDEFG1234567"}, "options": map[string]any{}})
			wantError(t, status, m, 400, "ITEM_ERROR", "PRODUCTS_NOT_SUPPORTED", `the following products are not supported by this institution: ["ABCDEFG1234567"]`)
		}},
		{"PlaidItemTest_test_create_invalid_institution.yml: an unknown institution is INVALID_INSTITUTION", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/sandbox/public_token/create", map[string]any{"institution_id": "ABCDEFG1234567", "initial_products": []string{"transactions"}, "options": map[string]any{}})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_INSTITUTION", "invalid institution_id provided")
		}},
		{"PlaidItemTest_test_exchange_token_invalid_public_token.yml: a public token that is not public-…-… is INVALID_PUBLIC_TOKEN", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/item/public_token/exchange", map[string]any{"public_token": "ABCDEFG1234567"})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN",
				"provided public token is in an invalid format. expected format: public-<environment>-<identifier>")
		}},
		{"PlaidItemTest_test_webhook_update_invalid_webhook.yml: a webhook that is not a URL is INVALID_FIELD", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			status, m := f.call(t, "/item/webhook/update", map[string]any{"access_token": access, "webhook": "ABCDEFG1234567"})
			wantError(t, status, m, 400, "INVALID_REQUEST", "INVALID_FIELD", "webhook must be a non-empty string URL")
		}},
		{"PlaidItemTest_test_fire_webhook_sandbox.yml: DEFAULT_UPDATE without a webhook_type fires", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, map[string]any{"webhook": "https://plaid.com/webhook-test"})
			if m := f.ok(t, "/sandbox/item/fire_webhook", map[string]any{"access_token": access, "webhook_code": "DEFAULT_UPDATE"}); m["webhook_fired"] != true {
				t.Errorf("%v", m)
			}
		}},
		{"PlaidItemTest_test_access_token_invalidate.yml: new_access_token is access-sandbox-…", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/access_token/invalidate", map[string]any{"access_token": f.item(t, "ins_109508", []string{"transactions"}, nil)})
			if !strings.HasPrefix(str(m["new_access_token"]), "access-sandbox-") {
				t.Errorf("%v", m)
			}
		}},
		{"PlaidItemTest_test_*: /item/get of a new Item: billed_products as created, error null, webhook \"\", status.last_webhook null", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/get", map[string]any{"access_token": f.item(t, "ins_109508", []string{"transactions"}, nil)})
			item := obj(m["item"])
			errV, hasErr := item["error"]
			if !jsonEqual(item["billed_products"], []string{"transactions"}) || !hasErr || errV != nil || item["webhook"] != "" ||
				item["institution_id"] != "ins_109508" || obj(m["status"])["last_webhook"] != nil {
				t.Errorf("%v", m)
			}
		}},
		{"PlaidLinkTokenTest_test_create_and_get.yml: /link/token/get expiration is 4 hours after created_at, redirect_uri null", func(t *testing.T, f *fidelityFixture) {
			created := f.ok(t, "/link/token/create", linkTokenWithOptionalFields("GB"))
			m := f.ok(t, "/link/token/get", map[string]any{"link_token": created["link_token"]})
			c, e := parseTime(t, str(m["created_at"])), parseTime(t, str(m["expiration"]))
			if e.Sub(c).Hours() != 4 || obj(m["metadata"])["redirect_uri"] != nil {
				t.Errorf("%v", m)
			}
		}},
		{"PlaidWebhooksTest_test_get_verification_key.yml: the key is ES256, P-256, EC, use sig, expired_at null", func(t *testing.T, f *fidelityFixture) {
			key := obj(f.ok(t, "/webhook_verification_key/get", map[string]any{"key_id": f.srv.webhooks().kid})["key"])
			exp, hasExp := key["expired_at"]
			if key["alg"] != "ES256" || key["crv"] != "P-256" || key["kty"] != "EC" || key["use"] != "sig" || !hasExp || exp != nil {
				t.Errorf("%v", key)
			}
		}},
	})
}
