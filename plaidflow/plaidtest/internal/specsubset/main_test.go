package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The committed subset is what the extractor makes from Plaid's document, so that anyone can
// regenerate it and get the same file.
func TestCommittedSubsetIsReproducible(t *testing.T) {
	const source = "../../../../../shared/plaid/openapi-2020-09-14.yml"
	src, err := os.ReadFile(source)
	if os.IsNotExist(err) {
		t.Skipf("Plaid's full document is not at %s (shared/ beside the repository)", source)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(src, Paths)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../testdata/plaid-openapi-subset.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Error(`testdata/plaid-openapi-subset.yml differs from what the extractor makes: run "go generate ./plaidflow/plaidtest"`)
	}
}

const tiny = `openapi: 3.0.0
info:
  title: t
  version: 1.2.3
paths:
  /a:
    post:
      responses:
        "200":
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/A'
  /b:
    post:
      responses:
        "200":
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/B'
  /c: {}
components:
  securitySchemes:
    key:
      type: apiKey
  schemas:
    A:
      description: |-
        A block scalar.

        With a blank line.
      properties:
        c:
          $ref: '#/components/schemas/C'
    B:
      type: string
    C:
      discriminator:
        mapping:
          d: '#/components/schemas/D'
    D:
      type: string
`

func TestExtractFollowsReferences(t *testing.T) {
	got, err := Extract([]byte(tiny), []string{"/a"})
	if err != nil {
		t.Fatal(err)
	}
	out := string(got)
	for _, want := range []string{"  /a:", "    A:", "    C:", "    D:", "  securitySchemes:", "        With a blank line.", "plaid-openapi 1.2.3"} {
		if !strings.Contains(out, want) {
			t.Errorf("subset lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"  /b:", "    B:", "  /c:"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("subset has %q, which /a does not need", unwanted)
		}
	}
	if _, err := Extract([]byte(tiny), []string{"/nope"}); err == nil {
		t.Error("a path that is not in the document should be an error")
	}
	broken := strings.Replace(tiny, "    D:\n      type: string\n", "", 1)
	if _, err := Extract([]byte(broken), []string{"/a"}); err == nil {
		t.Error("a dangling reference should be an error")
	}
}
