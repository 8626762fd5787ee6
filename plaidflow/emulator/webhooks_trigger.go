package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The webhook control API, for tests and `plaid-onboard webhooks trigger|sign`:
//
//	POST /_emulator/webhooks/trigger  {"type":"ITEM","code":"ERROR","item_id":"…" or "access_token":"…",
//	                                   "set":[{"path":"error.error_code","value":"ITEM_LOCKED"}],
//	                                   "url":"http://127.0.0.1:3000/hook"}
//	POST /_emulator/webhooks/sign     the raw body to sign: answers its Plaid-Verification JWT
//	GET  /_emulator/webhooks/trigger  the types and codes it sends
//
// A triggered webhook is built, changed by "set" (dotted paths, JSON values), applied to the
// Item, then sent to url or else the Item's webhook, signed with the key
// /webhook_verification_key/get publishes. The answer waits for the receiver's first answer
// (at most webhookAttemptTimeout) and says what it was; failed deliveries are retried in the
// background as Plaid retries them. The signing key never leaves the emulator: sign answers
// only the JWT.

// triggerRequest is the body of POST /_emulator/webhooks/trigger.
type triggerRequest struct {
	Type        string       `json:"type"`
	Code        string       `json:"code"`
	ItemID      string       `json:"item_id"`
	AccessToken string       `json:"access_token"`
	LinkToken   string       `json:"link_token"`
	Set         []triggerSet `json:"set"`
	URL         string       `json:"url"`
}

// triggerSet is one override: a dotted path into the body and the JSON value it gets.
type triggerSet struct {
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// TriggerAnswer is what the trigger did: the body sent, byte for byte, where, and the
// receiver's answer.
type TriggerAnswer struct {
	OK          bool   `json:"ok"`
	WebhookType string `json:"webhook_type"`
	WebhookCode string `json:"webhook_code"`
	ItemID      string `json:"item_id"`
	URL         string `json:"url"`
	Body        string `json:"body"`
	// Effect is how the Item changed, "" when the webhook changes nothing.
	Effect string `json:"effect,omitempty"`
	// Status is the receiver's answer to the first attempt, 0 when it gave none; Skipped says
	// why nothing was sent. Retrying is set when the emulator goes on trying in the background.
	Status   int    `json:"status"`
	Skipped  string `json:"skipped,omitempty"`
	Retrying bool   `json:"retrying,omitempty"`
}

// signAnswer is the answer of POST /_emulator/webhooks/sign.
type signAnswer struct {
	PlaidVerification string `json:"plaid_verification"`
	KeyID             string `json:"kid"`
	RequestBodySHA256 string `json:"request_body_sha256"`
}

// catalogAnswer is the answer of GET /_emulator/webhooks/trigger.
type catalogAnswer struct {
	Webhooks map[string][]string `json:"webhooks"`
}

// controlWebhooks serves /_emulator/webhooks/…; route is what follows it.
func (s *Server) controlWebhooks(w http.ResponseWriter, r *http.Request, route string) {
	switch {
	case route == "trigger" && r.Method == http.MethodPost:
		s.controlTrigger(w, r)
	case route == "trigger" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, catalogAnswer{Webhooks: WebhookCatalog()})
	case route == "sign" && r.Method == http.MethodPost:
		s.controlSign(w, r)
	case route == "trigger" || route == "sign":
		w.Header().Set("Allow", map[string]string{"trigger": "GET, POST", "sign": "POST"}[route])
		controlError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use POST", r.Method, r.URL.Path))
	default:
		controlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s: there are POST %swebhooks/trigger and POST %swebhooks/sign", r.URL.Path, controlPrefix, controlPrefix))
	}
}

func readControlBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil || len(raw) > maxControlBody {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("the body could not be read, or is larger than %d bytes", maxControlBody))
		return nil, false
	}
	return raw, true
}

func (s *Server) controlSign(w http.ResponseWriter, r *http.Request) {
	raw, ok := readControlBody(w, r)
	if !ok {
		return
	}
	wh := s.webhooks()
	sum := sha256.Sum256(raw)
	writeJSON(w, http.StatusOK, signAnswer{PlaidVerification: wh.sign(raw, time.Now()), KeyID: wh.kid,
		RequestBodySHA256: hex.EncodeToString(sum[:])})
}

func (s *Server) controlTrigger(w http.ResponseWriter, r *http.Request) {
	raw, ok := readControlBody(w, r)
	if !ok {
		return
	}
	var req triggerRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, fmt.Sprintf(`the body is not a trigger: %v; expected e.g. {"type":"ITEM","code":"ERROR","item_id":"…"}`, err))
		return
	}
	kind, err := lookupWebhook(req.Type, req.Code)
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	sets, err := parseSets(req.Set)
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Type == "LINK" { // webhooks_link.go: about a Link token, not an Item
		s.mu.Lock()
		ans, payload, err := s.triggerLink(req, sets, overrideOf(sets))
		s.mu.Unlock()
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		d := s.deliverNow(ans.URL, payload, []byte(ans.Body))
		ans.Status, ans.Skipped, ans.Retrying = d.Status, d.Skipped, d.retrying
		writeJSON(w, http.StatusOK, ans)
		return
	}
	if req.AccessToken != "" {
		s.restoreItem(body{"access_token": json.RawMessage(mustJSON(req.AccessToken))}) // the demo's Items of earlier runs
	}
	s.mu.Lock()
	it, status, msg := s.triggerItem(req)
	if it == nil {
		s.mu.Unlock()
		controlError(w, status, msg)
		return
	}
	ans, payload, err := s.buildTriggered(it, kind, req, sets)
	s.mu.Unlock()
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if ans.URL == "" {
		controlError(w, http.StatusBadRequest, "the Item has no webhook: give a url to send it to, or set the Item's webhook (/item/webhook/update, or link it with one)")
		return
	}
	d := s.deliverNow(ans.URL, payload, []byte(ans.Body))
	ans.Status, ans.Skipped, ans.Retrying = d.Status, d.Skipped, d.retrying
	writeJSON(w, http.StatusOK, ans)
}

// triggerItem finds the Item a trigger names. It expects s.mu to be held.
func (s *Server) triggerItem(req triggerRequest) (*item, int, string) {
	switch {
	case req.AccessToken != "":
		if it, ok := s.accessTokens[req.AccessToken]; ok {
			return it, 0, ""
		}
		return nil, http.StatusNotFound, "no Item of the emulator has this access_token"
	case req.ItemID != "":
		if it, ok := s.items[req.ItemID]; ok && it.accessToken != "" {
			return it, 0, ""
		}
		return nil, http.StatusNotFound, fmt.Sprintf("no Item %q in the emulator", req.ItemID)
	}
	return nil, http.StatusBadRequest, "name the Item: item_id or access_token"
}

// buildTriggered makes the webhook's body and applies it to the Item. It expects s.mu to be
// held.
func (s *Server) buildTriggered(it *item, kind webhookKind, req triggerRequest, sets []parsedSet) (TriggerAnswer, map[string]any, error) {
	p, err := kind.build(s, it, overrideOf(sets))
	if err != nil {
		return TriggerAnswer{}, nil, err
	}
	p["webhook_type"], p["webhook_code"], p["environment"] = req.Type, req.Code, webhookEnvironment
	for _, set := range sets {
		if err := setPath(p, set.path, set.value); err != nil {
			return TriggerAnswer{}, nil, err
		}
	}
	ans := TriggerAnswer{OK: true, WebhookType: req.Type, WebhookCode: req.Code, ItemID: it.id, URL: req.URL}
	if ans.URL == "" && it.webhook != nil {
		ans.URL = *it.webhook
	}
	if ans.URL == "" {
		return ans, p, nil // refused by the caller, before anything changes
	}
	if kind.effect != nil {
		if ans.Effect, err = kind.effect(s, it, p); err != nil {
			return TriggerAnswer{}, nil, err
		}
	}
	ans.Body = string(webhookBody(p))
	return ans, p, nil
}

// overrideOf reports the value sets give a dotted path, the last one winning.
func overrideOf(sets []parsedSet) func(path string) (any, bool) {
	return func(path string) (any, bool) {
		for i := len(sets) - 1; i >= 0; i-- {
			if strings.Join(sets[i].path, ".") == path {
				return sets[i].value, true
			}
		}
		return nil, false
	}
}

// parsedSet is an override with its path split and its value decoded.
type parsedSet struct {
	path  []string
	value any
}

func parseSets(sets []triggerSet) ([]parsedSet, error) {
	out := make([]parsedSet, 0, len(sets))
	for _, st := range sets {
		parts := strings.Split(st.Path, ".")
		for _, p := range parts {
			if p == "" {
				return nil, fmt.Errorf("set: %q is not a dotted path such as error.error_code", st.Path)
			}
		}
		var v any
		if len(st.Value) == 0 {
			return nil, fmt.Errorf("set %s: no value", st.Path)
		}
		d := json.NewDecoder(bytes.NewReader(st.Value))
		d.UseNumber() // 12.50 stays 12.50, as typed
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("set %s: the value is not JSON: %v", st.Path, err)
		}
		out = append(out, parsedSet{path: parts, value: v})
	}
	return out, nil
}

// setPath sets p's field at path, making the objects on the way (a null error becomes an
// object when one of its fields is set).
func setPath(p map[string]any, path []string, v any) error {
	cur := p
	for i, k := range path[:len(path)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			if cur[k] != nil {
				return fmt.Errorf("set %s: %s is not an object", strings.Join(path, "."), strings.Join(path[:i+1], "."))
			}
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = v
	return nil
}

// triggeredDelivery is a delivery as the trigger reports it.
type triggeredDelivery struct {
	delivery
	retrying bool
}

// deliverNow sends body to target and waits for the receiver's first answer; when it is not
// a 2xx, the emulator retries in the background with Plaid's backoff, as for any webhook.
func (s *Server) deliverNow(target string, payload map[string]any, body []byte) triggeredDelivery {
	d := delivery{URL: target}
	d.Type, _ = payload["webhook_type"].(string)
	d.Code, _ = payload["webhook_code"].(string)
	d.ItemID, _ = payload["item_id"].(string)
	w := s.webhooks()
	if !loopbackURL(target) {
		d.Skipped = "not a loopback URL: the emulator delivers webhooks only on this machine"
		w.record(d)
		return triggeredDelivery{delivery: d}
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		d.Skipped = "the emulator is closing"
		return triggeredDelivery{delivery: d}
	}
	w.wg.Add(1)
	w.mu.Unlock()
	d.Attempts, d.Status = 1, w.attempt(target, body)
	if d.Status >= 200 && d.Status < 300 {
		w.record(d)
		w.wg.Done()
		return triggeredDelivery{delivery: d}
	}
	go func() {
		defer w.wg.Done()
		w.retry(d, body)
	}()
	return triggeredDelivery{delivery: d, retrying: true}
}

// retry goes on after a failed first attempt: the backoff doubling from webhookFirstBackoff,
// until the receiver answers 2xx, the attempts run out, or the server closes; then records the
// delivery. deliver and a trigger both end in it.
func (w *webhookState) retry(d delivery, body []byte) {
	backoff := webhookFirstBackoff
	for d.Attempts < webhookAttempts {
		t := time.NewTimer(backoff)
		select {
		case <-w.ctx.Done():
			t.Stop()
			d.Skipped = "the emulator closed before the webhook was delivered"
			w.record(d)
			return
		case <-t.C:
		}
		backoff *= 2
		d.Attempts++
		d.Status = w.attempt(d.URL, body)
		if d.Status >= 200 && d.Status < 300 {
			break
		}
	}
	w.record(d)
}
