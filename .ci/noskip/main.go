// Command noskip reads `go test -json` on standard input and prints what a person needs from it:
// each package's result line, and the whole output of every test that failed or skipped. It
// exits 1 when any test skipped, because under the README's test command (PLAID_ONBOARD_E2E=1,
// every part installed) a skipped test is one that passed without testing.
//
// It lives under .ci, which `./...` does not match, so it is not part of the program or of the
// suite; .ci/test runs it with `go run ./.ci/noskip`.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	skipped, err := filter(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "noskip:", err)
		os.Exit(1)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(os.Stderr, "\n%d test(s) skipped; under PLAID_ONBOARD_E2E=1 a skip is a failure, the suite must test everything:\n", len(skipped))
		for _, s := range skipped {
			fmt.Fprintln(os.Stderr, "  "+s)
		}
		os.Exit(1)
	}
}

// filter copies the interesting output of r to w and returns the tests that skipped, as
// "package.Test". Lines that are not JSON (go vet, build errors on some Go versions) are copied
// as they are.
func filter(r io.Reader, w io.Writer) ([]string, error) {
	var skipped []string
	held := map[string]*strings.Builder{} // output of running tests, by package and test
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		if e.Test == "" {
			// "PASS" is -v's line before "ok", which go test without -v does not print.
			if (e.Action == "output" || e.Action == "build-output") && e.Output != "PASS\n" {
				io.WriteString(w, e.Output)
			}
			continue
		}
		key := e.Package + "." + e.Test
		switch e.Action {
		case "output":
			if held[key] == nil {
				held[key] = &strings.Builder{}
			}
			held[key].WriteString(e.Output)
		case "fail", "skip":
			if b := held[key]; b != nil {
				io.WriteString(w, b.String())
			}
			delete(held, key)
			if e.Action == "skip" {
				skipped = append(skipped, key)
			}
		case "pass":
			delete(held, key)
		}
	}
	// A test that never ended (the test binary crashed, or timed out, while it ran) holds the
	// output that says why: a stack overflow's trace goes to the test that was running.
	for _, key := range slices.Sorted(maps.Keys(held)) {
		fmt.Fprintf(w, "(%s did not end)\n%s", key, held[key])
	}
	return skipped, sc.Err()
}
