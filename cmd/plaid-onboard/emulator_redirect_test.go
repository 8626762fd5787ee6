package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// `emulator --redirect-uri` registers redirect URIs as the Dashboard does: the --json line lists
// them, /link/token/create (through plaid-go) takes exactly those, and any other gets Plaid's
// INVALID_FIELD. A URI the Dashboard would not take is a usage error.
func TestEmulatorRegistersRedirectURIs(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	const registered = "http://localhost:8765/oauth-return"
	e := startEmulator(t, ctx, false, "emulator", "--json", "--redirect-uri", registered, "--redirect-uri", "https://app.example.com/oauth")
	var info emulatorInfo
	if err := json.Unmarshal([]byte(e.firstLine), &info); err != nil {
		t.Fatalf("first line is not JSON: %v: %q", err, e.firstLine)
	}
	if strings.Join(info.RedirectURIs, " ") != registered+" https://app.example.com/oauth" {
		t.Errorf("redirect_uris = %v", info.RedirectURIs)
	}
	linkToken := func(redirect string) error {
		cfg := plaidflow.Config{ClientID: info.ClientID, Secret: info.Secret, Env: plaidflow.Sandbox, APIURL: info.URL,
			Products: []string{"auth"}, CountryCodes: []string{"US"}, ClientName: "plaid-onboard", RedirectURI: redirect}
		c, err := plaidflow.NewClient(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateLinkToken(ctx, plaidflow.LinkTokenOptions{})
		return err
	}
	if err := linkToken(registered); err != nil {
		t.Errorf("registered redirect URI refused: %v", err)
	}
	for _, other := range []string{"http://localhost:8766/oauth-return", "http://localhost:8765/oauth-return/"} {
		err := linkToken(other)
		p := plaidflow.Explain(err)
		if p.ErrorCode != "INVALID_FIELD" || !strings.Contains(p.ErrorMessage, "OAuth redirect URI must be configured in the developer dashboard") {
			t.Errorf("unregistered %s: %+v", other, p)
		}
	}
	interrupt()
	if code := e.wait(t); code != exitOK {
		t.Errorf("exit %d", code)
	}

	te := newTestEnv(t)
	if code := run([]string{"emulator", "--redirect-uri", "http://localhost:8765/cb?x=1"}, te.d); code != exitUsage {
		t.Errorf("a redirect URI with a query: exit %d, want 2", code)
	}
}
