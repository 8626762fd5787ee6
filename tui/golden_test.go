package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The golden files under testdata/TestGolden are the main screens as a user sees them, at
// 60×20, 80×24 and 160×50, without colour. Regenerate them with `go test ./tui -update` and
// read the diff. A screen taller than the window shows its top and the scroll line.

var goldenSizes = [][2]int{{60, 20}, {80, 24}, {160, 50}}

// goldenStates builds each screen state from messages, exactly as the program reaches it.
var goldenStates = []goldenState{
	{"keys_empty", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, testDeps(t, baseConfig()), w, h)
		m.Init()
		return m
	}},
	{"keys_invalid_enter", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, testDeps(t, baseConfig()), w, h)
		m.Init()
		typeText(m, "0123456789abcdef0123")
		m.Update(press("enter"))
		return m
	}},
	{"keys_error", func(t *testing.T, w, h int) *Model {
		cfg := baseConfig()
		cfg.ClientID, cfg.ClientIDSource = "0123456789abcdef01234567", config.SourceEnviron
		cfg.Secret, cfg.SecretSource = "0123456789abcdef0123456789abcd", config.SourceDotEnv
		m := newTestModel(t, testDeps(t, cfg), w, h)
		m.Init()
		m.Update(press("enter"))
		m.Update(errMsg{op: opCreateLinkToken, id: m.keys.check.id, err: invalidKeys()})
		return m
	}},
	{"link_events", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		for _, ev := range linkEvents() {
			linkEvent(m, ev)
		}
		return m
	}},
	{"link_exit", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		for _, ev := range linkEvents()[:3] {
			linkEvent(m, ev)
		}
		linkExits(m)
		return m
	}},
	{"link_saved_one", func(t *testing.T, w, h int) *Model {
		m := linkSaved(t, w, h, savedPlatypus("sandbox"))
		for _, ev := range linkEvents()[:2] {
			linkEvent(m, ev)
		}
		return m
	}},
	{"items_list", func(t *testing.T, w, h int) *Model {
		m := linkSaved(t, w, h, threeSaved("sandbox")...)
		pressA(t, m)
		m.Update(press("down"))
		return m
	}},
	{"items_filtering", func(t *testing.T, w, h int) *Model {
		m := itemsOpen(t, w, h)
		m.Update(press("/"))
		typeText(m, "platy")
		return m
	}},
	{"items_remove_confirm", func(t *testing.T, w, h int) *Model {
		m := itemsOpen(t, w, h)
		m.Update(press("d"))
		return m
	}},
	{"items_status_login_required", func(t *testing.T, w, h int) *Model {
		m := itemsOpen(t, w, h)
		it, _ := m.items.selected()
		deliver(m, actStatus, it, &plaidflow.ItemStatus{ItemID: it.ItemID, InstitutionID: "ins_109511", InstitutionName: "Tartan Bank",
			Health: plaidflow.HealthOf("ITEM_LOGIN_REQUIRED", it.Name, fixedNow, present.Voice{}), BilledProducts: []string{"auth"},
			AvailableProducts: []string{"balance", "identity"}, Webhook: str("https://example.com/plaid/webhook"),
			RequestID: "Q2lvbmVsbG9Nb3N", FetchedAt: fixedNow}, nil)
		return m
	}},
	{"items_processor_token", func(t *testing.T, w, h int) *Model {
		m := itemsOpen(t, w, h)
		it, _ := m.items.selected()
		pt := &plaidflow.ProcessorToken{ItemID: it.ItemID, ItemName: it.Name, Processor: "dwolla", Kind: "processor_token",
			Token: "processor-sandbox-0b7c1e2f-4a5d-4e6f-8a9b-1c2d3e4f5a6b", RequestID: "Zm9vYmFyYmF6cXV",
			Next: []string{"Send it to Dwolla as plaidToken when you create the customer's funding source."},
			Docs: []string{"https://plaid.com/docs/auth/partnerships/dwolla/"}}
		pt.Account.ID, pt.Account.Name, pt.Account.Mask = "acc-checking", "Plaid Checking", str("0000")
		deliver(m, actProcessor, it, pt, nil)
		return m
	}},
	{"items_rotated_not_saved", func(t *testing.T, w, h int) *Model {
		m := itemsOpen(t, w, h)
		it, _ := m.items.selected()
		deliver(m, actRotate, it, plaidflow.Rotation{Item: it, RequestID: "cm90YXRlZHJvdGF", NewToken: "access-sandbox-8f14e45f-ceea-467f-a0e6-6c2b3c4d5e6f"},
			fmt.Errorf("%w (write: the keyring is locked)", plaidflow.ErrRotatedNotSaved))
		return m
	}},
	{"working_failed", workingFailed},
	{"results_masked", func(t *testing.T, w, h int) *Model {
		return resultsModel(t, w, h, platypusResult())
	}},
	{"results_revealed", func(t *testing.T, w, h int) *Model {
		m := resultsModel(t, w, h, platypusResult())
		m.Update(press("v"))
		return m
	}},
	{"results_copy_picker", func(t *testing.T, w, h int) *Model {
		m := resultsModel(t, w, h, platypusResult())
		m.Update(press("c"))
		return m
	}},
}

// itemsOpen is the Items screen opened from Link on three saved Items, tartan-bank selected.
func itemsOpen(t *testing.T, w, h int) *Model {
	t.Helper()
	m := linkSaved(t, w, h, threeSaved("sandbox")...)
	pressA(t, m)
	m.Update(press("down"))
	// Bubble Tea draws after every message: the screen is on show, at its top, before any
	// answer comes (the answer's panel is then brought into view).
	m.View()
	return m
}

// deliver is an action's answer, as its command would bring it back.
func deliver(m *Model, a itemAction, it vault.SavedItem, out any, err error) {
	m.items.pending, m.items.pendingWhat, m.items.target = m.c.nextID(), a, it
	m.Update(itemActedMsg{id: m.items.pending, action: a, item: it, out: out, err: err})
}

// workingFailed is the Sandbox shortcut against the emulator, with /auth/get failing once:
// the Item is exchanged and saved, the numbers step fails, and the journey says what is safe.
func workingFailed(t *testing.T, w, h int) *Model {
	t.Helper()
	srv, deps := liveOnEmulator(t)
	deps.NoBrowser = true
	deps.Vault = nil // --no-save: the picture holds no temporary directory
	m := newTestModel(t, deps, w, h)
	d := newDriver(t, m)
	d.init()
	d.until("the keys check", func() bool { return m.keys.check.state == checkOK })
	d.send(press("enter"))
	d.until("the Link page", func() bool { return m.link.state == linkWaiting })
	srv.InjectError("/auth/get", 1, "PRODUCT_NOT_READY")
	d.send(press("s")) // the Sandbox shortcut opens its choice, on the default
	d.send(press("enter"))
	d.until("the failed numbers step", func() bool { return m.working.failed() >= 0 })
	return m
}

func TestGolden(t *testing.T) {
	checkGoldens(t, goldenStates, func(m *Model, _ string) string { return stable(m, view(m)) + "\n" })
}

// goldenState is a screen state a golden file holds, built from messages as the program
// reaches it, at the terminal size given.
type goldenState struct {
	name  string
	build func(t *testing.T, w, h int) *Model
}

// checkGoldens builds each state at each of goldenSizes and checks that its view is plain text
// filling the terminal exactly, no line wider, and that file(m, view) is its golden file.
func checkGoldens(t *testing.T, states []goldenState, file func(m *Model, out string) string) {
	t.Helper()
	for _, st := range states {
		for _, size := range goldenSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m := st.build(t, size[0], size[1])
				out := m.View()
				if strings.Contains(out, "\x1b[") {
					t.Fatalf("golden views must be plain text; got escape codes:\n%q", out)
				}
				if got := strings.Count(out, "\n") + 1; got != size[1] {
					t.Errorf("view is %d lines high, want exactly %d", got, size[1])
				}
				if w, line := maxLineWidth(out); w > size[0] {
					t.Errorf("a line is %d cells wide, more than the terminal's %d:\n%s", w, size[0], line)
				}
				golden.RequireEqual(t, []byte(file(m, out)))
			})
		}
	}
}

// stable replaces what the emulator makes up on each run (the Item's id, the request id) so a golden file compares the layout and the words.
func stable(m *Model, v string) string {
	if id := plaidflow.Explain(m.working.failure()).RequestID; id != "" {
		v = strings.ReplaceAll(v, id, strings.Repeat("R", len(id)))
	}
	if m.working.journey != nil {
		if id := m.working.journey.ItemID(); id != "" {
			v = strings.ReplaceAll(v, id, strings.Repeat("I", len(id)))
		}
	}
	return v
}

func invalidKeys() error {
	return &plaidapi.Error{Op: "create link token", HTTPStatus: 400, Type: "INVALID_INPUT", Code: "INVALID_API_KEYS",
		Message: "invalid client_id or secret provided", RequestID: "HNTDNrA8F1shFEW",
		DocumentationURL: "https://plaid.com/docs/?ref=error#invalid-input-errors"}
}

// linkOpen is the link screen with a page up at a fixed address and no events yet.
func linkOpen(t *testing.T, w, h int) *Model {
	t.Helper()
	cfg := baseConfig()
	cfg.ClientID, cfg.Secret = "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	deps := testDeps(t, cfg)
	deps.NoBrowser = true
	return linkOpenAt(t, deps, w, h)
}

func at(sec int) time.Time { return fixedNow.Add(time.Duration(sec) * time.Second) }

func linkEvents() []linkpage.Event {
	ev := func(sec int, name string, md linkpage.EventMetadata) linkpage.Event {
		return linkpage.Event{Kind: linkpage.KindEvent, Received: at(sec), Name: name, Metadata: &md}
	}
	return []linkpage.Event{
		ev(1, "OPEN", linkpage.EventMetadata{ViewName: "CONSENT"}),
		ev(4, "TRANSITION_VIEW", linkpage.EventMetadata{ViewName: "SELECT_INSTITUTION"}),
		ev(9, "SEARCH_INSTITUTION", linkpage.EventMetadata{InstitutionSearchQuery: "platypus"}),
		ev(11, "SELECT_INSTITUTION", linkpage.EventMetadata{InstitutionName: "First Platypus Bank", InstitutionID: "ins_109508"}),
		ev(12, "TRANSITION_VIEW", linkpage.EventMetadata{ViewName: "CREDENTIAL", InstitutionName: "First Platypus Bank"}),
		ev(20, "SUBMIT_CREDENTIALS", linkpage.EventMetadata{InstitutionName: "First Platypus Bank"}),
	}
}

func exitEvent() linkpage.Event {
	return linkpage.Event{Kind: linkpage.KindExit, Received: at(25),
		ExitError: &linkpage.LinkError{ErrorType: "ITEM_ERROR", ErrorCode: "INVALID_CREDENTIALS",
			ErrorMessage: "the provided credentials were not correct", DisplayMessage: "The credentials you provided were incorrect."},
		Exit: &linkpage.ExitMetadata{Status: "requires_credentials", RequestID: "7pZq1wERt9LkYb2",
			LinkSessionID: "0f3c1a2b-9d4e-4f6a-8b7c-5d2e1f0a9b8c",
			Institution:   &linkpage.Institution{Name: "First Platypus Bank", InstitutionID: "ins_109508"}},
	}
}

// resultsModel is the results screen for res, reached through the working screen (a Sandbox
// journey whose numbers were shown).
func resultsModel(t *testing.T, w, h int, res *plaidapi.Result) *Model {
	t.Helper()
	return resultsWith(t, testDeps(t, linkOpenConfig()), w, h, res)
}

func linkOpenConfig() config.Config {
	cfg := baseConfig()
	cfg.ClientID, cfg.Secret = "0123456789abcdef01234567", "0123456789abcdef0123456789abcd"
	return cfg
}

func resultsWith(t *testing.T, deps Deps, w, h int, res *plaidapi.Result) *Model {
	t.Helper()
	deps.NoBrowser = true
	m := linkOpenAt(t, deps, w, h)
	j := m.c.flow.LinkJourney(nil, nil)
	m.Update(accountLinkedMsg{journey: j, kind: journeyLink, title: "Connecting First Platypus Bank"})
	m.Update(numbersShownMsg{id: m.working.runID, res: res, kind: journeyLink})
	if m.screen != screenResults {
		t.Fatalf("the results did not show (screen %v)", m.screen)
	}
	// Bubble Tea draws after every message, and the scrolling settles on what was drawn (the
	// selected account brought into view): the results are on screen before any key.
	m.View()
	return m
}
