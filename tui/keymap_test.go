package tui

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// A key means one thing on every screen, and a key that destroys or invalidates something asks
// first: these tests hold the key map to both, over every binding of every screen.

// screenBindings is every binding each screen and panel holds, found by walking its keys
// struct, so a binding added to a screen is checked without being listed here.
func screenBindings(m *Model) map[string][]key.Binding {
	all := map[string]any{
		"global": m.global, "keys": m.keys.keys, "link": m.link.keys, "link/sandbox list": m.link.picker.keys,
		"link/flow list": m.link.flows.keys, "working": m.working.keys, "results": m.results.keys,
		"items": m.items.keys, "timeline": m.tl.keys, "verification": m.verify.keys,
	}
	out := map[string][]key.Binding{}
	for name, keys := range all {
		v := reflect.ValueOf(keys)
		for i := 0; i < v.NumField(); i++ {
			if b, ok := v.Field(i).Interface().(key.Binding); ok {
				out[name+"."+v.Type().Field(i).Name] = append(out[name+"."+v.Type().Field(i).Name], b)
			}
		}
	}
	return out
}

// actionOf is the action of the key map that holds k ("" for none).
func actionOf(k string) action {
	for _, d := range keyMap {
		for _, dk := range d.keys {
			if dk == k {
				return d.act
			}
		}
	}
	return ""
}

func TestKeyMapGivesEachKeyOneAction(t *testing.T) {
	seen := map[string]action{}
	for _, d := range keyMap {
		for _, k := range d.keys {
			if was, ok := seen[k]; ok {
				t.Errorf("key %q is bound to %q and to %q", k, was, d.act)
			}
			seen[k] = d.act
		}
	}
}

// partial are the bindings that leave out some of their action's keys: on the keys screen j and
// k are typed into the fields, so only the arrows move between them.
var partial = map[string]bool{"keys.Down": true, "keys.Up": true}

func TestEveryScreensKeysComeFromTheKeyMap(t *testing.T) {
	m := New(testDeps(t, demoConfig(fakePlaid(t))))
	t.Cleanup(m.shutdown)
	byKey := map[string]map[action][]string{} // key → action → where
	for where, bs := range screenBindings(m) {
		for _, b := range bs {
			if len(b.Keys()) == 0 {
				t.Errorf("%s has no keys", where)
			}
			var acts []action
			for _, k := range b.Keys() {
				a := actionOf(k)
				if a == "" {
					t.Errorf("%s binds %q, which is not in the key map", where, k)
					continue
				}
				if len(acts) == 0 || acts[len(acts)-1] != a {
					acts = append(acts, a)
				}
				if byKey[k] == nil {
					byKey[k] = map[action][]string{}
				}
				byKey[k][a] = append(byKey[k][a], where)
			}
			if len(acts) > 1 {
				t.Errorf("%s mixes the keys of %v in one binding", where, acts)
			}
			// A binding is the table's, whole: one made by hand with a key of another action
			// (y to copy, where y answers yes) has a different set of keys.
			if len(acts) == 1 && !partial[where] && !slices.Equal(b.Keys(), keyDefOf(acts[0]).keys) {
				t.Errorf("%s binds %v, not the key map's %v for %q", where, b.Keys(), keyDefOf(acts[0]).keys, acts[0])
			}
		}
	}
	for k, acts := range byKey {
		if len(acts) > 1 {
			t.Errorf("key %q means different things on different screens: %v", k, acts)
		}
	}
}

// TestDestructiveKeysAskFirst presses every destructive key of the key map where it is offered
// and fails unless a question comes up with nothing sent to Plaid, and n leaves all as it was.
func TestDestructiveKeysAskFirst(t *testing.T) {
	m, d, srv := itemsOnEmulator(t, 100, 40, nil)
	checked := map[action]bool{}
	for _, tt := range []struct {
		act      action
		endpoint string
	}{
		{doRemove, "/item/remove"},
		{doRotate, "/item/access_token/invalidate"},
		{doResetLogin, "/sandbox/item/reset_login"},
	} {
		k := keyDefOf(tt.act).keys[0]
		d.send(press(k))
		if !m.items.asking() || m.items.pending != 0 {
			t.Errorf("Items: %s (%s) should ask first:\n%s", k, tt.act, view(m))
		}
		d.send(press("n"))
		if m.items.asking() || m.items.pending != 0 || emulatortest.Requests(srv, tt.endpoint) != 0 {
			t.Errorf("Items: n after %s should leave all as it was; %s called %d times:\n%s", k, tt.endpoint, emulatortest.Requests(srv, tt.endpoint), view(m))
		}
		checked[tt.act] = true
	}

	// Results: an Item that was not saved is removed at Plaid with the same key, asking too.
	r := newResultsScreen(m.c)
	r.SetSize(100, 40)
	r.SetResult(&plaidapi.Result{ItemID: "item-1", Accounts: []plaidapi.Account{{ID: "a", Name: "Checking"}}}, &plaidflow.Journey{})
	_, cmd := r.Update(press(keyDefOf(doRemove).keys[0]))
	if cmd != nil || !r.asking || !strings.Contains(r.View(), "in the emulator?") {
		t.Errorf("Results: d should ask before removing the unsaved Item:\n%s", r.View())
	}
	r.Update(press("n"))
	if r.asking || r.removing {
		t.Errorf("Results: n should keep the unsaved Item:\n%s", r.View())
	}

	for _, def := range keyMap {
		if def.destructive && !checked[def.act] {
			t.Errorf("%q (%v) destroys something but no test shows it asks first", def.act, def.keys)
		}
	}
}
