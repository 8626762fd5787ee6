package emulator

import (
	"net"
	"strings"
	"testing"
	"time"
)

// Quitting the demo must be quick even when a client keeps an unused connection open.
func TestCloseDoesNotWaitForIdleConnections(t *testing.T) {
	s := NewServer()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %s with an idle connection open", took)
	}
}
