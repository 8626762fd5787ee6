package emulator

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

// Request checking. Plaid checks a request body in a fixed order and names the offending
// fields in its messages: a body that is not a JSON object is INVALID_BODY; fields the
// endpoint does not know are UNKNOWN_FIELDS ("options.count" for nested ones); absent
// required fields are MISSING_FIELDS; values of the wrong type or outside an enum are
// INVALID_FIELD. The fake describes each endpoint's body with a small schema (params) and
// checks it the same way; a conformance test holds those schemas to Plaid's OpenAPI document.

type kind int

const (
	kindAny kind = iota // accepted as is: fields the fake ignores
	kindString
	kindBool
	kindArray // of strings
	kindObject
	kindInt // an integer between min and max
)

// param is one request field the fake knows.
type param struct {
	name     string
	kind     kind
	required bool
	nonEmpty bool         // a string must not be empty; an array must have an item
	enum     []string     // allowed values of the string, or of each array item
	fields   []param      // of an object; nil accepts any keys
	min, max int          // bounds of an integer
	errs     *paramErrors // Sandbox's own errors for it (param_errors.go); nil: the generic ones
}

func anyParam(name string) param    { return param{name: name} }
func stringParam(name string) param { return param{name: name, kind: kindString} }
func boolParam(name string) param   { return param{name: name, kind: kindBool} }
func arrayParam(name string) param  { return param{name: name, kind: kindArray} }

// intParam is an integer field with the bounds the spec gives it.
func intParam(name string, min, max int) param {
	return param{name: name, kind: kindInt, min: min, max: max}
}
func objectParam(name string, fields ...param) param {
	if fields == nil {
		fields = []param{}
	}
	return param{name: name, kind: kindObject, fields: fields}
}

func (p param) require() param { p.required = true; p.nonEmpty = true; return p }
func (p param) oneOf(values []string) param {
	p.enum = values
	return p
}

// anyObject is an object field whose content the fake does not look at.
func anyObject(name string) param { return param{name: name, kind: kindObject} }

// keyParams are the credentials every endpoint accepts in the body.
var keyParams = []param{stringParam("client_id"), stringParam("secret")}

// body is a request body that passed its endpoint's checks.
type body map[string]json.RawMessage

// checkBody applies Plaid's checks, in Plaid's order, to a raw request body. It returns the
// body whenever it is a JSON object, with the first failed check if any: the keys in it are
// checked before its fields.
func checkBody(raw []byte, params []param) (body, *apiError) {
	var b body
	if err := json.Unmarshal(raw, &b); err != nil || b == nil { // one JSON object and nothing after it
		return nil, newError("INVALID_BODY")
	}
	var unknown, missing []string
	walkUnknown(b, params, "", &unknown)
	walkMissing(b, params, "", &missing)
	if len(unknown) > 0 {
		sort.Strings(unknown)
		e := newError("UNKNOWN_FIELDS")
		e.message += strings.Join(unknown, ", ")
		return b, e
	}
	if len(missing) > 0 {
		e := newError("MISSING_FIELDS")
		e.message += strings.Join(missing, ", ")
		return b, e
	}
	return b, checkValues(b, params, "")
}

// checkedBody is a body that passed its endpoint's checks, kept for the next call sending the
// same bytes to the same path: a load test sends one body over and over, and checkBody is a
// pure function of the two. Handlers only read a body, so calls may share one.
type checkedBody struct {
	path string
	raw  []byte
	b    body
}

// checkBodyOf is checkBody for a call to path, answered from the last body checked when the
// bytes are the same.
func (s *Server) checkBodyOf(path string, raw []byte, params []param) (body, *apiError) {
	if last := s.lastBody.Load(); last != nil && last.path == path && bytes.Equal(last.raw, raw) {
		return last.b, nil
	}
	b, e := checkBody(raw, params)
	if e == nil {
		s.lastBody.Store(&checkedBody{path: path, raw: bytes.Clone(raw), b: b})
	}
	return b, e
}

func walkUnknown(b body, params []param, prefix string, out *[]string) {
	for name, raw := range b {
		i := slices.IndexFunc(params, func(p param) bool { return p.name == name })
		if i < 0 {
			*out = append(*out, prefix+name)
			continue
		}
		p := params[i]
		if p.kind == kindObject && p.fields != nil {
			var inner body
			if json.Unmarshal(raw, &inner) == nil && inner != nil {
				walkUnknown(inner, p.fields, prefix+name+".", out)
			}
		}
	}
}

func walkMissing(b body, params []param, prefix string, out *[]string) {
	for _, p := range params {
		raw, ok := b[p.name]
		if !ok || isNull(raw) {
			if p.required {
				*out = append(*out, prefix+p.name)
			}
			continue
		}
		if p.kind == kindObject && p.fields != nil {
			var inner body
			if json.Unmarshal(raw, &inner) == nil && inner != nil {
				walkMissing(inner, p.fields, prefix+p.name+".", out)
			}
		}
	}
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonString decodes a JSON string, reporting false for any other value. Most strings of a
// request (keys, tokens, IDs) are printable ASCII with nothing escaped; those it reads without
// encoding/json, which a load test would otherwise pay for on every field of every call.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		plain := true
		for _, c := range raw[1 : len(raw)-1] {
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				plain = false
				break
			}
		}
		if plain {
			return string(raw[1 : len(raw)-1]), true
		}
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// checkValues returns INVALID_FIELD for the first field, in the endpoint's order, whose
// value has the wrong type or is not allowed.
func checkValues(b body, params []param, prefix string) *apiError {
	for _, p := range params {
		raw, ok := b[p.name]
		if !ok || isNull(raw) {
			continue
		}
		name := prefix + p.name
		switch p.kind {
		case kindString:
			s, ok := jsonString(raw)
			if !ok || p.nonEmpty && s == "" {
				return errorf("INVALID_FIELD", "%s must be a properly formatted, non-empty string", name)
			}
			if p.enum != nil && !slices.Contains(p.enum, s) {
				return errorf("INVALID_FIELD", "%s must be one of the following: %s", name, strings.Join(p.enum, ", "))
			}
		case kindInt:
			var v int
			if json.Unmarshal(raw, &v) != nil {
				return errorf("INVALID_FIELD", "%s must be an integer", name)
			}
			if v < p.min || v > p.max {
				return errorf("INVALID_FIELD", "%s must be between %d and %d", name, p.min, p.max)
			}
		case kindBool:
			var v bool
			if json.Unmarshal(raw, &v) != nil {
				return errorf("INVALID_FIELD", "%s must be a boolean", name)
			}
		case kindArray:
			var items []string
			if json.Unmarshal(raw, &items) != nil {
				if e := p.wrongTypeError(name); e != nil {
					return e
				}
				return errorf("INVALID_FIELD", "%s must be an array of strings", name)
			}
			if p.nonEmpty && len(items) == 0 {
				return errorf("INVALID_FIELD", "%s must contain at least one value", name)
			}
			for _, it := range items {
				if p.enum != nil && !slices.Contains(p.enum, it) {
					if e := p.badValueError(name, it); e != nil {
						return e
					}
					return errorf("INVALID_FIELD", "%s contains an invalid value: %q", name, it)
				}
				if p.enum == nil && it == "" {
					return errorf("INVALID_FIELD", "%s must not contain empty strings", name)
				}
			}
		case kindObject:
			var inner body
			if json.Unmarshal(raw, &inner) != nil || inner == nil {
				return errorf("INVALID_FIELD", "%s must be an object", name)
			}
			if p.fields != nil {
				if e := checkValues(inner, p.fields, name+"."); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

// has reports whether a field is present and not null.
func (b body) has(name string) bool {
	raw, ok := b[name]
	return ok && !isNull(raw)
}
