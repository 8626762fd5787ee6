package emulator

import (
	"regexp"
	"testing"
)

// plaid/plaid-node test/ (at 49270ba): its helper makes every Item at ins_109508 with
// transactions, auth, assets and investments (test/clientHelper.ts, test/testConstants.ts).
var nodeProducts = []string{"transactions", "auth", "assets", "investments"}

func TestFidelityPlaidNode(t *testing.T) {
	runFidelity(t, []fidelityCheck{
		{"auth.spec.ts: /auth/get has item, accounts and numbers", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/auth/get", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil)})
			if !present(m["item"]) || len(list(m["accounts"])) == 0 || !present(m["numbers"]) {
				t.Errorf("%v", m)
			}
		}},
		{"accounts.spec.ts: /accounts/get and /accounts/balance/get have item and accounts", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", nodeProducts, nil)
			for _, path := range []string{"/accounts/get", "/accounts/balance/get"} {
				if m := f.ok(t, path, map[string]any{"access_token": access}); !present(m["item"]) || len(list(m["accounts"])) == 0 {
					t.Errorf("%s: %v", path, m)
				}
			}
		}},
		{"identity.spec.ts: every account has owners, every address country, postal_code, region, street, city", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/identity/get", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil)})
			for _, a := range list(m["accounts"]) {
				owners := list(obj(a)["owners"])
				if len(owners) == 0 {
					t.Errorf("account %v has no owners", obj(a)["account_id"])
				}
				for _, o := range owners {
					for _, addr := range list(obj(o)["addresses"]) {
						data := obj(obj(addr)["data"])
						for _, k := range []string{"country", "postal_code", "region", "street", "city"} {
							if _, ok := data[k]; !ok {
								t.Errorf("an address lacks %s: %v", k, data)
							}
						}
					}
				}
			}
		}},
		{"item.spec.ts: invalidate an access_token, then remove the Item with the new one", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/access_token/invalidate", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil)})
			f.ok(t, "/item/remove", map[string]any{"access_token": m["new_access_token"]})
		}},
		{"item.spec.ts: /item/webhook/update says back the new webhook", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/webhook/update", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil), "webhook": "https://httpstat.us/200"})
			if got := obj(m["item"])["webhook"]; got != "https://httpstat.us/200" {
				t.Errorf("item.webhook %v", got)
			}
		}},
		{"item.spec.ts: /item/get has item and status, status.transactions and status.investments, status.last_webhook null", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/get", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil)})
			status := obj(m["status"])
			lw, hasLW := status["last_webhook"]
			if !present(m["item"]) || status == nil || !present(status["transactions"]) || !present(status["investments"]) || !hasLW || lw != nil {
				t.Errorf("%v", m)
			}
		}},
		{"institutions.spec.ts: /institutions/get without include_optional_metadata has no primary_color", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/institutions/get", map[string]any{"count": 10, "offset": 0, "country_codes": []string{"US"}})
			for _, inst := range list(m["institutions"]) {
				if _, has := obj(inst)["primary_color"]; has {
					t.Errorf("%v has primary_color", obj(inst)["institution_id"])
				}
			}
		}},
		{"institutions.spec.ts: /institutions/get with include_optional_metadata has primary_color", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/institutions/get", map[string]any{"count": 10, "offset": 0, "country_codes": []string{"US"},
				"options": map[string]any{"include_optional_metadata": true}})
			for _, inst := range list(m["institutions"]) {
				if _, has := obj(inst)["primary_color"]; !has {
					t.Errorf("%v lacks primary_color", obj(inst)["institution_id"])
				}
			}
		}},
		{"institutions.spec.ts: /institutions/get_by_id ins_109508: no primary_color, and one with include_optional_metadata", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/institutions/get_by_id", map[string]any{"institution_id": "ins_109508", "country_codes": []string{"US"}})
			if _, has := obj(m["institution"])["primary_color"]; has || !present(m["institution"]) {
				t.Errorf("without metadata: %v", m["institution"])
			}
			m = f.ok(t, "/institutions/get_by_id", map[string]any{"institution_id": "ins_109508", "country_codes": []string{"US"},
				"options": map[string]any{"include_optional_metadata": true}})
			if !present(obj(m["institution"])["primary_color"]) {
				t.Errorf("with metadata: %v", m["institution"])
			}
		}},
		{"institutions.spec.ts: /institutions/search with products null answers an array, primary_color only with metadata", func(t *testing.T, f *fidelityFixture) {
			for _, meta := range []bool{false, true} {
				m := f.ok(t, "/institutions/search", map[string]any{"query": "ins_109508", "products": nil, "country_codes": []string{"US"},
					"options": map[string]any{"include_optional_metadata": meta}})
				insts, isArray := m["institutions"].([]any)
				if !isArray {
					t.Errorf("institutions is not an array: %v", m)
				}
				for _, inst := range insts {
					if _, has := obj(inst)["primary_color"]; has != meta {
						t.Errorf("include_optional_metadata %v: primary_color there %v", meta, has)
					}
				}
			}
		}},
		{"linkTokens.spec.ts: /link/token/create, required fields: link-sandbox- token and expiration", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/link/token/create", map[string]any{"client_name": "Plaid App", "language": "en", "country_codes": []string{"US"},
				"user": map[string]any{"client_user_id": "1"}, "products": []string{"auth", "transactions"}})
			if !regexp.MustCompile(`^link-sandbox-`).MatchString(str(m["link_token"])) || !present(m["expiration"]) {
				t.Errorf("%v", m)
			}
		}},
		{"linkTokens.spec.ts: /link/token/create with the optional user fields, webhook and account_filters, in GB", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/link/token/create", linkTokenWithOptionalFields("GB"))
			if !regexp.MustCompile(`^link-sandbox-`).MatchString(str(m["link_token"])) || !present(m["expiration"]) {
				t.Errorf("%v", m)
			}
		}},
		{"linkTokens.spec.ts: /link/token/get says back the token, client_name, products, countries, language, webhook, account_filters", func(t *testing.T, f *fidelityFixture) {
			created := f.ok(t, "/link/token/create", linkTokenWithOptionalFields("GB"))
			m := f.ok(t, "/link/token/get", map[string]any{"link_token": created["link_token"]})
			md := obj(m["metadata"])
			if m["link_token"] != created["link_token"] || md["client_name"] != "Plaid App" || !jsonEqual(md["initial_products"], []string{"auth", "transactions"}) ||
				!jsonEqual(md["country_codes"], []string{"GB"}) || md["language"] != "en" || md["webhook"] != "https://sample-web-hook.com" ||
				!jsonEqual(md["account_filters"], map[string]any{"depository": map[string]any{"account_subtypes": []string{"checking", "savings"}}}) {
				t.Errorf("%v", m)
			}
		}},
		{"linkTokens.spec.ts: /link/token/create takes the auth object (extended Auth flows)", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/link/token/create", map[string]any{"client_name": "Plaid App", "language": "en", "country_codes": []string{"US"},
				"user": map[string]any{"client_user_id": "1"}, "products": []string{"auth"},
				"auth": map[string]any{"auth_type_select_enabled": true, "automated_microdeposits_enabled": true, "instant_match_enabled": true, "same_day_microdeposits_enabled": true}})
			if !regexp.MustCompile(`^link-sandbox-`).MatchString(str(m["link_token"])) {
				t.Errorf("%v", m)
			}
		}},
		{"sandbox.spec.ts: /sandbox/item/fire_webhook DEFAULT_UPDATE (TRANSACTIONS) fires", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", nodeProducts, map[string]any{"webhook": "https://httpstat.us/200"})
			m := f.ok(t, "/sandbox/item/fire_webhook", map[string]any{"access_token": access, "webhook_code": "DEFAULT_UPDATE", "webhook_type": "TRANSACTIONS"})
			if m["webhook_fired"] != true {
				t.Errorf("%v", m)
			}
		}},
		{"sandbox.spec.ts: /sandbox/item/reset_login answers reset_login true", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/sandbox/item/reset_login", map[string]any{"access_token": f.item(t, "ins_109508", nodeProducts, nil)})
			if m["reset_login"] != true {
				t.Errorf("%v", m)
			}
		}},
		{"webhookVerification.spec.ts: the key has alg, crv, kid, kty, use, x, y (asked for by the emulator's own kid)", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/webhook_verification_key/get", map[string]any{"key_id": f.srv.webhooks().kid})
			key := obj(m["key"])
			for _, k := range []string{"alg", "crv", "kid", "kty", "use", "x", "y"} {
				if !present(key[k]) {
					t.Errorf("key.%s missing: %v", k, key)
				}
			}
		}},
		{"webhookVerification.spec.ts: an invalid key_id is HTTP 400 INVALID_WEBHOOK_VERIFICATION_KEY_ID with a request_id", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/webhook_verification_key/get", map[string]any{"key_id": "invalid key_id"})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID", "")
		}},
	})
}
