package emulator

import (
	"strings"
	"testing"
)

// plaid/plaid-postman "Plaid API Endpoints Collection.json" (its last version, 6521355): the
// collection has no assertions of its own; what it relies on is that Sandbox takes each of its
// requests as written (keys in the body, not in headers) and that the fields its scripts read
// for the next request are there (link_token, public_token, access_token,
// accounts[0].account_id, processor_token). Its Items are at ins_3, a Production institution
// the emulator does not know (a known difference): these checks use ins_109508 there. Its
// "Create Item Custom" request (user_custom with force_error) is left out: it asks for a login
// that fails, which the emulator answers with that error as Plaid's user_custom docs describe,
// and the collection asserts nothing about it.

// postmanKeys are the collection's {{client_id}} and {{secret_key}}, sent in the body.
func postmanBody(fields map[string]any) map[string]any {
	fields["client_id"], fields["secret"] = DemoClientID, DemoSecret
	return fields
}

// postmanCall posts a body with the keys in it and no key headers, as the collection does.
func (f *fidelityFixture) postmanCall(t *testing.T, path string, body map[string]any) (int, map[string]any) {
	t.Helper()
	h := jsonHeaders()
	h.Del("Plaid-Client-Id")
	h.Del("Plaid-Secret")
	a := rawRequest(t, f.srv, "POST", path, h, []byte(mustJSON(postmanBody(body))))
	return a.status, a.decode(t)
}

func (f *fidelityFixture) postmanOK(t *testing.T, path string, body map[string]any) map[string]any {
	t.Helper()
	status, m := f.postmanCall(t, path, body)
	if status != 200 {
		t.Fatalf("%s: HTTP %d %v", path, status, m)
	}
	return m
}

func TestFidelityPlaidPostman(t *testing.T) {
	runFidelity(t, []fidelityCheck{
		{"Create Link Token: link_token for the next request", func(t *testing.T, f *fidelityFixture) {
			m := f.postmanOK(t, "/link/token/create", map[string]any{"client_name": "Insert Client name here", "country_codes": []string{"US"},
				"language": "en", "user": map[string]any{"client_user_id": "unique_user_id"}, "products": []string{"auth"}})
			if !strings.HasPrefix(str(m["link_token"]), "link-sandbox-") {
				t.Fatalf("%v", m)
			}
			if got := f.postmanOK(t, "/link/token/get", map[string]any{"link_token": m["link_token"]}); got["link_token"] != m["link_token"] {
				t.Errorf("Get existing Link Token: %v", got)
			}
		}},
		{"Create Item, Exchange Token, Retrieve an Item's Accounts, Create processor token: each reads the last one's field", func(t *testing.T, f *fidelityFixture) {
			pt := f.postmanOK(t, "/sandbox/public_token/create", map[string]any{"institution_id": "ins_109508", "initial_products": []string{"auth"},
				"options": map[string]any{"webhook": "https://www.genericwebhookurl.com/webhook"}})
			ex := f.postmanOK(t, "/item/public_token/exchange", map[string]any{"public_token": pt["public_token"]})
			accounts := f.postmanOK(t, "/accounts/get", map[string]any{"access_token": ex["access_token"]})
			accountID := str(obj(list(accounts["accounts"])[0])["account_id"])
			proc := f.postmanOK(t, "/processor/token/create", map[string]any{"access_token": ex["access_token"], "account_id": accountID, "processor": "dwolla"})
			if str(proc["processor_token"]) == "" {
				t.Errorf("%v", proc)
			}
			f.postmanOK(t, "/processor/stripe/bank_account_token/create", map[string]any{"access_token": ex["access_token"], "account_id": accountID})
		}},
		{"Create Link Token - Update Mode: an access_token and no products", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, nil)
			f.postmanOK(t, "/link/token/create", map[string]any{"client_name": "Insert Client name here", "country_codes": []string{"US"},
				"language": "en", "user": map[string]any{"client_user_id": "unique_user_id"}, "access_token": access})
		}},
		{"Retrieve Item, Auth, Balance, Identity; Rotate Access Token; Simulate ITEM_LOGIN_REQUIRED; Fire Webhook; Remove Item", func(t *testing.T, f *fidelityFixture) {
			access := f.item(t, "ins_109508", []string{"auth"}, map[string]any{"webhook": "https://www.genericwebhookurl.com/webhook"})
			for _, path := range []string{"/item/get", "/auth/get", "/accounts/balance/get", "/identity/get"} {
				f.postmanOK(t, path, map[string]any{"access_token": access})
			}
			access = str(f.postmanOK(t, "/item/access_token/invalidate", map[string]any{"access_token": access})["new_access_token"])
			f.postmanOK(t, "/sandbox/item/fire_webhook", map[string]any{"access_token": access, "webhook_code": "DEFAULT_UPDATE"})
			f.postmanOK(t, "/sandbox/item/reset_login", map[string]any{"access_token": access})
			f.postmanOK(t, "/item/remove", map[string]any{"access_token": access})
		}},
		{"Search Institution by Name (delta schools, US, auth) and Retrieve Institution List (count 200)", func(t *testing.T, f *fidelityFixture) {
			m := f.postmanOK(t, "/institutions/search", map[string]any{"query": "delta schools", "country_codes": []string{"US"}, "products": []string{"auth"}})
			if _, ok := m["institutions"].([]any); !ok {
				t.Errorf("%v", m)
			}
			m = f.postmanOK(t, "/institutions/get", map[string]any{"count": 200, "offset": 0, "country_codes": []string{"US"}})
			if len(list(m["institutions"])) == 0 {
				t.Errorf("%v", m)
			}
		}},
		{"Create a Sandbox test Item and processor token: user_good, pass_good", func(t *testing.T, f *fidelityFixture) {
			m := f.postmanOK(t, "/sandbox/processor_token/create", map[string]any{"institution_id": "ins_109508",
				"options": map[string]any{"override_username": "user_good", "override_password": "pass_good"}})
			if !strings.HasPrefix(str(m["processor_token"]), "processor-sandbox-") {
				t.Errorf("%v", m)
			}
		}},
	})
}
