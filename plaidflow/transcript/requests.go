package transcript

import (
	"bytes"
	"encoding/json"
)

// A transcript keeps each call's request body so that the session can be made again as code
// (plaidflow/callcode): the body exactly as sent, except that the keys are left out and every
// token is replaced by a reference to where it came from. A token's value is never written:
//
//	{"$from": 3, "field": "access_token"}  the answer of call 3 gave it, in that field
//	{"$link": "public_token"}              Link gave it (its onSuccess), not an API call
//	{"$var": "access_token"}               the program already held it (a saved Item)
//
// The same object stands for a Sandbox user_custom configuration: {"$scenario": NAME} for one of
// the program's scenarios (not private: the program ships it), {"$var": "user_custom"} for the
// user's own file, whose contents a transcript never holds.

// TokenRef is where a token in a request came from: From is the call number whose answer held it
// in Field; Link says Link handed it over; Var names a value the program held before.
type TokenRef struct {
	From  int    `json:"$from,omitempty"`
	Field string `json:"field,omitempty"`
	Link  string `json:"$link,omitempty"`
	Var   string `json:"$var,omitempty"`
	// Scenario names the program's own user_custom configuration that was sent.
	Scenario string `json:"$scenario,omitempty"`
}

// RefOf reads a reference written by RequestBody; ok is false for any other value.
func RefOf(v any) (TokenRef, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return TokenRef{}, false
	}
	var r TokenRef
	switch {
	case m["$from"] != nil:
		n, _ := m["$from"].(json.Number)
		i, err := n.Int64()
		if err != nil {
			if f, ok := m["$from"].(float64); ok {
				i, err = int64(f), nil
			}
		}
		field, _ := m["field"].(string)
		if err != nil || i <= 0 || field == "" {
			return TokenRef{}, false
		}
		r.From, r.Field = int(i), field
	case m["$link"] != nil:
		r.Link, _ = m["$link"].(string)
	case m["$var"] != nil:
		r.Var, _ = m["$var"].(string)
	case m["$scenario"] != nil:
		r.Scenario, _ = m["$scenario"].(string)
	default:
		return TokenRef{}, false
	}
	return r, r.From > 0 || r.Link != "" || r.Var != "" || r.Scenario != ""
}

// tokenFields are the fields of a Plaid request or answer that hold a token another call uses.
// A link_token is no secret, but a new session gets a new one, so it is chained the same way.
var tokenFields = map[string]bool{
	"access_token": true, "public_token": true, "processor_token": true, "link_token": true,
	"stripe_bank_account_token": true, "new_access_token": true,
}

// NextCall numbers a new call of the session (1, 2, …).
func (t *Timeline) NextCall() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	return t.calls
}

// LearnAnswer remembers the tokens an answer of call n hands out, so that a later request that
// sends one refers to call n instead of holding it.
func (t *Timeline) LearnAnswer(n int, body []byte) {
	if t == nil || n <= 0 {
		return
	}
	var ans map[string]any
	if json.Unmarshal(body, &ans) != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, v := range ans {
		if s, ok := v.(string); ok && s != "" && tokenFields[k] {
			if t.origins == nil {
				t.origins = map[string]TokenRef{}
			}
			t.origins[s] = TokenRef{From: n, Field: k}
		}
	}
}

// RequestBody is body as a transcript keeps it: client_id and secret left out, tokens replaced
// by references (see TokenRef), the Sandbox user_custom configuration by {"$var": "user_custom"}.
// A body that is not a JSON object is not kept (nil): nothing of it can be made safe to write.
func (t *Timeline) RequestBody(body []byte) json.RawMessage {
	if t == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil
	}
	delete(m, "client_id")
	delete(m, "secret")
	linked, settings := t.sessionSoFar()
	t.mu.Lock()
	for k, v := range m {
		s, ok := v.(string)
		if !ok || !tokenFields[k] || s == "" {
			continue
		}
		switch ref, known := t.origins[s]; {
		case known:
			m[k] = ref
		case k == "public_token" && linked:
			m[k] = TokenRef{Link: "public_token"}
		case k == "link_token":
			// A link token the program did not get from a call of this session is kept: it
			// is no secret and names the Link session it belongs to.
		default:
			m[k] = TokenRef{Var: k}
		}
	}
	t.mu.Unlock()
	if opts, ok := m["options"].(map[string]any); ok && opts["override_username"] == "user_custom" {
		if _, ok := opts["override_password"]; ok {
			opts["override_password"] = TokenRef{Var: "user_custom"}
			if settings.Scenario != "" && settings.UserCustomFile == "" && settings.ForceError == "" {
				opts["override_password"] = TokenRef{Scenario: settings.Scenario}
			}
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return out
}

// sessionSoFar says whether Link handed over a public token in this session, and the settings
// in force (the last session entry's).
func (t *Timeline) sessionSoFar() (linked bool, s Settings) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.entries {
		switch {
		case e.Kind == KindLinkSuccess:
			linked = true
		case e.Kind == KindSession && e.Settings != nil:
			s = *e.Settings
		}
	}
	return linked, s
}
