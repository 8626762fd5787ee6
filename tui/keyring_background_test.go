package tui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// blockingStore is a keyring that does not answer until released, as a locked or hung Secret
// Service does for its whole timeout.
type blockingStore struct {
	*vault.MemoryStore
	release chan struct{}
}

func (s blockingStore) Get(key string) (string, error) {
	<-s.release
	return s.MemoryStore.Get(key)
}

// TestFirstFrameDoesNotWaitForTheKeyring: the keys screen is drawn at once, saying it looks the
// keys up; the keys saved in a keyring that answers late fill the form when it does.
func TestFirstFrameDoesNotWaitForTheKeyring(t *testing.T) {
	store := blockingStore{vault.NewMemoryStore(), make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(store.release)
		}
	}
	t.Cleanup(release)
	vlt := vault.NewVault(store, t.TempDir())
	if err := vlt.SaveKeys("sandbox", "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"); err != nil {
		t.Fatal(err)
	}

	// Given keys saved in a keyring that does not answer yet, and none anywhere else,
	in, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	deps := testDeps(t, baseConfig())
	deps.In = in
	out := newWatchedBuffer()
	deps.Out = out
	deps.Vault = vlt
	deps.Sources = config.Sources{Getenv: func(string) string { return "" }, Vault: vlt}
	deps.NewClient = func(config.Config, *http.Client) (*plaidapi.Client, error) {
		return nil, errors.New("no Plaid in this test")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, deps) }()

	// when the UI starts, its first frame is on screen while the keyring still has not answered,
	out.waitFor(t, "Your Plaid API keys")
	out.waitFor(t, "looking up the keys for Sandbox")
	// and once it answers, the saved keys fill the form, said to come from the keyring.
	release()
	out.waitFor(t, "from keyring")

	cancel()
	waitForRun(t, done, "Run to end after the context was cancelled")
}
