package tui

import (
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// How the keys screen draws itself: the card with the three fields, each saying where its value
// came from, and under it the answer to the last enter, the check's progress or the question.

const labelWidth = 13

func (s *keysScreen) introLines() int {
	if s.height >= 16 {
		return 3 // blank, intro, blank
	}
	return 1
}

// View implements tea.Model.
func (s *keysScreen) View() string {
	st := s.c.styles
	w := s.width
	intro := "Paste them from the Plaid Dashboard › Developers › Keys."
	if s.c.cfg.Demo {
		intro = "The offline demo brings its own keys: press enter."
	}

	row := func(f keysField, label, value string) string {
		pointer, lab := "  ", st.Label.Render(padRight(label, labelWidth))
		if s.focus == f && s.phase == phaseEdit {
			pointer, lab = st.Pointer.Render("› "), st.LabelFocused.Render(padRight(label, labelWidth))
		}
		return pointer + lab + value
	}
	pad := strings.Repeat(" ", 2+labelWidth)
	hint := func(f keysField, check error, good string, src string) string {
		var parts []string
		v := s.clientID.Value()
		if f == fieldSecret {
			v = s.secret.Value()
		}
		switch {
		case check == nil:
			parts = append(parts, st.OK.Render("✓ "+good))
		case v == "" && !s.touched[f]:
			parts = append(parts, st.Faint.Render(good))
		default:
			parts = append(parts, st.Bad.Render("✗ "+check.Error()))
		}
		if src != "" {
			parts = append(parts, st.Source.Render(src))
		}
		return pad + strings.Join(parts, st.Faint.Render(" · "))
	}

	v := s.values()
	envHint := st.Source.Render(sourceLabel(s.envSource, "PLAID_ENV", "--env", true))
	switch {
	case s.c.cfg.Demo:
		envHint = st.Source.Render("the demo emulates Sandbox")
	case s.resolving != "":
		envHint = s.c.spinner() + st.Muted.Render(" looking up the keys for "+s.env.Title()+"…")
	case s.env == config.Production:
		envHint = st.Warn.Render("⚠ real banks and real accounts; Plaid bills for them")
	case s.focus == fieldEnv:
		envHint += st.Faint.Render(" · ←/→ switches")
	}
	form := []string{
		row(fieldClientID, "client_id", s.clientID.View()),
		hint(fieldClientID, config.CheckClientID(v.clientID), "24 hex characters", sourceLabel(s.idSource, "PLAID_CLIENT_ID", "--client-id", v.clientID != "")),
		row(fieldSecret, "secret", s.secret.View()),
		hint(fieldSecret, config.CheckSecret(v.secret), "30 hex characters", sourceLabel(s.secretSource, "PLAID_SECRET", "--secret", v.secret != "")),
		row(fieldEnv, "environment", s.envView()),
		pad + envHint,
	}
	b := []string{""}
	if s.introLines() > 1 {
		b = append(b, st.Muted.Render(intro), "")
	}
	b = append(b, card(s.c.border(s.env), st.CardTitle.Render("Your Plaid API keys"), "", form, w, cardWidth(w))...)
	b = append(b, s.storeLines(w)...)
	if status := s.statusView(w); len(status) > 0 {
		b = append(b, "")
		b = append(b, status...)
	}
	return strings.Join(b, "\n")
}

func (s *keysScreen) envView() string {
	st := s.c.styles
	opt := func(e config.Env) string {
		on := s.env == e
		mark := "○ "
		if on {
			mark = "◉ "
		}
		switch {
		case on && e == config.Production:
			return st.EnvProdOn.Render(mark + e.Title())
		case on:
			return st.EnvOn.Render(mark + e.Title())
		}
		return st.EnvOff.Render(mark + e.Title())
	}
	return opt(config.Sandbox) + "   " + opt(config.Production)
}

// statusView is the answer to the last Enter, the check's progress, its error, or the question
// being asked.
func (s *keysScreen) statusView(w int) []string {
	st := s.c.styles
	switch s.phase {
	case phaseSaveOffer:
		out := []string{st.OK.Render("✓ Plaid accepted the keys.")}
		out = append(out, wrap("Save them in "+s.keptIn()+" for "+s.env.Title()+", so the next run starts here?", w)...)
		return append(out, st.Key.Render("y")+st.Muted.Render(" save   ")+st.Key.Render("n")+st.Muted.Render(" not now"))
	case phaseSaving:
		return []string{s.c.spinner() + " Saving the keys in " + s.keptIn() + "…"}
	case phasePassphrase:
		return s.passphraseView(w)
	case phaseConfirmProd:
		return []string{
			st.Warn.Render("⚠ Production: real bank accounts, and Plaid bills for each Item."),
			"Open Plaid Link in Production?",
			st.Key.Render("y") + st.Muted.Render(" open Link   ") + st.Key.Render("n") + st.Muted.Render(" go back"),
		}
	}
	var out []string
	if s.status != "" {
		for _, l := range wrap("✗ "+s.status, w) {
			out = append(out, st.Bad.Render(l))
		}
	}
	if !s.current() {
		if s.formatOK() {
			out = append(out, st.Muted.Render("Press enter to check the keys with Plaid."))
		}
		return out
	}
	switch s.check.state {
	case checkRunning:
		if s.c.cfg.Demo {
			return append(out, s.c.spinner()+" Checking the keys with the offline emulator…")
		}
		return append(out, s.c.spinner()+" Checking the keys with Plaid (creating a Link token)…")
	case checkOK:
		if s.c.cfg.Demo {
			return append(out, st.OK.Render("✓ The emulator accepted the demo keys")+st.Muted.Render(" · press enter"))
		}
		return append(out, st.OK.Render("✓ Plaid accepted the keys")+st.Muted.Render(" · Link token ready · press enter"))
	case checkFailed:
		title := "Plaid refused these keys"
		if s.c.cfg.Demo {
			title = "The emulator refused these keys"
		}
		if _, ok := plaidapi.AsError(s.check.err); !ok {
			title = "Could not check the keys"
		}
		return append(out, s.c.errorBlock(title, s.check.err, w)...)
	}
	return out
}

// sourceLabel says where a value came from, in the words of the place it came from.
func sourceLabel(src config.Source, envVar, flag string, has bool) string {
	switch src {
	case config.SourceFlag:
		return "from " + flag
	case config.SourceEnviron:
		return "from " + envVar
	case config.SourceDotEnv:
		return "from .env"
	case config.SourceKeyring:
		return "from keyring"
	case config.SourceDemo:
		return "demo key"
	case config.SourceDefault:
		return "default"
	}
	if has {
		return "typed"
	}
	return ""
}
