// Command specsubset extracts from Plaid's OpenAPI document the paths the fake Plaid server
// implements and every component they reference, transitively, into a much smaller document
// that the emulator's conformance tests load.
//
// It works on the text line by line instead of decoding and re-encoding the YAML, so that every
// kept block is byte-for-byte Plaid's (descriptions, examples, key order) and the output is the
// same on every run. That is sound because Plaid's document is machine-written with two-space
// indentation: a path is a line "  /path:" under "paths:", a component is a line "    Name:"
// under "  schemas:" (or another components section), and a block runs until the next line
// indented as much or less. References are found as "#/components/<section>/<name>" anywhere in a
// block, which also covers discriminator mappings.
//
// Regenerate with `go generate ./plaidflow/emulator` (see gen.go there).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Paths are the endpoints the emulator serves.
var Paths = []string{
	"/link/token/create",
	"/sandbox/public_token/create",
	"/item/public_token/exchange",
	"/auth/get",
	"/accounts/get",
	"/accounts/balance/get",
	"/item/get",
	"/item/remove",
	"/item/access_token/invalidate",
	"/sandbox/item/reset_login",
	"/institutions/get_by_id",
	"/processor/token/create",
	"/institutions/get",
	"/institutions/search",
	"/link/token/get",
	"/identity/get",
	"/processor/stripe/bank_account_token/create",
	"/sandbox/processor_token/create",
	"/webhook_verification_key/get",
	"/item/webhook/update",
	"/sandbox/item/fire_webhook",
	"/sandbox/item/set_verification_status",
}

// header names where the subset comes from and its licence; the source version is filled in.
const header = `# Subset of Plaid's OpenAPI document for the endpoints that the emulator serves, with every
# component they reference. Extracted from plaid/plaid-openapi %s (2020-09-14.yml)
# by plaidflow/emulator/internal/specsubset; do not edit, regenerate with
# "go generate ./plaidflow/emulator".
#
# Copyright (c) Plaid Inc. Licensed under the MIT License; the full notice is in
# LICENSE-plaid-openapi beside this file.
`

func main() {
	in := flag.String("in", "", "Plaid's OpenAPI document (2020-09-14.yml)")
	out := flag.String("out", "", "where to write the subset (default: standard output)")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "usage: specsubset -in openapi-2020-09-14.yml [-out subset.yml]")
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "specsubset:", err)
		os.Exit(1)
	}
	subset, err := Extract(src, Paths)
	if err != nil {
		fmt.Fprintln(os.Stderr, "specsubset:", err)
		os.Exit(1)
	}
	if *out == "" {
		_, err = os.Stdout.Write(subset)
	} else {
		err = os.WriteFile(*out, subset, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "specsubset:", err)
		os.Exit(1)
	}
}

// block is a run of lines: a top-level section, a path or a component.
type block struct {
	name  string
	lines []string
}

func (b block) write(w io.Writer) {
	for _, l := range b.lines {
		fmt.Fprintln(w, l)
	}
}

// section is a components section ("schemas", "parameters", ...) and its components in
// source order.
type section struct {
	name  string
	items []block
}

// document is Plaid's file cut into blocks.
type document struct {
	top        []block // top-level keys other than paths and components, in order
	paths      []block
	components []section
	version    string
}

var refPattern = regexp.MustCompile(`#/components/([A-Za-z]+)/([A-Za-z0-9_.\-]+)`)

// Extract returns the subset document for paths.
func Extract(src []byte, paths []string) ([]byte, error) {
	doc, err := parse(src)
	if err != nil {
		return nil, err
	}
	keepPath := map[string]bool{}
	var queue []string
	for _, p := range paths {
		i := slices.IndexFunc(doc.paths, func(b block) bool { return b.name == p })
		if i < 0 {
			return nil, fmt.Errorf("path %s is not in the document", p)
		}
		keepPath[p] = true
		queue = append(queue, refs(doc.paths[i])...)
	}
	// The security schemes are referenced by the top-level security requirement, not by $ref.
	keep := map[string]bool{}
	for _, s := range doc.components {
		if s.name == "securitySchemes" {
			for _, it := range s.items {
				queue = append(queue, s.name+"/"+it.name)
			}
		}
	}
	index := map[string]block{}
	for _, s := range doc.components {
		for _, it := range s.items {
			index[s.name+"/"+it.name] = it
		}
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if keep[ref] {
			continue
		}
		b, ok := index[ref]
		if !ok {
			return nil, fmt.Errorf("reference #/components/%s is not in the document", ref)
		}
		keep[ref] = true
		queue = append(queue, refs(b)...)
	}

	var out bytes.Buffer
	fmt.Fprintf(&out, header, doc.version)
	for _, b := range doc.top {
		b.write(&out)
	}
	fmt.Fprintln(&out, "paths:")
	for _, b := range doc.paths {
		if keepPath[b.name] {
			b.write(&out)
		}
	}
	fmt.Fprintln(&out, "components:")
	for _, s := range doc.components {
		var kept []block
		for _, it := range s.items {
			if keep[s.name+"/"+it.name] {
				kept = append(kept, it)
			}
		}
		if len(kept) == 0 {
			continue
		}
		fmt.Fprintf(&out, "  %s:\n", s.name)
		for _, b := range kept {
			b.write(&out)
		}
	}
	return out.Bytes(), nil
}

// refs lists the components a block names, as "section/name".
func refs(b block) []string {
	var out []string
	for _, l := range b.lines {
		for _, m := range refPattern.FindAllStringSubmatch(l, -1) {
			out = append(out, m[1]+"/"+m[2])
		}
	}
	return out
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// key returns the mapping key of a line "<indent><key>:", with or without an inline value
// ("  /some/path: {}").
func key(l string, depth int) (string, bool) {
	if indent(l) != depth {
		return "", false
	}
	t := strings.TrimSpace(l)
	k, ok := strings.CutSuffix(t, ":")
	if !ok {
		k, _, ok = strings.Cut(t, ": ")
	}
	k = strings.Trim(k, `"'`)
	return k, ok && k != ""
}

// parse cuts the document into blocks. It refuses anything that does not look like the
// two-space layout described in the package comment rather than guess.
func parse(src []byte) (*document, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Split into top-level sections.
	var tops []block
	for _, l := range lines {
		if l == "" || strings.HasPrefix(l, "#") && len(tops) == 0 {
			if len(tops) > 0 {
				tops[len(tops)-1].lines = append(tops[len(tops)-1].lines, l)
			}
			continue
		}
		if indent(l) == 0 {
			name, _, _ := strings.Cut(l, ":")
			tops = append(tops, block{name: name})
		}
		if len(tops) == 0 {
			return nil, errors.New("document does not start with a top-level key")
		}
		tops[len(tops)-1].lines = append(tops[len(tops)-1].lines, l)
	}
	doc := &document{}
	for _, t := range tops {
		switch t.name {
		case "paths":
			items, err := children(t.lines[1:], 2)
			if err != nil {
				return nil, fmt.Errorf("paths: %w", err)
			}
			doc.paths = items
		case "components":
			secs, err := children(t.lines[1:], 2)
			if err != nil {
				return nil, fmt.Errorf("components: %w", err)
			}
			for _, s := range secs {
				items, err := children(s.lines[1:], 4)
				if err != nil {
					return nil, fmt.Errorf("components.%s: %w", s.name, err)
				}
				doc.components = append(doc.components, section{name: s.name, items: items})
			}
		default:
			if t.name == "info" {
				for _, l := range t.lines {
					if v, ok := strings.CutPrefix(l, "  version: "); ok {
						doc.version = strings.Trim(v, `"'`)
					}
				}
			}
			doc.top = append(doc.top, t)
		}
	}
	if len(doc.paths) == 0 || len(doc.components) == 0 {
		return nil, errors.New("document has no paths or no components")
	}
	if doc.version == "" {
		return nil, errors.New("document has no info.version")
	}
	return doc, nil
}

// children splits lines into the blocks opened by keys at depth.
func children(lines []string, depth int) ([]block, error) {
	var out []block
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			if len(out) > 0 {
				out[len(out)-1].lines = append(out[len(out)-1].lines, l)
			}
			continue
		}
		if indent(l) < depth {
			return nil, fmt.Errorf("line %q is indented less than %d", l, depth)
		}
		if indent(l) == depth {
			k, ok := key(l, depth)
			if !ok {
				return nil, fmt.Errorf("line %q does not open a block", l)
			}
			out = append(out, block{name: k})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("line %q comes before any key", l)
		}
		out[len(out)-1].lines = append(out[len(out)-1].lines, l)
	}
	return out, nil
}
