package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The keys screen: client_id, secret and environment, each saying where its value came from,
// checked for format as they are typed and live against Plaid (creating the Link token is the
// check, and that token is the Link journey's first step). Known keys are checked in the
// background as soon as the screen opens, so Enter is usually instant.

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
	phasePassphrase            // the encrypted store's passphrase (keys_store.go)
)

// keyCheck is one live check of a set of keys.
type keyCheck struct {
	id     int
	state  checkState
	values keyValues
	client *plaidapi.Client
	token  plaidapi.LinkToken
	err    error
}

type keyValues struct {
	clientID, secret string
	env              config.Env
}

type keysScreen struct {
	c             *common
	keys          keysKeys
	width, height int

	clientID, secret textinput.Model
	env              config.Env
	focus            keysField
	idSource         config.Source
	secretSource     config.Source
	envSource        config.Source
	touched          [fieldCount]bool // show format problems only once the user has been there

	check   keyCheck
	waiting bool // Enter was pressed: carry on when the check passes
	phase   keysPhase
	notice  string // carried to the link screen (keys saved, or why not)
	// status answers the last Enter that could not go on ("client_id should be…"), or says
	// what the keyring said when the environment changed.
	status string
	// offered are the keys the user was already asked about saving, so going back to the keys
	// and on again does not ask twice.
	offered keyValues
	// resolving is the environment whose keys are being looked up again.
	resolving config.Env
	// store is where Items will be kept, and the passphrase prompt (keys_store.go).
	store storeChoice
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
		keys:     newKeysKeys(),
		clientID: mk("paste your client_id"),
		secret:   mk("paste your secret"),
	}
	s.secret.EchoMode = textinput.EchoPassword
	s.secret.EchoCharacter = '•'
	s.store = newStoreChoice(mk)
	s.take(c.cfg)
	switch {
	case c.cfg.ClientID == "":
		s.focus = fieldClientID
	case c.cfg.Secret == "":
		s.focus = fieldSecret
	default:
		s.focus = fieldClientID
	}
	s.updateKeys()
	return s
}

// take shows the keys of a resolved configuration, with where each came from.
func (s *keysScreen) take(cfg config.Config) {
	s.clientID.SetValue(cfg.ClientID)
	s.secret.SetValue(cfg.Secret)
	s.env = cfg.Env
	if s.env == "" {
		s.env = config.Sandbox
	}
	s.idSource, s.secretSource, s.envSource = cfg.ClientIDSource, cfg.SecretSource, cfg.EnvSource
}

// Init implements tea.Model: focus the first field that needs typing and, when the keys are
// known already, check them at once.
func (s *keysScreen) Init() tea.Cmd {
	cmds := []tea.Cmd{s.setFocus(s.focus)}
	if v := s.c.deps.Vault; v != nil {
		cmds = append(cmds, probeStore(v))
	}
	switch {
	case s.formatOK():
		cmds = append(cmds, s.startCheck())
	case s.c.deps.Sources.Vault != nil && s.canResolve():
		// The keys saved in the keyring are looked up after the first frame, not before it: a
		// keyring that does not answer (a locked or hung Secret Service) may take its whole
		// timeout, and the screen must not stay blank meanwhile.
		s.resolving = s.env
		cmds = append(cmds, resolveKeys(s.c.deps.Sources, s.env))
	}
	s.updateKeys()
	return tea.Batch(cmds...)
}

// Resume is called when the user comes back from the link screen. Keys Plaid accepted stay
// accepted, and their Link token is used again while it has not expired (a Link token is good
// for several sessions): Enter goes straight back to Link, without asking Plaid again or
// offering to save the same keys twice. Edited keys are checked afresh, as always.
func (s *keysScreen) Resume() tea.Cmd {
	s.phase = phaseEdit
	s.waiting = false
	s.notice, s.status = "", ""
	if s.check.state == checkOK && !s.check.token.Expiration.IsZero() && !s.c.now().Before(s.check.token.Expiration) {
		s.check = keyCheck{} // the token expired meanwhile: Enter makes a new one
	}
	cmd := s.setFocus(s.focus)
	s.updateKeys()
	return cmd
}

// shownEnv is the environment for the header: the one being chosen while the keys are on show.
func (s *keysScreen) shownEnv(onShow bool) config.Env {
	if onShow {
		return s.env
	}
	return s.c.cfg.Env
}

func (s *keysScreen) owns(id int) bool { return id != 0 && s.check.id == id }

// busy implements component.
func (s *keysScreen) busy() bool {
	return (s.current() && s.check.state == checkRunning) || s.phase == phaseSaving || s.store.opening
}

// failure implements component: a refusal of the keys on screen. Once they are edited it is
// no longer the user's problem, and quitting exits 0.
func (s *keysScreen) failure() error {
	if s.current() && s.check.state == checkFailed {
		return s.check.err
	}
	return nil
}

// focusView implements focuser: the focused field's row and its hint (after the intro and
// the card's top edge).
func (s *keysScreen) focusView() (string, int, int) {
	v := s.View()
	if s.phase == phasePassphrase {
		// The prompt ends the view: keep all of it in sight, not the field behind it.
		last := lineCount(v) - 1
		return v, max(last-len(s.passphraseView(s.width))+1, 0), last
	}
	row := s.introLines() + 1 + 2*int(s.focus)
	return v, row, row + 1
}

// SetSize implements component.
func (s *keysScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	iw := min(max(w-labelWidth-2-4-1, 8), 34) // pointer, card edges, cursor
	s.clientID.Width, s.secret.Width = iw, iw
}

func (s *keysScreen) values() keyValues {
	return keyValues{clientID: s.clientID.Value(), secret: s.secret.Value(), env: s.env}
}

func (s *keysScreen) config() config.Config {
	cfg := s.c.cfg
	v := s.values()
	cfg.ClientID, cfg.Secret, cfg.Env = v.clientID, v.secret, v.env
	cfg.ClientIDSource, cfg.SecretSource, cfg.EnvSource = s.idSource, s.secretSource, s.envSource
	return cfg
}

func (s *keysScreen) formatOK() bool {
	v := s.values()
	return config.CheckClientID(v.clientID) == nil && config.CheckSecret(v.secret) == nil
}

// current reports whether the check is about the values on screen now.
func (s *keysScreen) current() bool { return s.check.id != 0 && s.check.values == s.values() }

func (s *keysScreen) startCheck() tea.Cmd {
	cfg := s.config()
	s.check = keyCheck{id: s.c.nextID(), state: checkRunning, values: s.values()}
	return createLinkToken(s.c.ctx, s.check.id, s.c.deps, cfg, s.c.retries)
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
	return s.idSource != config.SourceKeyring || s.secretSource != config.SourceKeyring
}

// canResolve reports whether switching environments looks the keys up again: not in the demo
// (it only emulates Sandbox) and not when cmd gave no sources.
func (s *keysScreen) canResolve() bool {
	src := s.c.deps.Sources
	return !s.c.cfg.Demo && (src.Getenv != nil || src.DotEnv != nil || src.Vault != nil || src.Flags != (config.Overrides{}))
}

// updateKeys switches the screen's bindings on and off for its state: the one place that
// decides both what the keys do and what the help offers.
func (s *keysScreen) updateKeys() {
	k := &s.keys
	ask := s.phase == phaseSaveOffer || s.phase == phaseConfirmProd
	edit := s.phase == phaseEdit
	k.Yes.SetEnabled(ask)
	k.No.SetEnabled(ask)
	k.Submit.SetEnabled(edit)
	for _, b := range []*key.Binding{&k.NextField, &k.PrevField, &k.Down, &k.Up} {
		b.SetEnabled(edit)
	}
	k.ToggleEnv.SetEnabled(edit && s.focus == fieldEnv && !s.c.cfg.Demo)
	k.Exit.SetEnabled(s.phase != phaseSaving)
	k.FileStore.SetEnabled(edit && s.canUseFileStore())
	switch s.phase {
	case phasePassphrase:
		k.Submit.SetEnabled(true)
		k.Submit.SetHelp("enter", "open the encrypted file")
		k.NextField.SetEnabled(!s.store.fileExists)
		k.Exit.SetHelp("esc", "cancel")
	case phaseSaveOffer:
		k.Yes.SetHelp("y", "save keys")
		k.No.SetHelp("n", "not now")
		k.Exit.SetHelp("esc", "back")
	case phaseConfirmProd:
		k.Yes.SetHelp("y", "open Link")
		k.No.SetHelp("n", "go back")
		k.Exit.SetHelp("esc", "back")
	default:
		k.Submit.SetHelp("enter", "continue")
		k.Exit.SetHelp("esc", "quit")
	}
}

// Update implements tea.Model.
func (s *keysScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return s, keyed(s, s.update(msg)) }

func (s *keysScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case linkTokenCreatedMsg:
		if !s.owns(msg.id) {
			return nil
		}
		s.check.state, s.check.client, s.check.token, s.check.err = checkOK, msg.client, msg.token, nil
		if s.waiting && s.current() { // not if the keys changed while Plaid was asked
			s.waiting = false
			return s.proceed()
		}
		return nil

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
				return s.afterSave()
			}
		}
		return nil

	case keysSavedMsg:
		if s.phase == phaseSaving {
			s.notice = "Keys saved in " + s.keptIn() + " for " + msg.env.Title() + "."
			s.idSource, s.secretSource = config.SourceKeyring, config.SourceKeyring
			return s.afterSave()
		}
		return nil

	case keysResolvedMsg:
		return s.resolved(msg)

	case keysEditRequestedMsg:
		return s.Resume()

	case storeProbedMsg, fileStoreOpenedMsg:
		cmd, _ := s.storeUpdate(msg)
		return cmd

	case tea.KeyMsg:
		return s.handleKey(msg)
	}

	// Cursor blinks and the like go to the inputs.
	var c1, c2 tea.Cmd
	s.clientID, c1 = s.clientID.Update(msg)
	s.secret, c2 = s.secret.Update(msg)
	return tea.Batch(c1, c2)
}

// resolved shows the keys found for the environment the user switched to. What the user typed
// stays; what came from somewhere is replaced by what that environment has (maybe nothing).
func (s *keysScreen) resolved(msg keysResolvedMsg) tea.Cmd {
	if msg.env != s.env || msg.env != s.resolving {
		return nil // the user switched again meanwhile
	}
	s.resolving = ""
	if msg.err != nil {
		s.status = "Could not look the keys up: " + msg.err.Error()
		return nil
	}
	if len(msg.notes) > 0 {
		s.status = capitalize(strings.Join(msg.notes, "; "))
	}
	typedID := s.idSource == config.SourceNone && s.clientID.Value() != ""
	typedSecret := s.secretSource == config.SourceNone && s.secret.Value() != ""
	if !typedID {
		s.clientID.SetValue(msg.cfg.ClientID)
		s.idSource = msg.cfg.ClientIDSource
	}
	if !typedSecret {
		s.secret.SetValue(msg.cfg.Secret)
		s.secretSource = msg.cfg.SecretSource
	}
	if s.formatOK() && !s.current() {
		return s.startCheck()
	}
	return nil
}

func (s *keysScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.phase == phasePassphrase {
		return s.passphraseKey(msg)
	}
	switch {
	case key.Matches(msg, k.FileStore):
		return s.askPassphrase()
	case key.Matches(msg, k.Yes):
		if s.phase == phaseSaveOffer {
			s.phase = phaseSaving
			return saveKeys(s.c.deps.Vault, s.config())
		}
		return s.confirm()
	case key.Matches(msg, k.No):
		if s.phase == phaseSaveOffer {
			s.notice = ""
			return s.afterSave()
		}
		s.phase = phaseEdit
		return nil
	case key.Matches(msg, k.Exit):
		if s.phase != phaseEdit {
			s.phase = phaseEdit
			return nil
		}
		return tea.Quit
	case key.Matches(msg, k.Submit):
		return s.submit()
	case key.Matches(msg, k.NextField, k.Down):
		s.touched[s.focus] = true
		return s.setFocus((s.focus + 1) % fieldCount)
	case key.Matches(msg, k.PrevField, k.Up):
		s.touched[s.focus] = true
		return s.setFocus((s.focus + fieldCount - 1) % fieldCount)
	case key.Matches(msg, k.ToggleEnv):
		return s.toggleEnv()
	}
	if s.phase != phaseEdit {
		return nil
	}

	// A key typed into a field: the value is now the user's, from nowhere else.
	field, source := &s.clientID, &s.idSource
	switch s.focus {
	case fieldSecret:
		field, source = &s.secret, &s.secretSource
	case fieldEnv:
		return nil
	}
	var cmd tea.Cmd
	before := s.values()
	*field, cmd = field.Update(msg)
	trim(field)
	if s.values() != before {
		*source = config.SourceNone
		s.touched[s.focus] = true
		s.status = ""
	}
	return cmd
}

// trim drops the spaces and line breaks a paste brings along (copied from a web page, a key
// often ends in a space or a newline): keys never hold whitespace.
func trim(ti *textinput.Model) {
	v := ti.Value()
	if t := strings.Join(strings.Fields(v), ""); t != v {
		ti.SetValue(t)
		ti.CursorEnd()
	}
}

func (s *keysScreen) toggleEnv() tea.Cmd {
	if s.env == config.Production {
		s.env = config.Sandbox
	} else {
		s.env = config.Production
	}
	s.envSource = config.SourceNone
	s.status = ""
	if s.canResolve() {
		s.resolving = s.env
		return resolveKeys(s.c.deps.Sources, s.env)
	}
	return nil
}

// submit is Enter: check formats (saying what is wrong, on the field and in the status line),
// then wait for (or start) the live check.
func (s *keysScreen) submit() tea.Cmd {
	for f := fieldClientID; f <= fieldSecret; f++ {
		s.touched[f] = true
	}
	v := s.values()
	if err := config.CheckClientID(v.clientID); err != nil {
		s.status = err.Error()
		return s.setFocus(fieldClientID)
	}
	if err := config.CheckSecret(v.secret); err != nil {
		s.status = err.Error()
		return s.setFocus(fieldSecret)
	}
	s.status = ""
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
	if s.env == config.Production && !s.c.cfg.Demo {
		s.phase = phaseConfirmProd
		return nil
	}
	return s.confirm()
}

func (s *keysScreen) confirm() tea.Cmd {
	s.phase = phaseEdit
	client, notice := s.check.client, s.notice
	token := s.check.token
	s.clientID.Blur()
	s.secret.Blur()
	return func() tea.Msg { return keysConfirmedMsg{client: client, token: &token, notice: notice} }
}

func keyringProblem(err error) string {
	if errors.Is(err, vault.ErrKeyringUnavailable) {
		return "no OS keyring is reachable. They last for this run only (ctrl+s on this screen, or --store file, keeps them in an encrypted file)."
	}
	return err.Error()
}

// ShortHelp implements help.KeyMap.
func (s *keysScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Yes, k.No, k.Submit, withHelp(k.NextField, "tab/↓", "next field"), k.ToggleEnv, k.FileStore, k.Exit}
}

// FullHelp implements help.KeyMap.
func (s *keysScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Yes, k.No, withHelp(k.Submit, "enter", "check keys and continue"), withHelp(k.NextField, "tab/↓", "next field"), withHelp(k.PrevField, "shift+tab/↑", "previous field")},
		{k.ToggleEnv, k.FileStore, k.Exit},
	}
}
