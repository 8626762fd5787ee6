package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// Forwarding sends each verified webhook on to the user's own app (--forward-to), apart from
// the receiver's answer to Plaid. Plaid sends a webhook again when it has no 200 within 10
// seconds (https://plaid.com/docs/api/webhooks/#webhook-retries), so an app that is slow,
// stopped in a debugger or gone must never hold that answer up: forwards wait in a bounded
// queue, a few run at once, each within ForwardTimeout, and a webhook that finds the queue full
// is not forwarded (the caller is told). A forward goes to the target named and nowhere else:
// redirects are not followed (the app's 3xx is the result), no proxy is used, and the address
// connected to is checked, so a name that resolves to a cloud metadata address is refused too.

const (
	// ForwardTimeout bounds one forward, from connecting to the app's answer.
	ForwardTimeout = 10 * time.Second
	// forwardsAtOnce is how many forwards may wait for the app at the same time.
	forwardsAtOnce = 4
	// forwardQueue is how many webhooks may wait for a free forward; more are dropped.
	forwardQueue = 32
)

// ForwardResult is what came of forwarding one webhook.
type ForwardResult struct {
	Webhook Webhook
	// Status is the app's HTTP status; 0 when Err is set or the webhook was dropped.
	Status int
	// Location is where a 3xx answer pointed; the redirect was not followed.
	Location string
	Err      error
	// Dropped: the queue was full, so the webhook was not sent.
	Dropped bool
}

// Forwarder sends verified webhooks on to one target, in the background.
type Forwarder struct {
	target string
	client *http.Client
	queue  chan Webhook
	report func(ForwardResult)

	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup
	// reporting makes report calls one at a time, so a caller's lines stay whole.
	reporting sync.Mutex
}

// NewForwarder starts forwarding to target; report hears what came of each webhook given to
// Send, one call at a time, from the Forwarder's own goroutines. Close stops it.
func NewForwarder(target string, report func(ForwardResult)) *Forwarder {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Forwarder{target: target, client: forwardClient(), queue: make(chan Webhook, forwardQueue),
		report: report, ctx: ctx, cancel: cancel}
	for range forwardsAtOnce {
		f.workers.Go(f.work)
	}
	return f
}

// Send queues wh to be forwarded and returns at once. When the queue is full, wh is dropped and
// reported so, and Send returns false.
func (f *Forwarder) Send(wh Webhook) bool {
	select {
	case f.queue <- wh:
		return true
	default:
		f.tell(ForwardResult{Webhook: wh, Dropped: true})
		return false
	}
}

// Close stops forwarding: forwards under way are cancelled and queued ones are not sent.
func (f *Forwarder) Close() {
	f.cancel()
	f.workers.Wait()
	f.client.CloseIdleConnections()
}

func (f *Forwarder) work() {
	for {
		select {
		case <-f.ctx.Done():
			return
		case wh := <-f.queue:
			res := f.forward(wh)
			if f.ctx.Err() == nil { // closing: the cancelled forward is no news
				f.tell(res)
			}
		}
	}
}

func (f *Forwarder) tell(res ForwardResult) {
	f.reporting.Lock()
	defer f.reporting.Unlock()
	f.report(res)
}

// forward sends wh to the target with its original headers and body, so the app there can
// verify the Plaid-Verification JWT itself.
func (f *Forwarder) forward(wh Webhook) ForwardResult {
	res := ForwardResult{Webhook: wh}
	ctx, cancel := context.WithTimeout(f.ctx, ForwardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.target, bytes.NewReader(wh.Body))
	if err != nil {
		res.Err = fmt.Errorf("forward webhook to %s: %w", f.target, err)
		return res
	}
	for name, values := range wh.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Host", "Connection", "Accept-Encoding", "Transfer-Encoding":
			continue // belong to the hop, not the webhook
		}
		req.Header[name] = append([]string(nil), values...)
	}
	resp, err := f.client.Do(req)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		res.Err = fmt.Errorf("forward webhook to %s: no answer within %s", f.target, ForwardTimeout)
		return res
	case err != nil:
		res.Err = fmt.Errorf("forward webhook to %s: %w", f.target, err)
		return res
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	res.Status = resp.StatusCode
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		res.Location = resp.Header.Get("Location")
	}
	return res
}

// forwardClient connects straight to the target (no proxy: the address checked is the one the
// webhook goes to), refuses link-local and metadata addresses whatever name led there, and
// follows no redirect.
func forwardClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: refuseForbiddenAddress}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConnsPerHost: forwardsAtOnce,
			IdleConnTimeout:     30 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func refuseForbiddenAddress(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if why := forbiddenIP(net.ParseIP(host)); why != "" {
		return fmt.Errorf("%s is %s: webhooks are not forwarded there", host, why)
	}
	return nil
}

// metadataIPs are cloud metadata services outside 169.254.0.0/16: AWS's IPv6 one and
// Alibaba Cloud's.
var metadataIPs = []string{"fd00:ec2::254", "100.100.100.200"}

// metadataNames are the names clouds give their metadata services.
var metadataNames = []string{"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}

// forbiddenIP says why ip may not be forwarded to, or "" when it may. Link-local addresses
// are where cloud machines serve their metadata and credentials (169.254.169.254); a POST
// there from this program is never what the user meant.
func forbiddenIP(ip net.IP) string {
	switch {
	case ip == nil:
		return ""
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "a link-local address, where cloud machines serve their metadata and credentials"
	case slices.ContainsFunc(metadataIPs, func(s string) bool { return net.ParseIP(s).Equal(ip) }):
		return "a cloud metadata address"
	}
	return ""
}

// CheckForwardTarget says whether raw may be a forward target: an http(s) URL whose host is
// not, and does not resolve to, a link-local or cloud metadata address. remote is true when the
// host is not this machine (or cannot be resolved now), for the caller to say where webhooks
// will go.
func CheckForwardTarget(ctx context.Context, raw string) (remote bool, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(strings.SplitN(host, "%", 2)[0]); ip != nil { // fe80::1%eth0 names a zone
		if why := forbiddenIP(ip); why != "" {
			return false, fmt.Errorf("%s is %s: webhooks are not forwarded there", host, why)
		}
		return !ip.IsLoopback(), nil
	}
	if config.IsLoopbackHost(host) {
		return false, nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if slices.Contains(metadataNames, name) {
		return false, fmt.Errorf("%s is a cloud metadata service: webhooks are not forwarded there", host)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return true, nil // each forward's connection is checked again
	}
	remote = false
	for _, a := range addrs {
		if why := forbiddenIP(a.IP); why != "" {
			return false, fmt.Errorf("%s resolves to %s, %s: webhooks are not forwarded there", host, a.IP, why)
		}
		remote = remote || !a.IP.IsLoopback()
	}
	return remote, nil
}
