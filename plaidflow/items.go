package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// This file is the whole life of a saved Item after it was linked: its status and health,
// rename, remove, rotate, live balances, processor tokens, Sandbox's reset-login and the repair
// with Link in update mode (Flow.UpdateJourney in journey.go). Like the journeys, the order and
// rules of Plaid live here; the front ends (the commands in cmd/plaid-onboard and the TUI's
// Items screen) call one function per user action, off their UI thread, and show what comes
// back with the words given here. Every call that uses an Item's access token records in the
// index when it was used and the health Plaid showed, so `items` can show the last known health
// without asking Plaid.

// HealthOK is the health recorded for an Item whose last call to Plaid succeeded.
const HealthOK = "ok"

// Health is an Item's health as Plaid last showed it, with what it means and what to do.
type Health struct {
	// Code is HealthOK, "" (never checked), or the Item's error_code.
	Code string `json:"code"`
	// Healthy is true when the last call succeeded.
	Healthy bool `json:"healthy"`
	// Meaning says in one sentence what the code means for the user.
	Meaning string `json:"meaning"`
	// Next is what to do about it; Repair the command that does it, when one does.
	Next   string `json:"next,omitempty"`
	Repair string `json:"repair,omitempty"`
	// CheckedAt is when Plaid showed it (zero when never).
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// repairCodes are the Item states Link in update mode repairs.
var repairCodes = []string{"ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT"}

// NeedsRepair reports whether an error_code is one Link in update mode repairs: the front ends
// then offer "repair with Link (update mode)".
func NeedsRepair(code string) bool { return slices.Contains(repairCodes, code) }

// healthMeaning is what each Item state means, for people.
func healthMeaning(code string, v present.Voice) string {
	switch code {
	case HealthOK:
		return "the Item works: its last call to " + v.Who() + " succeeded"
	case "":
		return "not checked yet: run `" + v.Command("items status") + "` to ask " + v.Who()
	case "ITEM_LOGIN_REQUIRED":
		return "the bank needs the user to log in again (a changed password, expired consent or new MFA); until then " + v.Who() + " answers ITEM_LOGIN_REQUIRED for this Item"
	case "PENDING_EXPIRATION":
		return "the user's consent for this Item expires soon; after that it stops working until the user logs in again"
	case "PENDING_DISCONNECT":
		return "the bank will disconnect this Item soon (for example a move to OAuth); the user must log in again to keep it working"
	case "INVALID_ACCESS_TOKEN", "ITEM_NOT_FOUND":
		return v.WhoUpper() + " no longer knows this access token: the Item was removed or the token rotated elsewhere"
	}
	return v.WhoUpper() + " answered " + code + " for this Item"
}

// HealthOf explains a recorded health code for the Item named ref (for the repair command).
func HealthOf(code, ref string, at time.Time, v present.Voice) Health {
	h := Health{Code: code, Healthy: code == HealthOK, Meaning: healthMeaning(code, v), CheckedAt: at}
	switch {
	case NeedsRepair(code):
		h.Repair = v.Repair(ref)
		h.Next = "repair it with Link in update mode: " + h.Repair
	case code != HealthOK && code != "":
		h.Next = plaidapi.NextStep(code, "")
	}
	return h
}

// LastHealth is the Item's last known health, from the index (no Plaid call).
func LastHealth(it vault.SavedItem, v present.Voice) Health {
	return HealthOf(it.Health, it.Name, it.HealthAt, v)
}

// ItemError is a failed call about a saved Item: Explain adds what the Item's state means and,
// when Link in update mode repairs it, the command that does.
type ItemError struct {
	Item vault.SavedItem
	Err  error
	// Voice is the run's (Flow.Voice), for the meaning and the repair command.
	Voice present.Voice
}

// Error implements error.
func (e *ItemError) Error() string { return e.Err.Error() }

// Unwrap gives the call's own error.
func (e *ItemError) Unwrap() error { return e.Err }

// itemCall is one saved Item with its access token, for the functions below.
type itemCall struct {
	ns    string
	item  vault.SavedItem
	token string
}

// findSaved finds a saved Item by id or name (ref empty: the only one) in this run's namespace;
// with saving off it fails with saveOff, which says what cannot be done.
func (f *Flow) findSaved(ref, saveOff string) (string, vault.SavedItem, error) {
	if f.Vault == nil {
		return "", vault.SavedItem{}, errors.New(saveOff)
	}
	ns := f.Client.Config().Namespace()
	item, err := f.Vault.FindItem(ns, ref)
	if errors.Is(err, vault.ErrNoItems) {
		err = &NoItemsError{Link: f.linkFirst()}
	}
	return ns, item, err
}

// NoItemsError is a command about a saved Item in an environment with none saved yet; Link is
// the command that links one, in the run's mode.
type NoItemsError struct{ Link string }

// Error implements error.
func (e *NoItemsError) Error() string { return vault.ErrNoItems.Error() }

// Unwrap makes errors.Is(err, vault.ErrNoItems) hold.
func (e *NoItemsError) Unwrap() error { return vault.ErrNoItems }

// linkFirst is what links a first Item in this run's mode: the Sandbox shortcut where there is
// one (the demo, Sandbox), else Link in the browser.
func (f *Flow) linkFirst() string {
	if f.Client.Config().Env == config.Production && !f.Client.Config().Demo {
		return f.Command("link")
	}
	return f.Command("sandbox link") + " (or " + f.Command("link") + ", in the browser)"
}

// savedItem finds a saved Item by id or name (ref empty: the only one) and reads its token.
func (f *Flow) savedItem(ref string) (itemCall, error) {
	ns, item, err := f.findSaved(ref, "saving is off for this session (--no-save), so no saved Item can be read")
	if err != nil {
		return itemCall{}, err
	}
	tok, err := f.Vault.AccessToken(ns, item.ItemID)
	if err != nil {
		return itemCall{ns: ns, item: item}, err
	}
	return itemCall{ns: ns, item: item, token: tok}, nil
}

// callSaved finds the saved Item ref and makes call with its access token; a failure of the
// call is observed like any other. INVALID_ACCESS_TOKEN for a token another run has rotated
// since it was read is no verdict on the Item: the call is made again with the token the
// keyring holds once that run is done (see currentToken).
func callSaved[T any](ctx context.Context, f *Flow, ref string, call func(context.Context, string) (T, error)) (itemCall, T, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		var none T
		return c, none, err
	}
	got, err := call(ctx, c.token)
	for tries := 0; plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") && tries < 2; tries++ {
		fresh, ferr := f.currentToken(ctx, c)
		var busy *vault.LockBusyError
		if errors.Is(ferr, errRemovedMeanwhile) || errors.As(ferr, &busy) || ctx.Err() != nil {
			return c, got, ferr
		}
		if ferr != nil {
			break // no lock here (a read-only directory): Plaid's answer stands
		}
		if fresh.token == c.token {
			break
		}
		c = fresh
		got, err = call(ctx, c.token)
	}
	if err != nil {
		return c, got, f.observe(c, err)
	}
	return c, got, nil
}

// errRemovedMeanwhile is a saved Item another run removed while this one waited for it.
var errRemovedMeanwhile = errors.New("removed by another plaid-onboard run meanwhile")

// lockSaved finds the saved Item ref, takes its lock (waiting for another run that changes it;
// the vault's OnLockWait says who) and reads its index entry again under the lock: the run it
// waited for may have renamed or removed it (errRemovedMeanwhile, with the Item as it was).
// doing names what this run does, for the runs that wait in turn ("rotating the access token
// of"). The token is not read: callers read it under the lock.
func (f *Flow) lockSaved(ctx context.Context, ref, doing string) (itemCall, func(), error) {
	ns, item, err := f.findSaved(ref, "saving is off for this session (--no-save), so no saved Item can be changed")
	if err != nil {
		return itemCall{}, nil, err
	}
	unlock, err := f.Vault.LockItem(ctx, ns, item.ItemID, fmt.Sprintf("%s %s (%s)", doing, item.Name, item.ItemID))
	if err != nil {
		return itemCall{ns: ns, item: item}, nil, err
	}
	now, err := f.Vault.FindItem(ns, item.ItemID)
	if errors.Is(err, vault.ErrItemNotFound) || errors.Is(err, vault.ErrNoItems) {
		unlock()
		return itemCall{ns: ns, item: item}, nil, fmt.Errorf("%s (%s) was %w", item.Name, item.ItemID, errRemovedMeanwhile)
	}
	if err != nil {
		unlock()
		return itemCall{ns: ns, item: item}, nil, err
	}
	return itemCall{ns: ns, item: now}, unlock, nil
}

// currentToken reads the Item's token again once no other run is changing the Item (a
// rotation holds the lock from the old token's death to the new one's save).
func (f *Flow) currentToken(ctx context.Context, c itemCall) (itemCall, error) {
	fresh, unlock, err := f.lockSaved(ctx, c.item.ItemID, "reading the access token of")
	if err != nil {
		return c, err
	}
	defer unlock()
	fresh.token, err = f.Vault.AccessToken(fresh.ns, fresh.item.ItemID)
	return fresh, err
}

// observe records what a call with the Item's token showed: its health and when it was used.
// It returns err wrapped in an ItemError, so Explain can name the repair.
func (f *Flow) observe(c itemCall, err error) error {
	if f.Vault == nil || c.item.ItemID == "" {
		return err
	}
	switch pe, ok := plaidapi.AsError(err); {
	case err == nil:
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), HealthOK)
	case ok && pe.Code == "INVALID_ACCESS_TOKEN" && c.token != "" && f.tokenChanged(c):
		// Another run rotated the token since this one read it: no verdict on the Item.
	case ok && (pe.Type == "ITEM_ERROR" || NeedsRepair(pe.Code) || pe.Code == "INVALID_ACCESS_TOKEN"):
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), pe.Code)
	}
	if err != nil {
		return &ItemError{Item: c.item, Err: err, Voice: f.Voice()}
	}
	return nil
}

// tokenChanged reports whether the keyring now holds another token for the Item than the one
// c was made with.
func (f *Flow) tokenChanged(c itemCall) bool {
	now, err := f.Vault.AccessToken(c.ns, c.item.ItemID)
	return err == nil && now != c.token
}

// used records that a call with the Item's token reached Plaid, leaving its health as it was.
// /item/webhook/update and /item/access_token/invalidate succeed for an Item whose login must
// be repaired, so their success says nothing of its health; recording HealthOK from them
// would hide ITEM_LOGIN_REQUIRED from the Items list (the webhook is pointed beside the flow
// and can end after a reset of the login).
func (f *Flow) used(c itemCall) {
	if f.Vault != nil && c.item.ItemID != "" {
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), "")
	}
}

// DuplicateWarning says, when linking institution already has saved Items in this environment,
// which ones: Plaid bills per Item, so a second Item at one bank is usually a mistake. "" when
// there are none. The journeys put it in the Link step's StepReport.Notice.
func (f *Flow) DuplicateWarning(inst *plaidapi.Institution, except string) string {
	if f.Vault == nil || inst == nil || inst.ID == "" {
		return ""
	}
	items, err := f.Vault.ItemsAt(f.Client.Config().Namespace(), inst.ID)
	if err != nil {
		return ""
	}
	var names []string
	for _, it := range items {
		if it.ItemID != except {
			names = append(names, fmt.Sprintf("%s (%s)", it.Name, it.ItemID))
		}
	}
	if len(names) == 0 {
		return ""
	}
	name := inst.Name
	if name == "" {
		name = inst.ID
	}
	return fmt.Sprintf("%s is already linked in this environment as %s. %sThis makes another one; remove the one you do not need with `%s`, or repair an old one with `%s` instead of linking again.",
		name, strings.Join(names, ", "), f.Voice().Billing("Plaid bills per Item. "), f.Command("items remove NAME"), f.Voice().Repair("NAME"))
}

// unsavedHint says what to know about an Item that was created at Plaid but not saved (with
// --no-save, or when no keyring was reachable): "" when it was saved. The Item stays live at
// Plaid until /item/remove, which needs its access token, held only in this process's memory.
// The TUI offers RemoveUnsaved before it exits; the commands print this.
func (f *Flow) unsavedHint(s Saved, itemID string) string {
	if s.Storage.Saved || itemID == "" {
		return ""
	}
	v := f.Voice()
	exists := fmt.Sprintf("The Item %s still exists %s%s although it was not saved here.", itemID, v.At(), v.Billing(" (in Production it is billed)"))
	if s.TokenLeftIn != "" {
		return fmt.Sprintf("%s Its access token is in the OS keyring as %q (service %s): to remove the Item, call /item/remove with it (on Linux, `secret-tool lookup service %s username %s` prints it), then delete that entry.", exists, s.TokenLeftIn, vault.KeyringService, vault.KeyringService, s.TokenLeftIn)
	}
	// Saving was off only when the user asked for it (--no-save): a Problem says the keyring
	// failed, and then there is no flag to drop.
	saveOn := "drop --no-save"
	if s.Storage.Problem != "" {
		saveOn = "make the OS keyring reachable"
	}
	return fmt.Sprintf("%s Removing it needs /item/remove with its access token, which exists only in this process's memory and is gone when it exits: in the terminal UI, remove it before you quit; from the command line, link with saving on (%s) and use `%s` when done.", exists, saveOn, f.Command("items remove NAME"))
}

// NotSaved is the error a script ends with when the new Item exists at Plaid but could not be
// saved here: a *NotSavedError saying how to remove it. It is nil when the Item was saved,
// when saving was off (--no-save: the user asked for that), and when no Item was made.
func (j *Journey) NotSaved() error {
	if j.savedRef != "" || j.update != nil || j.ex.ItemID == "" || j.saved.Storage.Saved || j.saved.Storage.Problem == "" {
		return nil
	}
	return &plaidapi.NotSavedError{ItemID: j.ex.ItemID, Problem: present.StorageLine(j.saved.Storage), Hint: j.flow.unsavedHint(j.saved, j.ex.ItemID), At: j.flow.Voice().At()}
}

// RemoveUnsaved removes an Item that was not saved, with the access token still in memory
// (the journey's): for the TUI's offer after UnsavedHint.
func (j *Journey) RemoveUnsaved(ctx context.Context) error {
	if j.ex.AccessToken == "" {
		return errors.New("remove unsaved item: its access token is not in memory")
	}
	_, err := j.flow.Client.RemoveItem(ctx, j.ex.AccessToken)
	return err
}

// UnsavedHint is the hint for this journey's Item (see unsavedHint); "" when it was saved or
// no Item was made.
func (j *Journey) UnsavedHint() string {
	if j.savedRef != "" || j.update != nil {
		return ""
	}
	return j.flow.unsavedHint(j.saved, j.ex.ItemID)
}

func orUnknown(s string) string {
	if s == "" {
		return "institution unknown"
	}
	return s
}
