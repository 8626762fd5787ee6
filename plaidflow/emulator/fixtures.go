package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// Fixtures: Items declared as files (`plaid-onboard emulator --fixtures DIR`), there from the
// start, so that a test calls /auth/get with a token it knows without driving Link. A fixture
// is one JSON object:
//
//	{
//	  "institution_id": "ins_109508",
//	  "item_id": "fixture-acme-checking",
//	  "access_token": "access-sandbox-acme-checking",
//	  "products": ["auth"],
//	  "state": "healthy",
//	  "webhook": "http://localhost:8000/plaid/webhook",
//	  "user_custom": {"override_accounts": [...]}
//	}
//
// Every field may be left out: First Platypus Bank, ids and token generated (from the seed when
// there is one), auth, healthy, no webhook, user_good's accounts. user_custom is Sandbox's
// configuration (https://plaid.com/docs/sandbox/user-custom/), read by the same parser as a
// user_custom password, strictly (a misspelt field is an error, not silently nothing).

// Fixture states.
const (
	FixtureHealthy        = "healthy"
	FixtureLoginRequired  = "ITEM_LOGIN_REQUIRED"
	FixturePendingAuto    = statusPendingAutomatic
	FixturePendingManual  = statusPendingManual
	defaultFixtureInst    = "ins_109508"
	maxFixtureBytes       = 256 << 10
	fixtureStatesForError = FixtureHealthy + ", " + FixtureLoginRequired + ", " + FixturePendingAuto + ", " + FixturePendingManual
)

// Fixture is one declared Item, as ParseFixture read it.
type Fixture struct {
	// Source is the file's name, for errors and for recognising the Item in a saved state.
	Source        string
	InstitutionID string
	ItemID        string
	AccessToken   string
	Products      []string
	State         string
	Webhook       string
	Custom        *usercustom.Config
}

// FixtureError is a problem in a fixture file, where it is.
type FixtureError struct {
	Source    string
	Line, Col int // 0 when the problem is the whole file
	Msg       string
}

func (e *FixtureError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Source, e.Line, e.Col, e.Msg)
	}
	return e.Source + ": " + e.Msg
}

// fixtureField is a top-level field with where its key and value start.
type fixtureField struct {
	keyAt, valueAt int64
	raw            json.RawMessage
}

// ParseFixture reads one fixture file; source names it in errors (file:line:column).
func ParseFixture(source string, data []byte) (Fixture, error) {
	at := func(offset int64, format string, args ...any) error {
		e := &FixtureError{Source: source, Msg: fmt.Sprintf(format, args...)}
		if offset >= 0 {
			e.Line, e.Col = lineColumn(data, offset)
		}
		return e
	}
	if len(data) > maxFixtureBytes {
		return Fixture{}, at(-1, "the file is %d bytes; a fixture is at most %d", len(data), maxFixtureBytes)
	}
	fields, err := topLevelFields(data)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Fixture{}, at(se.Offset, "not valid JSON: %v", se)
		}
		return Fixture{}, at(0, "%v", err)
	}
	f := Fixture{Source: source, InstitutionID: defaultFixtureInst, Products: []string{"auth"}, State: FixtureHealthy}
	str := func(name string, dst *string) error {
		fl, ok := fields[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(fl.raw, dst); err != nil || *dst == "" {
			return at(fl.valueAt, "%s must be a non-empty string", name)
		}
		return nil
	}
	for _, name := range []string{"institution_id", "item_id", "access_token", "state", "webhook"} {
		dst := map[string]*string{"institution_id": &f.InstitutionID, "item_id": &f.ItemID, "access_token": &f.AccessToken,
			"state": &f.State, "webhook": &f.Webhook}[name]
		if err := str(name, dst); err != nil {
			return Fixture{}, err
		}
	}
	for name, fl := range fields {
		switch name {
		case "institution_id", "item_id", "access_token", "state", "webhook", "products", "user_custom", "$comment":
		default:
			return Fixture{}, at(fl.keyAt, "unknown field %q: a fixture has institution_id, item_id, access_token, products, state, webhook, user_custom", name)
		}
	}
	if fl, ok := fields["products"]; ok {
		if err := json.Unmarshal(fl.raw, &f.Products); err != nil || len(f.Products) == 0 {
			return Fixture{}, at(fl.valueAt, "products must be a non-empty array of product names, such as [\"auth\"]")
		}
	}
	if _, e := checkInstitution(f.InstitutionID, f.Products); e != nil {
		fl, ok := fields["institution_id"]
		if !ok {
			fl = fields["products"]
		}
		return Fixture{}, at(fl.valueAt, "%s: %s", e.code, e.message)
	}
	if f.AccessToken != "" && (!strings.HasPrefix(f.AccessToken, "access-sandbox-") || strings.TrimSpace(f.AccessToken) != f.AccessToken) {
		return Fixture{}, at(fields["access_token"].valueAt, "access_token must look like Plaid's: access-sandbox-<identifier>")
	}
	if !slices.Contains([]string{FixtureHealthy, FixtureLoginRequired, FixturePendingAuto, FixturePendingManual}, f.State) {
		return Fixture{}, at(fields["state"].valueAt, "state %q is not one of %s", f.State, fixtureStatesForError)
	}
	if f.State == FixturePendingAuto || f.State == FixturePendingManual {
		if !slices.Contains(f.Products, "auth") {
			return Fixture{}, at(fields["state"].valueAt, "state %s is an Auth verification: products must include auth", f.State)
		}
	}
	if f.Webhook != "" {
		if u, err := url.Parse(f.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Fixture{}, at(fields["webhook"].valueAt, "webhook %q is not an http(s) URL", f.Webhook)
		}
	}
	if fl, ok := fields["user_custom"]; ok {
		cfg, err := usercustom.Parse(fl.raw, usercustom.Options{Source: source, Strict: true})
		if err != nil {
			return Fixture{}, shiftUserCustomError(err, data, fl.valueAt)
		}
		if cfg.ForceError != "" {
			return Fixture{}, at(fl.valueAt, "user_custom.force_error fails a login, and a fixture's Item exists already: use \"state\": %q for a login to repair", FixtureLoginRequired)
		}
		f.Custom = cfg
	}
	if f.State != FixtureHealthy && f.State != FixtureLoginRequired {
		if _, ok := verifiableAccount(f); !ok {
			return Fixture{}, at(fields["state"].valueAt, "state %s needs a depository account (checking or savings) to verify", f.State)
		}
	}
	return f, nil
}

// topLevelFields reads the file's object, noting where each key and value start.
func topLevelFields(data []byte) (map[string]fixtureField, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("a fixture is a JSON object: {\"institution_id\": …, \"user_custom\": {…}}")
	}
	out := map[string]fixtureField{}
	for dec.More() {
		keyAt := skipBlanks(data, dec.InputOffset(), ",")
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := kt.(string) // inside an object, the decoder gives keys only as strings
		valueAt := skipBlanks(data, dec.InputOffset(), ":")
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, &json.SyntaxError{Offset: keyAt}
		}
		out[key] = fixtureField{keyAt: keyAt, valueAt: valueAt, raw: raw}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return out, nil
}

// skipBlanks moves past white space and the separators in seps.
func skipBlanks(data []byte, at int64, seps string) int64 {
	for at < int64(len(data)) && strings.IndexByte(" \t\r\n"+seps, data[at]) >= 0 {
		at++
	}
	return at
}

// lineColumn is the 1-based line and column (in bytes) of offset.
func lineColumn(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// shiftUserCustomError makes a usercustom error, whose lines count from the start of the
// user_custom value, count from the start of the file.
func shiftUserCustomError(err error, data []byte, valueAt int64) error {
	var ue *usercustom.Error
	if !errors.As(err, &ue) {
		return err
	}
	out := *ue
	out.Path = strings.TrimSuffix("user_custom."+ue.Path, ".")
	baseLine, baseCol := lineColumn(data, valueAt)
	if ue.Line == 0 {
		out.Line, out.Col = baseLine, baseCol
	} else {
		if ue.Line == 1 {
			out.Col = baseCol + ue.Col - 1
		}
		out.Line = baseLine + ue.Line - 1
	}
	return &out
}

// verifiableAccount is the account a pending verification state puts on hold: the first
// checking account, else the first depository one; its index among the Item's accounts.
func verifiableAccount(f Fixture) (int, bool) {
	if f.Custom == nil || len(f.Custom.Accounts) == 0 {
		return 0, true // user_good's checking account comes first
	}
	accts := f.Custom.Accounts
	if i := slices.IndexFunc(accts, func(a usercustom.Account) bool { return a.Type == "depository" && a.Subtype == "checking" }); i >= 0 {
		return i, true
	}
	i := slices.IndexFunc(accts, func(a usercustom.Account) bool { return a.Type == "depository" })
	return i, i >= 0
}

// WithFixtures declares the fixtures' Items at start (after a WithSnapshot state: a fixture
// whose Item the state already holds, by file, item_id or access_token, is not declared
// again, so that a restart keeps what the tests did to it).
func WithFixtures(fx ...Fixture) Option {
	return func(s *Server) { s.fixtures = append(s.fixtures, fx...) }
}

// declareFixtures adds the fixtures' Items. It expects s.mu to be held.
func (s *Server) declareFixtures() error {
	seenID, seenToken := map[string]string{}, map[string]string{}
	for _, f := range s.fixtures {
		if other, dup := seenID[f.ItemID]; dup && f.ItemID != "" {
			return &FixtureError{Source: f.Source, Msg: fmt.Sprintf("item_id %q is declared by %s too", f.ItemID, other)}
		}
		if other, dup := seenToken[f.AccessToken]; dup && f.AccessToken != "" {
			return &FixtureError{Source: f.Source, Msg: fmt.Sprintf("access_token %q is declared by %s too", f.AccessToken, other)}
		}
		seenID[f.ItemID], seenToken[f.AccessToken] = f.Source, f.Source
		if s.holdsFixture(f) {
			continue
		}
		s.putItem(s.fixtureItem(f))
	}
	s.stateGen++
	return nil
}

// holdsFixture reports whether the state already has the fixture's Item. It expects s.mu to
// be held.
func (s *Server) holdsFixture(f Fixture) bool {
	if _, ok := s.items[f.ItemID]; ok {
		return true
	}
	if _, ok := s.accessTokens[f.AccessToken]; ok {
		return true
	}
	for _, it := range s.items {
		if it.fixture == f.Source {
			return true
		}
	}
	return false
}

// fixtureItem makes the fixture's Item, as a Link session with its login would have, then
// puts it in the declared state. It expects s.mu to be held.
func (s *Server) fixtureItem(f Fixture) *item {
	inst := findInstitution(f.InstitutionID)
	id := f.ItemID
	if id == "" {
		id = s.plaidID()
	}
	it := s.newItem(id, inst, f.Products, nullable(f.Webhook))
	it.fixture = f.Source
	if f.Custom != nil {
		it.offered = s.customAccounts(inst, f.Custom)
		it.accounts = slices.Clone(it.offered)
	}
	switch f.State {
	case FixtureLoginRequired:
		it.loginRequired = true
	case FixturePendingAuto, FixturePendingManual:
		i, _ := verifiableAccount(f)
		if f.Custom == nil {
			i = slices.IndexFunc(it.offered, func(a *account) bool { return a.subtype == "checking" })
		}
		a := it.offered[i]
		a.verificationStatus, a.verificationName = f.State, sandboxVerificationName
		it.offered, it.accounts = []*account{a}, []*account{a}
		it.authMethod = "AUTOMATED_MICRODEPOSITS"
		if f.State == FixturePendingManual {
			it.authMethod = "SAME_DAY_MICRODEPOSITS"
		}
	}
	it.accessToken = f.AccessToken
	if it.accessToken == "" {
		it.accessToken = s.mint("access-sandbox-")
	}
	return it
}
