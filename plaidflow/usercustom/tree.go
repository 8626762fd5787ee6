package usercustom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// A node is one JSON value with where it starts in the source, so that a problem found while
// checking the configuration can name both its JSON path and its line. encoding/json alone
// loses both: its errors carry an offset for syntax only and a path without array indexes.
type node struct {
	kind    kind
	offset  int64 // byte offset of the value's first character
	str     string
	num     json.Number
	boolean bool
	keys    []string // object keys in source order
	fields  map[string]*node
	items   []*node
}

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// maxDepth bounds nesting, so that a hostile configuration cannot exhaust the stack.
const maxDepth = 64

// parseTree reads exactly one JSON value. Duplicate keys are an error: Plaid would keep one of
// them silently, and a support engineer reproducing a user's Item should not guess which.
func parseTree(src []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	n, err := readValue(dec, src, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &syntaxError{offset: dec.InputOffset(), msg: "more than one JSON value"}
	}
	return n, nil
}

// syntaxError is a JSON syntax problem at a byte offset.
type syntaxError struct {
	offset int64
	msg    string
}

func (e *syntaxError) Error() string { return e.msg }

func readValue(dec *json.Decoder, src []byte, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &syntaxError{offset: dec.InputOffset(), msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	// The value starts after the previous token, past blanks and a separator (',' or ':').
	start := skipSeparators(src, dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return nil, tokenError(dec, err)
	}
	end := dec.InputOffset()
	n := &node{offset: start}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.boolean = kindBool, t
	case json.Number:
		n.kind, n.num = kindNumber, t
	case string:
		n.kind, n.str = kindString, t
	case json.Delim:
		switch t {
		case '{':
			n.kind, n.fields = kindObject, map[string]*node{}
			for dec.More() {
				keyAt := skipSeparators(src, dec.InputOffset())
				kt, err := dec.Token()
				if err != nil {
					return nil, tokenError(dec, err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, &syntaxError{offset: keyAt, msg: "object key is not a string"}
				}
				v, err := readValue(dec, src, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := n.fields[key]; dup {
					return nil, &syntaxError{offset: keyAt, msg: "duplicate key " + strconv.Quote(key)}
				}
				n.keys = append(n.keys, key)
				n.fields[key] = v
			}
		case '[':
			n.kind = kindArray
			for dec.More() {
				v, err := readValue(dec, src, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
		default:
			return nil, &syntaxError{offset: end, msg: "unexpected " + t.String()}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, tokenError(dec, err)
		}
	}
	return n, nil
}

// skipSeparators returns the offset of the first byte at or after i that is not a blank or a
// separator: where the next value begins. It only moves forward, so reading a document stays
// linear in its size whatever it holds (a long run of backslashes, say).
func skipSeparators(src []byte, i int64) int64 {
	for i < int64(len(src)) && (isSpace(src[i]) || src[i] == ',' || src[i] == ':') {
		i++
	}
	return i
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// tokenError turns a decoder error into a syntaxError with an offset.
func tokenError(dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &syntaxError{offset: se.Offset, msg: se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{offset: dec.InputOffset(), msg: "unexpected end of JSON"}
	}
	return &syntaxError{offset: dec.InputOffset(), msg: err.Error()}
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(src []byte, offset int64) (line, col int) {
	if offset > int64(len(src)) {
		offset = int64(len(src))
	}
	line, col = 1, 1
	for _, b := range src[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
