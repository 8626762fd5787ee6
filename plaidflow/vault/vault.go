package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// Vault keeps what a run made so the next run starts where it ended: the keys of each
// environment and the linked Items. Secrets (the client secret, access tokens) go to a
// SecretStore, the OS keyring in the program; the non-secret index (names, institutions, dates,
// client ids) goes to items.json in the config directory, written atomically with mode 0600.
// No token or secret is ever written to that file.
type Vault struct {
	Secrets SecretStore
	Dir     string
	// Profile is the profile whose keys and Items these are (OpenProfile); "" or
	// DefaultProfile keeps the keyring entries' names without a prefix.
	Profile string
	// OnLockWait, when set, is told once per wait that another plaid-onboard holds the index
	// or an Item this run must change, and who (its pid, what it does, since when): the front
	// end says so, since the run then waits without a word for up to a minute and a half.
	OnLockWait func(holder string)

	// mu serialises read-modify-write of the index within this process; the lock file next
	// to the index (lockPath) does so across processes.
	mu  sync.Mutex
	now func() time.Time
}

// SavedItem is one linked Item as the index records it. The access token lives in the keyring.
type SavedItem struct {
	Namespace       string    `json:"namespace"`
	ItemID          string    `json:"item_id"`
	Name            string    `json:"name"`
	InstitutionID   string    `json:"institution_id,omitempty"`
	InstitutionName string    `json:"institution_name,omitempty"`
	ClientID        string    `json:"client_id,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	// LastUsed is when a call with the Item's access token last reached Plaid; zero if never
	// since it was saved.
	LastUsed time.Time `json:"last_used,omitzero"`
	// Health is the last known health: "" when unknown, HealthOK, or the error_code Plaid last
	// answered for the Item (ITEM_LOGIN_REQUIRED, PENDING_EXPIRATION, PENDING_DISCONNECT, …).
	// It is what `items` shows without asking Plaid; HealthAt says when it was learnt.
	Health   string    `json:"health,omitempty"`
	HealthAt time.Time `json:"health_at,omitzero"`
	// Accounts are the Item's accounts as Plaid last listed them (KnownAccount: no numbers), so
	// a processor token for "--account 0000" need not wait for /accounts/get first.
	Accounts []KnownAccount `json:"accounts,omitempty"`
}

// savedKeys records that keys were saved for a namespace; the secret itself is in the keyring.
type savedKeys struct {
	Namespace string    `json:"namespace"`
	ClientID  string    `json:"client_id"`
	SavedAt   time.Time `json:"saved_at"`
}

// retiredName is the name of a removed Item: automatic names never reuse it, so a name in an
// old script or ticket cannot silently come to mean another Item.
type retiredName struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	ItemID    string    `json:"item_id"`
	RemovedAt time.Time `json:"removed_at"`
}

type index struct {
	Version int           `json:"version"`
	Keys    []savedKeys   `json:"keys"`
	Items   []SavedItem   `json:"items"`
	Retired []retiredName `json:"retired_names,omitempty"`
}

var (
	// ErrItemNotFound means no saved Item matches.
	ErrItemNotFound = errors.New("no saved item matches")
	// ErrNoItems means nothing has been linked yet in this environment.
	// The command that links one is the caller's to suggest (plaidflow.NoItemsError), in the
	// run's mode.
	ErrNoItems = errors.New("no saved items yet")
	// ErrAmbiguousItem means several Items are saved and the caller must pick one.
	ErrAmbiguousItem = errors.New("several items are saved: name one (see `plaid-onboard items`)")
	// ErrNameTaken means another saved Item of the environment already has the name.
	ErrNameTaken = errors.New("the name is taken by another saved item")
	// ErrTokenChanged means the keyring holds another token for the Item than the one a
	// removal was about: the Item was rotated meanwhile and may be alive, so it is not forgotten.
	ErrTokenChanged = errors.New("the item's access token in the keyring changed meanwhile")
	// ErrBadName means the name cannot be typed safely on a command line or clashes with ids.
	ErrBadName = errors.New("a name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
)

// NewVault keeps the index in dir and the secrets in secrets.
func NewVault(secrets SecretStore, dir string) *Vault {
	return &Vault{Secrets: secrets, Dir: dir, now: time.Now}
}

// DefaultDir is the index's directory: $XDG_CONFIG_HOME/plaid-onboard (or the OS equivalent).
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(base, "plaid-onboard"), nil
}

func (v *Vault) indexPath() string { return filepath.Join(v.Dir, "items.json") }

// lockPath is the advisory lock every writer of the index holds: two plaid-onboard processes
// saving Items at once would otherwise each write back what it read, and one Item would vanish
// from the index while its token stays in the keyring.
func (v *Vault) lockPath() string { return v.indexPath() + ".lock" }

// Where says, for people, where Items are kept.
func (v *Vault) Where() string {
	return fmt.Sprintf("%s; index in %s", v.Secrets.Describe(), v.indexPath())
}

func secretKey(ns string) string              { return ns + "/secret" }
func accessTokenKey(ns, itemID string) string { return ns + "/item/" + itemID }

// SaveKeys stores the client secret in the keyring and the client_id in the index.
func (v *Vault) SaveKeys(ns, clientID, secret string) error {
	if err := v.Secrets.Set(v.key(secretKey(ns)), secret); err != nil {
		return fmt.Errorf("save keys: %w", err)
	}
	return v.update(func(ix *index) {
		ix.Keys = slices.DeleteFunc(ix.Keys, func(k savedKeys) bool { return k.Namespace == ns })
		ix.Keys = append(ix.Keys, savedKeys{Namespace: ns, ClientID: clientID, SavedAt: v.now().UTC()})
	})
}

// LoadKeys returns the saved keys of a namespace; ErrSecretNotFound when none were saved.
func (v *Vault) LoadKeys(ns string) (clientID, secret string, err error) {
	ix, err := v.read()
	if err != nil {
		return "", "", err
	}
	for _, k := range ix.Keys {
		if k.Namespace == ns {
			clientID = k.ClientID
		}
	}
	if clientID == "" {
		return "", "", fmt.Errorf("load keys for %s: %w", ns, ErrSecretNotFound)
	}
	secret, err = v.Secrets.Get(v.key(secretKey(ns)))
	if err != nil {
		return "", "", fmt.Errorf("load keys for %s: %w", ns, err)
	}
	return clientID, secret, nil
}

// SaveItem stores the access token in the keyring first, and only then records the Item in the
// index, so the index never names an Item whose token is missing. When the index cannot be
// written, the token is taken back out of the keyring (a token no index names is one nothing
// here shows or removes) and the error is an *IndexWriteError saying whether that worked. It
// picks a short unique name from the institution's name and returns the Item as saved.
func (v *Vault) SaveItem(it SavedItem, accessToken string) (SavedItem, error) {
	if it.Namespace == "" || it.ItemID == "" || accessToken == "" {
		return SavedItem{}, errors.New("save item: namespace, item id and access token are required")
	}
	// An index that cannot be read would refuse the Item after its token is in the keyring,
	// leaving an entry nothing names: find out first.
	if _, err := v.read(); err != nil {
		return SavedItem{}, fmt.Errorf("save item %s: %w", it.ItemID, err)
	}
	key := v.key(accessTokenKey(it.Namespace, it.ItemID))
	if err := v.Secrets.Set(key, accessToken); err != nil {
		return SavedItem{}, fmt.Errorf("save item %s: %w", it.ItemID, err)
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = v.now().UTC().Truncate(time.Second)
	}
	err := v.update(func(ix *index) {
		ix.Items = slices.DeleteFunc(ix.Items, func(o SavedItem) bool {
			return o.Namespace == it.Namespace && o.ItemID == it.ItemID
		})
		if it.Name == "" {
			it.Name = uniqueName(*ix, it.Namespace, it.InstitutionName)
		}
		ix.Items = append(ix.Items, it)
	})
	if err != nil {
		var we *IndexWriteError
		if errors.As(err, &we) && v.deleteIfHolds(key, accessToken) != nil {
			we.LeftInKeyring = key
		}
		return SavedItem{}, fmt.Errorf("save item %s: %w", it.ItemID, err)
	}
	return it, nil
}

// deleteIfHolds deletes the keyring entry key if it holds token (any token when token is ""):
// an entry another run has meanwhile given a new token is left alone. An entry already gone is
// no error. Callers hold the Item's lock (or the Item is new and no other run knows it), so
// nothing changes the entry between the read and the delete.
func (v *Vault) deleteIfHolds(key, token string) error {
	got, err := v.Secrets.Get(key)
	switch {
	case errors.Is(err, ErrSecretNotFound):
		return nil
	case err != nil:
		return err
	case token != "" && got != token:
		return nil
	}
	err = v.Secrets.Delete(key)
	if err == nil || errors.Is(err, ErrSecretNotFound) {
		return nil
	}
	// The Secret Service can answer a delete racing another (an older plaid-onboard that
	// takes no lock) with a D-Bus error instead of "not found": look again before blaming it.
	if _, gerr := v.Secrets.Get(key); errors.Is(gerr, ErrSecretNotFound) {
		return nil
	}
	return err
}

// SetInstitution records a saved Item's institution, learnt after it was saved, and renames the
// Item after it (unique among the namespace's names), in one locked read-modify-write.
func (v *Vault) SetInstitution(ns, itemID, institutionID, institutionName string) (SavedItem, error) {
	var updated SavedItem
	err := v.update(func(ix *index) {
		others := slices.DeleteFunc(slices.Clone(ix.Items), func(o SavedItem) bool { return o.Namespace == ns && o.ItemID == itemID })
		for i := range ix.Items {
			if it := &ix.Items[i]; it.Namespace == ns && it.ItemID == itemID {
				it.InstitutionID, it.InstitutionName = institutionID, institutionName
				it.Name = uniqueName(index{Items: others, Retired: ix.Retired}, ns, institutionName)
				updated = *it
			}
		}
	})
	if err == nil && updated.ItemID == "" {
		err = fmt.Errorf("%w %q", ErrItemNotFound, itemID)
	}
	return updated, err
}

// Items lists the saved Items of a namespace, oldest first.
func (v *Vault) Items(ns string) ([]SavedItem, error) {
	ix, err := v.read()
	if err != nil {
		return nil, err
	}
	var out []SavedItem
	for _, it := range ix.Items {
		if it.Namespace == ns {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// FindItem finds a saved Item by id or name; with ref empty, the only Item there is.
func (v *Vault) FindItem(ns, ref string) (SavedItem, error) {
	items, err := v.Items(ns)
	if err != nil {
		return SavedItem{}, err
	}
	if len(items) == 0 {
		return SavedItem{}, ErrNoItems
	}
	if ref == "" {
		if len(items) > 1 {
			return SavedItem{}, ErrAmbiguousItem
		}
		return items[0], nil
	}
	for _, it := range items {
		if it.ItemID == ref || strings.EqualFold(it.Name, ref) {
			return it, nil
		}
	}
	return SavedItem{}, fmt.Errorf("%w %q", ErrItemNotFound, ref)
}

// AccessToken reads a saved Item's access token from the keyring.
func (v *Vault) AccessToken(ns, itemID string) (string, error) {
	tok, err := v.Secrets.Get(v.key(accessTokenKey(ns, itemID)))
	if err != nil {
		return "", fmt.Errorf("read access token of %s: %w", itemID, err)
	}
	return tok, nil
}

// RemoveItem forgets a saved Item: its index entry, then its keyring entry, whatever token it
// holds. See RemoveItemWithToken.
func (v *Vault) RemoveItem(ns, itemID string) error { return v.RemoveItemWithToken(ns, itemID, "") }

// RemoveItemWithToken forgets a saved Item: its index entry first, then its keyring entry, but
// only while that holds token ("" for any): an entry given a new token meanwhile belongs to an
// Item still alive. Its name is retired, so no later Item is named after it without the user
// choosing so. A keyring entry holding another token is ErrTokenChanged, and nothing is
// forgotten. An index that cannot be written is an *IndexWriteError and leaves the keyring
// as it was, so the Item stays listed with its token and a second remove can finish; a keyring
// that refuses after the index was written is a *LeftInKeyringError.
func (v *Vault) RemoveItemWithToken(ns, itemID, token string) error {
	key := v.key(accessTokenKey(ns, itemID))
	if token != "" {
		if got, err := v.Secrets.Get(key); err == nil && got != token {
			return fmt.Errorf("forget item %s: %w", itemID, ErrTokenChanged)
		}
	}
	err := v.update(func(ix *index) {
		for _, o := range ix.Items {
			if o.Namespace == ns && o.ItemID == itemID && o.Name != "" {
				ix.Retired = append(ix.Retired, retiredName{Namespace: ns, Name: o.Name, ItemID: itemID, RemovedAt: v.now().UTC().Truncate(time.Second)})
			}
		}
		ix.Items = slices.DeleteFunc(ix.Items, func(o SavedItem) bool { return o.Namespace == ns && o.ItemID == itemID })
	})
	if err != nil {
		return fmt.Errorf("forget item %s: %w", itemID, err)
	}
	if err := v.deleteIfHolds(key, token); err != nil {
		return &LeftInKeyringError{Key: key, Err: err}
	}
	return nil
}

// LeftInKeyringError is an Item forgotten in the index whose keyring entry could not be
// deleted: the entry stays, named Key under KeyringService.
type LeftInKeyringError struct {
	Key string
	Err error
}

// Error implements error.
func (e *LeftInKeyringError) Error() string {
	return fmt.Sprintf("forgotten in the index, but its access token could not be deleted from the keyring (%v): it stays there as %q (service %s); delete that entry by hand", e.Err, e.Key, KeyringService)
}

// Unwrap gives the keyring's error.
func (e *LeftInKeyringError) Unwrap() error { return e.Err }

// SetAccessToken replaces a saved Item's access token in the keyring (after
// /item/access_token/invalidate); the index does not change, since it holds no token.
func (v *Vault) SetAccessToken(ns, itemID, accessToken string) error {
	if err := v.Secrets.Set(v.key(accessTokenKey(ns, itemID)), accessToken); err != nil {
		return fmt.Errorf("save the new access token of %s: %w", itemID, err)
	}
	return nil
}

// ItemsNewestFirst lists the saved Items of a namespace, the most recently linked first: what
// `items` and the Items screen show. It reads the index only, never the keyring.
func (v *Vault) ItemsNewestFirst(ns string) ([]SavedItem, error) {
	items, err := v.Items(ns)
	if err != nil {
		return nil, err
	}
	slices.Reverse(items)
	return items, nil
}

// ItemsAt lists the saved Items of a namespace at one institution: linking it again makes a
// second Item, billed separately.
func (v *Vault) ItemsAt(ns, institutionID string) ([]SavedItem, error) {
	if institutionID == "" {
		return nil, nil
	}
	items, err := v.Items(ns)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(items, func(it SavedItem) bool { return it.InstitutionID != institutionID }), nil
}

// Renamed is a rename as the vault did it.
type Renamed struct {
	Item    SavedItem `json:"item"`
	OldName string    `json:"old_name"`
	// ReusedRemovedName is the id of a removed Item that had this name before: the user chose
	// it, so it is allowed, and the front end says so.
	ReusedRemovedName string `json:"reused_removed_name,omitempty"`
}

var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })

// RenameItem gives a saved Item (by id or name) a new name, unique among the namespace's Items
// (compared without case, as FindItem finds them). A name that is another Item's id is refused,
// since references would become ambiguous.
func (v *Vault) RenameItem(ns, ref, name string) (Renamed, error) {
	if !validName().MatchString(name) {
		return Renamed{}, fmt.Errorf("rename to %q: %w", name, ErrBadName)
	}
	item, err := v.FindItem(ns, ref)
	if err != nil {
		return Renamed{}, err
	}
	var out Renamed
	var refused error
	err = v.update(func(ix *index) {
		for _, o := range ix.Items {
			if o.Namespace == ns && o.ItemID != item.ItemID && (strings.EqualFold(o.Name, name) || o.ItemID == name) {
				refused = fmt.Errorf("rename %s to %q: %w (%s)", item.Name, name, ErrNameTaken, o.ItemID)
				return
			}
		}
		found := false
		for i := range ix.Items {
			if it := &ix.Items[i]; it.Namespace == ns && it.ItemID == item.ItemID {
				out.OldName, it.Name, found = it.Name, name, true
				out.Item = *it
			}
		}
		if !found {
			refused = fmt.Errorf("%w %q", ErrItemNotFound, ref)
			return
		}
		ix.Retired = slices.DeleteFunc(ix.Retired, func(r retiredName) bool {
			if r.Namespace == ns && strings.EqualFold(r.Name, name) {
				out.ReusedRemovedName = r.ItemID
				return true
			}
			return false
		})
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return Renamed{}, err
	}
	return out, nil
}

// RecordUse notes that a call with the Item's token reached Plaid at when, and the health it
// showed: HealthOK, or the Item's error_code. An Item no longer in the index is ignored.
func (v *Vault) RecordUse(ns, itemID string, when time.Time, health string) error {
	return v.update(func(ix *index) {
		for i := range ix.Items {
			if it := &ix.Items[i]; it.Namespace == ns && it.ItemID == itemID {
				it.LastUsed = when.UTC().Truncate(time.Second)
				if health != "" {
					it.Health, it.HealthAt = health, it.LastUsed
				}
			}
		}
	})
}

// maxIndexFile bounds the index read: a few hundred bytes an Item. A FIFO or device put in its
// place is refused, not waited on (localfile.Read).
const maxIndexFile = 16 << 20

func (v *Vault) read() (index, error) {
	var ix index
	b, err := localfile.Read(v.indexPath(), maxIndexFile)
	if errors.Is(err, fs.ErrNotExist) {
		return index{Version: 1}, nil
	}
	if err != nil {
		return ix, fmt.Errorf("read item index: %w", err)
	}
	if err := json.Unmarshal(b, &ix); err != nil {
		return ix, v.corrupt(b, err)
	}
	if err := ix.check(b); err != nil {
		return index{}, v.corrupt(b, err)
	}
	return ix, nil
}

// Check reads the index, so a command finds a corrupt one before it calls Plaid: an Item made
// then could not be recorded. The error is a *CorruptIndexError saying how to recover.
func (v *Vault) Check() error {
	_, err := v.read()
	return err
}

// update applies change to the index under the lock file, re-reading it there so a change
// another process made meanwhile is kept, and writes it back atomically: a temporary file with
// mode 0600 in the same directory, synced, then renamed over the old one. A failure to lock or
// write is an *IndexWriteError: the index is as it was.
func (v *Vault) update(change func(*index)) (err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := os.MkdirAll(v.Dir, 0o700); err != nil {
		return &IndexWriteError{Path: v.indexPath(), Err: err}
	}
	unlock, err := waitLock(context.Background(), v.lockPath(), "writing the item index", indexLockWait, v.OnLockWait)
	if err != nil {
		return &IndexWriteError{Path: v.indexPath(), Err: err}
	}
	defer func() {
		if uerr := unlock(); uerr != nil && err == nil {
			err = fmt.Errorf("unlock the item index: %w", uerr)
		}
	}()
	ix, err := v.read()
	if err != nil {
		return err
	}
	change(&ix)
	ix.Version = 1
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return fmt.Errorf("encode item index: %w", err)
	}
	if err := writeFileAtomic(v.indexPath(), append(b, '\n')); err != nil {
		return &IndexWriteError{Path: v.indexPath(), Err: err}
	}
	return nil
}

// IndexWriteError is an index that could not be written (a full disk, a read-only directory,
// a lock another run holds too long): the index is as it was before.
type IndexWriteError struct {
	Path string
	Err  error
	// LeftInKeyring is, after a failed SaveItem, the keyring entry that holds the new Item's
	// access token although no index names it: "" when it was taken back out.
	LeftInKeyring string
}

// Error implements error.
func (e *IndexWriteError) Error() string {
	return fmt.Sprintf("the item index %s could not be written: %v", e.Path, e.Err)
}

// Unwrap gives the file system's error.
func (e *IndexWriteError) Unwrap() error { return e.Err }

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".items-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// uniqueName makes a short name people can type: "first-platypus-bank", then "-2", "-3". It
// skips the names of removed Items, so an old name never silently means a new Item.
func uniqueName(ix index, ns, institution string) string {
	base := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(institution), "-"), "-")
	if base == "" {
		base = "item"
	}
	taken := map[string]bool{}
	for _, it := range ix.Items {
		if it.Namespace == ns {
			taken[strings.ToLower(it.Name)] = true
		}
	}
	for _, r := range ix.Retired {
		if r.Namespace == ns {
			taken[strings.ToLower(r.Name)] = true
		}
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}
