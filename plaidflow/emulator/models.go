package emulator

import (
	"cmp"
	"slices"
)

// JSON shapes of the answers, field for field as Plaid writes them. Nullable fields are
// pointers without omitempty, so that they are sent as null: Plaid's schemas require them to
// be present even when they have no value.

type balancesJSON struct {
	Available              *float64 `json:"available"`
	Current                *float64 `json:"current"`
	ISOCurrencyCode        *string  `json:"iso_currency_code"`
	Limit                  *float64 `json:"limit"`
	UnofficialCurrencyCode *string  `json:"unofficial_currency_code"`
}

type accountJSON struct {
	AccountID      string       `json:"account_id"`
	Balances       balancesJSON `json:"balances"`
	HolderCategory string       `json:"holder_category"`
	Mask           *string      `json:"mask"`
	Name           string       `json:"name"`
	OfficialName   *string      `json:"official_name"`
	Subtype        *string      `json:"subtype"`
	Type           string       `json:"type"`
	// The Auth verification flows' fields (authflows.go), absent for Instant Auth.
	VerificationStatus   *string                   `json:"verification_status,omitempty"`
	VerificationName     *string                   `json:"verification_name,omitempty"`
	VerificationInsights *verificationInsightsJSON `json:"verification_insights,omitempty"`
}

type itemJSON struct {
	AuthMethod            *string    `json:"auth_method"`
	AvailableProducts     []string   `json:"available_products"`
	BilledProducts        []string   `json:"billed_products"`
	ConsentedProducts     []string   `json:"consented_products,omitempty"`
	ConsentExpirationTime *string    `json:"consent_expiration_time"`
	CreatedAt             string     `json:"created_at,omitempty"`
	Error                 *errorBody `json:"error"`
	InstitutionID         *string    `json:"institution_id"`
	InstitutionName       *string    `json:"institution_name"`
	ItemID                string     `json:"item_id"`
	Products              []string   `json:"products"`
	UpdateType            string     `json:"update_type"`
	Webhook               *string    `json:"webhook"`
}

type numbersJSON struct {
	ACH           []achJSON           `json:"ach"`
	BACS          []bacsJSON          `json:"bacs"`
	EFT           []eftJSON           `json:"eft"`
	International []internationalJSON `json:"international"`
}

type achJSON struct {
	Account                  string  `json:"account"`
	AccountID                string  `json:"account_id"`
	IsTokenizedAccountNumber bool    `json:"is_tokenized_account_number"`
	Routing                  string  `json:"routing"`
	WireRouting              *string `json:"wire_routing"`
}

type eftJSON struct {
	Account     string `json:"account"`
	AccountID   string `json:"account_id"`
	Branch      string `json:"branch"`
	Institution string `json:"institution"`
}

type internationalJSON struct {
	AccountID string `json:"account_id"`
	BIC       string `json:"bic"`
	IBAN      string `json:"iban"`
}

type bacsJSON struct {
	Account   string `json:"account"`
	AccountID string `json:"account_id"`
	SortCode  string `json:"sort_code"`
}

// currencyCode is the account's ISO currency.
func (a accountJSON) currencyCode() string {
	if a.Balances.ISOCurrencyCode == nil {
		return ""
	}
	return *a.Balances.ISOCurrencyCode
}

func ptr[T any](v T) *T { return &v }

// nullable turns "" into null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *account) json(currency string) accountJSON {
	if a.currency != "" {
		currency = a.currency
	}
	return accountJSON{
		AccountID: a.id,
		Balances: balancesJSON{
			Available:       a.available,
			Current:         a.current,
			ISOCurrencyCode: ptr(currency),
			Limit:           a.limit,
		},
		HolderCategory:       "personal",
		Mask:                 nullable(a.mask),
		Name:                 a.name,
		OfficialName:         nullable(a.officialName),
		Subtype:              ptr(a.subtype),
		Type:                 a.typ,
		VerificationStatus:   nullable(a.verificationStatus),
		VerificationName:     nullable(a.verificationName),
		VerificationInsights: a.insights,
	}
}

func (it *item) json() itemJSON {
	j := itemJSON{
		AvailableProducts: it.availableProducts(),
		BilledProducts:    slices.Clone(it.billed),
		InstitutionID:     ptr(it.inst.id),
		InstitutionName:   ptr(it.inst.name),
		ItemID:            it.id,
		Products:          slices.Clone(it.billed),
		UpdateType:        "background",
		// An Item without a webhook has "" there, not null, in Sandbox's recorded answers
		// (plaid-ruby's test/vcr_cassettes, every /item/get).
		Webhook: cmp.Or(it.webhook, ptr("")),
	}
	if slices.Contains(it.billed, "auth") {
		j.AuthMethod = ptr("INSTANT_AUTH")
	}
	if it.authMethod != "" {
		j.AuthMethod = ptr(it.authMethod)
	}
	return j
}

// accountsJSON lists accounts in Plaid's shape.
func accountsJSON(inst *institution, accounts []*account) []accountJSON {
	out := make([]accountJSON, 0, len(accounts))
	for _, a := range accounts {
		out = append(out, a.json(inst.currency()))
	}
	return out
}

// numbers returns the account numbers of the accounts, in the families of the institution's
// country; the other families are empty arrays, as Plaid sends them.
func numbers(inst *institution, accounts []*account) numbersJSON {
	n := numbersJSON{ACH: []achJSON{}, BACS: []bacsJSON{}, EFT: []eftJSON{}, International: []internationalJSON{}}
	for _, a := range accounts {
		if a.custom != nil {
			customNumbers(&n, inst, a)
			continue
		}
		switch inst.country {
		case "US":
			ach := achJSON{Account: achAccount(a.mask), AccountID: a.id,
				Routing: sandboxRouting, WireRouting: ptr(sandboxWireRouting)}
			if a.manualAccount != "" { // typed in Link (authflows.go): Plaid returns those
				ach.Account, ach.Routing, ach.WireRouting = a.manualAccount, a.manualRouting, nil
			}
			n.ACH = append(n.ACH, ach)
		case "CA":
			n.EFT = append(n.EFT, eftJSON{Account: eftAccount(a.mask), AccountID: a.id,
				Branch: inst.eftBranch, Institution: inst.eftInstitution})
		case "GB":
			n.BACS = append(n.BACS, bacsJSON{Account: bacsAccount(a.mask), AccountID: a.id, SortCode: inst.sortCode})
			n.International = append(n.International, internationalJSON{AccountID: a.id, BIC: inst.bic,
				IBAN: iban("GB", inst.bankCode, inst.sortCode, bacsAccount(a.mask))})
		}
	}
	return n
}
