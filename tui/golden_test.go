package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// The golden files under testdata/TestGolden are every screen as a user sees it, at 80×24 and
// 120×40, without colour. Regenerate them with `go test ./tui -update` and read the diff.

var goldenSizes = [][2]int{{80, 24}, {120, 40}}

// goldenStates builds each screen state from messages, exactly as the program reaches it.
var goldenStates = []struct {
	name  string
	build func(t *testing.T, w, h int) *Model
}{
	{"keys_empty", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, testDeps(t, baseConfig()), w, h)
		m.Init()
		return m
	}},
	{"keys_error", func(t *testing.T, w, h int) *Model {
		cfg := baseConfig()
		cfg.ClientID, cfg.ClientIDSource = "0123456789abcdef01234567", plaidflow.SourceEnviron
		cfg.Secret, cfg.SecretSource = "0123456789abcdef0123456789abcd", plaidflow.SourceDotEnv
		m := newTestModel(t, testDeps(t, cfg), w, h)
		m.Init()
		m.Update(press("enter"))
		m.Update(errMsg{op: opCreateLinkToken, id: m.keys.check.id, err: invalidKeys()})
		return m
	}},
	{"link_events", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		for _, ev := range linkEvents() {
			m.Update(linkEventReceivedMsg{page: m.link.page, ev: ev})
		}
		return m
	}},
	{"link_exit", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		for _, ev := range linkEvents()[:3] {
			m.Update(linkEventReceivedMsg{page: m.link.page, ev: ev})
		}
		m.Update(linkEventReceivedMsg{page: m.link.page, ev: exitEvent()})
		return m
	}},
	{"link_saved_one", func(t *testing.T, w, h int) *Model {
		m := linkSaved(t, w, h, savedPlatypus("sandbox"))
		for _, ev := range linkEvents()[:2] {
			m.Update(linkEventReceivedMsg{page: m.link.page, ev: ev})
		}
		return m
	}},
	{"link_saved_several", func(t *testing.T, w, h int) *Model {
		return linkSaved(t, w, h, threeSaved("sandbox")...)
	}},
	{"saved_picker", func(t *testing.T, w, h int) *Model {
		m := linkSaved(t, w, h, threeSaved("sandbox")...)
		pressA(t, m)
		m.Update(press("down"))
		return m
	}},
	{"saved_failed", func(t *testing.T, w, h int) *Model {
		m := linkSaved(t, w, h, savedPlatypus("sandbox"))
		pressA(t, m)
		m.Update(errMsg{op: opSavedNumbers, id: m.saved.reqID, err: invalidAccessToken()})
		return m
	}},
	{"working_midway", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		m.Update(publicTokenReceivedMsg{linked: plaidflow.Linked{PublicToken: "public-sandbox-x",
			Institution: &plaidflow.Institution{ID: "ins_109508", Name: "First Platypus Bank"}}})
		m.Update(publicTokenExchangedMsg{id: m.working.runID, ex: plaidflow.Exchanged{ItemID: "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6", AccessToken: "access-sandbox-x"}})
		m.Update(itemSavedMsg{id: m.working.runID, saved: plaidflow.Saved{
			Item:    plaidflow.SavedItem{Name: "first-platypus-bank"},
			Storage: plaidflow.Storage{Saved: true, Where: "the OS keyring (service plaid-onboard)"}}})
		return m
	}},
	{"working_failed", func(t *testing.T, w, h int) *Model {
		m := linkOpen(t, w, h)
		m.Update(publicTokenReceivedMsg{sandbox: true, linked: plaidflow.Linked{PublicToken: "public-sandbox-x",
			Institution: &plaidflow.Institution{ID: "ins_109508", Name: "First Platypus Bank"}}})
		m.Update(publicTokenExchangedMsg{id: m.working.runID, ex: plaidflow.Exchanged{ItemID: "eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6", AccessToken: "access-sandbox-x"}})
		m.Update(itemSavedMsg{id: m.working.runID, saved: plaidflow.Saved{Storage: plaidflow.Storage{Where: "not saved",
			Problem: "no OS keyring is reachable, so the Item was not saved (nothing was written to a plain file): keyring write: no OS keyring is reachable"}}})
		m.Update(errMsg{op: opNumbers, id: m.working.runID, err: &plaidflow.Error{Op: "get auth numbers", HTTPStatus: 400,
			Type: "ITEM_ERROR", Code: "PRODUCT_NOT_READY", Message: "the requested product is not yet ready. please provide a webhook or try the request again later",
			RequestID: "Yq0pLmNb3Xc8RtZ"}})
		return m
	}},
	{"results_masked", func(t *testing.T, w, h int) *Model {
		return resultsModel(t, w, h, platypusResult())
	}},
	{"results_revealed", func(t *testing.T, w, h int) *Model {
		m := resultsModel(t, w, h, platypusResult())
		m.Update(press("v"))
		return m
	}},
}

func TestGolden(t *testing.T) {
	for _, st := range goldenStates {
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
				golden.RequireEqual(t, []byte(view(m)+"\n"))
			})
		}
	}
}

func invalidKeys() error {
	return &plaidflow.Error{Op: "create link token", HTTPStatus: 400, Type: "INVALID_INPUT", Code: "INVALID_API_KEYS",
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
	m := newTestModel(t, deps, w, h)
	m.Update(keysConfirmedMsg{client: sandboxClient(t, cfg), token: plaidflow.LinkToken{Token: "link-sandbox-x"}})
	m.Update(linkPageStartedMsg{id: m.link.reqID, page: fixedPage(t)})
	return m
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

// resultsModel is the results screen for res, reached through the working screen.
func resultsModel(t *testing.T, w, h int, res *plaidflow.Result) *Model {
	t.Helper()
	m := linkOpen(t, w, h)
	m.Update(publicTokenReceivedMsg{linked: plaidflow.Linked{PublicToken: "public-sandbox-x", Institution: res.Institution}})
	m.Update(stepsSettledMsg{id: m.working.runID, res: res})
	return m
}
