package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// WithListenHost takes an IP address (or localhost, which is 127.0.0.1) and refuses a name,
// which would be resolved to addresses the caller did not choose; on loopback it says it is not
// reachable from the network, and it answers the address it listens on by name.
func TestListenHost(t *testing.T) {
	t.Parallel()
	if _, err := Listen(WithListenHost("plaid-emulator")); err == nil || !strings.Contains(err.Error(), `"plaid-emulator" is not an IP address`) {
		t.Errorf("WithListenHost(a name): %v, want an error saying it is not an IP address", err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", ""} {
		s, err := Listen(WithListenHost(host), WithHostNames("plaid-emulator"))
		if err != nil {
			t.Fatal(err)
		}
		port := s.URL[strings.LastIndex(s.URL, ":")+1:]
		if s.URL != "http://127.0.0.1:"+port || s.ListenAddr() != "127.0.0.1:"+port || s.ListensBeyondLoopback() {
			t.Errorf("WithListenHost(%q): URL %s, listens on %s, beyond loopback %v", host, s.URL, s.ListenAddr(), s.ListensBeyondLoopback())
		}
		if got, want := s.HostNames(), []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "plaid-emulator:" + port}; !slices.Equal(got, want) {
			t.Errorf("WithListenHost(%q): host names %v, want %v", host, got, want)
		}
		s.Close()
	}
}

// A client that names the emulator by a --host name (another container's view of it) gets a
// hosted_link_url on that name, which its user's browser can reach; one that dials loopback
// gets the loopback URL.
func TestHostedLinkURLUsesTheNameTheCallerUsed(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, WithHostNames("plaid-emulator"))
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	body := []byte(`{"client_name":"x","language":"en","country_codes":["US"],"user":{"client_user_id":"u"},"products":["auth"],"hosted_link":{}}`)
	for host, want := range map[string]string{"plaid-emulator:" + port: "http://plaid-emulator:" + port + "/hl/", "": srv.URL + "/hl/"} {
		h := jsonHeaders()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/link/token/create", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header, req.Host = h, host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if got, _ := m["hosted_link_url"].(string); !strings.HasPrefix(got, want) {
			t.Errorf("Host %q: hosted_link_url %q, want it under %s", host, got, want)
		}
	}
}
