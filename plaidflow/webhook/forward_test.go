package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// results collects what a Forwarder reports.
func results() (chan ForwardResult, func(ForwardResult)) {
	ch := make(chan ForwardResult, 2*forwardQueue)
	return ch, func(r ForwardResult) { ch <- r }
}

func nextResult(t *testing.T, ch chan ForwardResult, what string) ForwardResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(30 * time.Second):
		t.Fatalf("no forward result in 30s; waited for %s", what)
		return ForwardResult{}
	}
}

// A redirect is the forward's answer: the webhook and its Plaid-Verification header go to
// the target named and nowhere else.
func TestForwarderDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	var header atomic.Value
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header.Store(r.Header.Get("Plaid-Verification"))
		http.Redirect(w, r, other.URL+"/collect", http.StatusPermanentRedirect)
	}))
	defer app.Close()
	ch, report := results()
	f := NewForwarder(app.URL+"/hook", report)
	defer f.Close()
	f.Send(Webhook{Body: []byte(`{}`), Header: http.Header{"Plaid-Verification": {"a.b.c"}}})
	r := nextResult(t, ch, "the forward")
	if r.Err != nil || r.Status != http.StatusPermanentRedirect || r.Location != other.URL+"/collect" {
		t.Errorf("result %+v, want the 308 and where it pointed", r)
	}
	if elsewhere.Load() != 0 {
		t.Errorf("the redirect was followed")
	}
	if header.Load() != "a.b.c" {
		t.Errorf("the app got Plaid-Verification %v, want the webhook's", header.Load())
	}
}

// An app that never answers gets a few forwards at once; the rest wait in a bounded queue and,
// past it, are dropped and said so, and Send never blocks. Close ends the forwards under way.
func TestForwarderBoundedWhenTheAppHangs(t *testing.T) {
	var arrived atomic.Int32
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		_, _ = io.ReadAll(r.Body) // so the server notices the forward's connection close
		<-r.Context().Done()
	}))
	defer app.Close()
	ch, report := results()
	f := NewForwarder(app.URL, report)
	start := time.Now()
	sent := 0
	for range forwardsAtOnce + forwardQueue + 5 {
		if f.Send(Webhook{Body: []byte(`{}`)}) {
			sent++
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Send took %s in all with the app hanging, want at once", took)
	}
	dropped := 0
	for range forwardsAtOnce + forwardQueue + 5 - sent {
		if r := nextResult(t, ch, "a dropped webhook"); r.Dropped {
			dropped++
		}
	}
	if dropped == 0 || sent > forwardsAtOnce+forwardQueue {
		t.Errorf("%d queued and %d dropped, want at most %d queued", sent, dropped, forwardsAtOnce+forwardQueue)
	}
	deadline := time.Now().Add(30 * time.Second)
	for arrived.Load() < forwardsAtOnce {
		if time.Now().After(deadline) {
			t.Fatalf("%d forwards reached the app, want %d side by side", arrived.Load(), forwardsAtOnce)
		}
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { f.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the forwards the app holds")
	}
	if n := arrived.Load(); n != forwardsAtOnce {
		t.Errorf("%d forwards reached the app, want %d at once and no more", n, forwardsAtOnce)
	}
}

// Link-local and cloud metadata targets are refused with the reason; a target off this
// machine is allowed and said to be remote.
func TestCheckForwardTarget(t *testing.T) {
	cases := []struct {
		target string
		remote bool
		refuse string
	}{
		{"http://127.0.0.1:3000/plaid/webhook", false, ""},
		{"http://localhost:3000/", false, ""},
		{"http://[::1]:3000/", false, ""},
		{"https://203.0.113.7/hook", true, ""},
		{"http://169.254.169.254/latest/meta-data/", false, "link-local"},
		{"http://169.254.170.2/v2/credentials", false, "link-local"},
		{"http://[fe80::1%25eth0]:80/", false, "link-local"},
		{"http://[::ffff:169.254.169.254]/", false, "link-local"},
		{"http://[fd00:ec2::254]/", false, "cloud metadata"},
		{"http://100.100.100.200/", false, "cloud metadata"},
		{"http://metadata.google.internal/computeMetadata/v1/", false, "cloud metadata"},
		{"http://Metadata.Google.Internal./", false, "cloud metadata"},
		{"ftp://127.0.0.1/", false, "not an http(s) URL"},
	}
	for _, tc := range cases {
		remote, err := CheckForwardTarget(context.Background(), tc.target)
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.target, err)
		case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%s: %v, want refused (%s)", tc.target, err, tc.refuse)
		case err == nil && remote != tc.remote:
			t.Errorf("%s: remote %v, want %v", tc.target, remote, tc.remote)
		}
	}
}

// A name that leads to a link-local address is refused when the forward connects, whatever
// was checked at start.
func TestForwarderRefusesLinkLocalAtConnect(t *testing.T) {
	ch, report := results()
	f := NewForwarder("http://169.254.169.254/", report)
	defer f.Close()
	f.Send(Webhook{Body: []byte(`{}`)})
	if r := nextResult(t, ch, "the refused forward"); r.Err == nil || !strings.Contains(r.Err.Error(), "link-local") {
		t.Errorf("result %+v, want refused as link-local", r)
	}
}

// The receiver knows a forward target that is itself.
func TestReceiverReceives(t *testing.T) {
	r, err := Listen(0, nil, func(Webhook) {})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	port := r.URL[strings.LastIndex(r.URL, ":")+1 : len(r.URL)-1]
	for target, want := range map[string]bool{
		"http://127.0.0.1:" + port + "/x": true, "http://localhost:" + port: true,
		"http://127.0.0.1:1/": false, "http://203.0.113.7:" + port + "/": false,
	} {
		if got := r.Receives(target); got != want {
			t.Errorf("Receives(%s) = %v, want %v", target, got, want)
		}
	}
}
