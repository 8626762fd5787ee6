// Package callcode turns the Plaid calls of a session into a program that makes them again:
// curl (bash and jq), Go (plaid-go), Node (Plaid's `plaid` package) or Python (plaid-python).
// A transcript keeps each call's body with its tokens replaced by where they came from
// (transcript.TokenRef); the program makes each token a variable fed by the answer that gives
// it, and takes the keys from PLAID_CLIENT_ID and PLAID_SECRET, so no secret is ever in it.
package callcode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// Langs are the languages a program can be written in, as --lang takes them.
var Langs = []string{"curl", "go", "node", "python"}

// ErrNoCalls is returned for a session with no call to make again: none was made, or the
// transcript was written before transcripts kept request bodies.
var ErrNoCalls = errors.New("the session has no Plaid call with its request recorded: it made none, or its transcript was written by a version that kept no request bodies (run the session again)")

// Call is one request of the program.
type Call struct {
	Endpoint string
	// Body is the request as sent: JSON values (json.Number for numbers), and *Var where a
	// token or a value kept out of the transcript goes.
	Body map[string]any
	// Said are comment lines before the call: what the session saw, or what Link did that
	// this call stands in for.
	Said []string
	// MayFail says the session got a Plaid error here and carried on (an institution lookup
	// outside the configured countries): the program prints the error and carries on too.
	MayFail bool
}

// Var is a value the program does not hold in its text: a token fed by an earlier answer
// (From > 0, Field), or a value read from the environment (Env), such as the public token
// pasted from Production Link or a saved Item's access token.
type Var struct {
	Name  string // the variable's name in the program, snake_case
	From  int    // 1-based index of the call whose answer gives it
	Field string
	Env   string // the environment variable that holds it
	File  bool   // Env names a file whose contents are the value (a user_custom configuration)
	Paste bool   // the user must put it there (Production's public token from Link)
}

// Program is a session as calls to make again.
type Program struct {
	Environment string // sandbox or production
	Demo        bool
	BaseURL     string // Plaid's base URL for Environment
	Calls       []Call
	// Inputs are the Vars read from the environment, in the order first used.
	Inputs []*Var
	// Header are comment lines at the top: where the session came from.
	Header []string
}

// Plaid's hosts, by environment (https://plaid.com/docs/api/#api-host).
var hosts = map[string]string{
	"sandbox":    "https://sandbox.plaid.com",
	"production": "https://production.plaid.com",
}

// Scenarios gives the user_custom configuration of one of the program's scenarios by name, for
// a call that sent one (the transcript names it: {"$scenario": NAME}). The journeys own the
// scenarios; this package is below them.
type Scenarios func(name string) (config string, err error)

// FromTranscript builds the program of a transcript's calls, in the order they were made (one per
// call: a retried call is made once). scenarios may be nil when no call sent a scenario.
func FromTranscript(entries []transcript.Entry, scenarios Scenarios) (*Program, error) {
	if len(entries) == 0 || entries[0].Kind != transcript.KindSession {
		return nil, transcript.ErrNotTranscript
	}
	sess := entries[0]
	p := &Program{Environment: sess.Environment, Demo: sess.Demo}
	if p.Environment == "" {
		p.Environment = "sandbox"
	}
	p.BaseURL = hosts[p.Environment]
	if p.BaseURL == "" {
		p.BaseURL = hosts["sandbox"]
	}
	p.Header = header(sess)

	index := map[int]int{} // the session's call number -> index in p.Calls, +1
	vars := map[string]*Var{}
	var linkDone bool
	var pending []string // what Link did, said on the call that stands in for it
	for _, e := range entries[1:] {
		switch e.Kind {
		case transcript.KindLinkEvent:
			if e.Name != "" {
				pending = append(pending, "Link event "+e.Name)
			}
			continue
		case transcript.KindLinkSuccess:
			linkDone = true
			pending = append(pending, linkSuccessLines(e.Metadata)...)
			continue
		case transcript.KindAPICall:
		default:
			continue
		}
		if e.Call <= 0 || index[e.Call] > 0 || len(e.Request) == 0 {
			continue
		}
		if !endpointShape.MatchString(e.Endpoint) {
			return nil, fmt.Errorf("call %d: %q is not a Plaid endpoint", e.Call, e.Endpoint)
		}
		body, err := decodeBody(e.Request)
		if err == nil {
			err = checkNames(body)
		}
		if err != nil {
			return nil, fmt.Errorf("call %d (%s): %w", e.Call, e.Endpoint, err)
		}
		c := Call{Endpoint: e.Endpoint, Body: body, Said: sessionSaw(e), MayFail: carriedOnAfter(entries, e)}
		// Each reference becomes a variable; Link's public token becomes a call of its own in
		// Sandbox, or the place to paste it in Production.
		var resolveErr error
		c.Body = mapRefs(body, func(path []string, r transcript.TokenRef) any {
			switch {
			case r.Scenario != "":
				if scenarios == nil {
					resolveErr = fmt.Errorf("call %d (%s) sent the scenario %q, which is not known here", e.Call, e.Endpoint, r.Scenario)
					return nil
				}
				config, err := scenarios(r.Scenario)
				if err != nil {
					resolveErr = fmt.Errorf("call %d (%s): %w", e.Call, e.Endpoint, err)
					return nil
				}
				return config
			case !nameShape.MatchString(r.Field + r.Link + r.Var):
				resolveErr = fmt.Errorf("call %d (%s) refers to %q, which is not a Plaid field", e.Call, e.Endpoint, r.Field+r.Link+r.Var)
				return nil
			case r.From > 0:
				i := index[r.From]
				if i == 0 {
					resolveErr = fmt.Errorf("call %d (%s) sends a %s from call %d, which the transcript does not hold", e.Call, e.Endpoint, r.Field, r.From)
					return nil
				}
				return p.answerVar(vars, i, r.Field)
			case r.Link != "" && p.Environment == "sandbox" && linkDone:
				i := p.standInForLink(entries, pending)
				pending = nil
				return p.answerVar(vars, i, "public_token")
			case r.Link != "":
				return p.input(vars, &Var{Name: r.Link, Env: "PLAID_PUBLIC_TOKEN", Paste: true})
			case r.Var == "user_custom":
				return p.input(vars, &Var{Name: "user_custom", Env: "PLAID_USER_CUSTOM_FILE", File: true})
			default:
				return p.input(vars, &Var{Name: r.Var, Env: "PLAID_" + strings.ToUpper(r.Var)})
			}
		})
		if resolveErr != nil {
			return nil, resolveErr
		}
		p.Calls = append(p.Calls, c)
		index[e.Call] = len(p.Calls)
	}
	if len(p.Calls) == 0 {
		return nil, ErrNoCalls
	}
	return p, nil
}

// answerVar is the variable for field of the answer of call i (1-based), named after the field,
// or after the field and the call when two answers give one.
func (p *Program) answerVar(vars map[string]*Var, i int, field string) *Var {
	key := fmt.Sprintf("%d.%s", i, field)
	if v := vars[key]; v != nil {
		return v
	}
	name := field
	for _, v := range vars {
		if v.Name == name {
			name = fmt.Sprintf("%s_%d", field, i)
			break
		}
	}
	v := &Var{Name: name, From: i, Field: field}
	vars[key] = v
	return v
}

func (p *Program) input(vars map[string]*Var, v *Var) *Var {
	key := "env." + v.Env
	if old := vars[key]; old != nil {
		return old
	}
	vars[key] = v
	p.Inputs = append(p.Inputs, v)
	return v
}

// standInForLink adds /sandbox/public_token/create for the bank and products Link was opened
// with (https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate) and returns its index.
func (p *Program) standInForLink(entries []transcript.Entry, did []string) int {
	institution := plaidapi.DefaultSandboxInstitution
	for _, e := range entries {
		if e.Kind == transcript.KindLinkSuccess {
			var m struct {
				Institution struct {
					ID string `json:"institution_id"`
				} `json:"institution"`
			}
			if json.Unmarshal(e.Metadata, &m) == nil && m.Institution.ID != "" {
				institution = m.Institution.ID
			}
		}
	}
	products := []any{"auth"}
	body := map[string]any{"institution_id": institution}
	for _, c := range p.Calls {
		if c.Endpoint == "/link/token/create" {
			if ps, ok := c.Body["products"].([]any); ok && len(ps) > 0 {
				products = ps
			}
			// The Item Link made sends its webhooks where the link token said.
			if hook, ok := c.Body["webhook"].(string); ok && hook != "" {
				body["options"] = map[string]any{"webhook": hook}
			}
		}
	}
	body["initial_products"] = products
	said := []string{"In the session, Link ran here in the browser and handed over a public token.",
		"In Sandbox the same Item comes without Link from /sandbox/public_token/create, with the",
		"same bank and products and Sandbox's default login (user_good / pass_good)."}
	if len(did) > 0 {
		said = append(said, "What Link did:")
		for _, d := range did {
			said = append(said, "  "+d)
		}
	}
	p.Calls = append(p.Calls, Call{Endpoint: "/sandbox/public_token/create", Body: body, Said: said})
	return len(p.Calls)
}

func header(sess transcript.Entry) []string {
	env := sess.Environment
	if sess.Demo {
		env += " (the offline demo: run `plaid-onboard emulator` and set PLAID_API_URL to its URL to make these calls against it)"
	}
	h := []string{"The Plaid calls of a plaid-onboard session, made again.",
		"Session: " + sess.Time.UTC().Format("2006-01-02 15:04:05 UTC") + ", " + env + ", " + sess.Command,
		"Keys come from PLAID_CLIENT_ID and PLAID_SECRET; PLAID_API_URL, when set, replaces Plaid's host."}
	return h
}

// sessionSaw is what the session got from a call, said above it, so a reader can compare.
func sessionSaw(e transcript.Entry) []string {
	s := fmt.Sprintf("The session got HTTP %d", e.HTTPStatus)
	if e.NetworkError != "" {
		s = "The session got a network error (" + e.NetworkError + ")"
	}
	if e.ErrorCode != "" {
		s += ", " + e.ErrorType + " " + e.ErrorCode
	}
	if n := len(e.AccountIDs); n > 0 {
		s += fmt.Sprintf(", %d accounts", n)
	}
	if e.RequestID != "" {
		s += " (request_id " + e.RequestID + ")"
	}
	return []string{s + "."}
}

// carriedOnAfter reports whether call got a Plaid error and the session made a later call
// anyway, so the error did not end it.
func carriedOnAfter(entries []transcript.Entry, call transcript.Entry) bool {
	if call.ErrorCode == "" {
		return false
	}
	last := call
	for _, e := range entries {
		if e.Kind == transcript.KindAPICall && e.Call == call.Call {
			last = e // the last attempt says how the call ended
		}
	}
	if last.ErrorCode == "" {
		return false
	}
	for _, e := range entries {
		if e.Kind == transcript.KindAPICall && e.Call > call.Call {
			return true
		}
	}
	return false
}

// linkSuccessLines say what Link's onSuccess reported: the bank and the accounts chosen.
func linkSuccessLines(meta json.RawMessage) []string {
	var m struct {
		Institution struct {
			Name string `json:"name"`
			ID   string `json:"institution_id"`
		} `json:"institution"`
		Accounts []struct {
			Name    string `json:"name"`
			Mask    string `json:"mask"`
			Subtype string `json:"subtype"`
		} `json:"accounts"`
	}
	if json.Unmarshal(meta, &m) != nil {
		return []string{"Link onSuccess"}
	}
	out := []string{fmt.Sprintf("Link onSuccess: %s (%s), %d accounts selected", m.Institution.Name, m.Institution.ID, len(m.Accounts))}
	for _, a := range m.Accounts {
		out = append(out, fmt.Sprintf("  %s ••%s %s", a.Name, a.Mask, a.Subtype))
	}
	return out
}

// A transcript may be a file someone sent: what becomes a name in the program (an endpoint, a
// field, a variable) must be one Plaid could have used, so it cannot become code.
var (
	endpointShape = regexp.MustCompile(`^(/[a-z][a-z0-9_]*)+$`)
	nameShape     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// checkNames refuses a body with a field name Plaid does not use (every one is snake_case).
func checkNames(v any) error {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := transcript.RefOf(x); ok {
			return nil
		}
		for k, e := range x {
			if !nameShape.MatchString(k) || pythonKeywords[k] {
				return fmt.Errorf("its request has a field %q, which is not a Plaid field name", k)
			}
			if err := checkNames(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkNames(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// pythonKeywords cannot be keyword arguments; no Plaid field is one.
var pythonKeywords = map[string]bool{"and": true, "as": true, "assert": true, "async": true, "await": true, "break": true,
	"class": true, "continue": true, "def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true, "is": true, "lambda": true,
	"nonlocal": true, "not": true, "or": true, "pass": true, "raise": true, "return": true, "try": true, "while": true,
	"with": true, "yield": true}

// exports are the variables each call's answer gives (by the call's index, 1-based), in order.
func (p *Program) exports() map[int][]*Var {
	out := map[int][]*Var{}
	seen := map[*Var]bool{}
	for _, c := range p.Calls {
		eachVar(c.Body, func(_ []string, v *Var) {
			if v.From > 0 && !seen[v] {
				seen[v] = true
				out[v.From] = append(out[v.From], v)
			}
		})
	}
	return out
}

// eachVar calls f for each *Var in v, with its path.
func eachVar(v any, f func(path []string, v *Var)) {
	var walk func(path []string, v any)
	walk = func(path []string, v any) {
		switch x := v.(type) {
		case *Var:
			f(path, x)
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(append(path[:len(path):len(path)], k), x[k])
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
		}
	}
	walk(nil, v)
}

// quote is s as a double-quoted string literal that JSON, jq, JavaScript and Python all read
// the same way, in ASCII: a value from a transcript can hold no character that changes how the
// program reads or shows (a bidirectional override, a line separator).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// comment is outside text made safe for a one-line comment.
func comment(s string) string { return sanitize.Line(s, sanitize.Message) }

func decodeBody(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("its request is not a JSON object")
	}
	return m, nil
}

// mapRefs replaces each reference in v by what resolve returns for it, path being where.
func mapRefs(v map[string]any, resolve func(path []string, r transcript.TokenRef) any) map[string]any {
	var walk func(path []string, v any) any
	walk = func(path []string, v any) any {
		if r, ok := transcript.RefOf(v); ok {
			return resolve(path, r)
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(append(path[:len(path):len(path)], k), e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(path, e)
			}
		}
		return v
	}
	return walk(nil, v).(map[string]any)
}

// sortedKeys are m's keys in order: the programs are the same for the same session.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Generate writes p in lang.
func Generate(p *Program, lang string) (string, error) {
	switch lang {
	case "curl":
		return curl(p), nil
	case "go":
		return goProgram(p)
	case "node":
		return node(p), nil
	case "python":
		return python(p), nil
	}
	return "", fmt.Errorf("no language %q: choose one of %s", lang, strings.Join(Langs, ", "))
}

// camel is a snake_case or path name in Go's and plaid-go's CamelCase: get_by_id -> GetById.
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '_' || r == '/' || r == '-':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lowerCamel is camel with its first letter lower: the Node client's method names.
func lowerCamel(s string) string {
	c := camel(s)
	if c == "" {
		return c
	}
	return strings.ToLower(c[:1]) + c[1:]
}

// snake is a path in plaid-python's method names: /institutions/get_by_id -> institutions_get_by_id.
func snake(endpoint string) string {
	return strings.ReplaceAll(strings.Trim(endpoint, "/"), "/", "_")
}

// ForCall is the program of one call of a session, the one numbered call on the timeline: its
// body as sent, each token it sends read from the environment (PLAID_ACCESS_TOKEN, …), since
// the calls that gave them are not in it. ok is false when the session has no such call with
// its request recorded.
func ForCall(entries []transcript.Entry, call int, scenarios Scenarios) (p *Program, ok bool, err error) {
	end := -1
	for i, e := range entries {
		if e.Kind == transcript.KindAPICall && e.Call == call && len(e.Request) > 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, false, nil
	}
	p, err = FromTranscript(entries[:end+1], scenarios)
	if err != nil {
		return nil, true, err
	}
	last := p.Calls[len(p.Calls)-1]
	p.Calls, p.Inputs = nil, nil
	vars := map[string]*Var{}
	last.Body = replaceVars(last.Body, func(v *Var) *Var {
		if v.From == 0 {
			return p.input(vars, v)
		}
		return p.input(vars, &Var{Name: v.Field, Env: "PLAID_" + strings.ToUpper(v.Field)})
	}).(map[string]any)
	p.Calls = []Call{last}
	p.Header = append([]string{"One call of a plaid-onboard session: " + last.Endpoint + "."}, p.Header[1:]...)
	return p, true, nil
}

// replaceVars is v with each *Var replaced by what f returns for it.
func replaceVars(v any, f func(*Var) *Var) any {
	switch x := v.(type) {
	case *Var:
		return f(x)
	case map[string]any:
		for k, e := range x {
			x[k] = replaceVars(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceVars(e, f)
		}
	}
	return v
}
