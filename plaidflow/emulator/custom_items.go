package emulator

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// The Items of Sandbox's user_custom (https://plaid.com/docs/sandbox/user-custom/): the
// accounts, names, balances, numbers and owners the configuration gives, and for what it
// leaves out, values drawn from its seed ("If no seed is specified, the randomly generated
// data will be different each time").

// customAccounts are the accounts of a user_custom Item at inst.
func (s *Server) customAccounts(inst *institution, cfg *usercustom.Config) []*account {
	rng := s.seeded(cfg.Seed)
	overrides := cfg.Accounts
	if len(overrides) == 0 {
		// "Sending an empty object as a configuration will result in an account configured
		// with random balances": a checking and a savings account, so that Auth has numbers.
		overrides = []usercustom.Account{{Type: "depository", Subtype: "checking"}, {Type: "depository", Subtype: "savings"}}
	}
	// "the same name data will be used for all accounts associated with an Item"
	var names []string
	for _, o := range overrides {
		if o.Identity != nil && len(o.Identity.Names) > 0 {
			names = o.Identity.Names
			break
		}
	}
	out := make([]*account, 0, len(overrides))
	for _, o := range overrides {
		a := &account{id: s.plaidID(), currency: o.Currency}
		a.typ, a.subtype = o.Type, o.Subtype
		a.name = o.Meta.Name
		if a.name == "" {
			a.name = "Plaid " + titleCase(o.Subtype)
		}
		a.officialName = o.Meta.OfficialName
		a.limit = o.Meta.Limit
		current := o.StartingBalance
		if current == nil {
			current = amount(math.Round(rng.Float64()*1_000_000) / 100)
		}
		a.current = current
		switch {
		case o.ForceAvailableBalance != nil:
			a.available = amount(*o.ForceAvailableBalance)
		case o.NullAvailable:
		case o.Type == "depository":
			a.available = amount(*current)
		case o.Type == "credit" && a.limit != nil:
			a.available = amount(*a.limit - *current)
		}
		nb := o.Numbers
		a.custom = &nb
		a.mask = customMask(o, rng)
		a.owner = customOwner(o.Identity, names)
		out = append(out, a)
	}
	return out
}

// seeded is the random source of a configuration: the same seed gives the same values. With
// none, the emulator's own source (WithSeed's stream, or chance).
func (s *Server) seeded(seed string) *rand.Rand {
	if seed == "" {
		return s.rng()
	}
	h := fnv.New64a()
	h.Write([]byte(seed))
	return rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
}

// customMask is meta.mask when given (an empty one is no mask), else the last four characters
// of the account number, else four digits from the seed.
func customMask(o usercustom.Account, rng *rand.Rand) string {
	if o.Meta.MaskSet {
		return o.Meta.Mask
	}
	acct := o.Numbers.Account
	if acct == "" {
		acct = o.Numbers.IBAN
	}
	if len(acct) >= 4 {
		return acct[len(acct)-4:]
	}
	return fmt.Sprintf("%04d", rng.IntN(10000))
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// customOwner is the owner /identity/get reports: what the configuration gives, and Sandbox's
// default owner for the rest ("Any fields not specified will be filled in with default
// Sandbox information").
func customOwner(o *usercustom.Owner, itemNames []string) map[string]any {
	owner := map[string]any{}
	for k, v := range userGoodOwner {
		owner[k] = v
	}
	if len(itemNames) > 0 {
		owner["names"] = itemNames
	}
	if o == nil {
		return owner
	}
	contacts := func(list []usercustom.Contact, defaultType string) []map[string]any {
		out := []map[string]any{}
		for _, c := range list {
			t := c.Type
			if t == "" {
				t = defaultType
			}
			out = append(out, map[string]any{"data": c.Data, "primary": c.Primary, "type": t})
		}
		return out
	}
	if len(o.PhoneNumbers) > 0 {
		owner["phone_numbers"] = contacts(o.PhoneNumbers, "mobile")
	}
	if len(o.Emails) > 0 {
		owner["emails"] = contacts(o.Emails, "primary")
	}
	if len(o.Addresses) > 0 {
		var addrs []map[string]any
		for _, ad := range o.Addresses {
			addrs = append(addrs, map[string]any{"data": map[string]any{"city": nullable(ad.City), "country": nullable(ad.Country),
				"postal_code": nullable(ad.PostalCode), "region": nullable(ad.Region), "street": ad.Street}, "primary": ad.Primary})
		}
		owner["addresses"] = addrs
	}
	return owner
}

// customNumbers adds a user_custom account's numbers to n: each family the configuration
// gives, or, when it gives none, the institution's families with the configured account
// number (or one derived from the mask).
func customNumbers(n *numbersJSON, inst *institution, a *account) {
	nb := a.custom
	given := nb.ACHRouting != "" || nb.EFTInstitution != "" || nb.IBAN != "" || nb.BACSSortCode != ""
	acct := func(derived string) string {
		switch {
		case nb.Account != "":
			return nb.Account
		case nb.IBAN != "":
			return nb.IBAN // "will also be used as the account number by default"
		}
		return derived
	}
	mask := a.mask
	if mask == "" {
		mask = "0000"
	}
	if nb.ACHRouting != "" || (!given && inst.country == "US") {
		routing, wire := nb.ACHRouting, nb.ACHWireRouting
		if routing == "" {
			routing = sandboxRouting
		}
		if wire == "" && nb.ACHRouting == "" {
			wire = sandboxWireRouting
		}
		n.ACH = append(n.ACH, achJSON{Account: acct(achAccount(mask)), AccountID: a.id, Routing: routing, WireRouting: nullable(wire)})
	}
	if nb.EFTInstitution != "" || (!given && inst.country == "CA") {
		in, br := nb.EFTInstitution, nb.EFTBranch
		if in == "" {
			in, br = inst.eftInstitution, inst.eftBranch
		}
		n.EFT = append(n.EFT, eftJSON{Account: acct(eftAccount(mask)), AccountID: a.id, Branch: br, Institution: in})
	}
	if nb.IBAN != "" || (!given && inst.country == "GB") {
		ib, bic := nb.IBAN, nb.InternationalBIC
		if ib == "" {
			ib, bic = iban("GB", inst.bankCode, inst.sortCode, bacsAccount(mask)), inst.bic
		}
		n.International = append(n.International, internationalJSON{AccountID: a.id, BIC: bic, IBAN: ib})
	}
	if nb.BACSSortCode != "" || (!given && inst.country == "GB") {
		sc := nb.BACSSortCode
		if sc == "" {
			sc = inst.sortCode
		}
		account := nb.Account
		if account == "" {
			account = bacsAccount(mask)
		}
		n.BACS = append(n.BACS, bacsJSON{Account: account, AccountID: a.id, SortCode: sc})
	}
}
