package emulator

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Webhooks as Plaid sends them: a POST of a JSON body to the Item's webhook URL, with a
// Plaid-Verification header holding an ES256 JWT whose payload carries the time it was issued
// and the SHA-256 of the body (https://plaid.com/docs/api/webhooks/webhook-verification/). The
// signing key is made when the fake starts and published as a JWK by
// /webhook_verification_key/get. The fake delivers only to loopback URLs: it stands in for
// Plaid on this machine and must never send anything elsewhere.

// webhookEnvironment is the `environment` of every webhook: the fake is a Sandbox.
const webhookEnvironment = "sandbox"

// Delivery timing. Plaid gives a receiver about 10 seconds to answer and retries a failed
// delivery; the fake retries sooner so a test or a demo sees the retry within seconds.
const (
	webhookAttemptTimeout = 10 * time.Second
	webhookAttempts       = 5
	webhookFirstBackoff   = 250 * time.Millisecond
)

// webhookState is the signing key and the deliveries under way.
type webhookState struct {
	key     *ecdsa.PrivateKey
	kid     string
	created time.Time

	ctx    context.Context // ends when the server closes: deliveries stop
	cancel context.CancelFunc
	client *http.Client
	wg     sync.WaitGroup
	// firstTries are the deliveries still making their first attempt. close lets them finish:
	// a demo command that fires a webhook and exits at once would otherwise cancel it before
	// it was sent, which Plaid, whose servers do not exit, never does.
	firstTries sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	delivered []delivery // the last maxDeliveriesKept
	// onRecord is told of each outcome (the request log's version moves on: inspect.go).
	onRecord func()
}

// maxDeliveriesKept bounds the outcomes kept, as the request log bounds the calls.
const maxDeliveriesKept = 1000

// delivery is the outcome of one webhook: where it went, how many attempts it took and the
// status the receiver answered (0 when it never answered); Skipped says why it was not sent.
type delivery struct {
	URL      string
	Type     string
	Code     string
	ItemID   string
	Attempts int
	Status   int
	Skipped  string
	At       time.Time // when the emulator was done with it
}

func newWebhookState() *webhookState {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("emulator: make the webhook signing key: " + err.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &webhookState{
		key: key, kid: newUUID(), created: time.Now().UTC().Truncate(time.Second),
		ctx: ctx, cancel: cancel,
		// No redirects: Plaid does not follow them, and a redirect could lead off loopback.
		client: &http.Client{Timeout: webhookAttemptTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// close lets every delivery make its first attempt (each bounded by the client's timeout),
// then stops the retries under way and waits for them to end.
func (w *webhookState) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	tried := make(chan struct{})
	go func() { w.firstTries.Wait(); close(tried) }()
	select {
	case <-tried:
	case <-time.After(webhookAttemptTimeout + time.Second):
	}
	w.cancel()
	w.wg.Wait()
}

// deliveries lists the webhooks the fake has finished with (sent, given up on, or skipped), in
// the order they finished.
func (s *Server) deliveries() []delivery {
	w := s.webhooks()
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.delivered)
}

// webhooks returns the server's webhook state, made on first use so that the server's own
// constructor needs no change beyond closing it.
func (s *Server) webhooks() *webhookState {
	s.whOnce.Do(func() { s.wh = newWebhookState() })
	s.wh.mu.Lock()
	if s.wh.onRecord == nil {
		s.wh.onRecord = s.reqLog.changed
	}
	s.wh.mu.Unlock()
	return s.wh
}

// loopbackURL reports whether a webhook URL points at this machine.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sendWebhook delivers payload to the Item's webhook in the background; the API answer that
// caused it never waits for the receiver. It expects s.mu to be held (it reads the Item).
func (s *Server) sendWebhook(it *item, payload map[string]any) {
	if it.webhook == nil || *it.webhook == "" {
		return
	}
	s.sendWebhookTo(*it.webhook, payload)
}

// sendWebhookTo delivers payload to target in the background.
func (s *Server) sendWebhookTo(target string, payload map[string]any) {
	payload["environment"] = webhookEnvironment
	body := webhookBody(payload) // webhooks_bodies.go: Plaid's bytes
	d := delivery{URL: target}
	d.Type, _ = payload["webhook_type"].(string)
	d.Code, _ = payload["webhook_code"].(string)
	d.ItemID, _ = payload["item_id"].(string)
	w := s.webhooks()
	if !loopbackURL(target) {
		d.Skipped = "not a loopback URL: the emulator delivers webhooks only on this machine"
		w.record(d)
		return
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.wg.Add(1)
	w.firstTries.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		w.deliver(d, body)
	}()
}

func (w *webhookState) record(d delivery) {
	d.At = time.Now()
	w.mu.Lock()
	if len(w.delivered) >= maxDeliveriesKept {
		w.delivered = slices.Delete(w.delivered, 0, len(w.delivered)-maxDeliveriesKept+1)
	}
	w.delivered = append(w.delivered, d)
	onRecord := w.onRecord
	w.mu.Unlock()
	if onRecord != nil {
		onRecord()
	}
}

// deliver POSTs the body until the receiver answers 2xx, the attempts run out, or the server
// closes. Each attempt is signed afresh, so its iat is the time it was sent, as Plaid's is.
func (w *webhookState) deliver(d delivery, body []byte) {
	d.Attempts, d.Status = 1, w.attempt(d.URL, body)
	w.firstTries.Done()
	if d.Status >= 200 && d.Status < 300 {
		w.record(d)
		return
	}
	w.retry(d, body)
}

// attempt sends the webhook once and returns the receiver's status (0: no answer).
func (w *webhookState) attempt(target string, body []byte) int {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Plaid Verifier")
	req.Header.Set("Plaid-Verification", w.sign(body, time.Now()))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// sign makes the Plaid-Verification JWT for body: header {alg ES256, kid, typ JWT}, payload
// {iat, request_body_sha256 (hex)}, signature r||s. iat is the real time, not the fake's
// moved clock: the receiver checks it against its own clock.
func (w *webhookState) sign(body []byte, now time.Time) string {
	return SignWebhookJWT(w.key, w.kid, body, now)
}

// SignWebhookJWT signs a Plaid-Verification JWT for body with key, as Plaid does. Tests use it
// to forge webhooks (another key, another kid, an old iat) that a verifier must refuse.
func SignWebhookJWT(key *ecdsa.PrivateKey, kid string, body []byte, iat time.Time) string {
	sum := sha256.Sum256(body)
	header := mustJSON(map[string]string{"alg": "ES256", "kid": kid, "typ": "JWT"})
	claims := mustJSON(map[string]any{"iat": iat.Unix(), "request_body_sha256": hex.EncodeToString(sum[:])})
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signingInput))
	r, sig, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		panic("emulator: sign webhook: " + err.Error())
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return signingInput + "." + enc.EncodeToString(raw)
}

// ---- /webhook_verification_key/get -----------------------------------------------------------

type jwkJSON struct {
	Alg       string `json:"alg"`
	CreatedAt int64  `json:"created_at"`
	Crv       string `json:"crv"`
	ExpiredAt *int64 `json:"expired_at"`
	Kid       string `json:"kid"`
	Kty       string `json:"kty"`
	Use       string `json:"use"`
	X         string `json:"x"`
	Y         string `json:"y"`
}

type webhookKeyResponse struct {
	Key       jwkJSON `json:"key"`
	RequestID string  `json:"request_id"`
}

// coordinates are the JWK's x and y of a P-256 public key: each 32 bytes, base64url.
func coordinates(pub *ecdsa.PublicKey) (x, y string) {
	b, err := pub.Bytes() // 0x04 || x || y
	if err != nil {
		panic("emulator: webhook key: " + err.Error())
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(b[1:33]), enc.EncodeToString(b[33:65])
}

// webhookVerificationKeyGet serves /webhook_verification_key/get: the public half of the
// signing key as a JWK. The key never expires while the fake runs, so expired_at is null.
func (s *Server) webhookVerificationKeyGet(c *call) (any, *apiError) {
	var req struct {
		KeyID string `json:"key_id"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	w := s.webhooks()
	if req.KeyID != w.kid {
		// Plaid's code for it (plaid-node test/webhookVerification.spec.ts asserts it).
		return nil, errorf("INVALID_WEBHOOK_VERIFICATION_KEY_ID", "key_id %q does not identify a webhook verification key", req.KeyID)
	}
	x, y := coordinates(&w.key.PublicKey)
	return webhookKeyResponse{Key: jwkJSON{
		Alg: "ES256", CreatedAt: w.created.Unix(), Crv: "P-256", Kid: w.kid, Kty: "EC", Use: "sig", X: x, Y: y,
	}, RequestID: c.requestID}, nil
}

// ---- /item/webhook/update --------------------------------------------------------------------

type itemWebhookUpdateResponse struct {
	Item      itemJSON `json:"item"`
	RequestID string   `json:"request_id"`
}

// itemWebhookUpdate serves /item/webhook/update: the Item's webhook changes (null removes it)
// and Plaid confirms with ITEM WEBHOOK_UPDATE_ACKNOWLEDGED sent to the new URL
// (https://plaid.com/docs/api/items/#webhook_update_acknowledged).
func (s *Server) itemWebhookUpdate(c *call) (any, *apiError) {
	var req struct {
		AccessToken string  `json:"access_token"`
		Webhook     *string `json:"webhook"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.Webhook != nil && *req.Webhook != "" {
		if u, err := url.Parse(*req.Webhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// Sandbox's message (plaid-ruby's PlaidItemTest_test_webhook_update_invalid_webhook.yml).
			return nil, errorf("INVALID_FIELD", "webhook must be a non-empty string URL")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.itemFor(req.AccessToken)
	if e != nil {
		return nil, e
	}
	it.webhook = nil
	if req.Webhook != nil && *req.Webhook != "" {
		it.webhook = ptr(*req.Webhook)
		s.sendWebhook(it, map[string]any{
			"webhook_type": "ITEM", "webhook_code": "WEBHOOK_UPDATE_ACKNOWLEDGED",
			"item_id": it.id, "error": nil, "new_webhook_url": *req.Webhook,
		})
	}
	return itemWebhookUpdateResponse{Item: it.json(), RequestID: c.requestID}, nil
}

// ---- /sandbox/item/fire_webhook --------------------------------------------------------------

// fireWebhookCodes are the codes /sandbox/item/fire_webhook takes (the spec's enum of
// SandboxItemFireWebhookRequest.webhook_code).
var fireWebhookCodes = []string{"DEFAULT_UPDATE", "NEW_ACCOUNTS_AVAILABLE", "SMS_MICRODEPOSITS_VERIFICATION",
	"AUTHORIZATION_GRANTED", "USER_PERMISSION_REVOKED", "USER_ACCOUNT_REVOKED", "PENDING_DISCONNECT",
	"RECURRING_TRANSACTIONS_UPDATE", "LOGIN_REPAIRED", "SYNC_UPDATES_AVAILABLE", "PRODUCT_READY", "ERROR"}

// fireWebhookTypes are the webhook types it takes (the spec's WebhookType).
var fireWebhookTypes = []string{"AUTH", "HOLDINGS", "INVESTMENTS_TRANSACTIONS", "ITEM", "LIABILITIES", "TRANSACTIONS", "ASSETS"}

// defaultUpdateProducts says which product a DEFAULT_UPDATE of each type needs.
var defaultUpdateProducts = map[string]string{"AUTH": "auth", "IDENTITY": "identity", "TRANSACTIONS": "transactions",
	"INVESTMENTS_TRANSACTIONS": "investments", "HOLDINGS": "investments", "LIABILITIES": "liabilities"}

type fireWebhookResponse struct {
	RequestID    string `json:"request_id"`
	WebhookFired bool   `json:"webhook_fired"`
}

// sandboxItemFireWebhook serves /sandbox/item/fire_webhook with the bodies Plaid's webhook
// reference gives each code (https://plaid.com/docs/api/sandbox/#sandboxitemfire_webhook). An
// Item without a webhook is SANDBOX_WEBHOOK_INVALID; a code for a product the Item's
// institution lacks is SANDBOX_PRODUCT_NOT_ENABLED.
func (s *Server) sandboxItemFireWebhook(c *call) (any, *apiError) {
	var req struct {
		AccessToken string `json:"access_token"`
		WebhookType string `json:"webhook_type"`
		WebhookCode string `json:"webhook_code"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, e := s.itemOf(c, &req)
	if e != nil {
		return nil, e
	}
	if it.webhook == nil || *it.webhook == "" {
		return nil, newError("SANDBOX_WEBHOOK_INVALID")
	}
	payload, e := s.firedWebhook(it, req.WebhookType, req.WebhookCode)
	if e != nil {
		return nil, e
	}
	s.sendWebhook(it, payload)
	return fireWebhookResponse{RequestID: c.requestID, WebhookFired: true}, nil
}

// firedWebhook builds the body of a fired webhook, and applies what it stands for to the Item
// (LOGIN_REPAIRED repairs the login; SMS_MICRODEPOSITS_VERIFICATION verifies the account).
func (s *Server) firedWebhook(it *item, typ, code string) (map[string]any, *apiError) {
	p := map[string]any{"webhook_code": code, "item_id": it.id}
	needs := func(product string) *apiError {
		if !it.inst.supports(product) {
			return errorf("SANDBOX_PRODUCT_NOT_ENABLED", "the %s product is not enabled on this item", product)
		}
		return nil
	}
	switch code {
	case "DEFAULT_UPDATE":
		if typ == "" {
			typ = "TRANSACTIONS"
		}
		product, ok := defaultUpdateProducts[typ]
		if !ok {
			return nil, errorf("INVALID_FIELD", "webhook_type %s has no DEFAULT_UPDATE", typ)
		}
		if e := needs(product); e != nil {
			return nil, e
		}
		p["webhook_type"], p["error"] = typ, nil
		switch typ {
		case "AUTH":
			p["account_ids_with_new_auth"] = []string{}
			p["account_ids_with_updated_auth"] = map[string][]string{}
		case "TRANSACTIONS":
			p["new_transactions"] = 0
		case "HOLDINGS":
			p["new_holdings"], p["updated_holdings"] = 0, 0
		case "INVESTMENTS_TRANSACTIONS":
			p["new_investments_transactions"], p["canceled_investments_transactions"] = 0, 0
		case "LIABILITIES":
			p["account_ids_with_new_liabilities"] = []string{}
			p["account_ids_with_updated_liabilities"] = map[string][]string{}
		}
	case "NEW_ACCOUNTS_AVAILABLE", "PENDING_DISCONNECT", "LOGIN_REPAIRED", "USER_PERMISSION_REVOKED",
		"USER_ACCOUNT_REVOKED", "AUTHORIZATION_GRANTED":
		p["webhook_type"] = "ITEM"
		switch code {
		case "NEW_ACCOUNTS_AVAILABLE":
			p["error"] = nil
		case "PENDING_DISCONNECT":
			p["reason"] = "INSTITUTION_MIGRATION"
		case "LOGIN_REPAIRED":
			it.loginRequired = false
		case "USER_PERMISSION_REVOKED":
			b := newError("USER_PERMISSION_REVOKED").body("")
			p["error"] = b
		case "USER_ACCOUNT_REVOKED":
			p["account_id"] = it.accounts[0].id
		}
	case "SMS_MICRODEPOSITS_VERIFICATION":
		a := it.pendingAccount("pending_manual_verification")
		if a == nil {
			return nil, errorf("INVALID_FIELD", "SMS_MICRODEPOSITS_VERIFICATION fires only for a Same Day micro-deposit Item whose account is pending manual verification")
		}
		a.verificationStatus = "manually_verified"
		p["webhook_type"], p["account_id"], p["status"] = "AUTH", a.id, "MANUALLY_VERIFIED"
	case "SYNC_UPDATES_AVAILABLE", "RECURRING_TRANSACTIONS_UPDATE":
		if e := needs("transactions"); e != nil {
			return nil, e
		}
		p["webhook_type"] = "TRANSACTIONS"
		if code == "SYNC_UPDATES_AVAILABLE" {
			p["initial_update_complete"], p["historical_update_complete"] = true, true
		} else {
			ids := []string{}
			for _, a := range it.accounts {
				ids = append(ids, a.id)
			}
			p["account_ids"] = ids
		}
	default: // PRODUCT_READY, ERROR: Assets webhooks about an asset report, which the fake never makes
		return nil, errorf("SANDBOX_PRODUCT_NOT_ENABLED", "the assets product is not enabled on this item: %s needs an asset report", code)
	}
	return p, nil
}

// itemErrorWebhook tells the Item's webhook that the Item went into an error state, as Plaid
// does with ITEM ERROR (https://plaid.com/docs/api/items/#error).
func (s *Server) itemErrorWebhook(it *item, code string) {
	b := newError(code).body("")
	s.sendWebhook(it, map[string]any{"webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": it.id, "error": b})
}

func init() {
	catalog["SANDBOX_WEBHOOK_INVALID"] = errorInfo{typeInvalidInput, 400,
		"Webhook for this item is either not set up, or invalid. Please update the item's webhook and try again.", ""}
	catalog["SANDBOX_PRODUCT_NOT_ENABLED"] = errorInfo{typeInvalidInput, 400,
		"The requested product is not enabled on this item", ""}
	catalog["USER_PERMISSION_REVOKED"] = errorInfo{typeItem, 400,
		"the holder of this account has revoked their permission for your application to access it", ""}

	endpoints["/webhook_verification_key/get"] = endpoint{withKeys(stringParam("key_id").require()),
		(*Server).webhookVerificationKeyGet}
	endpoints["/item/webhook/update"] = endpoint{withKeys(accessTokenParam(), stringParam("webhook")),
		(*Server).itemWebhookUpdate}
	endpoints["/sandbox/item/fire_webhook"] = endpoint{withKeys(accessTokenParam(),
		stringParam("webhook_type").oneOf(fireWebhookTypes),
		stringParam("webhook_code").require().oneOf(fireWebhookCodes)), (*Server).sandboxItemFireWebhook}
}
