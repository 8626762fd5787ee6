package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// A profile is one named set of keys, Items and settings: a Plaid team, a client of an agency.
// The default profile is where everything lived before profiles existed, so it keeps today's
// names: the index in the config directory and keyring entries `sandbox/secret`,
// `sandbox/item/<id>`. Any other profile has a directory of its own, profiles/<name>, holding
// its index, its lock files and the demo's Item states, and keyring entries prefixed with its
// name: `<name>/sandbox/secret`. Nothing is moved or renamed, so existing entries need no
// migration, and a profile's locks are its own (two profiles never wait for each other).

// DefaultProfile is the profile in force when none is chosen.
const DefaultProfile = "default"

// profilesDir holds every profile but the default one, one directory each.
const profilesDir = "profiles"

// rememberedFile holds the name `profiles use` chose, for later runs.
const rememberedFile = "profile"

var profileName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`) })

// ErrBadProfile means a profile name cannot be used: it becomes a directory and a keyring
// entry's prefix, so it is kept to what is safe in both and typed easily.
var ErrBadProfile = errors.New("a profile name is 1 to 40 letters, digits, '_' or '-', starting with a letter or digit")

// reservedProfiles are names that read as an environment: `--profile sandbox` is more likely
// a mistake for `--env sandbox` than a team's name.
var reservedProfiles = []string{"sandbox", "production", "development", "demo"}

// ProfileName checks a profile name as typed and gives it in its one spelling: lower case, since
// the directory of "Acme" is that of "acme" on macOS while their keyring entries would differ.
func ProfileName(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if !profileName().MatchString(name) {
		return "", fmt.Errorf("profile %q: %w", s, ErrBadProfile)
	}
	if slices.Contains(reservedProfiles, name) {
		return "", fmt.Errorf("profile %q: that is an environment's name, not a profile's (for the environment, use --env %s)", s, name)
	}
	return name, nil
}

// ProfileDir is the directory of a profile's index and locks, under base (DefaultDir).
func ProfileDir(base, profile string) string {
	if profile == "" || profile == DefaultProfile {
		return base
	}
	return filepath.Join(base, profilesDir, profile)
}

// OpenProfile is the vault of a profile: its index under base and its keyring entries in
// secrets. profile must have passed ProfileName (or be "" for the default).
func OpenProfile(secrets SecretStore, base, profile string) *Vault {
	if profile == "" {
		profile = DefaultProfile
	}
	v := NewVault(secrets, ProfileDir(base, profile))
	v.Profile = profile
	return v
}

// key is the keyring entry of name in this vault's profile: the default profile keeps the
// names entries had before profiles existed.
func (v *Vault) key(name string) string {
	if v.Profile == "" || v.Profile == DefaultProfile {
		return name
	}
	return v.Profile + "/" + name
}

// Profiles lists the profiles there are under base: the default one, then each with a
// directory, by name. A directory whose name is no profile name is not one.
func Profiles(base string) ([]string, error) {
	out := []string{DefaultProfile}
	entries, err := os.ReadDir(filepath.Join(base, profilesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("list profiles: %w", err)
	}
	for _, e := range entries {
		if n, err := ProfileName(e.Name()); err == nil && e.IsDir() && n == e.Name() && n != DefaultProfile {
			out = append(out, n)
		}
	}
	return out, nil
}

// ProfileExists reports whether the profile has a directory (the default one always exists).
func ProfileExists(base, profile string) bool {
	if profile == DefaultProfile {
		return true
	}
	fi, err := os.Stat(ProfileDir(base, profile))
	return err == nil && fi.IsDir()
}

// CreateProfile makes the profile's directory, so `profiles list` shows it before anything
// is saved in it.
func CreateProfile(base, profile string) error {
	if err := os.MkdirAll(ProfileDir(base, profile), 0o700); err != nil {
		return fmt.Errorf("create profile %s: %w", profile, err)
	}
	return nil
}

// RememberedPath is the file that keeps the profile `profiles use` chose.
func RememberedPath(base string) string { return filepath.Join(base, rememberedFile) }

// RememberedProfile is the profile `profiles use` chose, "" when none was (or the default).
// A file that does not hold a profile name is an error saying so, not a silent default: the
// user chose a profile and would act in another.
func RememberedProfile(base string) (string, error) {
	b, err := localfile.Read(RememberedPath(base), 1<<10)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the profile in use: %w", err)
	}
	name, err := ProfileName(string(b))
	if err != nil {
		return "", fmt.Errorf("%s: %w (run `plaid-onboard profiles use NAME` to choose again)", RememberedPath(base), err)
	}
	return name, nil
}

// Remember makes profile the one later runs use when neither --profile nor PLAID_PROFILE says
// otherwise; the default profile is remembered by removing the file.
func Remember(base, profile string) error {
	path := RememberedPath(base)
	if profile == DefaultProfile {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("forget the profile in use: %w", err)
		}
		return nil
	}
	if err := writeFileAtomic(path, []byte(profile+"\n")); err != nil {
		return fmt.Errorf("remember the profile in use: %w", err)
	}
	return nil
}

// ProfileContents is what a profile holds, as its index knows it: the keyring has no list of
// its own entries the program could read everywhere, so what no index names is not found.
type ProfileContents struct {
	Profile string `json:"profile"`
	Dir     string `json:"directory"`
	// KeyNamespaces are the environments ("sandbox", "production", "demo") keys were saved for.
	KeyNamespaces []string `json:"key_environments"`
	// Items are the saved Items of every environment, demo ones included.
	Items []SavedItem `json:"items"`
	// KeyringEntries are the keyring entries the index names: a secret per saved key, a token
	// per Item.
	KeyringEntries []string `json:"keyring_entries"`
}

// Live are the Items that may be alive at Plaid: every one but the demo's, whose Plaid is the
// emulator of the run that made them.
func (c ProfileContents) Live() []SavedItem {
	return slices.DeleteFunc(slices.Clone(c.Items), func(it SavedItem) bool { return it.Namespace == "demo" })
}

// Contents reads what the vault's profile holds.
func (v *Vault) Contents() (ProfileContents, error) {
	ix, err := v.read()
	if err != nil {
		return ProfileContents{}, err
	}
	return v.contents(ix), nil
}

func (v *Vault) contents(ix index) ProfileContents {
	c := ProfileContents{Profile: v.Profile, Dir: v.Dir, KeyNamespaces: []string{}, Items: []SavedItem{}, KeyringEntries: []string{}}
	for _, k := range ix.Keys {
		c.KeyNamespaces = append(c.KeyNamespaces, k.Namespace)
		c.KeyringEntries = append(c.KeyringEntries, v.key(secretKey(k.Namespace)))
	}
	for _, it := range ix.Items {
		c.Items = append(c.Items, it)
		c.KeyringEntries = append(c.KeyringEntries, v.key(accessTokenKey(it.Namespace, it.ItemID)))
	}
	return c
}

// SavedClientID is the client_id saved with the keys of a namespace, "" when none: read from
// the index only, never the keyring.
func (v *Vault) SavedClientID(ns string) (string, error) {
	ix, err := v.read()
	if err != nil {
		return "", err
	}
	for _, k := range ix.Keys {
		if k.Namespace == ns {
			return k.ClientID, nil
		}
	}
	return "", nil
}

// ProfileHasItemsError refuses to remove a profile that still names Items which may be alive
// at Plaid: deleting their tokens would leave them alive, billed, and out of reach.
type ProfileHasItemsError struct {
	Profile string
	Items   []SavedItem
}

// Error implements error.
func (e *ProfileHasItemsError) Error() string {
	return fmt.Sprintf("profile %s still has %d Item(s) that may be alive at Plaid; their access tokens are the only way to remove them", e.Profile, len(e.Items))
}

// RemoveProfile deletes a profile that holds no Item alive at Plaid: its keyring entries (saved
// keys, demo Items' tokens), then its directory (index, settings, lock files, the demo's Item
// states).
// It re-reads the index under the index lock, so an Item another run saves meanwhile is either
// seen (and the removal refused) or saved after it, in a directory made again. removed are the
// keyring entries deleted. A keyring entry that cannot be deleted stops the removal with the
// index intact, so a second try can finish.
func (v *Vault) RemoveProfile() (removed []string, err error) {
	if v.Profile == "" || v.Profile == DefaultProfile {
		return nil, errors.New("the default profile cannot be removed: remove its Items with `plaid-onboard items remove`")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := waitLock(context.Background(), v.lockPath(), "removing profile "+v.Profile, indexLockWait, v.OnLockWait)
	if err != nil {
		return nil, fmt.Errorf("remove profile %s: %w", v.Profile, err)
	}
	defer func() { _ = unlock() }()
	ix, err := v.read()
	if err != nil {
		return nil, fmt.Errorf("remove profile %s: %w", v.Profile, err)
	}
	c := v.contents(ix)
	if live := c.Live(); len(live) > 0 {
		return nil, &ProfileHasItemsError{Profile: v.Profile, Items: live}
	}
	for _, key := range c.KeyringEntries {
		if err := v.deleteIfHolds(key, ""); err != nil {
			return removed, fmt.Errorf("remove profile %s: delete keyring entry %q: %w", v.Profile, key, err)
		}
		removed = append(removed, key)
	}
	// The lock file goes with the directory, while this run still holds it: a run waiting for
	// it then writes its index into a directory made again.
	if err := os.RemoveAll(v.Dir); err != nil {
		return removed, fmt.Errorf("remove profile %s: %w", v.Profile, err)
	}
	return removed, nil
}
