package vault

import "slices"

// KnownAccount is what the index remembers of an account: enough to find it again by id, mask
// or name, and nothing that moves money (no account or routing numbers, no balances).
type KnownAccount struct {
	ID   string  `json:"account_id"`
	Name string  `json:"name"`
	Mask *string `json:"mask,omitempty"`
}

// SameAccounts reports whether two lists name the same accounts in the same order, so the index
// is written only when what Plaid listed changed.
func SameAccounts(a, b []KnownAccount) bool {
	return slices.EqualFunc(a, b, func(x, y KnownAccount) bool {
		return x.ID == y.ID && x.Name == y.Name && (x.Mask == nil) == (y.Mask == nil) && (x.Mask == nil || *x.Mask == *y.Mask)
	})
}

// SetAccounts records the accounts Plaid listed for a saved Item. An Item no longer in the index
// is ignored.
func (v *Vault) SetAccounts(ns, itemID string, accounts []KnownAccount) error {
	return v.update(func(ix *index) {
		for i := range ix.Items {
			if it := &ix.Items[i]; it.Namespace == ns && it.ItemID == itemID {
				it.Accounts = slices.Clone(accounts)
			}
		}
	})
}
