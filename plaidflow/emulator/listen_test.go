package emulator

import (
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
