package plaidflow_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// Hosted Link (https://plaid.com/docs/link/hosted-link/): the Link token is made with
// hosted_link and its hosted_link_url is shown; leaving the journey (esc, another way of
// linking) stops following the session at once, and the journey starts again with a new token.
func TestHostedJourneyShowsTheURLAndStopsWhenClosed(t *testing.T) {
	fx := newFixture(t, "US")
	started := make(chan plaidflow.HostedUpdate, 1)
	j := fx.flow.HostedLinkJourney(func(u plaidflow.HostedUpdate) {
		if u.Kind == plaidflow.HostedStarted {
			started <- u
		}
	}, plaidflow.HostedOptions{})
	want := "Create a Link token → Link a bank account on any device (Hosted Link) → Exchange the public token → Save the Item in the keyring → Fetch the account and routing numbers"
	if got := stepNames(j.Steps()); got != want {
		t.Fatalf("steps = %s\nwant   %s", got, want)
	}
	rep, err := j.Run(context.Background())
	if err != nil || !strings.Contains(rep.Detail, "Hosted Link") {
		t.Fatalf("link token step: %q, %v", rep.Detail, err)
	}
	done := make(chan error, 1)
	go func() { _, err := j.Run(context.Background()); done <- err }()
	var u plaidflow.HostedUpdate
	select {
	case u = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the Hosted Link step did not show a URL within 10s")
	}
	if !strings.HasPrefix(u.URL, fx.srv.URL+"/hl/") || u.Expires.IsZero() {
		t.Errorf("shown %q expiring %v; want the emulator's hosted page and the token's expiry", u.URL, u.Expires)
	}
	j.Close()
	select {
	case err := <-done:
		var exit plaidflow.LinkExit
		if err == nil || errors.As(err, &exit) {
			t.Fatalf("the Hosted Link step ended with %v after the journey was closed, want neither an Item nor a Link exit", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the Hosted Link step still follows the session 2s after the journey was closed")
	}
	if next, _ := j.Next(); next != plaidflow.StepLinkToken {
		t.Errorf("after the session ended the journey is at %q, want a new Link token", next.Todo())
	}
}

// TestHostedJourneySendsWebhooksToThePublicURL: with --public-url (a tunnel to the webhook
// port), the Link token's webhook is the public URL and the receiver listens on that port; a
// port another program holds is an error, since webhooks through the tunnel would reach nobody.
func TestHostedJourneySendsWebhooksToThePublicURL(t *testing.T) {
	fx := newFixture(t, "US")
	j := fx.flow.HostedLinkJourney(nil, plaidflow.HostedOptions{PublicURL: "https://tunnel.example/hook"})
	t.Cleanup(func() { _ = j.Close() })
	rep, err := j.Run(context.Background())
	if err != nil || !strings.Contains(rep.Detail, "webhooks to https://tunnel.example/hook") {
		t.Fatalf("link token step with a public URL: %q, %v", rep.Detail, err)
	}

	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	j2 := fx.flow.HostedLinkJourney(nil, plaidflow.HostedOptions{PublicURL: "https://tunnel.example/hook", WebhookPort: port})
	t.Cleanup(func() { _ = j2.Close() })
	if _, err := j2.Run(context.Background()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d", port)) {
		t.Fatalf("a held webhook port with --public-url: %v, want an error naming the port", err)
	}
}
