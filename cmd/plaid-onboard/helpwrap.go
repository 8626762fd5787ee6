package main

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
)

// helpColumns is the width --help is written for: a line wider than that wraps mid-word in a
// 100-column terminal (processor-token's list of processors was one 681-character line).
const helpColumns = 100

func init() {
	cobra.AddTemplateFunc("wrapHelp", wrapHelpText)
}

// wrapHelp makes every command's --help fit in helpColumns: the descriptions and command lists
// are wrapped at spaces, and the flags' descriptions by pflag, under their own column.
func wrapHelp(root *cobra.Command) {
	root.SetHelpTemplate(`{{with (or .Long .Short)}}{{. | wrapHelp | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString | wrapHelp}}{{end}}`)
}

// wrapHelpText wraps each line of s wider than helpColumns at spaces. A continuation starts
// under the text it continues: under the description of a "name   description" line (a
// command, flag or variable list), after the dash of a "- item", else at the line's indent. A
// word wider than the line is left whole: help never breaks a command or a URL inside. In a
// paragraph of prose, what a wrapped line leaves over joins the next line, so no short
// fragment is left alone in the middle of it.
func wrapHelpText(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if ansi.StringWidth(line) <= helpColumns {
			out = append(out, line)
			continue
		}
		wrapped := wrapHelpLine(line)
		if last := wrapped[len(wrapped)-1]; len(wrapped) > 1 && isProse(line) && i+1 < len(lines) && isProse(lines[i+1]) {
			out = append(out, wrapped[:len(wrapped)-1]...)
			lines[i+1] = last + " " + lines[i+1]
			continue
		}
		out = append(out, wrapped...)
	}
	return strings.Join(out, "\n")
}

// isProse reports whether a help line is running text at the left margin: not blank, not
// indented (a list, an example, a table), not an item of a list.
func isProse(line string) bool {
	return line != "" && line[0] != ' ' && !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "* ") &&
		!strings.HasPrefix(line, "plaid-onboard ")
}

// wrapHelpLine wraps one line (see wrapHelpText).
func wrapHelpLine(line string) []string {
	body := strings.TrimLeft(line, " ")
	indent := len(line) - len(body)
	if strings.HasPrefix(body, "plaid-onboard ") {
		// An example: wrapped, it would not paste. TestEveryHelpLineFitsIn100Columns asks for
		// a shorter one instead.
		return []string{line}
	}
	hang := indent
	if strings.HasPrefix(body, "- ") || strings.HasPrefix(body, "* ") {
		hang = indent + 2
	} else if gap := strings.Index(body, "  "); gap > 0 && indent+gap < helpColumns/2 {
		rest := strings.TrimLeft(body[gap:], " ")
		hang = len(line) - len(rest)
	}
	head, words := line[:hang], strings.Fields(line[hang:])
	var out []string
	cur := head
	for _, w := range words {
		switch {
		case strings.TrimSpace(cur) == "" || strings.HasSuffix(cur, " ") && len(cur) == hang:
			cur += w
		case ansi.StringWidth(cur)+1+ansi.StringWidth(w) <= helpColumns:
			cur += " " + w
		default:
			out = append(out, cur)
			cur = strings.Repeat(" ", hang) + w
		}
	}
	return append(out, cur)
}
