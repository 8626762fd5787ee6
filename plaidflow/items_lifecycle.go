package plaidflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
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
)

// Removal is the outcome of RemoveItem, and of ForgetItem after it.
type Removal struct {
	Item    vault.SavedItem `json:"item"`
	Outcome RemoveOutcome   `json:"outcome"`
	// Forgotten is true when the keyring entry and the index entry are gone.
	Forgotten bool   `json:"forgotten"`
	RequestID string `json:"request_id,omitempty"`
}

// ErrNotRemovedAtPlaid is returned (wrapped) by RemoveItem when the access token is missing:
// the Item could not be removed at Plaid. Front ends say Removal.Message, ask whether to forget
// the Item here anyway, call ForgetItem only on yes, and end with a failure either way.
var ErrNotRemovedAtPlaid = errors.New("the item could not be removed at Plaid: its access token is not in the keyring")

// RemoveQuestion is what a front end asks before RemoveItem.
func RemoveQuestion(it vault.SavedItem) string {
	return fmt.Sprintf("Remove %s (%s, %s) at Plaid? Its access token stops working for good.", it.Name, it.ItemID, orUnknown(it.InstitutionName))
}

// ForgetQuestion is what a front end asks after ErrNotRemovedAtPlaid.
func ForgetQuestion(it vault.SavedItem) string {
	return fmt.Sprintf("Forget %s here anyway? It stays live (and billed) at Plaid, and nothing here can remove it later.", it.Name)
}

// Message says in one sentence what happened, for both front ends.
func (r Removal) Message() string {
	switch r.Outcome {
	case RemovedAtPlaid:
		return fmt.Sprintf("Removed %s (%s) at Plaid and deleted its token from the keyring and the index.", r.Item.Name, r.Item.ItemID)
	case AlreadyGoneAtPlaid:
		return fmt.Sprintf("Plaid no longer knew %s (%s): it was already removed there (or its token rotated elsewhere). Cleaned up here: keyring and index entries deleted.", r.Item.Name, r.Item.ItemID)
	}
	s := fmt.Sprintf("Could NOT remove %s (%s) at Plaid: its access token is missing from the keyring, and /item/remove needs it. The Item stays live at Plaid and is billed there.", r.Item.Name, r.Item.ItemID)
	if r.Forgotten {
		s += " It was forgotten here, as you confirmed."
	} else {
		s += " It is still listed here."
	}
	return s
}

// RemoveItem removes a saved Item at Plaid (/item/remove) and then forgets it here (keyring,
// then index). Plaid answering INVALID_ACCESS_TOKEN or ITEM_NOT_FOUND means the Item is gone
// there already: it is cleaned up here all the same (AlreadyGoneAtPlaid). A token missing from
// the keyring returns NotRemovedTokenMissing and an error wrapping ErrNotRemovedAtPlaid without
// forgetting anything: see ForgetItem. Front ends ask RemoveQuestion first.
func (f *Flow) RemoveItem(ctx context.Context, ref string) (Removal, error) {
	c, err := f.savedItem(ref)
	if errors.Is(err, vault.ErrSecretNotFound) {
		r := Removal{Item: c.item, Outcome: NotRemovedTokenMissing}
		return r, fmt.Errorf("remove %s: %w", c.item.Name, ErrNotRemovedAtPlaid)
	}
	if err != nil {
		return Removal{Item: c.item}, err
	}
	r := Removal{Item: c.item, Outcome: RemovedAtPlaid}
	requestID, err := f.Client.RemoveItem(ctx, c.token)
	if err != nil {
		if !plaidapi.HasCode(err, "INVALID_ACCESS_TOKEN") && !plaidapi.HasCode(err, "ITEM_NOT_FOUND") {
			return r, f.observe(c, err)
		}
		r.Outcome = AlreadyGoneAtPlaid
		if pe, ok := plaidapi.AsError(err); ok {
			r.RequestID = pe.RequestID
		}
	} else {
		r.RequestID = requestID
	}
	if err := f.Vault.RemoveItem(c.ns, c.item.ItemID); err != nil {
		return r, fmt.Errorf("the item is removed at Plaid, but forgetting it here failed: %w", err)
	}
	r.Forgotten = true
	return r, nil
}

// ForgetItem forgets a saved Item here without calling Plaid: only after RemoveItem returned
// ErrNotRemovedAtPlaid and the user confirmed ForgetQuestion.
func (f *Flow) ForgetItem(ref string) (Removal, error) {
	ns, item, err := f.findSaved(ref, "saving is off for this session (--no-save): nothing to forget")
	if err != nil {
		return Removal{}, err
	}
	if err := f.Vault.RemoveItem(ns, item.ItemID); err != nil {
		return Removal{Item: item, Outcome: NotRemovedTokenMissing}, err
	}
	return Removal{Item: item, Outcome: NotRemovedTokenMissing, Forgotten: true}, nil
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
// a new one, which replaces the old in the keyring. If saving fails, the error wraps
// ErrRotatedNotSaved and Rotation.NewToken holds the new token: show it once, plainly.
func (f *Flow) RotateItem(ctx context.Context, ref string) (Rotation, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return Rotation{Item: c.item}, err
	}
	rotated, err := f.Client.InvalidateAccessToken(ctx, c.token)
	rot := Rotation{Item: c.item, RequestID: rotated.RequestID}
	if err != nil {
		// Without a new token, the old one may already be dead at Plaid: nothing is saved.
		return rot, f.observe(c, err)
	}
	if err := f.Vault.SetAccessToken(c.ns, c.item.ItemID, rotated.NewAccessToken); err != nil {
		rot.NewToken = rotated.NewAccessToken
		return rot, fmt.Errorf("%w (%v)", ErrRotatedNotSaved, err)
	}
	rot.Saved = true
	f.used(c)
	return rot, nil
}

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
