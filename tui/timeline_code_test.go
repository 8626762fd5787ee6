package tui

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// copied is the text the last OSC 52 sequence on the terminal carried.
func copied(t *testing.T, m *Model) string {
	t.Helper()
	out := m.c.deps.Out.(*syncBuffer).String()
	i := strings.LastIndex(out, "]52;c;")
	if i < 0 {
		t.Fatalf("nothing was sent to the clipboard; the terminal got %q", out)
	}
	enc := out[i+len("]52;c;"):]
	if j := strings.IndexAny(enc, "\a\x1b"); j >= 0 {
		enc = enc[:j]
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("the clipboard sequence is not base64: %v", err)
	}
	return string(b)
}

// On the open timeline, C copies the marked call (the newest in view) as code in the chosen
// language, g moves to the next language and remembers it in the configuration directory, and
// the message line says what was copied.
func TestTimelineCopiesACallAsCodeInTheLanguageChosen(t *testing.T) {
	m := resultsModel(t, 100, 30, platypusResult())
	dir := t.TempDir()
	m.c.deps.ConfigDir = dir
	tl := m.c.deps.Timeline
	tl.Add(transcript.Entry{Time: at(0), Kind: transcript.KindAPICall, Endpoint: "/item/public_token/exchange", Call: 1, HTTPStatus: 200, Attempt: 1,
		Request: json.RawMessage(`{"public_token":{"$link":"public_token"}}`)})
	tl.Add(transcript.Entry{Time: at(1), Kind: transcript.KindAPICall, Endpoint: "/auth/get", Call: 2, HTTPStatus: 200, Attempt: 1,
		Request: json.RawMessage(`{"access_token":{"$from":1,"field":"access_token"},"options":{"account_ids":["acc-77"]}}`)})
	m.Update(timelineChangedMsg{})
	m.Update(press("T"))
	if v := view(m); !strings.Contains(v, "C copy call as curl") || !strings.Contains(v, "›") {
		t.Fatalf("the open timeline neither marks a call nor offers C:\n%s", v)
	}

	_, cmd := m.Update(press("C"))
	if cmd == nil {
		t.Fatal("C does nothing")
	}
	m.Update(cmd())
	code := copied(t, m)
	if !strings.Contains(code, "#!/usr/bin/env bash") || !strings.Contains(code, "/auth/get") || !strings.Contains(code, "acc-77") || !strings.Contains(code, "PLAID_ACCESS_TOKEN") {
		t.Errorf("C copied:\n%s", code)
	}
	if v := view(m); !strings.Contains(v, "the curl code of /auth/get") {
		t.Errorf("the message line does not say what C copied:\n%s", v)
	}

	_, cmd = m.Update(press("g"))
	m.Update(cmd())
	if got := config.ReadCodeLang(dir); got != "go" {
		t.Errorf("g remembered %q, want go", got)
	}
	m.Update(press("up")) // the exchange, one call older
	_, cmd = m.Update(press("C"))
	m.Update(cmd())
	if code := copied(t, m); !strings.Contains(code, "package main") || !strings.Contains(code, "ItemPublicTokenExchange") || !strings.Contains(code, "PLAID_PUBLIC_TOKEN") {
		t.Errorf("after g and ↑, C copied:\n%s", code)
	}
	if _, err := os.Stat(filepath.Join(dir, config.CodeLangFile)); err != nil {
		t.Error(err)
	}
}
