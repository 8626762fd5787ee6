package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// The persisted state: what `plaid-onboard emulator --state FILE` and the offline demo keep
// between processes. It is the emulator's own memory written down (Items with their accounts,
// numbers, balances and verification, the tokens issued and when, link tokens still live, the
// clock's advance, the seed's position), not the view GET /_emulator/state shows a person: a
// later emulator must be able to answer exactly as this one would have.

// SnapshotFormat names the file's kind, so that another JSON file given as --state is refused
// rather than read as an empty state.
const SnapshotFormat = "plaid-onboard emulator state"

// SnapshotVersion is the version of the persisted form this emulator writes and the newest it
// reads. A newer one is refused: fields it does not know could hold state it would drop.
const SnapshotVersion = 1

// Snapshot is the emulator's whole state, in the form it is saved in.
type Snapshot struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	SavedAt string `json:"saved_at,omitempty"`
	// ClockOffset is how far /_emulator/clock/advance moved the clock (a Go duration).
	ClockOffset string           `json:"clock_offset,omitempty"`
	Seed        *seedState       `json:"seed,omitempty"`
	Items       []ItemSnapshot   `json:"items"`
	LinkTokens  []linkTokenState `json:"link_tokens,omitempty"`
	// PublicTokens are the ones not yet exchanged nor expired.
	PublicTokens []publicTokenState `json:"public_tokens,omitempty"`
}

// ItemSnapshot is one Item. The demo merges Items by ID, so that two demo processes saving at
// once keep each other's.
type ItemSnapshot struct {
	ID            string            `json:"item_id"`
	InstitutionID string            `json:"institution_id"`
	AccessToken   string            `json:"access_token,omitempty"`
	Created       string            `json:"created_at"`
	Billed        []string          `json:"billed_products"`
	Webhook       *string           `json:"webhook,omitempty"`
	LoginRequired bool              `json:"login_required,omitempty"`
	AuthMethod    string            `json:"auth_method,omitempty"`
	Accounts      []AccountSnapshot `json:"accounts"`
	// Linked are the ids of the accounts the Item shares, in order; the others were offered
	// by the login (update mode's Account Select shows them) but not picked.
	Linked []string `json:"linked_accounts"`
	// Fixture is the fixture file the Item came from: a restart with the same --fixtures keeps
	// the saved Item instead of declaring it again.
	Fixture string `json:"fixture,omitempty"`
}

// AccountSnapshot is one account, every field /accounts/get, /auth/get and /identity/get read.
type AccountSnapshot struct {
	ID                 string           `json:"account_id"`
	Name               string           `json:"name"`
	OfficialName       string           `json:"official_name,omitempty"`
	Type               string           `json:"type"`
	Subtype            string           `json:"subtype"`
	Mask               string           `json:"mask,omitempty"`
	Available          *float64         `json:"available"`
	Current            *float64         `json:"current"`
	Limit              *float64         `json:"limit"`
	Currency           string           `json:"currency,omitempty"`
	VerificationStatus string           `json:"verification_status,omitempty"`
	VerificationName   string           `json:"verification_name,omitempty"`
	Insights           json.RawMessage  `json:"verification_insights,omitempty"`
	ManualRouting      string           `json:"manual_routing,omitempty"`
	ManualAccount      string           `json:"manual_account,omitempty"`
	CodeAttempts       int              `json:"code_attempts,omitempty"`
	Numbers            *numbersSnapshot `json:"numbers,omitempty"`
	Owner              json.RawMessage  `json:"owner,omitempty"`
}

// numbersSnapshot is user_custom's numbers of an account.
type numbersSnapshot struct {
	Account          string `json:"account,omitempty"`
	ACHRouting       string `json:"ach_routing,omitempty"`
	ACHWireRouting   string `json:"ach_wire_routing,omitempty"`
	EFTInstitution   string `json:"eft_institution,omitempty"`
	EFTBranch        string `json:"eft_branch,omitempty"`
	InternationalBIC string `json:"international_bic,omitempty"`
	IBAN             string `json:"iban,omitempty"`
	BACSSortCode     string `json:"bacs_sort_code,omitempty"`
}

type linkTokenState struct {
	Token            string          `json:"link_token"`
	Created          string          `json:"created_at"`
	Expires          string          `json:"expiration"`
	ClientName       string          `json:"client_name"`
	Language         string          `json:"language"`
	CountryCodes     []string        `json:"country_codes"`
	Products         []string        `json:"products"`
	ItemID           string          `json:"item_id,omitempty"`
	AccountSelection bool            `json:"account_selection_enabled,omitempty"`
	RedirectURI      string          `json:"redirect_uri,omitempty"`
	Webhook          string          `json:"webhook,omitempty"`
	Auth             linkAuthOptions `json:"auth"`
}

type publicTokenState struct {
	Token   string `json:"public_token"`
	ItemID  string `json:"item_id"`
	Created string `json:"created_at"`
}

// ErrSnapshotVersion is returned for a state file written by a newer plaid-onboard.
var ErrSnapshotVersion = errors.New("the state file was written by a newer plaid-onboard")

// ParseSnapshot reads a state file's bytes; source names it in errors.
func ParseSnapshot(source string, data []byte) (Snapshot, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.Format != SnapshotFormat {
		return Snapshot{}, fmt.Errorf("%s is not an emulator state file (it has no \"format\": %q): give a file the emulator saved, or a path where none is yet", source, SnapshotFormat)
	}
	if head.Version > SnapshotVersion || head.Version < 1 {
		return Snapshot{}, fmt.Errorf("%s: %w (state format version %d; this one reads versions 1 to %d): use that plaid-onboard, or another --state file",
			source, ErrSnapshotVersion, head.Version, SnapshotVersion)
	}
	var snap Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a field of the same version we do not know is a damaged file
	if err := dec.Decode(&snap); err != nil {
		return Snapshot{}, fmt.Errorf("%s is damaged: %v", source, err)
	}
	return snap, nil
}

// Marshal is the file's bytes.
func (snap Snapshot) Marshal() []byte {
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		panic("emulator: encode the state: " + err.Error())
	}
	return append(b, '\n')
}

// WithoutSecrets is the snapshot without its tokens (access, link and public): what the
// offline demo writes to its shared file, since its access tokens are kept in the OS keyring
// and the ItemResolver finds them there.
func (snap Snapshot) WithoutSecrets() Snapshot {
	out := snap
	out.Items = slices.Clone(snap.Items)
	for i := range out.Items {
		out.Items[i].AccessToken = ""
	}
	out.LinkTokens, out.PublicTokens = nil, nil
	return out
}

// Snapshot is the emulator's state now.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	snap := Snapshot{Format: SnapshotFormat, Version: SnapshotVersion, SavedAt: rfc3339(time.Now()), Items: []ItemSnapshot{}}
	if off := time.Duration(s.clockOffset.Load()); off != 0 {
		snap.ClockOffset = off.String()
	}
	if s.ids != nil {
		snap.Seed = s.ids.state()
	}
	for _, it := range s.items {
		snap.Items = append(snap.Items, it.snapshot())
	}
	slices.SortFunc(snap.Items, func(a, b ItemSnapshot) int {
		return strings.Compare(a.Created+a.ID, b.Created+b.ID)
	})
	for _, lt := range s.linkTokens {
		if !now.Before(lt.expires) {
			continue
		}
		snap.LinkTokens = append(snap.LinkTokens, linkTokenState{Token: lt.token, Created: rfc3339(lt.created), Expires: rfc3339(lt.expires),
			ClientName: lt.clientName, Language: lt.language, CountryCodes: lt.countryCodes, Products: lt.products, ItemID: lt.itemID,
			AccountSelection: lt.accountSelection, RedirectURI: lt.redirectURI, Webhook: lt.webhook, Auth: lt.auth})
	}
	slices.SortFunc(snap.LinkTokens, func(a, b linkTokenState) int { return strings.Compare(a.Created+a.Token, b.Created+b.Token) })
	for tok, pt := range s.publicTokens {
		if pt.used || !now.Before(pt.created.Add(publicTokenLifetime)) {
			continue
		}
		snap.PublicTokens = append(snap.PublicTokens, publicTokenState{Token: tok, ItemID: pt.itemID, Created: rfc3339(pt.created)})
	}
	slices.SortFunc(snap.PublicTokens, func(a, b publicTokenState) int { return strings.Compare(a.Created+a.Token, b.Created+b.Token) })
	return snap
}

func (it *item) snapshot() ItemSnapshot {
	out := ItemSnapshot{ID: it.id, InstitutionID: it.inst.id, AccessToken: it.accessToken, Created: rfc3339(it.created),
		Billed: slices.Clone(it.billed), LoginRequired: it.loginRequired, AuthMethod: it.authMethod, Fixture: it.fixture,
		Linked: []string{}}
	if it.webhook != nil {
		out.Webhook = ptr(*it.webhook)
	}
	all := slices.Clone(it.offered)
	for _, a := range it.accounts {
		out.Linked = append(out.Linked, a.id)
		if !slices.Contains(all, a) {
			all = append(all, a)
		}
	}
	for _, a := range all {
		out.Accounts = append(out.Accounts, a.snapshot())
	}
	return out
}

func (a *account) snapshot() AccountSnapshot {
	out := AccountSnapshot{ID: a.id, Name: a.name, OfficialName: a.officialName, Type: a.typ, Subtype: a.subtype, Mask: a.mask,
		Available: a.available, Current: a.current, Limit: a.limit, Currency: a.currency,
		VerificationStatus: a.verificationStatus, VerificationName: a.verificationName,
		ManualRouting: a.manualRouting, ManualAccount: a.manualAccount, CodeAttempts: a.codeAttempts}
	if a.insights != nil {
		out.Insights = mustJSON(a.insights)
	}
	if a.custom != nil {
		n := a.custom
		out.Numbers = &numbersSnapshot{Account: n.Account, ACHRouting: n.ACHRouting, ACHWireRouting: n.ACHWireRouting,
			EFTInstitution: n.EFTInstitution, EFTBranch: n.EFTBranch, InternationalBIC: n.InternationalBIC, IBAN: n.IBAN, BACSSortCode: n.BACSSortCode}
	}
	if a.owner != nil {
		out.Owner = mustJSON(a.owner)
	}
	return out
}

// restoreSnapshot brings the state back, replacing what the emulator holds for the same Items.
// It expects s.mu to be held.
func (s *Server) restoreSnapshot(snap Snapshot) error {
	if snap.ClockOffset != "" {
		d, err := time.ParseDuration(snap.ClockOffset)
		if err != nil {
			return fmt.Errorf("clock_offset %q is not a duration", snap.ClockOffset)
		}
		s.clockOffset.Store(int64(d))
	}
	if s.ids != nil {
		if err := s.ids.resume(snap.Seed); err != nil {
			return err
		}
	}
	for i, is := range snap.Items {
		it, err := is.item()
		if err != nil {
			return fmt.Errorf("items[%d] (%s): %w", i, is.ID, err)
		}
		s.putItem(it)
	}
	for i, l := range snap.LinkTokens {
		created, err1 := time.Parse(time.RFC3339, l.Created)
		expires, err2 := time.Parse(time.RFC3339, l.Expires)
		if err1 != nil || err2 != nil || tokenFormat(l.Token, "link", "") != nil {
			return fmt.Errorf("link_tokens[%d] is damaged", i)
		}
		s.linkTokens[l.Token] = &linkToken{token: s.remember(l.Token), created: created, expires: expires, clientName: l.ClientName,
			language: l.Language, countryCodes: l.CountryCodes, products: l.Products, itemID: l.ItemID,
			accountSelection: l.AccountSelection, redirectURI: l.RedirectURI, webhook: l.Webhook, auth: l.Auth}
	}
	for i, p := range snap.PublicTokens {
		created, err := time.Parse(time.RFC3339, p.Created)
		if err != nil || tokenFormat(p.Token, "public", "") != nil {
			return fmt.Errorf("public_tokens[%d] is damaged", i)
		}
		s.publicTokens[s.remember(p.Token)] = &publicToken{itemID: p.ItemID, created: created}
	}
	s.stateGen++ // answers kept before are stale (answers.go)
	return nil
}

// putItem adds it, or replaces the Item with its id, and its access token. It expects s.mu to
// be held.
func (s *Server) putItem(it *item) {
	if old, ok := s.items[it.id]; ok && old.accessToken != "" {
		delete(s.accessTokens, old.accessToken)
	}
	s.items[it.id] = it
	if it.accessToken != "" {
		s.accessTokens[s.remember(it.accessToken)] = it
	}
}

// item is the Item the snapshot describes.
func (is ItemSnapshot) item() (*item, error) {
	inst := findInstitution(is.InstitutionID)
	if inst == nil {
		return nil, fmt.Errorf("institution %q is not one the emulator knows", is.InstitutionID)
	}
	created, err := time.Parse(time.RFC3339, is.Created)
	if err != nil {
		return nil, fmt.Errorf("created_at %q is not an RFC 3339 time", is.Created)
	}
	if is.ID == "" {
		return nil, errors.New("it has no item_id")
	}
	if is.AccessToken != "" && tokenFormat(is.AccessToken, "access", "") != nil {
		return nil, errors.New("its access_token does not start with access-")
	}
	it := &item{id: is.ID, inst: inst, billed: slices.Clone(is.Billed), accessToken: is.AccessToken, loginRequired: is.LoginRequired,
		created: created, authMethod: is.AuthMethod, fixture: is.Fixture}
	if is.Webhook != nil {
		it.webhook = ptr(*is.Webhook)
	}
	byID := map[string]*account{}
	for i, as := range is.Accounts {
		a, err := as.account()
		if err != nil {
			return nil, fmt.Errorf("accounts[%d]: %w", i, err)
		}
		byID[a.id] = a
		it.offered = append(it.offered, a)
	}
	for _, id := range is.Linked {
		a, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("linked_accounts names %s, which is not among its accounts", id)
		}
		it.accounts = append(it.accounts, a)
	}
	// The offered accounts are the login's; an account linked but not offered (none today) is
	// kept in accounts only.
	return it, nil
}

func (as AccountSnapshot) account() (*account, error) {
	if as.ID == "" || as.Type == "" {
		return nil, errors.New("an account needs account_id and type")
	}
	a := &account{id: as.ID, currency: as.Currency}
	a.accountTemplate = accountTemplate{name: as.Name, officialName: as.OfficialName, typ: as.Type, subtype: as.Subtype, mask: as.Mask,
		available: as.Available, current: as.Current, limit: as.Limit}
	a.verificationStatus, a.verificationName = as.VerificationStatus, as.VerificationName
	a.manualRouting, a.manualAccount, a.codeAttempts = as.ManualRouting, as.ManualAccount, as.CodeAttempts
	if len(as.Insights) > 0 {
		a.insights = &verificationInsightsJSON{}
		if err := json.Unmarshal(as.Insights, a.insights); err != nil {
			return nil, fmt.Errorf("verification_insights: %v", err)
		}
	}
	if n := as.Numbers; n != nil {
		a.custom = &usercustom.Numbers{Account: n.Account, ACHRouting: n.ACHRouting, ACHWireRouting: n.ACHWireRouting,
			EFTInstitution: n.EFTInstitution, EFTBranch: n.EFTBranch, InternationalBIC: n.InternationalBIC, IBAN: n.IBAN, BACSSortCode: n.BACSSortCode}
	}
	if len(as.Owner) > 0 {
		if err := json.Unmarshal(as.Owner, &a.owner); err != nil {
			return nil, fmt.Errorf("owner: %v", err)
		}
	}
	return a, nil
}
