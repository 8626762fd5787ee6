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
	tok, err := dec.Token()
	if err != nil {
		return nil, tokenError(dec, err)
	}
	// InputOffset is just past the token; find where it starts by skipping back over it.
	end := dec.InputOffset()
	n := &node{offset: valueStart(src, end, tok)}
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
				kt, err := dec.Token()
				if err != nil {
					return nil, tokenError(dec, err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, &syntaxError{offset: dec.InputOffset(), msg: "object key is not a string"}
				}
				keyAt := dec.InputOffset()
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

// valueStart finds the first byte of the token that ends at end. Strings may contain escapes,
// so they are found by their opening quote; the others by skipping back over the token's
// characters.
func valueStart(src []byte, end int64, tok json.Token) int64 {
	if end > int64(len(src)) {
		end = int64(len(src))
	}
	i := end - 1
	switch tok.(type) {
	case json.Delim:
		for i > 0 && src[i] != '{' && src[i] != '[' && src[i] != '}' && src[i] != ']' {
			i--
		}
		return max(i, 0)
	case string:
		// Skip the closing quote, then walk back to an unescaped opening quote.
		for i--; i > 0; i-- {
			if src[i] == '"' && !escaped(src, i) {
				break
			}
		}
		return max(i, 0)
	}
	for i > 0 && !isSpace(src[i-1]) && src[i-1] != ':' && src[i-1] != ',' && src[i-1] != '[' {
		i--
	}
	return max(i, 0)
}

func escaped(src []byte, i int64) bool {
	n := 0
	for j := i - 1; j >= 0 && src[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
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
