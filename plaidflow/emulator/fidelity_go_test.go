package emulator

import (
	"strings"
	"testing"
)

// plaid/plaid-go tests/ (at 21bccea2b): Items at ins_109508 (FIRST_PLATYPUS_BANK) with auth,
// identity and transactions unless a test names its products (tests/test_utils.go).
var goProducts = []string{"auth", "identity", "transactions"}

func TestFidelityPlaidGo(t *testing.T) {
	runFidelity(t, []fidelityCheck{
		{"auth_test.go: /auth/get has accounts, numbers and item; options.account_ids of the second account gives one account", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			m := f.ok(t, "/auth/get", map[string]any{"access_token": access})
			ids := accountIDs(m)
			if len(ids) < 2 || len(obj(m["numbers"])) == 0 || len(obj(m["item"])) == 0 {
				t.Fatalf("%v", m)
			}
			m = f.ok(t, "/auth/get", map[string]any{"access_token": access, "options": map[string]any{"account_ids": []string{ids[1]}}})
			if len(list(m["accounts"])) != 1 || len(obj(m["item"])) == 0 {
				t.Errorf("one account asked for: %v", m)
			}
		}},
		{"accounts_test.go, accounts_balance_test.go: more than one account, and options.account_ids of one gives one", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"transactions"}, nil)
			for _, path := range []string{"/accounts/get", "/accounts/balance/get"} {
				m := f.ok(t, path, map[string]any{"access_token": access})
				ids := accountIDs(m)
				if len(ids) <= 1 || m["item"] == nil {
					t.Fatalf("%s: %v", path, m)
				}
				m = f.ok(t, path, map[string]any{"access_token": access, "options": map[string]any{"account_ids": []string{ids[0]}}})
				if len(list(m["accounts"])) != 1 || m["item"] == nil {
					t.Errorf("%s, one account asked for: %v", path, m)
				}
			}
		}},
		{"item_test.go: /item/get has an item_id", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/get", map[string]any{"access_token": f.item(t, "ins_109508", goProducts, nil)})
			if str(obj(m["item"])["item_id"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"item_test.go: /item/remove succeeds", func(t *testing.T, f *fidelityFixture) {
			f.ok(t, "/item/remove", map[string]any{"access_token": f.item(t, "ins_109508", goProducts, nil)})
		}},
		{"item_test.go: /item/webhook/update says back https://plaid.com/webhook-test", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/webhook/update", map[string]any{"access_token": f.item(t, "ins_109508", goProducts, nil), "webhook": "https://plaid.com/webhook-test"})
			if obj(m["item"])["webhook"] != "https://plaid.com/webhook-test" {
				t.Errorf("%v", m)
			}
		}},
		{"item_test.go: /item/access_token/invalidate gives a new_access_token", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/item/access_token/invalidate", map[string]any{"access_token": f.item(t, "ins_109508", goProducts, nil)})
			if str(m["new_access_token"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"item_test.go: /item/public_token/exchange gives an access-sandbox- token and an item_id", func(t *testing.T, f *fidelityFixture) {
			pt := f.ok(t, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": goProducts})
			m := f.ok(t, "/item/public_token/exchange", map[string]any{"public_token": pt["public_token"]})
			if !strings.HasPrefix(str(m["access_token"]), "access-sandbox") || str(m["item_id"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"institutions_test.go: /institutions/get US, count 3 offset 4: three, named; with include_optional_metadata each has a url", func(t *testing.T, f *fidelityFixture) {
			for _, meta := range []bool{false, true} {
				m := f.ok(t, "/institutions/get", map[string]any{"count": 3, "offset": 4, "country_codes": []string{"US"},
					"options": map[string]any{"include_optional_metadata": meta}})
				insts := list(m["institutions"])
				if len(insts) != 3 {
					t.Errorf("include_optional_metadata %v: %d institutions, want 3", meta, len(insts))
				}
				for _, inst := range insts {
					if str(obj(inst)["name"]) == "" || (meta && str(obj(inst)["url"]) == "") {
						t.Errorf("include_optional_metadata %v: %v", meta, inst)
					}
				}
			}
		}},
		{"institutions_test.go: /institutions/get without country_codes is an error", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/get", map[string]any{"count": 2, "offset": -1, "options": map[string]any{}})
			if status == 200 {
				t.Errorf("%v", m)
			}
		}},
		{"institutions_test.go: /institutions/search Platypus US with transactions finds some; with include_optional_metadata each has a url", func(t *testing.T, f *fidelityFixture) {
			for _, meta := range []bool{false, true} {
				m := f.ok(t, "/institutions/search", map[string]any{"query": "Platypus", "country_codes": []string{"US"}, "products": []string{"transactions"},
					"options": map[string]any{"include_optional_metadata": meta}})
				insts := list(m["institutions"])
				if len(insts) == 0 {
					t.Errorf("include_optional_metadata %v: none", meta)
				}
				for _, inst := range insts {
					if meta && str(obj(inst)["url"]) == "" {
						t.Errorf("no url: %v", inst)
					}
				}
			}
		}},
		{"institutions_test.go: /institutions/search with an empty query and no country_codes is an error", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/search", map[string]any{"query": "", "products": []string{"transactions"}, "options": map[string]any{}})
			if status == 200 {
				t.Errorf("%v", m)
			}
		}},
		{"institutions_test.go: /institutions/get_by_id without country_codes (ins_-1) is an error", func(t *testing.T, f *fidelityFixture) {
			status, m := f.call(t, "/institutions/get_by_id", map[string]any{"institution_id": "ins_-1", "options": map[string]any{}})
			if status == 200 {
				t.Errorf("%v", m)
			}
		}},
		{"link_token_test.go: /link/token/create, required fields: link-sandbox token, expiration, request_id", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/link/token/create", map[string]any{"client_name": "Plaid Test", "language": "en", "country_codes": []string{"US"},
				"user": map[string]any{"client_user_id": "2026-12-06 17:00:00"}, "products": []string{"auth"}})
			if !strings.HasPrefix(str(m["link_token"]), "link-sandbox") || str(m["expiration"]) == "" || str(m["request_id"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"link_token_test.go: /link/token/create with ssn, link_customization_name default, webhook, account_filters; /link/token/get says them back", func(t *testing.T, f *fidelityFixture) {
			req := map[string]any{"client_name": "Plaid Test", "language": "en", "country_codes": []string{"US"},
				"user": map[string]any{"client_user_id": "u", "legal_name": "Legal Name", "phone_number": "2025550165",
					"phone_number_verified_time": "2026-12-06T17:00:00Z", "email_address": "test@email.com",
					"email_address_verified_time": "2026-12-06T17:00:00Z", "ssn": "123-22-1234"},
				"products": []string{"auth"}, "link_customization_name": "default", "webhook": "https://webhook-uri.com",
				"account_filters": map[string]any{"depository": map[string]any{"account_subtypes": []string{"checking", "savings"}}}}
			created := f.ok(t, "/link/token/create", req)
			m := f.ok(t, "/link/token/get", map[string]any{"link_token": created["link_token"]})
			md := obj(m["metadata"])
			if m["link_token"] != created["link_token"] || !jsonEqual(md["initial_products"], []string{"auth"}) || md["webhook"] != "https://webhook-uri.com" ||
				!jsonEqual(md["country_codes"], []string{"US"}) || md["language"] != "en" || md["client_name"] != "Plaid Test" ||
				str(m["expiration"]) == "" || str(m["created_at"]) == "" {
				t.Errorf("%v", m)
			}
		}},
		{"processor_test.go: /processor/token/create for dwolla gives a processor-sandbox token", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", goProducts, nil)
			accounts := f.ok(t, "/accounts/get", map[string]any{"access_token": access})
			m := f.ok(t, "/processor/token/create", map[string]any{"access_token": access, "account_id": accountIDs(accounts)[0], "processor": "dwolla"})
			if !strings.HasPrefix(str(m["processor_token"]), "processor-sandbox") {
				t.Errorf("%v", m)
			}
		}},
		{"sandbox_test.go: /sandbox/item/reset_login answers reset_login true", func(t *testing.T, f *fidelityFixture) {
			if m := f.ok(t, "/sandbox/item/reset_login", map[string]any{"access_token": f.item(t, "ins_109508", goProducts, nil)}); m["reset_login"] != true {
				t.Errorf("%v", m)
			}
		}},
		{"webhooks_test.go: the key has alg, created_at, crv, kid, kty, use, x, y (asked for by the emulator's own kid)", func(t *testing.T, f *fidelityFixture) {
			key := obj(f.ok(t, "/webhook_verification_key/get", map[string]any{"key_id": f.srv.webhooks().kid})["key"])
			for _, k := range []string{"alg", "created_at", "crv", "kid", "kty", "use", "x", "y"} {
				if !present(key[k]) || key[k] == 0.0 {
					t.Errorf("key.%s missing: %v", k, key)
				}
			}
		}},
		{"identity_test.go: /identity/get has accounts, each with owners", func(t *testing.T, f *fidelityFixture) {
			m := f.ok(t, "/identity/get", map[string]any{"access_token": f.item(t, "ins_109508", []string{"identity"}, nil)})
			if len(list(m["accounts"])) == 0 {
				t.Fatalf("%v", m)
			}
			for _, a := range list(m["accounts"]) {
				if len(list(obj(a)["owners"])) == 0 {
					t.Errorf("no owners: %v", a)
				}
			}
		}},
	})
}
