package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// How long a run waits for a lock another plaid-onboard holds before it gives up, saying who
// holds it. The index lock is held only to read and write items.json. An Item's lock is held
// across one change of the Item: at most two keyring calls (each bounded by keyringTimeout),
// two Plaid calls (each bounded by the client's 30 s) and an index write.
const (
	indexLockWait = 15 * time.Second
	itemLockWait  = 90 * time.Second
	// lockPoll is how often a waiting run tries again.
	lockPoll = 25 * time.Millisecond
)

// LockBusyError is a lock another plaid-onboard still held when this run stopped waiting.
type LockBusyError struct {
	Path string
	// Holder is what the holder wrote in the lock file: its pid, what it does and since when.
	Holder string
	Waited time.Duration
}

// Error implements error.
func (e *LockBusyError) Error() string {
	return fmt.Sprintf("%s still holds %s after %s: let it finish (or stop it), then try again", holderName(e.Holder), e.Path, e.Waited.Round(time.Second))
}

// holderName names the run that holds a lock, for people.
func holderName(holder string) string {
	if holder == "" {
		return "another plaid-onboard run"
	}
	return "another plaid-onboard (" + holder + ")"
}

// Waiting is what a command prints when OnLockWait tells it who holds what it must change.
func Waiting(holder string) string {
	return "Waiting for " + holderName(holder) + " to finish…"
}

// cleanHolder keeps what a lock file says to one printable line: the file is only a file, and
// what it holds reaches a terminal.
func cleanHolder(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, strings.TrimSpace(s))
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return strings.ToValidUTF8(s, "")
}

// holderLine is what a lock's holder writes in the lock file, for the runs that wait for it.
func holderLine(doing string) string {
	return fmt.Sprintf("pid %d, %s, since %s", os.Getpid(), doing, time.Now().Format("15:04:05"))
}

// waitLock takes the lock at path, trying again until wait has passed or ctx ends. onWait, when
// set, is told once who holds it, so the user knows why nothing happens.
func waitLock(ctx context.Context, path, doing string, wait time.Duration, onWait func(holder string)) (unlock func() error, err error) {
	start := time.Now()
	told := false
	for {
		unlock, holder, err := tryLock(path, holderLine(doing))
		if err != nil || unlock != nil {
			return unlock, err
		}
		if !told && onWait != nil {
			onWait(cleanHolder(holder))
			told = true
		}
		if time.Since(start) >= wait {
			return nil, &LockBusyError{Path: path, Holder: cleanHolder(holder), Waited: time.Since(start)}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// itemLockPath is the lock of one saved Item: every run that reads an Item's token to change
// the Item at Plaid (rotate, remove) holds it from the read to the write of the outcome, so no
// other run acts on a token that is about to die. The name is a hash: Item ids come from
// outside and are no file names.
func (v *Vault) itemLockPath(ns, itemID string) string {
	sum := sha256.Sum256([]byte(ns + "/" + itemID))
	return filepath.Join(v.Dir, "locks", "item-"+hex.EncodeToString(sum[:10])+".lock")
}

// LockItem takes the Item's lock for doing ("rotating the access token of checking"), waiting
// for another run that holds it (OnLockWait is told who) for at most itemLockWait. unlock
// releases it. Locks are advisory files in the config directory, released by the OS when their
// process ends, so a crashed run leaves nothing held.
func (v *Vault) LockItem(ctx context.Context, ns, itemID, doing string) (unlock func(), err error) {
	path := v.itemLockPath(ns, itemID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock item %s: %w", itemID, err)
	}
	u, err := waitLock(ctx, path, doing, itemLockWait, v.OnLockWait)
	if err != nil {
		return nil, fmt.Errorf("lock item %s: %w", itemID, err)
	}
	return func() { _ = u() }, nil
}

// WithFileLock runs fn holding the lock file path, waiting for another run that holds it for
// as long as the index lock's wait: for other small files that several runs read, change and
// write back (the demo's Item states).
func WithFileLock(path, doing string, fn func() error) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	unlock, err := waitLock(context.Background(), path, doing, indexLockWait, nil)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := unlock(); err == nil {
			err = uerr
		}
	}()
	return fn()
}
