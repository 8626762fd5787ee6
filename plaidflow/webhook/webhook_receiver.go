package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Webhook is one webhook as the receiver got it: the raw body and headers (what a forward
// sends on), what it says, and whether it verified.
type Webhook struct {
	ReceivedAt time.Time
	Header     http.Header
	Body       []byte
	// Payload is the body decoded; nil when it is not a JSON object.
	Payload  map[string]any
	Type     string
	Code     string
	ItemID   string
	Verified bool
	// Reason says why a webhook did not verify.
	Reason string
}

// maxWebhookBody bounds a webhook body; Plaid's are a few hundred bytes.
const maxWebhookBody = 1 << 20

// Receiver listens on 127.0.0.1 for webhooks, verifies each and hands it on.
type Receiver struct {
	// URL is where it listens: http://127.0.0.1:PORT/.
	URL  string
	srv  *http.Server
	done chan struct{}
}

// Listen starts a receiver on 127.0.0.1:port (0: a free port). Each POST is verified
// with v and passed to handle, one at a time, before it is answered: 200 when it verified, 400
// when it did not, 503 when the key could not be fetched (so Plaid sends it again).
func Listen(port int, v *Verifier, handle func(Webhook)) (*Receiver, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("listen for webhooks: port %d is not between 0 and 65535", port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen for webhooks on 127.0.0.1: %w", err)
	}
	r := &Receiver{URL: "http://" + ln.Addr().String() + "/", done: make(chan struct{})}
	var one sync.Mutex // one webhook at a time: the lines printed for each stay whole
	r.srv = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.Method != http.MethodPost {
				w.Header().Set("Allow", http.MethodPost)
				http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
				return
			}
			body, err := io.ReadAll(io.LimitReader(req.Body, maxWebhookBody+1))
			if err != nil || len(body) > maxWebhookBody {
				http.Error(w, "body unreadable or too large", http.StatusBadRequest)
				return
			}
			wh := Webhook{ReceivedAt: time.Now(), Header: req.Header.Clone(), Body: body}
			if json.Unmarshal(body, &wh.Payload) == nil {
				wh.Type, _ = wh.Payload["webhook_type"].(string)
				wh.Code, _ = wh.Payload["webhook_code"].(string)
				wh.ItemID, _ = wh.Payload["item_id"].(string)
			}
			status := http.StatusOK
			verr := v.Verify(req.Context(), req.Header.Get("Plaid-Verification"), body)
			var rej *Rejected
			switch {
			case verr == nil:
				wh.Verified = true
			case errors.As(verr, &rej):
				wh.Reason, status = rej.Reason, http.StatusBadRequest
			default:
				wh.Reason, status = "the signing key could not be fetched: "+verr.Error(), http.StatusServiceUnavailable
			}
			one.Lock()
			handle(wh)
			one.Unlock()
			w.WriteHeader(status)
		}),
	}
	go func() {
		defer close(r.done)
		_ = r.srv.Serve(ln) // ErrServerClosed on Close; nobody is left to hear another error
	}()
	return r, nil
}

// Close stops the receiver, letting a webhook being handled finish for a moment.
func (r *Receiver) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		r.srv.Close()
	}
	<-r.done
}

// Forward sends a webhook on to target with its original headers and body, so the
// app there can verify the Plaid-Verification JWT itself. It returns the status target
// answered.
func Forward(ctx context.Context, client *http.Client, target string, wh Webhook) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(wh.Body))
	if err != nil {
		return 0, fmt.Errorf("forward webhook to %s: %w", target, err)
	}
	for name, values := range wh.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Host", "Connection", "Accept-Encoding", "Transfer-Encoding":
			continue // belong to the hop, not the webhook
		}
		req.Header[name] = append([]string(nil), values...)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("forward webhook to %s: %w", target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}
