package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Flow is the Plaid side of one configuration: the client and the vault the steps use. Its
// journeys (journey.go) put the steps in Plaid's order for both front ends.
type Flow struct {
	Client *plaidapi.Client
	// Vault keeps Items; nil means nothing is saved (the user said so, or no keyring).
	Vault *vault.Vault
	// Now stamps results; tests pin it.
	Now func() time.Time
	// OnExchangeInterrupted, when set, is called once if the journey's context ends while
	// /item/public_token/exchange is in flight: the exchange goes on, and a front end says why
	// the program does not stop at once.
	OnExchangeInterrupted func()
}

// NewFlow returns a flow over client and the vault v (nil: nothing is saved).
func NewFlow(client *plaidapi.Client, v *vault.Vault) *Flow {
	return &Flow{Client: client, Vault: v, Now: time.Now}
}

// Linked is what Link (or the Sandbox shortcut) hands over: a single-use public token and, when
// known, the institution the user picked.
type Linked struct {
	PublicToken string
	Institution *plaidapi.Institution
}

// Saved is the outcome of the save step: where the Item went, or why it was not kept.
type Saved struct {
	Item    vault.SavedItem
	Storage plaidapi.Storage
	// InstitutionFromLink: the Item was saved with the institution Link's metadata named, which
	// Plaid's word replaces when it comes (learnInstitution).
	InstitutionFromLink bool
	// TokenLeftIn is the keyring entry still holding the access token of an Item that could
	// not be saved (the index was not written and the token could not be taken back out).
	TokenLeftIn string
}

// save keeps the new Item at once, before anything else can fail: an access token that is not
// saved is lost when the program exits. A failure to save is reported, not fatal: the user
// still sees the numbers, and Storage says plainly that the Item was not kept.
func (f *Flow) save(ex plaidapi.Exchanged, inst *plaidapi.Institution) Saved {
	ns := f.Client.Config().Namespace()
	item := vault.SavedItem{Namespace: ns, ItemID: ex.ItemID, ClientID: f.Client.Config().ClientID}
	fromLink := false
	if inst != nil {
		item.InstitutionID, item.InstitutionName = inst.ID, sanitize.Line(inst.Name, sanitize.Name)
		fromLink = inst.FromLink
	}
	if f.Vault == nil {
		return Saved{Item: item, Storage: plaidapi.Storage{Where: "saving is off for this session (--no-save)"}}
	}
	saved, err := f.Vault.SaveItem(item, ex.AccessToken)
	if err != nil {
		problem := err.Error()
		var ke *vault.KeyringError
		var we *vault.IndexWriteError
		left := ""
		switch {
		case errors.As(err, &ke):
			problem = fmt.Sprintf("no OS keyring is reachable (%v); nothing was written to a plain file", ke.Cause)
		case errors.As(err, &we) && we.LeftInKeyring != "":
			left = we.LeftInKeyring
			problem = fmt.Sprintf("%v. Its access token stays in the OS keyring as %q (service %s), but `items` does not list it: free disk space or make %s writable, then link again", we, left, vault.KeyringService, filepath.Dir(we.Path))
		case errors.As(err, &we):
			problem = fmt.Sprintf("%v. Nothing was kept: the access token was taken back out of the keyring, where no index would name it. Free disk space or make %s writable, then link again", we, filepath.Dir(we.Path))
		}
		return Saved{Item: item, Storage: plaidapi.Storage{Problem: problem}, TokenLeftIn: left}
	}
	return Saved{Item: saved, Storage: plaidapi.Storage{Saved: true, Where: f.Vault.Where()}, InstitutionFromLink: fromLink}
}

// numbers calls /auth/get and, in parallel, /institutions/get_by_id when the institution's id
// is already known, so the two round trips overlap. When it is not known, the institution is
// looked up after /auth/get names it; when its details are already at hand, not at all.
func (f *Flow) numbers(ctx context.Context, accessToken string, inst *plaidapi.Institution) (*plaidapi.Result, error) {
	type instResult struct {
		inst *plaidapi.Institution
		err  error
	}
	var instCh chan instResult
	if inst != nil && inst.Detailed {
		instCh = make(chan instResult, 1)
		instCh <- instResult{inst: inst}
	} else if inst != nil && inst.Unavailable {
		instCh = make(chan instResult, 1)
		instCh <- instResult{}
	} else if inst != nil && inst.ID != "" {
		instCh = make(chan instResult, 1)
		ictx, cancelInst := context.WithCancel(ctx)
		defer cancelInst()
		go func() {
			in, err := f.institution(ictx, inst.ID)
			instCh <- instResult{in, err}
		}()
		defer func() {
			// The lookup ends with the numbers, whatever their outcome: it must not outlive
			// them and write (its retries) after the caller has reported.
			cancelInst()
			if instCh != nil {
				<-instCh
			}
		}()
	}

	res, err := f.Client.Auth(ctx, accessToken)
	if err != nil {
		return nil, err
	}

	var details *plaidapi.Institution
	switch {
	case instCh != nil:
		r := <-instCh
		instCh = nil // received: the deferred wait has nothing left to wait for
		details = r.inst
	case res.Institution != nil && res.Institution.ID != "":
		details, _ = f.institution(ctx, res.Institution.ID)
	}
	if res.Institution != nil && res.Institution.ID != "" && details != nil && details.ID != res.Institution.ID {
		// The details were asked for the bank Link's page named; Plaid says the Item is
		// another's. Plaid's word counts.
		details, _ = f.institution(ctx, res.Institution.ID)
	}
	// The institution's details are a nicety: a failure there must not hide the numbers.
	res.Institution = mergeInstitution(res.Institution, inst, details)

	cfg := f.Client.Config()
	res.Environment = string(cfg.Env)
	res.Demo = cfg.Demo
	res.Profile = resultProfile(cfg)
	res.Store = cfg.Store
	res.FetchedAt = f.now()
	return res, nil
}

// resultProfile is a Result's Profile: the profile, once profiles are in use.
func resultProfile(cfg config.Config) string { return present.VoiceOf(cfg).Profile }

// Voice is who answers this flow's calls: Plaid, or the demo's emulator.
func (f *Flow) Voice() present.Voice {
	if f == nil || f.Client == nil {
		return present.Voice{}
	}
	return present.VoiceOf(f.Client.Config())
}

// Command is the command line that runs args in this flow's profile, mode and environment
// (present.Command), for the commands its messages suggest.
func (f *Flow) Command(args string) string { return f.Voice().Command(args) }

// InstitutionBudget bounds /institutions/get_by_id, which only decorates the numbers (the
// bank's name, colour and URL): a slow or hung call must not hold them back for CallTimeout.
const InstitutionBudget = 3 * time.Second

// institution fetches the institution's details within InstitutionBudget.
func (f *Flow) institution(ctx context.Context, id string) (*plaidapi.Institution, error) {
	ctx, cancel := context.WithTimeout(ctx, InstitutionBudget)
	defer cancel()
	return f.Client.Institution(ctx, id)
}

// mergeInstitution picks what is known of the Item's bank, Plaid's word first: the details of
// /institutions/get_by_id for the institution_id Plaid gave the Item, then the Item's own
// fields, and only then the hint (Link's metadata, or the index) when it does not contradict
// Plaid.
func mergeInstitution(fromItem, hint, details *plaidapi.Institution) *plaidapi.Institution {
	plaidID := ""
	if fromItem != nil {
		plaidID = fromItem.ID
	}
	switch {
	case details != nil && (plaidID == "" || details.ID == plaidID):
		return details
	case fromItem != nil && fromItem.Name != "":
		return fromItem
	case hint != nil && (plaidID == "" || hint.ID == plaidID):
		return hint
	}
	return fromItem
}

// sandboxPublicToken makes a public token without a browser: /sandbox/public_token/create for
// institutionID (First Platypus Bank when empty), with /institutions/get_by_id alongside so the
// numbers step need not ask again. It is the first step of a SandboxJourney.
func (f *Flow) sandboxPublicToken(ctx context.Context, institutionID string, user *SandboxUser) (Linked, error) {
	if institutionID == "" {
		institutionID = plaidapi.DefaultSandboxInstitution
	}
	instCh := make(chan *plaidapi.Institution, 1)
	go func() {
		in, err := f.institution(ctx, institutionID)
		if err != nil {
			in = &plaidapi.Institution{ID: institutionID, Unavailable: true}
		}
		instCh <- in
	}()
	username, password := user.login()
	pub, err := f.Client.SandboxPublicTokenAs(ctx, institutionID, username, password)
	inst := <-instCh
	if pe, ok := plaidapi.AsError(err); ok && user != nil && user.ForceError != "" && pe.Code == user.ForceError {
		pe.In.ForcedError = pe.Code // no Item was made: the hint must not speak of repairing one
	}
	if err != nil {
		return Linked{}, err
	}
	return Linked{PublicToken: pub, Institution: inst}, nil
}

// finish ties the numbers to the saved Item: it records the institution's name when it was not
// known at save time (the Item's short name follows it), and states the Item's name and where
// it is kept in the result. It may write the index, so front ends run it off their UI thread.
func (f *Flow) finish(saved Saved, res *plaidapi.Result) {
	f.learnInstitution(&saved, res.Institution)
	if saved.Storage.Saved {
		f.rememberAccounts(&saved.Item, res.Accounts)
	}
	res.ItemName = saved.Item.Name
	res.Storage = saved.Storage
}

// learnInstitution records a saved Item's institution as Plaid names it, when it was not known
// at save time or was known only from Link's metadata (a page could name any bank) and Plaid
// says otherwise. The Item's short name follows it.
func (f *Flow) learnInstitution(saved *Saved, inst *plaidapi.Institution) {
	if f.Vault == nil || !saved.Storage.Saved || inst == nil || inst.Name == "" || inst.FromLink {
		return
	}
	name := sanitize.Line(inst.Name, sanitize.Name)
	if saved.Item.InstitutionName != "" && (!saved.InstitutionFromLink || (saved.Item.InstitutionID == inst.ID && saved.Item.InstitutionName == name)) {
		return
	}
	if item, err := f.Vault.SetInstitution(saved.Item.Namespace, saved.Item.ItemID, inst.ID, name); err == nil {
		saved.Item = item
	}
}

func (f *Flow) now() time.Time {
	if f.Now == nil {
		return time.Now().UTC()
	}
	return f.Now().UTC()
}
