package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The keys screen: client_id, secret and environment, each saying where its value came from,
// checked for format as they are typed and live against Plaid (creating the Link token is the
// check). Known keys are checked in the background as soon as the screen opens, so Enter is
// usually instant.

type keysField int

const (
	fieldClientID keysField = iota
	fieldSecret
	fieldEnv
	fieldCount
)

type checkState int

const (
	checkIdle checkState = iota
	checkRunning
	checkOK
	checkFailed
)

type keysPhase int

const (
	phaseEdit        keysPhase = iota
	phaseSaveOffer             // "save these keys in the keyring?"
	phaseSaving                // the keyring is being written
	phaseConfirmProd           // "open Link in Production?"
)

// keyCheck is one live check of a set of keys.
type keyCheck struct {
	id     int
	state  checkState
	values keyValues
	client *plaidflow.Client
	token  plaidflow.LinkToken
	err    error
}

type keyValues struct {
	clientID, secret string
	env              plaidflow.Env
}

type keysScreen struct {
	c             *common
	width, height int

	clientID, secret textinput.Model
	env              plaidflow.Env
	focus            keysField
	idSource         plaidflow.Source
	secretSource     plaidflow.Source
	envSource        plaidflow.Source
	touched          [fieldCount]bool // show format problems only once the user has been there

	check   keyCheck
	waiting bool // Enter was pressed: carry on when the check passes
	phase   keysPhase
	notice  string // carried to the link screen (keys saved, or why not)
	// offered are the keys the user was already asked about saving, so going back to the keys
	// and on again does not ask twice.
	offered keyValues
	spinner spinner.Model
}

func newKeysScreen(c *common) *keysScreen {
	st := c.styles
	mk := func(placeholder string) textinput.Model {
		ti := textinput.New()
		ti.Prompt = ""
		ti.Placeholder = placeholder
		ti.CharLimit = 64
		ti.Width = 32
		ti.PromptStyle = st.Input.Prompt
		ti.TextStyle = st.Input.Text
		ti.PlaceholderStyle = st.Input.Placeholder
		ti.Cursor.Style = st.Input.Cursor
		ti.Cursor.TextStyle = st.Input.Text
		return ti
	}
	s := &keysScreen{
		c:        c,
		clientID: mk("paste your client_id"),
		secret:   mk("paste your secret"),
		spinner:  newSpinner(st),
	}
	s.secret.EchoMode = textinput.EchoPassword
	s.secret.EchoCharacter = '•'

	cfg := c.cfg
	s.clientID.SetValue(cfg.ClientID)
	s.secret.SetValue(cfg.Secret)
	s.env = cfg.Env
	if s.env == "" {
		s.env = plaidflow.Sandbox
	}
	s.idSource, s.secretSource, s.envSource = cfg.ClientIDSource, cfg.SecretSource, cfg.EnvSource
	switch {
	case cfg.ClientID == "":
		s.focus = fieldClientID
	case cfg.Secret == "":
		s.focus = fieldSecret
	}
	return s
}

// Init implements tea.Model: focus the first field that needs typing and, when the keys are
// known already, check them at once.
func (s *keysScreen) Init() tea.Cmd {
	cmds := []tea.Cmd{s.setFocus(s.focus)}
	if s.formatOK() {
		cmds = append(cmds, s.startCheck())
	}
	return tea.Batch(cmds...)
}

// Resume is called when the user comes back from the link screen: the Link token was used, so
// the next Enter makes a fresh one.
func (s *keysScreen) Resume() tea.Cmd {
	s.phase = phaseEdit
	s.waiting = false
	s.check = keyCheck{}
	s.notice = ""
	return s.setFocus(s.focus)
}

func (s *keysScreen) owns(id int) bool { return id != 0 && s.check.id == id }

// SetSize implements component.
func (s *keysScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	iw := w - labelWidth - 2 - 4 - 1 // pointer, card edges, cursor
	if iw > 34 {
		iw = 34
	}
	if iw < 8 {
		iw = 8
	}
	s.clientID.Width, s.secret.Width = iw, iw
}

func (s *keysScreen) values() keyValues {
	return keyValues{clientID: strings.TrimSpace(s.clientID.Value()), secret: strings.TrimSpace(s.secret.Value()), env: s.env}
}

func (s *keysScreen) config() plaidflow.Config {
	cfg := s.c.cfg
	v := s.values()
	cfg.ClientID, cfg.Secret, cfg.Env = v.clientID, v.secret, v.env
	cfg.ClientIDSource, cfg.SecretSource, cfg.EnvSource = s.idSource, s.secretSource, s.envSource
	return cfg
}

func (s *keysScreen) formatOK() bool {
	v := s.values()
	return plaidflow.CheckClientID(v.clientID) == nil && plaidflow.CheckSecret(v.secret) == nil
}

// current reports whether the check is about the values on screen now.
func (s *keysScreen) current() bool { return s.check.id != 0 && s.check.values == s.values() }

func (s *keysScreen) startCheck() tea.Cmd {
	cfg := s.config()
	s.check = keyCheck{id: s.c.nextID(), state: checkRunning, values: s.values()}
	return tea.Batch(createLinkToken(s.c.ctx, s.check.id, s.c.deps, cfg), s.spinner.Tick)
}

func (s *keysScreen) setFocus(f keysField) tea.Cmd {
	s.focus = f
	s.clientID.Blur()
	s.secret.Blur()
	switch f {
	case fieldClientID:
		return s.clientID.Focus()
	case fieldSecret:
		return s.secret.Focus()
	}
	return nil
}

// offerSave reports whether to ask about saving the keys: only when there is a vault, outside
// the demo, and when they did not come from the keyring in the first place.
func (s *keysScreen) offerSave() bool {
	if s.c.deps.Vault == nil || s.c.cfg.Demo || s.offered == s.values() {
		return false
	}
	return s.idSource != plaidflow.SourceKeyring || s.secretSource != plaidflow.SourceKeyring
}

// Update implements tea.Model.
func (s *keysScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.check.state != checkRunning && s.phase != phaseSaving {
			return s, nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return s, cmd

	case linkTokenCreatedMsg:
		if !s.owns(msg.id) {
			return s, nil
		}
		s.check.state, s.check.client, s.check.token, s.check.err = checkOK, msg.client, msg.token, nil
		if s.waiting && s.current() { // not if the keys changed while Plaid was asked
			s.waiting = false
			return s, s.proceed()
		}
		return s, nil

	case errMsg:
		switch msg.op {
		case opCreateLinkToken:
			if s.owns(msg.id) {
				s.check.state, s.check.err = checkFailed, msg.err
				s.waiting = false // the cursor stays on the field the user was on
			}
		case opSaveKeys:
			if s.phase == phaseSaving {
				s.notice = "Keys not saved: " + keyringProblem(msg.err)
				return s, s.afterSave()
			}
		}
		return s, nil

	case keysSavedMsg:
		if s.phase == phaseSaving {
			s.notice = "Keys saved in the OS keyring for " + msg.env.Title() + "."
			s.idSource, s.secretSource = plaidflow.SourceKeyring, plaidflow.SourceKeyring
			return s, s.afterSave()
		}
		return s, nil

	case savedKeysLoadedMsg:
		if msg.env != s.env || msg.err != nil {
			return s, nil
		}
		if s.clientID.Value() == "" || s.idSource == plaidflow.SourceKeyring {
			s.clientID.SetValue(msg.clientID)
			s.idSource = plaidflow.SourceKeyring
		}
		if s.secret.Value() == "" {
			s.secret.SetValue(msg.secret)
			s.secretSource = plaidflow.SourceKeyring
		}
		if s.formatOK() {
			return s, s.startCheck()
		}
		return s, nil

	case tea.KeyMsg:
		return s, s.handleKey(msg)
	}

	// Cursor blinks and the like go to the inputs.
	var c1, c2 tea.Cmd
	s.clientID, c1 = s.clientID.Update(msg)
	s.secret, c2 = s.secret.Update(msg)
	return s, tea.Batch(c1, c2)
}

func (s *keysScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	switch s.phase {
	case phaseSaveOffer:
		switch {
		case key.Matches(msg, k.Yes):
			s.phase = phaseSaving
			return tea.Batch(saveKeys(s.c.deps.Vault, s.config()), s.spinner.Tick)
		case key.Matches(msg, k.No):
			s.notice = ""
			return s.afterSave()
		case key.Matches(msg, k.Exit):
			s.phase = phaseEdit
		}
		return nil
	case phaseSaving:
		return nil
	case phaseConfirmProd:
		switch {
		case key.Matches(msg, k.Yes):
			return s.confirm()
		case key.Matches(msg, k.No), key.Matches(msg, k.Exit):
			s.phase = phaseEdit
		}
		return nil
	}

	switch {
	case key.Matches(msg, k.Exit):
		return tea.Quit
	case key.Matches(msg, k.Submit):
		return s.submit()
	case key.Matches(msg, k.NextField):
		s.touched[s.focus] = true
		return s.setFocus((s.focus + 1) % fieldCount)
	case key.Matches(msg, k.PrevField):
		s.touched[s.focus] = true
		return s.setFocus((s.focus + fieldCount - 1) % fieldCount)
	case s.focus == fieldEnv && key.Matches(msg, k.ToggleEnv):
		return s.toggleEnv()
	}

	var cmd tea.Cmd
	before := s.values()
	switch s.focus {
	case fieldClientID:
		s.clientID, cmd = s.clientID.Update(msg)
		if s.values() != before {
			s.idSource = plaidflow.SourceNone
			s.touched[fieldClientID] = true
		}
	case fieldSecret:
		s.secret, cmd = s.secret.Update(msg)
		if s.values() != before {
			s.secretSource = plaidflow.SourceNone
			s.touched[fieldSecret] = true
		}
	}
	return cmd
}

func (s *keysScreen) toggleEnv() tea.Cmd {
	if s.c.cfg.Demo {
		return nil // the demo is the emulated Sandbox
	}
	if s.env == plaidflow.Production {
		s.env = plaidflow.Sandbox
	} else {
		s.env = plaidflow.Production
	}
	s.envSource = plaidflow.SourceNone
	// The secret differs per environment: one read from the keyring belongs to the other one.
	if s.secretSource == plaidflow.SourceKeyring {
		s.secret.SetValue("")
		s.secretSource = plaidflow.SourceNone
	}
	if s.c.deps.Vault != nil && (s.secret.Value() == "" || s.idSource == plaidflow.SourceKeyring) {
		cfg := s.config()
		return loadSavedKeys(s.c.deps.Vault, cfg)
	}
	return nil
}

// submit is Enter: check formats, then wait for (or start) the live check.
func (s *keysScreen) submit() tea.Cmd {
	for f := fieldClientID; f <= fieldSecret; f++ {
		s.touched[f] = true
	}
	v := s.values()
	if plaidflow.CheckClientID(v.clientID) != nil {
		return s.setFocus(fieldClientID)
	}
	if plaidflow.CheckSecret(v.secret) != nil {
		return s.setFocus(fieldSecret)
	}
	if s.current() {
		switch s.check.state {
		case checkOK:
			return s.proceed()
		case checkRunning:
			s.waiting = true
			return nil
		}
	}
	s.waiting = true
	return s.startCheck()
}

// proceed runs after a good check: offer to save, confirm Production, then hand over.
func (s *keysScreen) proceed() tea.Cmd {
	if s.offerSave() {
		s.phase = phaseSaveOffer
		s.offered = s.values()
		return nil
	}
	return s.afterSave()
}

func (s *keysScreen) afterSave() tea.Cmd {
	if s.env == plaidflow.Production {
		s.phase = phaseConfirmProd
		return nil
	}
	return s.confirm()
}

func (s *keysScreen) confirm() tea.Cmd {
	s.phase = phaseEdit
	client, token, notice := s.check.client, s.check.token, s.notice
	// The token goes to the Link page; coming back makes a new one.
	s.check = keyCheck{}
	s.clientID.Blur()
	s.secret.Blur()
	return func() tea.Msg { return keysConfirmedMsg{client: client, token: token, notice: notice} }
}

func keyringProblem(err error) string {
	if errors.Is(err, plaidflow.ErrKeyringUnavailable) {
		return "no OS keyring is reachable. They last for this run only; nothing was written to a file."
	}
	return err.Error()
}

const labelWidth = 13

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
	case s.env == plaidflow.Production:
		envHint = st.Warn.Render("⚠ real banks and real accounts; Plaid bills for them")
	case s.focus == fieldEnv:
		envHint += st.Faint.Render(" · ←/→ switches")
	}
	form := []string{
		row(fieldClientID, "client_id", s.clientID.View()),
		hint(fieldClientID, plaidflow.CheckClientID(v.clientID), "24 hex characters", sourceLabel(s.idSource, "PLAID_CLIENT_ID", "--client-id", v.clientID != "")),
		row(fieldSecret, "secret", s.secret.View()),
		hint(fieldSecret, plaidflow.CheckSecret(v.secret), "30 hex characters", sourceLabel(s.secretSource, "PLAID_SECRET", "--secret", v.secret != "")),
		row(fieldEnv, "environment", s.envView()),
		pad + envHint,
	}
	border := s.c.border(s.env)

	status := s.statusView(w)
	b := []string{""}
	if s.height >= 8+len(status)+4 {
		b = append(b, st.Muted.Render(intro), "")
	}
	b = append(b, card(border, st.CardTitle.Render("Your Plaid API keys"), "", form, w, cardWidth(w))...)
	if len(status) > 0 {
		b = append(b, "")
		b = append(b, status...)
	}
	return strings.Join(b, "\n")
}

func (s *keysScreen) envView() string {
	st := s.c.styles
	opt := func(e plaidflow.Env) string {
		on := s.env == e
		mark := "○ "
		if on {
			mark = "◉ "
		}
		switch {
		case on && e == plaidflow.Production:
			return st.EnvProdOn.Render(mark + e.Title())
		case on:
			return st.EnvOn.Render(mark + e.Title())
		}
		return st.EnvOff.Render(mark + e.Title())
	}
	return opt(plaidflow.Sandbox) + "   " + opt(plaidflow.Production)
}

// statusView is the check's progress, its error, or the question being asked.
func (s *keysScreen) statusView(w int) []string {
	st := s.c.styles
	switch s.phase {
	case phaseSaveOffer:
		return []string{
			st.OK.Render("✓ Plaid accepted the keys."),
			"Save them in the OS keyring for " + s.env.Title() + ", so the next run starts here?",
			st.Key.Render("y") + st.Muted.Render(" save   ") + st.Key.Render("n") + st.Muted.Render(" not now"),
		}
	case phaseSaving:
		return []string{s.spinner.View() + " Saving the keys in the OS keyring…"}
	case phaseConfirmProd:
		return []string{
			st.Warn.Render("⚠ Production: real bank accounts, and Plaid bills for each Item."),
			"Open Plaid Link in Production?",
			st.Key.Render("y") + st.Muted.Render(" open Link   ") + st.Key.Render("n") + st.Muted.Render(" go back"),
		}
	}
	if !s.current() {
		if s.formatOK() {
			return []string{st.Muted.Render("Press enter to check the keys with Plaid.")}
		}
		return nil
	}
	switch s.check.state {
	case checkRunning:
		if s.c.cfg.Demo {
			return []string{s.spinner.View() + " Checking the keys with the offline emulator…"}
		}
		return []string{s.spinner.View() + " Checking the keys with Plaid (creating a Link token)…"}
	case checkOK:
		if s.c.cfg.Demo {
			return []string{st.OK.Render("✓ The emulator accepted the demo keys") + st.Muted.Render(" · press enter")}
		}
		return []string{st.OK.Render("✓ Plaid accepted the keys") + st.Muted.Render(" · Link token ready · press enter")}
	case checkFailed:
		title := "Plaid refused these keys"
		if s.c.cfg.Demo {
			title = "The emulator refused these keys"
		}
		if _, ok := plaidflow.AsError(s.check.err); !ok {
			title = "Could not check the keys"
		}
		return strings.Split(s.c.errorBlock(title, s.check.err, w), "\n")
	}
	return nil
}

// sourceLabel says where a value came from, in the words of the place it came from.
func sourceLabel(src plaidflow.Source, envVar, flag string, has bool) string {
	switch src {
	case plaidflow.SourceFlag:
		return "from " + flag
	case plaidflow.SourceEnviron:
		return "from " + envVar
	case plaidflow.SourceDotEnv:
		return "from .env"
	case plaidflow.SourceKeyring:
		return "from keyring"
	case plaidflow.SourceDemo:
		return "demo key"
	case plaidflow.SourceDefault:
		return "default"
	}
	if has {
		return "typed"
	}
	return ""
}

// ShortHelp implements help.KeyMap.
func (s *keysScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	switch s.phase {
	case phaseSaveOffer:
		return []key.Binding{withHelp(k.Yes, "y", "save keys"), withHelp(k.No, "n", "not now")}
	case phaseConfirmProd:
		return []key.Binding{withHelp(k.Yes, "y", "open Link"), withHelp(k.No, "n", "go back")}
	case phaseSaving:
		return nil
	}
	bs := []key.Binding{withHelp(k.Submit, "enter", "continue"), k.NextField}
	if s.focus == fieldEnv && !s.c.cfg.Demo {
		bs = append(bs, k.ToggleEnv)
	}
	return append(bs, k.Exit)
}

// FullHelp implements help.KeyMap.
func (s *keysScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	return [][]key.Binding{
		{withHelp(k.Submit, "enter", "check keys and continue"), k.NextField, k.PrevField},
		{k.ToggleEnv, k.Exit},
	}
}
