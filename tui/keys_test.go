package tui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// liveConfig is a Sandbox configuration pointed at the fake, with the fake's keys given the
// way a developer gives them (src), not as the demo.
func liveConfig(srv *emulator.Server, src config.Source) config.Config {
	cfg := baseConfig()
	cfg.ClientID, cfg.ClientIDSource = emulator.DemoClientID, src
	cfg.Secret, cfg.SecretSource = emulator.DemoSecret, src
	cfg.APIURL = srv.URL
	cfg.LinkScriptURL = srv.LinkScriptURL()
	return cfg
}

func TestKeysSayWhereEachValueCameFrom(t *testing.T) {
	cfg := baseConfig()
	cfg.ClientID, cfg.ClientIDSource = "0123456789abcdef01234567", config.SourceEnviron
	cfg.Secret, cfg.SecretSource = "0123456789abcdef0123456789abcd", config.SourceDotEnv
	cfg.EnvSource = config.SourceFlag
	m := newTestModel(t, testDeps(t, cfg), 80, 24)

	v := view(m)
	for _, want := range []string{"from PLAID_CLIENT_ID", "from .env", "from --env"} {
		if !strings.Contains(v, want) {
			t.Errorf("the keys screen does not say %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, cfg.Secret) {
		t.Errorf("the secret is shown in clear:\n%s", v)
	}
}

func TestKeysFormatIsCheckedAsYouType(t *testing.T) {
	m := newTestModel(t, testDeps(t, baseConfig()), 80, 24)
	m.Init()

	typeText(m, "abc")
	if v := view(m); !strings.Contains(v, "✗ client_id should be 24 hex characters (has 3)") {
		t.Fatalf("a short client_id is not flagged:\n%s", v)
	}
	typeText(m, "def0123456789abcdef01")
	v := view(m)
	if !strings.Contains(v, "✓ 24 hex characters · typed") {
		t.Fatalf("a well-formed client_id is not accepted:\n%s", v)
	}
	if m.keys.check.state != checkIdle {
		t.Errorf("typing started a live check; it should wait for enter")
	}
}

func TestKeysEnterWithABadFormatStaysOnTheFieldAndAsksNobody(t *testing.T) {
	m := newTestModel(t, testDeps(t, baseConfig()), 80, 24)
	m.Init()
	typeText(m, "0123456789abcdef01234567")
	m.Update(press("tab"))
	typeText(m, "tooshort")

	m.Update(press("enter"))
	if m.keys.focus != fieldSecret {
		t.Errorf("focus moved to %v, want the secret field", m.keys.focus)
	}
	if m.keys.check.id != 0 {
		t.Errorf("a live check started for a secret that cannot be right")
	}
	if v := view(m); !strings.Contains(v, "✗ secret should be 30 hex characters (has 8)") {
		t.Errorf("the secret's problem is not shown:\n%s", v)
	}
}

func TestKeysKnownAtStartupAreCheckedAtOnce(t *testing.T) {
	srv := fakePlaid(t)
	m := newTestModel(t, testDeps(t, liveConfig(srv, config.SourceEnviron)), 80, 24)
	d := newDriver(t, m)
	d.init()
	if m.keys.check.state != checkRunning {
		t.Fatalf("known keys were not checked at startup")
	}
	d.screenShows("✓ Plaid accepted the keys")
	if n := emulatortest.Requests(srv, "/link/token/create"); n != 1 {
		t.Errorf("/link/token/create called %d times, want 1", n)
	}
}

func TestKeysWrongKeysShowPlaidsErrorAndKeepTheCursor(t *testing.T) {
	srv := fakePlaid(t)
	cfg := baseConfig()
	cfg.APIURL = srv.URL
	m := newTestModel(t, testDeps(t, cfg), 80, 24)
	d := newDriver(t, m)
	d.init()
	typeText(m, "0123456789abcdef01234567")
	m.Update(press("tab"))
	typeText(m, "0123456789abcdef0123456789abcd")

	d.send(press("enter"))
	d.screenShows("INVALID_API_KEYS")
	v := view(m)
	for _, want := range []string{"Plaid refused these keys", "invalid client_id or secret provided", "request_id", "Developers > Keys"} {
		if !strings.Contains(v, want) {
			t.Errorf("the error does not show %q:\n%s", want, v)
		}
	}
	if m.screen != screenKeys || m.keys.focus != fieldSecret {
		t.Errorf("screen %v focus %v: want to stay on the secret field", m.screen, m.keys.focus)
	}
	if !plaidapi.HasCode(m.Err(), "INVALID_API_KEYS") {
		t.Errorf("quitting now would not report the failure: Err() = %v", m.Err())
	}
}

func TestKeysGoodCheckOffersToSaveThenOpensLink(t *testing.T) {
	_, deps := liveOnEmulator(t)
	m, d := started(t, deps, 80, 24)
	d.send(press("enter"))
	d.screenShows("Save them in the OS keyring for Sandbox")

	d.send(press("y"))
	d.until("the link screen", func() bool { return m.screen == screenLink })
	id, secret, err := deps.Vault.LoadKeys("sandbox")
	if err != nil || id != emulator.DemoClientID || secret != emulator.DemoSecret {
		t.Fatalf("keys not saved for sandbox: %q %q %v", id, secret, err)
	}
	if !strings.Contains(view(m), "Keys saved in the OS keyring for Sandbox.") {
		t.Errorf("the link screen does not say the keys were saved:\n%s", view(m))
	}
}

func TestKeysNoSaveOfferWhenTheyCameFromTheKeyringOrTheDemo(t *testing.T) {
	srv := fakePlaid(t)
	for name, cfg := range map[string]config.Config{
		"keyring": liveConfig(srv, config.SourceKeyring),
		"demo":    demoConfig(srv),
	} {
		t.Run(name, func(t *testing.T) {
			m := newTestModel(t, testDeps(t, cfg), 80, 24)
			d := newDriver(t, m)
			d.init()
			d.send(press("enter"))
			d.until("the link screen", func() bool { return m.screen == screenLink })
		})
	}
}

func TestKeysNoSaveOfferWithoutAVault(t *testing.T) {
	_, deps := liveOnEmulator(t)
	deps.Vault = nil
	m, d := started(t, deps, 80, 24)
	d.send(press("enter"))
	d.until("the link screen", func() bool { return m.screen == screenLink })
}

func TestKeysSaveFailureIsSaidPlainly(t *testing.T) {
	m := newTestModel(t, testDeps(t, liveConfigNoServer()), 80, 24)
	m.Init()
	m.Update(linkTokenCreatedMsg{id: m.keys.check.id, client: sandboxClient(t, liveConfigNoServer())})
	m.Update(press("enter"))
	m.Update(press("y"))
	_, cmd := m.Update(errMsg{op: opSaveKeys, err: errors.Join(vault.ErrKeyringUnavailable, errors.New("dbus: no session bus"))})
	msg := cmd()
	if _, ok := msg.(keysConfirmedMsg); !ok {
		t.Fatalf("after a failed save the flow should go on to Link, got %T", msg)
	}
	m.Update(msg)
	if v := view(m); !strings.Contains(v, "Keys not saved: no OS keyring is reachable") {
		t.Errorf("the link screen does not say the keys were not saved:\n%s", v)
	}
}

func liveConfigNoServer() config.Config {
	cfg := baseConfig()
	cfg.ClientID, cfg.ClientIDSource = "0123456789abcdef01234567", config.SourceEnviron
	cfg.Secret, cfg.SecretSource = "0123456789abcdef0123456789abcd", config.SourceEnviron
	return cfg
}

func TestKeysProductionIsWarnedAndConfirmed(t *testing.T) {
	deps := testDeps(t, liveConfigNoServer())
	deps.Vault = nil
	m := newTestModel(t, deps, 80, 24)
	m.Init()
	m.Update(press("tab"))
	m.Update(press("tab")) // environment
	m.Update(press("right"))
	if m.keys.env != config.Production {
		t.Fatalf("→ on the environment did not switch to Production")
	}
	v := view(m)
	if !strings.Contains(v, "real banks and real accounts") || !strings.Contains(v, "◉ Production") {
		t.Errorf("Production is not called out on the keys screen:\n%s", v)
	}

	m.Update(press("enter")) // starts the check for Production
	id := m.keys.check.id
	m.Update(linkTokenCreatedMsg{id: id, client: sandboxClient(t, liveConfigNoServer())})
	if m.keys.phase != phaseConfirmProd {
		t.Fatalf("no confirmation before Link opens in Production (phase %v)", m.keys.phase)
	}
	if v := view(m); !strings.Contains(v, "Open Plaid Link in Production?") {
		t.Errorf("the confirmation is not asked:\n%s", v)
	}
	m.Update(press("n"))
	if m.keys.phase != phaseEdit || m.screen != screenKeys {
		t.Errorf("n should go back to editing the keys")
	}
}

func TestKeysStaleCheckIsIgnored(t *testing.T) {
	m := newTestModel(t, testDeps(t, liveConfigNoServer()), 80, 24)
	m.Init()
	old := m.keys.check.id
	m.Update(press("tab"))
	m.Update(press("backspace")) // the secret changes while the check is out
	m.Update(errMsg{op: opCreateLinkToken, id: old, err: invalidKeys()})
	if strings.Contains(view(m), "INVALID_API_KEYS") {
		t.Errorf("an answer about keys no longer on screen was shown:\n%s", view(m))
	}
}

func TestKeysEnvironmentIsFixedInTheDemo(t *testing.T) {
	srv := fakePlaid(t)
	m := newTestModel(t, testDeps(t, demoConfig(srv)), 80, 24)
	m.Update(press("tab"))
	m.Update(press("tab"))
	m.Update(press("right"))
	if m.keys.env != config.Sandbox {
		t.Errorf("the demo switched to %v; it only emulates Sandbox", m.keys.env)
	}
	if v := view(m); !strings.Contains(v, "demo key") || !strings.Contains(v, "the demo emulates Sandbox") {
		t.Errorf("the demo keys are not labelled:\n%s", v)
	}
}

func TestKeysEscQuits(t *testing.T) {
	m := newTestModel(t, testDeps(t, baseConfig()), 80, 24)
	_, cmd := m.Update(press("esc"))
	if cmd == nil {
		t.Fatal("esc on the keys screen did nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("esc on the keys screen does not quit")
	}
	if m.Err() != nil {
		t.Errorf("quitting before anything failed should exit 0, Err() = %v", m.Err())
	}
}

func TestKeysEditedWhileCheckingDoNotOpenLink(t *testing.T) {
	m := newTestModel(t, testDeps(t, liveConfigNoServer()), 80, 24)
	m.Init()
	m.Update(press("enter")) // waits for the check under way
	id := m.keys.check.id
	m.Update(press("backspace"))
	typeText(m, "8") // a different, still well-formed client_id
	_, cmd := m.Update(linkTokenCreatedMsg{id: id, client: sandboxClient(t, liveConfigNoServer())})
	for _, msg := range collect(cmd) {
		if _, ok := msg.(keysConfirmedMsg); ok {
			t.Fatalf("Link opened with keys that are no longer the ones on screen")
		}
	}
	if m.keys.phase != phaseEdit {
		t.Fatalf("the flow went on (phase %v) with keys that are no longer the ones on screen", m.keys.phase)
	}
	if v := view(m); !strings.Contains(v, "Press enter to check the keys") {
		t.Errorf("the screen should ask to check the edited keys:\n%s", v)
	}
}

// TestKeysRefusedThenEditedIsNoLongerTheFailure: the refusal is about the keys Plaid saw; once
// the user changes them, quitting must not report INVALID_API_KEYS for keys no longer on screen.
func TestKeysRefusedThenEditedIsNoLongerTheFailure(t *testing.T) {
	m := newTestModel(t, testDeps(t, liveConfigNoServer()), 80, 24)
	m.Init()
	m.Update(press("enter"))
	m.Update(errMsg{op: opCreateLinkToken, id: m.keys.check.id, err: invalidKeys()})
	if !plaidapi.HasCode(m.Err(), "INVALID_API_KEYS") {
		t.Fatalf("right after the refusal quitting should report it; Err() = %v", m.Err())
	}
	m.Update(press("tab"))
	m.Update(press("backspace"))
	typeText(m, "e")
	if v := view(m); strings.Contains(v, "INVALID_API_KEYS") {
		t.Errorf("the refusal of the old keys is still on screen:\n%s", v)
	}
	if err := m.Err(); err != nil {
		t.Errorf("quitting with edited, unchecked keys reports %v; want exit 0", err)
	}
}

func TestKeysPastedWithSpacesAreTrimmed(t *testing.T) {
	m := newTestModel(t, testDeps(t, baseConfig()), 80, 24)
	m.Init()
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("  0123456789abcdef01234567 \n"), Paste: true})
	if got := m.keys.clientID.Value(); got != "0123456789abcdef01234567" {
		t.Errorf("pasted client_id is %q; the spaces around it should be gone", got)
	}
	if v := view(m); !strings.Contains(v, "✓ 24 hex characters · typed") {
		t.Errorf("the pasted client_id is not accepted:\n%s", v)
	}
	m.Update(press("tab"))
	typeText(m, " 0123456789abcdef0123456789abcd ")
	if got := m.keys.secret.Value(); got != "0123456789abcdef0123456789abcd" {
		t.Errorf("typed secret is %q; leading and trailing spaces should be dropped", got)
	}
}

func TestKeysEnterOnAnInvalidFieldSaysWhatIsWrong(t *testing.T) {
	m := newTestModel(t, testDeps(t, baseConfig()), 80, 24)
	m.Init()
	m.Update(press("enter")) // nothing typed yet
	if m.keys.check.id != 0 {
		t.Fatalf("enter with no keys asked Plaid")
	}
	v := view(m)
	if !strings.Contains(v, "✗ client_id is empty") {
		t.Errorf("enter on an empty client_id shows nothing about it:\n%s", v)
	}
	typeText(m, "abc")
	m.Update(press("enter"))
	if v := view(m); strings.Count(v, "client_id should be 24 hex characters (has 3)") != 2 {
		t.Errorf("the field's error and the status line should both say what is wrong:\n%s", v)
	}
	if m.keys.focus != fieldClientID {
		t.Errorf("the cursor left the field that needs fixing")
	}
}

// TestKeysAcceptedStayAcceptedAfterEscFromLink: esc from Link and enter again goes back to
// Link with the same keys, without a second check or a second offer to save them.
func TestKeysAcceptedStayAcceptedAfterEscFromLink(t *testing.T) {
	srv, deps := liveOnEmulator(t)
	deps.NoBrowser = true
	m, d := started(t, deps, 80, 24)
	d.send(press("enter"))
	d.screenShows("Save them in the OS keyring for Sandbox")
	d.send(press("n"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })

	d.send(press("esc"))
	d.until("the keys screen", func() bool { return m.screen == screenKeys })
	if v := view(m); !strings.Contains(v, "✓ Plaid accepted the keys") {
		t.Errorf("back on the keys the accepted state is forgotten:\n%s", v)
	}
	d.send(press("enter"))
	d.until("the Link page again", func() bool { return m.screen == screenLink && m.link.state == linkWaiting })
	if n := emulatortest.Requests(srv, "/link/token/create"); n != 1 {
		t.Errorf("/link/token/create called %d times; unchanged keys should not be checked again", n)
	}
}

// TestKeysSwitchingEnvironmentsResolvesThemAgain: the keys of the other environment come from
// the same places as at start (here the keyring), through config.Resolve.
func TestKeysSwitchingEnvironmentsResolvesThemAgain(t *testing.T) {
	srv := fakePlaid(t) // the check that follows must not reach real Plaid
	cfg := baseConfig()
	cfg.APIURL = srv.URL
	deps := testDeps(t, cfg)
	if err := deps.Vault.SaveKeys("production", "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"); err != nil {
		t.Fatal(err)
	}
	deps.Sources = config.Sources{Getenv: func(string) string { return "" }, Vault: deps.Vault}
	m, d := started(t, deps, 80, 24)
	d.send(press("tab"))
	d.send(press("tab"))
	d.send(press("right"))
	d.until("the Production keys", func() bool { return m.keys.clientID.Value() == "aaaaaaaaaaaaaaaaaaaaaaaa" })
	if v := view(m); !strings.Contains(v, "from keyring") {
		t.Errorf("the keys found for Production do not say where they came from:\n%s", v)
	}
	d.send(press("left"))
	d.until("Sandbox's (no) keys", func() bool { return m.keys.clientID.Value() == "" })
}
