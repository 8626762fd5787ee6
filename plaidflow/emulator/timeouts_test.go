package emulator

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that sends its headers and then trickles its body (or stops) does not hold a
// connection for good: once the read timeout is up, the emulator answers or hangs up. Before
// issue 16 (item 9) it waited forever.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	srv := NewServer(withReadTimeout(timeout))
	defer srv.Close()
	for _, path := range []string{"/auth/get", controlPrefix + "faults", standInPath + "/session"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := "POST " + path + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(srv.URL, "http://") + "\r\nOrigin: " + srv.URL +
			"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		// Far past the timeout, so that a busy machine does not fail the test; on failure the
		// read below times out instead of seeing the emulator end the exchange.
		const patience = 20 * time.Second
		start := time.Now()
		conn.SetReadDeadline(start.Add(patience))
		_, err = io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the emulator still held a connection whose body stopped coming after %s (read timeout %s)", path, patience, timeout)
		}
	}
}

// The read timeout bounds how long a request takes to arrive, not how long its answer takes:
// latency (and held or hanging faults) may keep a call far longer, and it still gets its
// answer.
func TestLatencyOutlastsReadTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	srv := NewServer(withReadTimeout(timeout), WithLatency(4*timeout))
	defer srv.Close()
	a := rawCall(t, srv, "/auth/get", map[string]any{"access_token": "access-sandbox-00000000-0000-0000-0000-000000000000"})
	if a.status != http.StatusBadRequest || a.decode(t)["error_code"] != "INVALID_ACCESS_TOKEN" {
		t.Errorf("a call slower than the read timeout: HTTP %d %q, want Plaid's INVALID_ACCESS_TOKEN", a.status, a.body)
	}
}
