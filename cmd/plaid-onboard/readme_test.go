package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readmeCommand is one plaid-onboard command line the README shows in a code block.
type readmeCommand struct {
	line int      // in README.md
	env  []string // VAR=value before the command
	args []string // after "plaid-onboard"
}

// commandStart finds plaid-onboard where a shell would run it: at the start of a line (after a
// "$ " prompt and VAR=value assignments), after "(", "| " or "&& ". "go run ./cmd/plaid-onboard"
// is the same program.
var commandStart = regexp.MustCompile(`(?:^|\(|\|\s*|&&\s*)((?:[A-Z_]+=\S+\s+)*)(?:go run \./cmd/)?plaid-onboard(\s|$)`)

// readmePlaceholders are words the README leaves for the reader to fill in.
var readmePlaceholders = regexp.MustCompile(`^(ITEM|NAME|FILE|URI|URL|CODE|FLOW|PORT|ID|D|N|T|A|P|C)$|\.\.\.|…|YOUR-|<|>`)

// readmeCommands reads the commands shown in README.md's code blocks: every line of a sh block
// or of an indented block, and the "$ " lines of the others (the rest is what the program
// printed).
func readmeCommands(t *testing.T, path string) []readmeCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	fence, lang, prevBlank := false, "", true
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			fence, lang = !fence, strings.TrimPrefix(line, "```")
			continue
		}
		indented := !fence && strings.HasPrefix(line, "    ") && prevBlank
		prevBlank = strings.TrimSpace(line) == "" || (indented && strings.TrimSpace(line) != "")
		if !fence && !indented {
			continue
		}
		text := strings.TrimSpace(line)
		prompt := strings.HasPrefix(text, "$ ")
		text = strings.TrimPrefix(text, "$ ")
		if fence && lang != "sh" && !prompt {
			continue
		}
		for _, m := range commandStart.FindAllStringSubmatchIndex(text, -1) {
			rest := text[m[1]:]
			if text[m[0]] == '(' {
				// A command substitution, $(plaid-onboard …), ends at its ")".
				if end := strings.IndexByte(rest, ')'); end >= 0 {
					rest = rest[:end]
				}
			}
			words := shellWords(rest)
			c := readmeCommand{line: n, env: strings.Fields(text[m[2]:m[3]])}
			for _, w := range words {
				if w == "|" || w == "&&" || w == "&" || w == ">" || w == ")" || strings.HasPrefix(w, "#") {
					break
				}
				c.args = append(c.args, strings.TrimSuffix(w, ")"))
			}
			cmds = append(cmds, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// shellWords splits a command line as sh would for the README's commands: words at spaces,
// quotes removed, and |, &&, > and a # comment as words of their own.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case (r == '|' || r == '>' || r == '#' || r == '&') && !inWord:
			words = append(words, string(r))
			if r == '#' {
				return words
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}

// TestREADMECommandsRun: every plaid-onboard command the README shows is one the program
// takes (its command, flags and arguments), and those that finish on their own are run, in the
// README's order, against the emulator (as Plaid, through PLAID_API_URL, or as --demo), and
// none ends in a usage error. A README that shows a command the program refuses fails here.
func TestREADMECommandsRun(t *testing.T) {
	readme, err := filepath.Abs(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work) // the files the README names (ticket-1234.json, session.jsonl, webhook.json) are here
	cmds := readmeCommands(t, readme)
	writeREADMEUserCustom(t, readme, filepath.Join(work, "ticket-1234.json"))
	// The body `webhooks sign --body webhook.json` signs: a webhook as the README's receiver gets it.
	body := `{"environment": "sandbox", "error": null, "item_id": "x", "webhook_code": "LOGIN_REPAIRED", "webhook_type": "ITEM"}`
	if err := os.WriteFile(filepath.Join(work, "webhook.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	te := newTestEnv(t)
	te.useFakePlaid(t)
	checked, ran := 0, 0
	for _, c := range cmds {
		what := "README.md:" + strconv.Itoa(c.line) + ": plaid-onboard " + strings.Join(c.args, " ")
		if slices.ContainsFunc(c.args, readmePlaceholders.MatchString) {
			t.Logf("%s: a template, not run", what)
			continue // a template: NAME, ITEM, YOUR-TUNNEL…
		}
		checked++
		if err := parsesAsCommand(c.args); err != nil {
			t.Errorf("%s: the program refuses it: %v", what, err)
			continue
		}
		if !finishesOnItsOwn(c.args) {
			continue
		}
		saved := map[string]string{}
		for _, kv := range c.env {
			k, v, _ := strings.Cut(kv, "=")
			saved[k] = te.environ[k]
			te.environ[k] = v
		}
		code := te.run(c.args...)
		t.Logf("%s: exit %d", what, code)
		for k, v := range saved {
			te.environ[k] = v
		}
		ran++
		if code == exitUsage {
			t.Errorf("%s: exit %d (a usage error)\nstdout: %s\nstderr: %s", what, code, te.stdout, te.stderr)
		}
	}
	if checked < 60 || ran < 35 {
		t.Errorf("checked %d commands and ran %d: the README shows more (is the parser still finding them?)", checked, ran)
	}
	t.Logf("checked %d README commands, ran %d", checked, ran)
}

// parsesAsCommand finds the command args names in a fresh command tree, parses its flags and
// checks its arguments, as cobra would before running it.
func parsesAsCommand(args []string) error {
	root := newRootCmd(&app{})
	cmd, rest, err := root.Find(hoistFlags(root, args))
	if err != nil {
		return err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// finishesOnItsOwn reports whether a command ends without a person: not the terminal UI, Link
// (link, verify), a server (emulator, webhooks listen), following a log (emulator logs
// --follow), or a question (remove without --yes).
func finishesOnItsOwn(args []string) bool {
	root := newRootCmd(&app{})
	cmd, _, err := root.Find(hoistFlags(root, args))
	if err != nil {
		return false
	}
	_, path, _ := strings.Cut(cmd.CommandPath(), " ")
	switch path {
	case "", "link", "verify", "emulator", "webhooks listen":
		return false
	case "items remove", "profiles remove":
		return slices.Contains(args, "--yes")
	case "emulator logs":
		return !slices.Contains(args, "-f") && !slices.Contains(args, "--follow")
	}
	return true
}

// writeREADMEUserCustom writes the README's example --user-custom file (the JSON block with the
// seed "ticket-1234"), which its commands then use.
func writeREADMEUserCustom(t *testing.T, readme, to string) {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "```json\n{\n  \"seed\": \"ticket-1234\"")
	if !ok {
		t.Fatal("the README's --user-custom example (seed ticket-1234) is gone")
	}
	body, _, _ := strings.Cut(after, "\n```")
	if err := os.WriteFile(to, []byte("{\n  \"seed\": \"ticket-1234\""+body+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
