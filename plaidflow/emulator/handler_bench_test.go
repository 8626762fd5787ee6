package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkAuthGetHandler is one /auth/get call through the emulator's handler, without the
// network: what the emulator's own work costs a call, allocations included. Unlike
// BenchmarkAuthGetThroughput it is steady on a busy machine, so two versions of the emulator
// can be compared by it (the request log, for one, must add no allocation).
func BenchmarkAuthGetHandler(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	access := mustAccessToken(b, srv, "ins_109508")
	body := []byte(`{"access_token":"` + access + `"}`)
	host := strings.TrimPrefix(srv.URL, "http://")
	header := jsonHeaders()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/auth/get", bytes.NewReader(body))
		req.Host, req.Header = host, header
		w := httptest.NewRecorder()
		srv.serveHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("/auth/get: %d %s", w.Code, w.Body)
		}
	}
}
