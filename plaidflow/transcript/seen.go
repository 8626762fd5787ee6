package transcript

import (
	"encoding/json"
	"regexp"
	"slices"
	"time"
)

// What a transcript saw of the Items of a session, for rebuilding them in the emulator
// (`plaid-onboard emulator --from-transcript`): each Item's id, institution and accounts as
// Link's metadata described them, the settings it was made with, and the errors Plaid answered,
// in order. A transcript holds no account numbers and no balances: whoever rebuilds an Item makes
// those up and says so.

// Seen is what a transcript saw.
type Seen struct {
	Items []SeenItem
	// Unscoped are the errors of calls that name no Item (making one: /sandbox/public_token/
	// create, /item/public_token/exchange, /link/token/create), in order.
	Unscoped []SeenError
	// Settings are the last session's settings; Demo is true when a session ran in the demo.
	Settings Settings
	Demo     bool
}

// SeenItem is one Item of the transcript.
type SeenItem struct {
	// ItemID is "" for an Item the transcript's answers never named (a saved Item whose only
	// call failed: Plaid's error bodies carry no item_id).
	ItemID          string
	InstitutionID   string
	InstitutionName string
	// Accounts are Link's metadata's accounts; nil when Link's callbacks were not recorded
	// (a Sandbox shortcut, a saved Item), and then AccountIDs are the ids Plaid's answers listed.
	Accounts   []SeenAccount
	AccountIDs []string
	Errors     []SeenError
}

// SeenAccount is an account as Link's onSuccess metadata described it.
type SeenAccount struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Mask               string `json:"mask"`
	Type               string `json:"type"`
	Subtype            string `json:"subtype"`
	VerificationStatus string `json:"verification_status"`
}

// SeenError is an error Plaid answered. Before counts the calls to the same endpoint for the
// same Item (answered ones, whatever their outcome) that came before it: "the second /auth/get
// failed" is Before 1.
type SeenError struct {
	Endpoint     string
	Before       int
	HTTPStatus   int
	ErrorType    string
	ErrorCode    string
	ErrorMessage string
	RequestID    string
	Time         time.Time
}

// itemEndpoints are the endpoints whose call names an Item by its access token: an error they
// answer is about that Item, though the error body does not say which.
var itemEndpoints = []string{"/auth/get", "/accounts/get", "/accounts/balance/get", "/item/get", "/item/remove",
	"/identity/get", "/item/webhook/update", "/item/access_token/invalidate", "/processor/token/create",
	"/processor/stripe/bank_account_token/create", "/sandbox/item/reset_login", "/sandbox/item/fire_webhook",
	"/sandbox/item/set_verification_status", "/transactions/sync", "/transactions/get"}

// institutionInDetail finds "(ins_…)" in a step's detail ("institution First Platypus Bank
// (ins_109508) · user_good").
var institutionInDetail = regexp.MustCompile(`\((ins_[0-9]+)\)`)

// SeenIn reads what entries saw. An error of an Item endpoint is the Item's whose id the
// transcript named last before it; with none named yet, an Item with no id stands for it.
func SeenIn(entries []Entry) Seen {
	var seen Seen
	byID := map[string]int{}
	current := -1
	calls := map[int]map[string]int{} // per Item (index), per endpoint: the answered calls so far
	unscopedCalls := map[string]int{}
	itemAt := func(id string) int {
		if i, ok := byID[id]; ok {
			return i
		}
		if id != "" && current >= 0 && seen.Items[current].ItemID == "" {
			// The Item that stood in for an unnamed one is this one.
			seen.Items[current].ItemID = id
			byID[id] = current
			return current
		}
		seen.Items = append(seen.Items, SeenItem{ItemID: id})
		i := len(seen.Items) - 1
		if id != "" {
			byID[id] = i
		}
		calls[i] = map[string]int{}
		return i
	}
	for _, e := range entries {
		switch e.Kind {
		case KindSession:
			if e.Settings != nil {
				seen.Settings = *e.Settings
			}
			seen.Demo = seen.Demo || e.Demo
		case KindLinkSuccess:
			var meta struct {
				Institution *struct {
					Name string `json:"name"`
					ID   string `json:"institution_id"`
				} `json:"institution"`
				Accounts []SeenAccount `json:"accounts"`
			}
			if json.Unmarshal(e.Metadata, &meta) != nil {
				continue
			}
			// onSuccess comes before the exchange names the Item: it describes the next one.
			i := len(seen.Items)
			seen.Items = append(seen.Items, SeenItem{Accounts: meta.Accounts})
			calls[i] = map[string]int{}
			if meta.Institution != nil {
				seen.Items[i].InstitutionID, seen.Items[i].InstitutionName = meta.Institution.ID, meta.Institution.Name
			}
			current = i
		case KindStep:
			if m := institutionInDetail.FindStringSubmatch(e.Detail); m != nil && current >= 0 && seen.Items[current].InstitutionID == "" {
				seen.Items[current].InstitutionID = m[1]
			}
		case KindAPICall:
			if e.HTTPStatus == 0 {
				continue // not answered: Plaid never saw it, or its answer was lost
			}
			scoped := slices.Contains(itemEndpoints, e.Endpoint)
			if e.ItemID != "" {
				current = itemAt(e.ItemID)
				scoped = true
			} else if scoped && current < 0 {
				current = itemAt("")
			}
			if !scoped {
				if e.ErrorCode != "" {
					seen.Unscoped = append(seen.Unscoped, seenError(e, unscopedCalls[e.Endpoint]))
				}
				unscopedCalls[e.Endpoint]++
				continue
			}
			it := &seen.Items[current]
			if it.Accounts == nil && len(e.AccountIDs) > len(it.AccountIDs) {
				it.AccountIDs = slices.Clone(e.AccountIDs)
			}
			if e.ErrorCode != "" {
				it.Errors = append(it.Errors, seenError(e, calls[current][e.Endpoint]))
			}
			calls[current][e.Endpoint]++
		}
	}
	for i := range seen.Items {
		if seen.Items[i].InstitutionID == "" {
			seen.Items[i].InstitutionID = seen.Settings.Institution
		}
	}
	return seen
}

func seenError(e Entry, before int) SeenError {
	return SeenError{Endpoint: e.Endpoint, Before: before, HTTPStatus: e.HTTPStatus, ErrorType: e.ErrorType,
		ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage, RequestID: e.RequestID, Time: e.Time}
}
