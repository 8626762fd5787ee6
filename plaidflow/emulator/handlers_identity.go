package emulator

// userGoodOwner is the account holder Sandbox reports for user_good, as the spec's example of
// /identity/get shows it: the name that Database Match and a client's own name checks compare.
var userGoodOwner = map[string]any{
	"names": []string{"Alberta Bobbeth Charleson"},
	"phone_numbers": []map[string]any{
		{"data": "2025550123", "primary": false, "type": "home"},
		{"data": "1112224444", "primary": false, "type": "work"},
		{"data": "1112225555", "primary": false, "type": "mobile"},
	},
	"emails": []map[string]any{
		{"data": "accountholder0@example.com", "primary": true, "type": "primary"},
		{"data": "accountholder1@example.com", "primary": false, "type": "secondary"},
		{"data": "extraordinarily.long.email.username.123456@reallylonghostname.com", "primary": false, "type": "other"},
	},
	"addresses": []map[string]any{
		{"data": map[string]any{"city": "Malakoff", "country": "US", "postal_code": "14236", "region": "NY",
			"street": "2992 Cameron Road"}, "primary": true},
		{"data": map[string]any{"city": "San Matias", "country": "US", "postal_code": "93405-2255", "region": "CA",
			"street": "2493 Leisure Lane"}, "primary": false},
	},
}

type identityAccountJSON struct {
	accountJSON
	Owners []map[string]any `json:"owners"`
}

type identityGetResponse struct {
	Accounts  []identityAccountJSON `json:"accounts"`
	Item      itemJSON              `json:"item"`
	RequestID string                `json:"request_id"`
}

// identityGet serves /identity/get: every account of the Item with its owner. Like /auth/get
// it bills the Item for identity the first time, and refuses an institution without it.
func (s *Server) identityGet(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, accounts, e := s.accountsOf(c)
	if e != nil {
		return nil, e
	}
	if !it.inst.supports("identity") {
		return nil, newError("PRODUCTS_NOT_SUPPORTED")
	}
	it.bill("identity")
	out := []identityAccountJSON{}
	for _, a := range accounts {
		owner := a.owner
		if owner == nil {
			owner = userGoodOwner
		}
		out = append(out, identityAccountJSON{accountJSON: a.json(it.inst.currency()), Owners: []map[string]any{owner}})
	}
	return identityGetResponse{Accounts: out, Item: it.json(), RequestID: c.requestID}, nil
}
