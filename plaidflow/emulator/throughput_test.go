package emulator

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkAuthGetThroughput measures /auth/get calls per second against the emulator and,
// in the same run and with the same client, against a bare net/http handler that returns
// the emulator's own answer: their ratio is what the emulator's work costs a load test.
// It logs the ratio of the two req/s figures (goal: emulator >= 0.8 x bare) and asserts
// nothing about it: on a busy machine one side can be slowed by another process alone.
func BenchmarkAuthGetThroughput(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	access := mustAccessToken(b, srv, "ins_109508")
	reqBody := []byte(`{"access_token":"` + access + `"}`)
	answer := rawRequest(b, srv, http.MethodPost, "/auth/get", jsonHeaders(), reqBody)
	if answer.status != http.StatusOK {
		b.Fatalf("/auth/get: %d %s", answer.status, answer.body)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bare := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer.body)
	})}
	go bare.Serve(ln)
	defer bare.Close()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	reqPerSec := map[string]float64{}
	for _, target := range []struct{ name, url string }{
		{"emulator", srv.URL + "/auth/get"},
		{"bare", "http://" + ln.Addr().String() + "/auth/get"},
	} {
		b.Run(target.name, func(b *testing.B) {
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, err := http.NewRequest(http.MethodPost, target.url, bytes.NewReader(reqBody))
					if err != nil {
						b.Error(err)
						return
					}
					req.Header = jsonHeaders()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || n < 100 {
						b.Errorf("%s: HTTP %d, %d bytes", target.url, resp.StatusCode, n)
						return
					}
				}
			})
			reqPerSec[target.name] = float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(reqPerSec[target.name], "req/s")
		})
	}
	if reqPerSec["bare"] > 0 {
		b.Logf("emulator/bare = %.2f (%.0f against %.0f req/s)", reqPerSec["emulator"]/reqPerSec["bare"], reqPerSec["emulator"], reqPerSec["bare"])
	}
}
