package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/subset.golden.yml from testdata/openapi.yml")

// fixturePaths are the paths the tests keep from testdata/openapi.yml, not in the document's
// order, so that the output's order is seen to come from the document.
var fixturePaths = []string{"/item/get", "/accounts/get"}

// names lists what a document holds: its paths, and its components as "section/name".
func names(t *testing.T, src []byte) (paths, components []string) {
	t.Helper()
	doc, err := parse(src)
	if err != nil {
		t.Fatalf("parse the subset again: %v\n%s", err, src)
	}
	for _, p := range doc.paths {
		paths = append(paths, p.name)
	}
	for _, s := range doc.components {
		for _, it := range s.items {
			components = append(components, s.name+"/"+it.name)
		}
	}
	return paths, components
}

// TestExtractKeepsThePathsAndWhatTheyReference: from a document in Plaid's layout, the subset
// has the named paths and exactly the components they reach through $ref and discriminator
// mappings (cycles included), the security schemes, Plaid's top-level keys, the licence notice,
// and every kept block byte for byte, in the document's order.
func TestExtractKeepsThePathsAndWhatTheyReference(t *testing.T) {
	src, err := os.ReadFile("testdata/openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(src, fixturePaths)
	if err != nil {
		t.Fatal(err)
	}

	paths, components := names(t, got)
	if want := []string{"/accounts/get", "/item/get"}; !slices.Equal(paths, want) {
		t.Errorf("paths %v, want %v (the document's order)", paths, want)
	}
	want := []string{
		"securitySchemes/clientId", "securitySchemes/secret",
		"parameters/PlaidVersion",
		"schemas/APIVersion", "schemas/AccountsGetResponse", "schemas/AccountBase", "schemas/AccountBalance",
		"schemas/Verification", "schemas/Verification.Automated", "schemas/Verification_Manual-Micro",
		"schemas/Verification.Database", "schemas/Item", "schemas/ItemStatus", "schemas/ItemGetResponse",
		"schemas/RequestID",
	}
	if !slices.Equal(components, want) {
		t.Errorf("components\n got %v\nwant %v", components, want)
	}

	out := string(got)
	for _, line := range []string{
		"# Copyright (c) Plaid Inc. Licensed under the MIT License; the full notice is in",
		"plaid/plaid-openapi 2020-09-14_0.0.1 (2020-09-14.yml)",
		"openapi: 3.0.0\nservers:\n- description: Sandbox\n",
		"security:\n- clientId: []\n  secret: []\npaths:\n",
		"        accounts:\n          A line in a block scalar that looks like a key is still part of the path.\n",
		"            Indented example inside the description:\n          not a key of the schema either\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("subset lacks %q", line)
		}
	}
	if strings.Contains(out, "A small document in the layout") {
		t.Error("the source's own leading comment was copied into the subset")
	}

	const golden = "testdata/subset.golden.yml"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want2, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want2) {
		t.Errorf("the subset differs from %s (run with -update and review the diff):\n%s", golden, got)
	}

	// The subset of a subset is itself: nothing more to drop, nothing missing.
	again, err := Extract(got, fixturePaths)
	if err != nil {
		t.Fatalf("extract from the subset: %v", err)
	}
	if !bytes.Equal(again, got) {
		t.Errorf("extracting again changes the subset:\n%s", again)
	}
}

// TestExtractRefusesWhatItCannotDoFaithfully: a missing path, a dangling reference, or a
// document that is not in Plaid's two-space layout is an error, never a partial subset.
func TestExtractRefusesWhatItCannotDoFaithfully(t *testing.T) {
	src, err := os.ReadFile("testdata/openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	for _, tc := range []struct {
		name  string
		src   string
		paths []string
	}{
		{"a path that is not in the document", doc, []string{"/nope"}},
		{"a dangling reference", strings.Replace(doc, "    RequestID:\n      type: string\n", "", 1), fixturePaths},
		{"a dangling reference in a discriminator mapping", strings.Replace(doc, "    Verification.Database:\n      type: object\n", "", 1), fixturePaths},
		{"a component indented by three", strings.Replace(doc, "    RequestID:", "   RequestID:", 1), fixturePaths},
		{"no info.version", strings.Replace(doc, "  version: 2020-09-14_0.0.1\n", "", 1), fixturePaths},
		{"no components", doc[:strings.Index(doc, "components:\n")], fixturePaths},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := Extract([]byte(tc.src), tc.paths); err == nil {
				t.Errorf("no error; the subset:\n%s", out)
			}
		})
	}
}

// TestCommittedSubsetIsComplete: the subset that the emulator's conformance tests load holds every
// path the emulator serves and is closed under its references, so extracting from it gives it back
// byte for byte (a hand edit that adds, drops or changes a block shows up here); and the licence
// notice its header points to is beside it. Plaid's full document is not in the repository, so
// this cannot check the subset against it: `go generate ./plaidflow/emulator` does that.
func TestCommittedSubsetIsComplete(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata")
	committed, err := os.ReadFile(filepath.Join(dir, "plaid-openapi-subset.yml"))
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := names(t, committed)
	if !slices.Equal(slices.Sorted(slices.Values(paths)), slices.Sorted(slices.Values(Paths))) {
		t.Errorf("the committed subset has the paths %v, the emulator serves %v", paths, Paths)
	}
	got, err := Extract(committed, Paths)
	if err != nil {
		t.Fatalf("the committed subset is not complete: %v", err)
	}
	if !bytes.Equal(got, committed) {
		t.Error(`testdata/plaid-openapi-subset.yml is not what the extractor makes of it: regenerate it with "go generate ./plaidflow/emulator"`)
	}
	licence, err := os.ReadFile(filepath.Join(dir, "LICENSE-plaid-openapi"))
	if err != nil {
		t.Fatalf("the subset's header points to a licence notice beside it: %v", err)
	}
	for _, want := range []string{"MIT License", "Copyright (c)", "Plaid"} {
		if !bytes.Contains(licence, []byte(want)) {
			t.Errorf("LICENSE-plaid-openapi lacks %q", want)
		}
	}
}
