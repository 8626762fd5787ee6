package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command --help lists has a row in README.md's "## Commands" table: a command added
// without one fails here. A row may name several subcommands as alternatives
// (`plaid-onboard profiles list\|use NAME\|remove NAME`).
func TestREADMECommandsTableHasEveryCommand(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "\n## Commands\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Commands" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n### "); end >= 0 {
		section = section[:end]
	}
	// rows are the words of each row's first code span after "plaid-onboard", alternatives split.
	var rows [][]string
	for _, line := range strings.Split(section, "\n") {
		span, ok := strings.CutPrefix(line, "| `plaid-onboard ")
		if !ok {
			continue
		}
		span, _, _ = strings.Cut(span, "`")
		rows = append(rows, strings.Fields(strings.ReplaceAll(span, `\|`, " ")))
	}
	listed := func(path []string) bool {
		for _, words := range rows {
			if len(words) == 0 || words[0] != path[0] {
				continue
			}
			rest, ok := words[1:], true
			for _, p := range path[1:] {
				i := slices.Index(rest, p)
				if i < 0 {
					ok = false
					break
				}
				rest = rest[i+1:]
			}
			if ok {
				return true
			}
		}
		return false
	}
	var walk func(c *cobra.Command, path []string)
	checked := 0
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" {
				continue
			}
			p := append(append([]string{}, path...), sub.Name())
			if sub.Runnable() {
				checked++
				if !listed(p) {
					t.Errorf("plaid-onboard %s is a command, but README.md's Commands table has no row for it", strings.Join(p, " "))
				}
			}
			walk(sub, p)
		}
	}
	walk(newRootCmd(&app{}), nil)
	if checked < 20 {
		t.Fatalf("only %d commands were checked: the walk of the command tree is broken", checked)
	}
}
