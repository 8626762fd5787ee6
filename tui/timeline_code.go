package tui

import (
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/callcode"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// A call on the open timeline as code: the pane marks the newest Plaid call in view (↑/↓
// scroll to an older one), C copies it as code in the language chosen, g picks the next
// language and remembers it for later sessions. The code is `plaid-onboard code`'s for that one
// call: its body as sent, the keys and tokens read from the environment.

// codeLangSavedMsg: g remembered the language (or could not).
type codeLangSavedMsg struct {
	lang string
	err  error
}

// codeLang is the language C copies in: the one chosen, else curl.
func (p *timelinePane) codeLang() string {
	if slices.Contains(callcode.Langs, p.lang) {
		return p.lang
	}
	return callcode.Langs[0]
}

// calls are the indexes in entries of the Plaid calls C can copy, oldest first: one per call
// (its last attempt), with its request recorded.
func (p *timelinePane) calls() []int {
	var out []int
	at := map[int]int{}
	for i, e := range p.entries {
		if e.Kind != transcript.KindAPICall || e.Call <= 0 || len(e.Request) == 0 {
			continue
		}
		if j, ok := at[e.Call]; ok {
			out[j] = i
			continue
		}
		at[e.Call] = len(out)
		out = append(out, i)
	}
	return out
}

// chosenCall is the index in entries of the call C copies (pick calls back from the newest);
// -1 when there is none.
func (p *timelinePane) chosenCall() int {
	calls := p.calls()
	if len(calls) == 0 {
		return -1
	}
	return calls[len(calls)-1-min(p.pick, len(calls)-1)]
}

// movePick marks an older (+1) or newer (-1) call and scrolls it into view; false when there
// is none that way, and the arrows scroll the pane as before.
func (p *timelinePane) movePick(by int) bool {
	n := len(p.calls())
	next := min(p.pick, max(n-1, 0)) + by
	if n < 2 || next < 0 || next >= n {
		return false
	}
	p.pick = next
	idx := p.chosenCall()
	p.offset = min(max(p.offset, len(p.entries)-idx-p.rows), len(p.entries)-idx-1)
	p.offset = max(min(p.offset, p.maxOffset()), 0)
	return true
}

// copyCode sends the chosen call's code to the clipboard.
func (p *timelinePane) copyCode() tea.Cmd {
	i := p.chosenCall()
	if i < 0 {
		return nil
	}
	e := p.entries[i]
	prog, ok, err := callcode.ForCall(p.entries, e.Call, plaidflow.ScenarioConfig)
	var src string
	if err == nil && ok {
		src, err = callcode.Generate(prog, p.codeLang())
	}
	if err != nil || !ok {
		p.c.setStatus(statusBad, fmt.Sprintf("Could not make the code of %s: %v", e.Endpoint, err))
		return nil
	}
	what := fmt.Sprintf("the %s code of %s (call %d)", p.codeLang(), e.Endpoint, e.Call)
	return copyID(p.c, src, what)
}

// nextLang picks the next language and remembers it, off the UI thread.
func (p *timelinePane) nextLang() tea.Cmd {
	i := slices.Index(callcode.Langs, p.codeLang())
	p.lang = callcode.Langs[(i+1)%len(callcode.Langs)]
	p.c.setStatus(statusInfo, "C now copies a call as "+p.lang+".")
	dir, lang := p.c.deps.ConfigDir, p.lang
	if dir == "" {
		return nil
	}
	return func() tea.Msg { return codeLangSavedMsg{lang: lang, err: config.WriteCodeLang(dir, lang)} }
}

// langSaved says when the choice could not be remembered.
func (p *timelinePane) langSaved(msg codeLangSavedMsg) {
	if msg.err != nil {
		p.c.setStatus(statusWarn, fmt.Sprintf("C now copies a call as %s, for this session only: %v", msg.lang, msg.err))
	}
}
