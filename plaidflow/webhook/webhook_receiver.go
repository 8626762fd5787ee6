package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
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

// A webhook is a few hundred bytes from Plaid's servers: its request must arrive within
// readTimeout of the connection being read, and the answer leave within writeTimeout, which
// covers fetching a signing key (keyFetchTimeout). Without them a client sending a byte at a
// time holds a connection, and a goroutine, open for as long as it likes.
const (
	readTimeout  = 5 * time.Second
	writeTimeout = readTimeout + keyFetchTimeout + 5*time.Second
	idleTimeout  = 30 * time.Second
	maxHeader    = 64 << 10
)

// Receiver listens on 127.0.0.1 for webhooks, verifies each and hands it on.
type Receiver struct {
	// URL is where it listens: http://127.0.0.1:PORT/.
	URL  string
	srv  *http.Server
	done chan struct{}
}

// Listen starts a receiver on 127.0.0.1:port (0: a free port). Each POST is verified
// with v and passed to handle, one at a time, before it is answered: 200 when it verified, 400
// when it did not, 503 when the key could not be fetched (so Plaid sends it again). handle must
// return at once (print, queue): Plaid sends a webhook again when it has no 200 within 10
// seconds (https://plaid.com/docs/api/webhooks/#webhook-retries), and while one handle runs the
// next webhook waits.
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
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeader,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.Method != http.MethodPost {
				w.Header().Set("Allow", http.MethodPost)
				http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxWebhookBody))
			if err != nil {
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
	// Short, as the emulator's: net/http counts a connection that has not sent its request yet
	// as busy for 5 s, and a webhook cut off here is one Plaid sends again.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		r.srv.Close()
	}
	<-r.done
}

// Receives reports whether target is this receiver itself: forwarding there would send each
// webhook round again and again, each time verified anew.
func (r *Receiver) Receives(target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	own, _ := url.Parse(r.URL)
	port := u.Port()
	if port == "" && u.Scheme == "http" {
		port = "80"
	}
	return port == own.Port() && config.IsLoopbackHost(u.Hostname())
}
