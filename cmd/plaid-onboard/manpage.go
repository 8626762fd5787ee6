package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newManCmd is the hidden `man` command: it prints plaid-onboard(1), the manual page, in roff,
// built from the command tree itself so it can never describe other commands or flags than the
// binary has. Release archives ship its output (.ci/release-assets); `plaid-onboard man | man -l -`
// reads it without installing. The roff is written here rather than with cobra/doc, which would
// bring go-md2man and a Markdown parser into the program for one page.
func newManCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    "man",
		Short:  "Print the manual page plaid-onboard(1) in roff (for packagers: man -l -)",
		Hidden: true,
		Args:   maxArgs(0, "no arguments"),
		RunE: a.runE(func(_ context.Context, _ []string) error {
			return writeManPage(a.d.Stdout, newRootCmd(&app{d: a.d}), manDate())
		}),
	}
}

// manDate is the page's date: the release's commit date when the binary was stamped, else the
// commit time the build recorded, else none (roff accepts an empty date). Never the clock, so
// two builds of one commit print the same page.
func manDate() string {
	d := date
	if !known(d) {
		d = ""
		if info, ok := readBuildInfo(); ok && info != nil {
			for _, s := range info.Settings {
				if s.Key == "vcs.time" {
					d = s.Value
				}
			}
		}
	}
	if len(d) >= 10 {
		d = d[:10] // 2026-11-22
	}
	return d
}

// writeManPage writes the manual page for root and every visible command under it.
func writeManPage(w io.Writer, root *cobra.Command, date string) error {
	root.InitDefaultCompletionCmd() // cobra adds `completion` only when a command line runs
	m := &roff{}
	m.macro("TH", "PLAID-ONBOARD", "1", date, "plaid-onboard "+currentVersion(), "User Commands")
	m.section("NAME")
	m.text("plaid-onboard - " + strings.ToLower(root.Short[:1]) + root.Short[1:])
	m.section("SYNOPSIS")
	m.raw(`\fBplaid\-onboard\fR [\fIglobal flags\fR] [\fIcommand\fR] [\fIflags\fR] [\fIarguments\fR]`)
	m.section("DESCRIPTION")
	m.paragraphs(root.Long)

	m.section("COMMANDS")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() { // hidden, deprecated, or cobra's help
				continue
			}
			m.macro("SS", sub.CommandPath())
			m.raw(`\fB` + escape(sub.UseLine()) + `\fR`)
			m.macro("PP")
			long := sub.Long
			if long == "" {
				long = sub.Short
			}
			m.paragraphs(long)
			if sub.Example != "" {
				m.macro("PP")
				m.text("Examples:")
				m.verbatim(sub.Example)
			}
			m.flags(ownFlags(sub))
			walk(sub)
		}
	}
	walk(root)

	m.section("GLOBAL FLAGS")
	m.text("Accepted before or after the command's name; a flag that would do nothing for the command is refused with exit status 2.")
	global := pflag.NewFlagSet("global", pflag.ContinueOnError)
	walkCommands(root, func(c *cobra.Command) {
		if fs := sharedFlags(c); fs != nil {
			fs.VisitAll(func(f *pflag.Flag) {
				if global.Lookup(f.Name) == nil {
					global.AddFlag(f)
				}
			})
		}
	})
	m.flags(global)

	if root.Example != "" {
		m.section("EXAMPLES")
		m.verbatim(root.Example)
	}
	m.section("FILES")
	m.macro("TP")
	m.raw(`\fI$XDG_CONFIG_HOME/plaid\-onboard/items.json\fR (\fI~/.config/plaid\-onboard/items.json\fR)`)
	m.text("The index of saved Items: names, banks, dates, last known health. Access tokens are never in it: they are in the OS keyring, service plaid-onboard.")
	m.macro("TP")
	m.raw(`\fI./.env\fR`)
	m.text("PLAID_CLIENT_ID, PLAID_SECRET and the other PLAID_ variables, read when neither flags nor the environment give them.")
	m.section("SEE ALSO")
	m.text("The README: https://github.com/plaid-onboard/plaid-onboard. Plaid's documentation: https://plaid.com/docs/")
	_, err := io.WriteString(w, m.String())
	return err
}

// roff builds a man(7) page. Text is escaped so that nothing a description says can be taken
// as a roff request.
type roff struct{ strings.Builder }

func (m *roff) raw(line string) { m.WriteString(line + "\n") }

func (m *roff) macro(name string, args ...string) {
	m.WriteString("." + name)
	for _, a := range args {
		m.WriteString(` "` + strings.ReplaceAll(escape(a), `"`, `\(dq`) + `"`)
	}
	m.WriteString("\n")
}

func (m *roff) section(name string) { m.macro("SH", name) }

// text is filled prose.
func (m *roff) text(s string) {
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		m.raw(escape(strings.TrimSpace(line)))
	}
}

// verbatim keeps lines as they are (examples, aligned lists).
func (m *roff) verbatim(s string) {
	m.macro("nf")
	m.macro("RS", "2")
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		m.raw(escape(line))
	}
	m.macro("RE")
	m.macro("fi")
}

// paragraphs renders cobra help text: blank lines separate paragraphs, and indented lines
// (lists, aligned columns, command lines) stay as typed.
func (m *roff) paragraphs(s string) {
	var block []string
	indented := false
	flush := func() {
		if len(block) == 0 {
			return
		}
		if indented {
			m.verbatim(strings.Join(block, "\n"))
		} else {
			m.text(strings.Join(block, "\n"))
		}
		block = nil
	}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			m.macro("PP")
			continue
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t"):
			if !indented {
				flush()
			}
			indented = true
		default:
			if indented {
				flush()
			}
			indented = false
		}
		block = append(block, line)
	}
	flush()
}

// flags lists a flag set, one tagged paragraph per visible flag.
func (m *roff) flags(fs *pflag.FlagSet) {
	if fs == nil {
		return
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name, usage := pflag.UnquoteUsage(f)
		head := `\fB\-\-` + escape(f.Name) + `\fR`
		if f.Shorthand != "" {
			head = `\fB\-` + escape(f.Shorthand) + `\fR, ` + head
		}
		if name != "" {
			head += ` \fI` + escape(name) + `\fR`
		}
		m.macro("TP")
		m.raw(head)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		m.text(usage)
	})
}

// escape makes s safe as roff text: backslashes and hyphens are roff's, a line that starts
// with a dot or a quote would be a request, and characters beyond ASCII are named (\[u2026]) so
// the page reads the same whatever encoding man assumes.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-':
			b.WriteString(`\-`)
		case r > 127:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
