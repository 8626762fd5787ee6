package plaidflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Changing a saved Item: rename it, remove it at Plaid and here, rotate its access token, and
// (Sandbox) reset its login.

// RenameItem renames a saved Item (see Vault.RenameItem for the rules); no Plaid call. Front
// ends show Renamed.ReusedRemovedName when set: the name once meant a removed Item.
func (f *Flow) RenameItem(ref, name string) (vault.Renamed, error) {
	if f.Vault == nil {
		return vault.Renamed{}, errors.New("saving is off for this session (--no-save), so no saved Item can be renamed")
	}
	return f.Vault.RenameItem(f.Client.Config().Namespace(), ref, name)
}

// RemoveOutcome says what happened at Plaid when an Item was removed.
type RemoveOutcome string

// The outcomes of RemoveItem.
const (
	// RemovedAtPlaid: /item/remove succeeded; the token is dead and Plaid stops billing.
	RemovedAtPlaid RemoveOutcome = "removed_at_plaid"
	// AlreadyGoneAtPlaid: Plaid no longer knew the token or the Item; cleaned up locally.
	AlreadyGoneAtPlaid RemoveOutcome = "already_gone_at_plaid"
	// NotRemovedTokenMissing: the keyring holds no token, so /item/remove could not be called;
	// the Item stays live (and billed) at Plaid.
	NotRemovedTokenMissing RemoveOutcome = "not_removed_token_missing"
	// AlreadyRemovedHere: another plaid-onboard run removed the Item while this one waited for
	// it; nothing was left to do.
	AlreadyRemovedHere RemoveOutcome = "already_removed_here"
)

// Removal is the outcome of RemoveItem, and of ForgetItem after it.
type Removal struct {
	Item    vault.SavedItem `json:"item"`
	Outcome RemoveOutcome   `json:"outcome"`
	// Forgotten is true when the keyring entry and the index entry are gone.
	Forgotten bool   `json:"forgotten"`
	RequestID string `json:"request_id,omitempty"`
	// Voice says who removed it: Plaid, or the demo's emulator (for Message).
	Voice present.Voice `json:"-"`
}

// ErrNotRemovedAtPlaid is returned (wrapped) by RemoveItem when the access token is missing:
// the Item could not be removed at Plaid. Front ends say Removal.Message, ask whether to forget
// the Item here anyway, call ForgetItem only on yes, and end with a failure either way.
var ErrNotRemovedAtPlaid = errors.New("the item could not be removed: its access token is missing here")

// RemoveQuestion is what a front end asks before RemoveItem.
func RemoveQuestion(it vault.SavedItem, v present.Voice) string {
	return fmt.Sprintf("Remove %s (%s, %s) %s? Its access token stops working for good.", it.Name, it.ItemID, orUnknown(it.InstitutionName), v.At())
}

// ForgetQuestion is what a front end asks after ErrNotRemovedAtPlaid.
func ForgetQuestion(it vault.SavedItem, v present.Voice) string {
	return fmt.Sprintf("Forget %s here anyway? It stays live%s %s, and nothing here can remove it later.", it.Name, v.Billing(" (and billed)"), v.At())
}

// Message says in one sentence what happened, for both front ends.
func (r Removal) Message() string {
	switch r.Outcome {
	case RemovedAtPlaid:
		return fmt.Sprintf("Removed %s (%s) %s and deleted its token and its entry in the index here.", r.Item.Name, r.Item.ItemID, r.Voice.At())
	case AlreadyGoneAtPlaid:
		return fmt.Sprintf("%s no longer knew %s (%s): it was already removed there (or its token rotated elsewhere). Cleaned up here: its token and index entry deleted.", r.Voice.WhoUpper(), r.Item.Name, r.Item.ItemID)
	case AlreadyRemovedHere:
		return fmt.Sprintf("%s (%s) was already removed by another plaid-onboard run meanwhile: nothing left to do.", r.Item.Name, r.Item.ItemID)
	}
	s := fmt.Sprintf("Could NOT remove %s (%s) %s: its access token is missing here, and /item/remove needs it. The Item stays live %s%s.", r.Item.Name, r.Item.ItemID, r.Voice.At(), r.Voice.At(), r.Voice.Billing(" and is billed there"))
	if r.Forgotten {
		s += " It was forgotten here, as you confirmed."
	} else {
		s += " It is still listed here."
	}
	return s
}

// RemoveItem removes a saved Item at Plaid (/item/remove) and then forgets it here (index, then
// keyring). It holds the Item's lock throughout (see lockSaved), so a rotation in another run
// cannot kill the token it sends. Plaid answering INVALID_ACCESS_TOKEN or ITEM_NOT_FOUND means
// the Item is gone there already, unless the keyring now holds another token (a run that took
// no lock rotated it): then it tries again with that one, and cleans up here only what still
// holds the token Plaid refused (AlreadyGoneAtPlaid). An Item removed by another run while this
// one waited is AlreadyRemovedHere. A token missing from the keyring returns
// NotRemovedTokenMissing and an error wrapping ErrNotRemovedAtPlaid without forgetting
// anything: see ForgetItem. Front ends ask RemoveQuestion first.
func (f *Flow) RemoveItem(ctx context.Context, ref string) (Removal, error) {
	r, err := f.removeItem(ctx, ref)
	r.Voice = f.Voice()
	return r, err
}

func (f *Flow) removeItem(ctx context.Context, ref string) (Removal, error) {
	c, unlock, err := f.lockSaved(ctx, ref, "removing")
	if errors.Is(err, errRemovedMeanwhile) {
		return Removal{Item: c.item, Outcome: AlreadyRemovedHere, Forgotten: true}, nil
	}
	if err != nil {
		return Removal{Item: c.item}, err
	}
	defer unlock()
	c.token, err = f.Vault.AccessToken(c.ns, c.item.ItemID)
	if errors.Is(err, vault.ErrSecretNotFound) {
		r := Removal{Item: c.item, Outcome: NotRemovedTokenMissing}
		return r, fmt.Errorf("remove %s: %w", c.item.Name, ErrNotRemovedAtPlaid)
	}
	if err != nil {
		return Removal{Item: c.item}, err
	}
	r := Removal{Item: c.item, Outcome: RemovedAtPlaid}
	for tries := 1; ; tries++ {
		requestID, err := f.Client.RemoveItem(ctx, c.token)
		if err == nil {
			r.RequestID = requestID
			break
		}
		if !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") && !plaidapi.HasCode(err, "ITEM_NOT_FOUND") {
			return r, f.observe(c, err)
		}
		if now, gerr := f.Vault.AccessToken(c.ns, c.item.ItemID); gerr == nil && now != c.token && tries < 3 {
			c.token = now
			continue
		}
		r.Outcome = AlreadyGoneAtPlaid
		if pe, ok := plaidapi.AsError(err); ok {
			r.RequestID = pe.RequestID
		}
		break
	}
	if err := f.Vault.RemoveItemWithToken(c.ns, c.item.ItemID, c.token); err != nil {
		if errors.Is(err, vault.ErrTokenChanged) {
			return r, fmt.Errorf("the access token of %s (%s) changed in the keyring again and again while it was being removed (another program rotating it?), so it is not forgotten here and stays listed; run `plaid-onboard items remove %s` again once that is done: %w", c.item.Name, c.item.ItemID, c.item.Name, err)
		}
		return r, notForgotten(r, err)
	}
	r.Forgotten = true
	return r, nil
}

// notForgotten says what is left after an Item was removed at Plaid (or found gone there) but
// forgetting it here failed, and how to finish.
func notForgotten(r Removal, err error) error {
	done := fmt.Sprintf("Removed %s (%s) at Plaid", r.Item.Name, r.Item.ItemID)
	if r.Outcome == AlreadyGoneAtPlaid {
		done = fmt.Sprintf("Plaid no longer knew %s (%s)", r.Item.Name, r.Item.ItemID)
	}
	var we *vault.IndexWriteError
	if errors.As(err, &we) {
		return &ChangeError{Item: r.Item, Err: err,
			What: fmt.Sprintf("%s, but %v: it is still listed here, with its token (which no longer works) in the keyring", done, we),
			Next: fmt.Sprintf("once %s can be written again (free disk space, or make the directory writable), run `plaid-onboard items remove %s` again: Plaid will say it is gone, and it is forgotten here", we.Path, r.Item.Name)}
	}
	var lk *vault.LeftInKeyringError
	if errors.As(err, &lk) {
		return &ChangeError{Item: r.Item, Err: err,
			What: fmt.Sprintf("%s and forgot it in the index, but its access token (which no longer works) could not be deleted from the keyring: %v", done, lk.Err),
			Next: fmt.Sprintf("delete the keyring entry %q of the service %s by hand (on Linux: secret-tool clear service %s username %s)", lk.Key, vault.KeyringService, vault.KeyringService, lk.Key)}
	}
	return fmt.Errorf("%s, but forgetting it here failed: %w", done, err)
}

// ForgetItem forgets a saved Item here without calling Plaid: only after RemoveItem returned
// ErrNotRemovedAtPlaid and the user confirmed ForgetQuestion. It holds the Item's lock, and
// forgets nothing when a token has appeared in the keyring meanwhile. It calls nothing that
// takes long, so it needs no context; the lock's wait is bounded.
func (f *Flow) ForgetItem(ref string) (Removal, error) {
	r, err := f.forgetItem(ref)
	r.Voice = f.Voice()
	return r, err
}

func (f *Flow) forgetItem(ref string) (Removal, error) {
	c, unlock, err := f.lockSaved(context.Background(), ref, "forgetting")
	if errors.Is(err, errRemovedMeanwhile) {
		return Removal{Item: c.item, Outcome: AlreadyRemovedHere, Forgotten: true}, nil
	}
	if err != nil {
		return Removal{Item: c.item, Outcome: NotRemovedTokenMissing}, err
	}
	defer unlock()
	if _, err := f.Vault.AccessToken(c.ns, c.item.ItemID); err == nil {
		return Removal{Item: c.item, Outcome: NotRemovedTokenMissing}, fmt.Errorf("%s (%s) has an access token in the keyring again (another run saved it): not forgotten; run `plaid-onboard items remove %s` again to remove it at Plaid", c.item.Name, c.item.ItemID, c.item.Name)
	}
	if err := f.Vault.RemoveItem(c.ns, c.item.ItemID); err != nil {
		return Removal{Item: c.item, Outcome: NotRemovedTokenMissing}, err
	}
	return Removal{Item: c.item, Outcome: NotRemovedTokenMissing, Forgotten: true}, nil
}

// Rotation is the outcome of RotateItem.
type Rotation struct {
	Item      vault.SavedItem `json:"item"`
	RequestID string          `json:"request_id"`
	// Saved is true when the new token replaced the old one in the keyring.
	Saved bool `json:"saved"`
	// NewToken is set only when saving failed: it is then the only copy of the Item's working
	// token, and the front end must show it once (it is never logged or written anywhere).
	NewToken string `json:"new_access_token,omitempty"`
}

// ErrRotatedNotSaved is returned (wrapped) by RotateItem when Plaid rotated the token but the
// keyring refused the new one: the old token is already dead, Rotation.NewToken is the only copy.
var ErrRotatedNotSaved = errors.New("plaid rotated the access token, but the new one could not be saved: the old one no longer works")

// RotateItem calls /item/access_token/invalidate: Plaid kills the old token at once and returns
// a new one, which replaces the old in the keyring. It holds the Item's lock from reading the
// old token to saving the new one, so no other run sends the old one meanwhile. If saving
// fails, the error wraps ErrRotatedNotSaved and Rotation.NewToken holds the new token: show it
// once, plainly. If the answer is lost, the error is a *ChangeError saying whether the old
// token still works (see rotationLost).
func (f *Flow) RotateItem(ctx context.Context, ref string) (Rotation, error) {
	c, unlock, err := f.lockSaved(ctx, ref, "rotating the access token of")
	if err != nil {
		return Rotation{Item: c.item}, err
	}
	defer unlock()
	c.token, err = f.Vault.AccessToken(c.ns, c.item.ItemID)
	if err != nil {
		return Rotation{Item: c.item}, err
	}
	rotated, err := f.Client.InvalidateAccessToken(ctx, c.token)
	rot := Rotation{Item: c.item, RequestID: rotated.RequestID}
	if err != nil {
		if refused(err) {
			return rot, f.observe(c, err)
		}
		return rot, f.rotationLost(ctx, c, err)
	}
	if err := f.Vault.SetAccessToken(c.ns, c.item.ItemID, rotated.NewAccessToken); err != nil {
		rot.NewToken = rotated.NewAccessToken
		return rot, fmt.Errorf("%w (%v)", ErrRotatedNotSaved, err)
	}
	rot.Saved = true
	f.used(c)
	return rot, nil
}

// refused reports whether a failed call surely did not take effect at Plaid: Plaid answered
// with an error of the request (4xx). A lost or unusable answer, a timeout or a 5xx may have
// come after the call took effect.
func refused(err error) bool {
	pe, ok := plaidapi.AsError(err)
	return ok && pe.HTTPStatus >= 400 && pe.HTTPStatus < 500 && pe.Code != plaidapi.CodeUnexpectedResponse
}

// rotationLost finds out, after /item/access_token/invalidate lost its answer, whether Plaid
// rotated the token: the endpoint "returns a new access_token and immediately invalidates the
// previous access_token" (https://plaid.com/docs/api/items/#itemaccess_tokeninvalidate), so
// /item/get with the old token tells. If it was rotated, the new token never arrived and
// nothing can reach the Item any more (Plaid has no call that lists Items or tokens).
func (f *Flow) rotationLost(ctx context.Context, c itemCall, err error) error {
	ce := &ChangeError{Item: c.item, Err: err}
	_, perr := f.Client.Item(ctx, c.token)
	switch {
	case perr == nil:
		ce.What = fmt.Sprintf("the answer to rotating the access token of %s (%s) was lost (%v), but Plaid did not rotate it: the old token still works (checked with /item/get). Nothing changed.", c.item.Name, c.item.ItemID, err)
		ce.Next = "rotate it again: plaid-onboard items rotate " + c.item.Name
	case plaidapi.HasCode(perr, "INVALID_ACCESS_TOKEN"):
		_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), "INVALID_ACCESS_TOKEN")
		ce.What = fmt.Sprintf("Plaid rotated the access token of %s (%s), but its answer was lost on the way (%v): the old token no longer works and the new one never arrived. The Item stays at Plaid (billed in Production), and nothing here can reach or remove it: Plaid has no call that lists Items or tokens.", c.item.Name, c.item.ItemID, err)
		ce.Next = fmt.Sprintf("in Production, ask Plaid Support to remove Item %s (give them the request_id of this call, if shown, and the item_id); then `plaid-onboard items remove %s` forgets it here. In Sandbox, just remove it here and link again.", c.item.ItemID, c.item.Name)
	default:
		ce.What = fmt.Sprintf("the answer to rotating the access token of %s (%s) was lost (%v), and whether Plaid rotated it could not be checked (%v).", c.item.Name, c.item.ItemID, err, perr)
		ce.Next = fmt.Sprintf("run `plaid-onboard items status %s` once Plaid can be reached: if it answers, the old token still works and nothing changed; if it says INVALID_ACCESS_TOKEN, Plaid rotated it and the new token never arrived, so the Item can only be removed by Plaid Support (give them the item_id %s)", c.item.Name, c.item.ItemID)
	}
	return ce
}

// ChangeError is a change to a saved Item that went only part of the way, or whose outcome had
// to be found out: What says what happened at Plaid and here, Next how to finish. Err is the
// failure that started it.
type ChangeError struct {
	Item vault.SavedItem
	What string
	Next string
	Err  error
}

// Error implements error.
func (e *ChangeError) Error() string { return e.What }

// Unwrap gives the failure that started it.
func (e *ChangeError) Unwrap() error { return e.Err }

// ResetLogin calls /sandbox/item/reset_login (Sandbox and the demo only): the Item then answers
// ITEM_LOGIN_REQUIRED on product calls until Link in update mode repairs it, which is how a
// support engineer reproduces what a user saw. The new health is recorded in the index.
func (f *Flow) ResetLogin(ctx context.Context, ref string) (vault.SavedItem, error) {
	if err := f.Client.Config().SandboxOnly(); err != nil {
		return vault.SavedItem{}, fmt.Errorf("reset login: %w", err)
	}
	c, err := f.savedItem(ref)
	if err != nil {
		return c.item, err
	}
	if err := f.Client.ResetLogin(ctx, c.token); err != nil {
		return c.item, f.observe(c, err)
	}
	_ = f.Vault.RecordUse(c.ns, c.item.ItemID, f.now(), "ITEM_LOGIN_REQUIRED")
	c.item.Health = "ITEM_LOGIN_REQUIRED"
	return c.item, nil
}
