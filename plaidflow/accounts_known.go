package plaidflow

import "slices"

// KnownAccount is what the index remembers of an account: enough to find it again by id, mask
// or name, and nothing that moves money (no account or routing numbers, no balances).
type KnownAccount struct {
	ID   string  `json:"account_id"`
	Name string  `json:"name"`
	Mask *string `json:"mask,omitempty"`
}

func knownAccounts(as []Account) []KnownAccount {
	out := make([]KnownAccount, 0, len(as))
	for _, a := range as {
		out = append(out, KnownAccount{ID: a.ID, Name: a.Name, Mask: a.Mask})
	}
	return out
}

func (k KnownAccount) account() Account { return Account{ID: k.ID, Name: k.Name, Mask: k.Mask} }

func sameAccounts(a, b []KnownAccount) bool {
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

// rememberAccounts keeps the accounts a call listed for the Item, writing the index only when
// they changed: most runs see the same accounts as the last one.
func (f *Flow) rememberAccounts(item *SavedItem, accounts []Account) {
	if f.Vault == nil || item.ItemID == "" {
		return
	}
	known := knownAccounts(accounts)
	if sameAccounts(item.Accounts, known) {
		return
	}
	if f.Vault.SetAccounts(item.Namespace, item.ItemID, known) == nil {
		item.Accounts = known
	}
}
