package emulator

import (
	"testing"
)

// plaid/plaid-python tests/integration (at 49324e99e): Items at ins_109508 (SANDBOX_INSTITUTION,
// tests/integration/util.py), named First Platypus Bank (SANDBOX_INSTITUTION_NAME).
func TestFidelityPlaidPython(t *testing.T) {
	runFidelity(t, []fidelityCheck{
		{"test_auth.py: /auth/get of one account has eft, ach, international and bacs in numbers", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			m := f.ok(t, "/auth/get", map[string]any{"access_token": access})
			m = f.ok(t, "/auth/get", map[string]any{"access_token": access, "options": map[string]any{"account_ids": accountIDs(m)[:1]}})
			for _, k := range []string{"eft", "ach", "international", "bacs"} {
				if _, ok := obj(m["numbers"])[k]; !ok {
					t.Errorf("numbers lacks %s: %v", k, m["numbers"])
				}
			}
		}},
		{"test_auth.py: /auth/get with a corrupted access token (last character changed) is INVALID_ACCESS_TOKEN", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			corrupted := access[:len(access)-1] + string(rune(access[len(access)-1]+1))
			status, m := f.call(t, "/auth/get", map[string]any{"access_token": corrupted})
			wantError(t, status, m, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", "")
		}},
		{"test_accounts.py: /accounts/get and /accounts/balance/get with options.account_ids give exactly that account", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			id := accountIDs(f.ok(t, "/accounts/get", map[string]any{"access_token": access}))[0]
			for _, path := range []string{"/accounts/get", "/accounts/balance/get"} {
				m := f.ok(t, path, map[string]any{"access_token": access, "options": map[string]any{"account_ids": []string{id}}})
				if ids := accountIDs(m); len(ids) != 1 || ids[0] != id {
					t.Errorf("%s: %v, want [%s]", path, ids, id)
				}
			}
		}},
		{"test_item.py: /item/remove answers a request_id (removing again: see the known differences)", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			if m := f.ok(t, "/item/remove", map[string]any{"access_token": access}); str(m["request_id"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"test_item.py: /sandbox/item/fire_webhook answers webhook_fired true", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, map[string]any{"webhook": "https://plaid.com/webhook-test"})
			if m := f.ok(t, "/sandbox/item/fire_webhook", map[string]any{"access_token": access, "webhook_code": "DEFAULT_UPDATE"}); m["webhook_fired"] != true {
				t.Errorf("%v", m)
			}
		}},
		{"test_item.py: /item/access_token/invalidate gives a new_access_token; /item/webhook/update says back the webhook", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			m := f.ok(t, "/item/access_token/invalidate", map[string]any{"access_token": access})
			if str(m["new_access_token"]) == "" {
				t.Fatalf("%v", m)
			}
			m = f.ok(t, "/item/webhook/update", map[string]any{"access_token": m["new_access_token"], "webhook": "https://plaid.com/webhook-test"})
			if obj(m["item"])["webhook"] != "https://plaid.com/webhook-test" {
				t.Errorf("%v", m)
			}
		}},
		{"test_institutions.py: /institutions/get count 3: three; with include_optional_metadata each has url and primary_color", func(t *testing.T, f *fidelityFixture) {
			for _, meta := range []bool{false, true} {
				m := f.ok(t, "/institutions/get", map[string]any{"count": 3, "offset": 1, "country_codes": []string{"US"},
					"options": map[string]any{"include_optional_metadata": meta}})
				insts := list(m["institutions"])
				if len(insts) != 3 {
					t.Errorf("%d institutions, want 3", len(insts))
				}
				for _, inst := range insts {
					if meta && (str(obj(inst)["url"]) == "" || str(obj(inst)["primary_color"]) == "") {
						t.Errorf("%v", inst)
					}
				}
			}
		}},
		{"test_institutions.py: /institutions/get_by_id ins_109508 is that institution, with a url given include_optional_metadata", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/institutions/get_by_id", map[string]any{"institution_id": "ins_109508", "country_codes": []string{"US"},
				"options": map[string]any{"include_optional_metadata": true}})
			if inst := obj(m["institution"]); inst["institution_id"] != "ins_109508" || inst["url"] == nil {
				t.Errorf("%v", inst)
			}
		}},
		{"test_institutions.py: /institutions/search First Platypus Bank with transactions finds at least one, with a url given include_optional_metadata", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/institutions/search", map[string]any{"query": "First Platypus Bank", "products": []string{"transactions"},
				"country_codes": []string{"US"}, "options": map[string]any{"include_optional_metadata": true}})
			insts := list(m["institutions"])
			if len(insts) < 1 || obj(insts[0])["url"] == nil {
				t.Errorf("%v", m)
			}
		}},
		{"test_link_token.py: /link/token/get has created_at, expiration and metadata as created (GB, webhook, account_filters)", func(t *testing.T, f *fidelityFixture) {
			req := linkTokenWithOptionalFields("GB")
			req["webhook"] = "https://sample-webhook-uri.com"
			created := f.ok(t, "/link/token/create", req)
			m := f.ok(t, "/link/token/get", map[string]any{"link_token": created["link_token"]})
			md := obj(m["metadata"])
			subtypes := obj(obj(md["account_filters"])["depository"])["account_subtypes"]
			if m["link_token"] != created["link_token"] || str(m["created_at"]) == "" || str(m["expiration"]) == "" ||
				!jsonEqual(md["initial_products"], []string{"auth", "transactions"}) || md["webhook"] != "https://sample-webhook-uri.com" ||
				!jsonEqual(md["country_codes"], []string{"GB"}) || md["language"] != "en" || !jsonEqual(subtypes, []string{"checking", "savings"}) ||
				md["client_name"] != "Plaid App" {
				t.Errorf("%v", m)
			}
		}},
		{"test_processor.py: Stripe and Dwolla processor tokens for an access token that is not one are refused", func(t *testing.T, f *fidelityFixture) {
			for path, body := range map[string]map[string]any{
				"/processor/stripe/bank_account_token/create": {"access_token": "fakeAccessToken", "account_id": "fakeAccountId"},
				"/processor/token/create":                     {"access_token": "fakeAccessToken", "account_id": "fakeAccountId", "processor": "dwolla"},
			} {
				if status, m := f.call(t, path, body); status == 200 {
					t.Errorf("%s: %v", path, m)
				}
			}
		}},
	})
}
