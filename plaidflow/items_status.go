package plaidflow

import (
	"context"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Reading a saved Item at Plaid: its status (/item/get) and its live balances.

// ItemStatus is what /item/get says about a saved Item, for `items status` and the Items screen.
type ItemStatus struct {
	Environment       string          `json:"environment"`
	Demo              bool            `json:"demo"`
	Item              vault.SavedItem `json:"saved"`
	ItemID            string          `json:"item_id"`
	InstitutionID     string          `json:"institution_id,omitempty"`
	InstitutionName   string          `json:"institution_name,omitempty"`
	Health            Health          `json:"health"`
	Error             *Problem        `json:"error"`
	BilledProducts    []string        `json:"billed_products"`
	AvailableProducts []string        `json:"available_products"`
	ConsentExpiration *time.Time      `json:"consent_expiration_time"`
	Webhook           *string         `json:"webhook"`
	UpdateType        string          `json:"update_type,omitempty"`
	RequestID         string          `json:"request_id"`
	FetchedAt         time.Time       `json:"fetched_at"`
}

// ItemStatus calls /item/get for a saved Item: health (item.error, which /item/get reports
// instead of failing), products billed and available, consent expiration and webhook. The
// health is recorded in the index. One round trip.
func (f *Flow) ItemStatus(ctx context.Context, ref string) (*ItemStatus, error) {
	c, it, err := callSaved(ctx, f, ref, f.Client.Item)
	if err != nil {
		return nil, err
	}
	st := &ItemStatus{
		Environment: string(f.Client.Config().Env), Demo: f.Client.Config().Demo,
		Item: c.item, ItemID: it.ItemID,
		InstitutionID: it.InstitutionID, InstitutionName: it.InstitutionName,
		BilledProducts: it.BilledProducts, AvailableProducts: it.AvailableProducts,
		ConsentExpiration: it.ConsentExpiration, Webhook: it.Webhook,
		UpdateType: it.UpdateType, RequestID: it.RequestID, FetchedAt: f.now(),
	}
	code := HealthOK
	if it.Error != nil {
		code = it.Error.Code
		p := Explain(&ItemError{Item: c.item, Err: it.Error, Voice: f.Voice()})
		st.Error = &p
	}
	if f.Vault != nil {
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, st.FetchedAt, code)
	}
	st.Health = HealthOf(code, c.item.Name, st.FetchedAt, f.Voice())
	return st, nil
}

// LiveBalances is what /accounts/balance/get returned for a saved Item, and when.
type LiveBalances struct {
	Environment string                `json:"environment"`
	Demo        bool                  `json:"demo"`
	ItemID      string                `json:"item_id"`
	ItemName    string                `json:"item_name"`
	Institution *plaidapi.Institution `json:"institution"`
	Accounts    []plaidapi.Account    `json:"accounts"`
	RequestID   string                `json:"request_id"`
	// FetchedAt is when Plaid answered: /accounts/balance/get asks the bank in real time.
	FetchedAt time.Time `json:"fetched_at"`
}

// Balances calls /accounts/balance/get for a saved Item: live balances, fetched from the bank
// now (unlike the cached ones of /auth/get). One round trip.
func (f *Flow) Balances(ctx context.Context, ref string) (*LiveBalances, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	accounts, requestID, err := f.Client.Balances(ctx, c.token)
	if err != nil {
		return nil, f.observe(c, err)
	}
	_ = f.observe(c, nil)
	b := &LiveBalances{
		Environment: string(f.Client.Config().Env), Demo: f.Client.Config().Demo,
		ItemID: c.item.ItemID, ItemName: c.item.Name, RequestID: requestID, FetchedAt: f.now(),
		Accounts: accounts,
	}
	if c.item.InstitutionID != "" {
		b.Institution = &plaidapi.Institution{ID: c.item.InstitutionID, Name: c.item.InstitutionName}
	}
	return b, nil
}
