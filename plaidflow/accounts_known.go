package plaidflow

import (
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

func knownAccounts(as []plaidapi.Account) []vault.KnownAccount {
	out := make([]vault.KnownAccount, 0, len(as))
	for _, a := range as {
		out = append(out, vault.KnownAccount{ID: a.ID, Name: present.Name(a.Name), Mask: a.Mask})
	}
	return out
}

// accountOf is what the index knows of an account, as an Account.
func accountOf(k vault.KnownAccount) plaidapi.Account {
	return plaidapi.Account{ID: k.ID, Name: k.Name, Mask: k.Mask}
}

// rememberAccounts keeps the accounts a call listed for the Item, writing the index only when
// they changed: most runs see the same accounts as the last one.
func (f *Flow) rememberAccounts(item *vault.SavedItem, accounts []plaidapi.Account) {
	if f.Vault == nil || item.ItemID == "" {
		return
	}
	known := knownAccounts(accounts)
	if vault.SameAccounts(item.Accounts, known) {
		return
	}
	if f.Vault.SetAccounts(item.Namespace, item.ItemID, known) == nil {
		item.Accounts = known
	}
}
