package present

import (
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// KeptIn says where keys and Items are kept, as the end of "kept in: …": the keyring, the
// encrypted file, the demo's file, or nowhere and why.
func KeptIn(info vault.StoreInfo) string {
	switch info.Kind {
	case vault.StoreNone:
		return "nowhere: " + noKeyring(info)
	case vault.StoreMemory:
		return "memory only: nothing is kept when the program exits"
	}
	return info.Description
}

// WillBeKept is the sentence the Keys screen shows before anything is linked.
func WillBeKept(info vault.StoreInfo) string {
	switch info.Kind {
	case vault.StoreNone:
		return "Items will not be kept: " + noKeyring(info)
	case vault.StoreMemory:
		return "Items will not be kept (memory only, for this run)"
	}
	return "Items will be kept in " + info.Description
}

// WillBeKeptIn is WillBeKept for a store that is a file, without the file, which a screen
// puts on a line of its own ("Items will be kept in the encrypted file:"); "" for the others.
func WillBeKeptIn(info vault.StoreInfo) string {
	switch info.Kind {
	case vault.StoreFile:
		return "Items will be kept in the encrypted file:"
	case vault.StoreDemoFile:
		return "Items will be kept in a plain file (the demo's tokens are the emulator's, not secrets):"
	}
	return ""
}

func noKeyring(info vault.StoreInfo) string {
	if info.Problem == "" {
		return "no OS keyring is reachable"
	}
	return "no OS keyring is reachable; " + info.Problem
}

// FileStoreHint says how to keep Items where no keyring is reachable.
func FileStoreHint() string {
	return "--store file or " + config.StoreVar + "=file keeps them in an encrypted file, with a passphrase"
}
