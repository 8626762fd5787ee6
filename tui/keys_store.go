package tui

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Where Items will be kept, said on the keys screen before anything is linked: the OS keyring,
// the encrypted file, the demo's file, or nowhere. Where no keyring answers, ctrl+s turns this
// run to the encrypted file store, its passphrase typed here (masked): twice when the file is
// being made.

// storeProbedMsg: the store was asked whether it answers.
type storeProbedMsg struct {
	info vault.StoreInfo
	// fileExists is whether the profile's encrypted store was made already.
	fileExists bool
}

// fileStoreOpenedMsg: the encrypted store was opened (or made) with the typed passphrase, and
// the run now keeps keys and Items there; or err says why not.
type fileStoreOpenedMsg struct {
	info vault.StoreInfo
	err  error
}

// storeChoice is the keys screen's knowledge of the store, and the passphrase being typed.
type storeChoice struct {
	known      bool
	info       vault.StoreInfo
	fileExists bool
	// pass and again are the passphrase and, when the store is made, its confirmation.
	pass, again textinput.Model
	onAgain     bool
	opening     bool
	err         string
}

func newStoreChoice(mk func(string) textinput.Model) storeChoice {
	c := storeChoice{pass: mk("type it (not shown)"), again: mk("the same again")}
	for _, ti := range []*textinput.Model{&c.pass, &c.again} {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
		ti.CharLimit = 256
	}
	return c
}

// probeStore asks the vault's store whether it answers (the keyring may take its timeout), and
// whether the encrypted store exists, off the Update loop.
func probeStore(v *vault.Vault) tea.Cmd {
	return func() tea.Msg {
		return storeProbedMsg{info: vault.Probe(v.Secrets), fileExists: vault.NewFileStore(v.Dir, nil).Exists()}
	}
}

// openFileStore opens (or makes) the profile's encrypted store with pass and makes it this
// run's store: the scrypt work takes about a second, so it is a command.
func openFileStore(v *vault.Vault, pass string) tea.Cmd {
	return func() tea.Msg {
		run, ok := v.Secrets.(*vault.RunStore)
		if !ok {
			return fileStoreOpenedMsg{err: errors.New("this run's store cannot be changed")}
		}
		info, err := run.OpenFile(v.Dir, pass)
		return fileStoreOpenedMsg{info: info, err: err}
	}
}

// canUseFileStore reports whether ctrl+s is offered: no keyring answered, and the run's store
// can be changed.
func (s *keysScreen) canUseFileStore() bool {
	v := s.c.deps.Vault
	if v == nil || !s.store.known || s.store.info.Kind != vault.StoreNone {
		return false
	}
	_, ok := v.Secrets.(*vault.RunStore)
	return ok
}

// askPassphrase opens the passphrase prompt.
func (s *keysScreen) askPassphrase() tea.Cmd {
	s.phase = phasePassphrase
	s.store.err, s.store.onAgain = "", false
	s.store.pass.SetValue("")
	s.store.again.SetValue("")
	s.clientID.Blur()
	s.secret.Blur()
	s.store.again.Blur()
	return s.store.pass.Focus()
}

// passphraseKey handles a key while the passphrase is asked for.
func (s *keysScreen) passphraseKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	c := &s.store
	switch {
	case c.opening:
		return nil
	case key.Matches(msg, k.Exit):
		s.phase = phaseEdit
		c.pass.SetValue("")
		c.again.SetValue("")
		return s.setFocus(s.focus)
	case key.Matches(msg, k.NextField, k.PrevField) && !c.fileExists:
		return c.toggleField()
	case key.Matches(msg, k.Submit):
		switch {
		case c.pass.Value() == "":
			c.err = "type a passphrase"
			return nil
		case !c.fileExists && !c.onAgain && c.again.Value() == "":
			return c.toggleField()
		case !c.fileExists && c.pass.Value() != c.again.Value():
			c.err = "the two passphrases differ"
			c.again.SetValue("")
			return nil
		}
		c.opening, c.err = true, ""
		return openFileStore(s.c.deps.Vault, c.pass.Value())
	}
	var cmd tea.Cmd
	if c.onAgain {
		c.again, cmd = c.again.Update(msg)
	} else {
		c.pass, cmd = c.pass.Update(msg)
	}
	c.err = ""
	return cmd
}

func (c *storeChoice) toggleField() tea.Cmd {
	c.onAgain = !c.onAgain
	if c.onAgain {
		c.pass.Blur()
		return c.again.Focus()
	}
	c.again.Blur()
	return c.pass.Focus()
}

// storeUpdate takes the store's messages; handled is false for any other.
func (s *keysScreen) storeUpdate(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case storeProbedMsg:
		s.store.known, s.store.info, s.store.fileExists = true, msg.info, msg.fileExists
		return nil, true
	case fileStoreOpenedMsg:
		c := &s.store
		c.opening = false
		if msg.err != nil {
			c.err = msg.err.Error()
			c.pass.SetValue("")
			c.again.SetValue("")
			if c.onAgain {
				return c.toggleField(), true
			}
			return nil, true
		}
		c.info, c.fileExists = msg.info, true
		// The rest of the run keeps Items in the file, as --store file would: a command
		// suggested from now on carries it, or pasted it would look in the keyring.
		s.c.cfg.Store = string(vault.StoreFile)
		c.pass.SetValue("")
		c.again.SetValue("")
		s.phase = phaseEdit
		s.status = ""
		return s.setFocus(s.focus), true
	}
	return nil, false
}

// storeLines say, under the card, where Items will be kept, wrapped at spaces to the width.
func (s *keysScreen) storeLines(w int) []string {
	st := s.c.styles
	style, text := st.Muted, ""
	switch {
	case s.c.deps.Vault == nil:
		text = "Items will not be kept (--no-save)."
	case !s.store.known:
		return nil
	case s.store.info.Kind == vault.StoreNone:
		style, text = st.Warn, "⚠ "+present.WillBeKept(s.store.info)+"."
		if s.canUseFileStore() {
			text += " " + s.keys.FileStore.Help().Key + " keeps them in an encrypted file."
		}
	case s.store.info.Path != "":
		// The path on a line of its own, so it is never broken inside.
		var out []string
		for _, l := range wrap(present.WillBeKeptIn(s.store.info), w) {
			out = append(out, style.Render(l))
		}
		return append(out, style.Render(truncate(s.store.info.Path, w)))
	default:
		text = present.WillBeKept(s.store.info) + "."
	}
	var out []string
	for _, l := range wrap(text, w) {
		out = append(out, style.Render(l))
	}
	return out
}

// passphraseView is the prompt for the encrypted store's passphrase.
func (s *keysScreen) passphraseView(w int) []string {
	st := s.c.styles
	c := &s.store
	path := vault.EncryptedStorePath(s.c.deps.Vault.Dir)
	var out []string
	row := func(label string, ti textinput.Model, focused bool) string {
		pointer, lab := "  ", st.Label.Render(padRight(label, labelWidth))
		if focused {
			pointer, lab = st.Pointer.Render("› "), st.LabelFocused.Render(padRight(label, labelWidth))
		}
		return pointer + lab + ti.View()
	}
	// The path on a line of its own, so it is never broken inside.
	if c.fileExists {
		out = append(wrap("Passphrase of the encrypted store", w), truncate(path, w), row("passphrase", c.pass, true))
	} else {
		out = append(wrap("New encrypted store: choose a passphrase (it cannot be recovered)", w), truncate(path, w),
			row("passphrase", c.pass, !c.onAgain), row("again", c.again, c.onAgain))
	}
	switch {
	case c.opening:
		out = append(out, s.c.spinner()+" Opening the encrypted store…")
	case c.err != "":
		for _, l := range wrap("✗ "+c.err, w) {
			out = append(out, st.Bad.Render(l))
		}
	}
	return out
}

// keptIn names the store for the save offer: "the OS keyring" unless the run uses a file.
func (s *keysScreen) keptIn() string {
	switch s.store.info.Kind {
	case vault.StoreFile, vault.StoreDemoFile:
		return present.KeptIn(s.store.info)
	}
	return "the OS keyring"
}
