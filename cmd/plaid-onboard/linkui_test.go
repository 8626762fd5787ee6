package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// What the link command says on stderr while Link runs: the URL always, the browser's failure
// with what to do, and Link's events with their time and details.
func TestPrintLinkUpdate(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 6, 1, 14, 3, 9, 0, time.Local)
	tests := []struct {
		name   string
		update linkpage.Update
		want   []string
	}{
		{"started", linkpage.Update{Kind: linkpage.UpdateStarted, URL: "http://127.0.0.1:5555/"}, []string{"Link is at http://127.0.0.1:5555/", "ctrl+c"}},
		{"browser failed", linkpage.Update{Kind: linkpage.UpdateBrowser, URL: "http://127.0.0.1:5555/", BrowserErr: errors.New("no display")}, []string{"could not open a browser (no display)", "open the URL above yourself"}},
		{"browser opened", linkpage.Update{Kind: linkpage.UpdateBrowser, URL: "http://127.0.0.1:5555/"}, nil},
		{"event", linkpage.Update{Kind: linkpage.UpdateEvent, Event: linkpage.Event{Kind: linkpage.KindEvent, Name: "SELECT_INSTITUTION", Received: at,
			Metadata: &linkpage.EventMetadata{InstitutionName: "First Platypus Bank", ViewName: "CREDENTIAL"}}},
			[]string{"14:03:09  SELECT_INSTITUTION    First Platypus Bank · view CREDENTIAL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printLinkUpdate(&b, tt.update)
			for _, want := range tt.want {
				if !strings.Contains(b.String(), want) {
					t.Errorf("printed %q, lacks %q", b.String(), want)
				}
			}
			if tt.want == nil && b.Len() != 0 {
				t.Errorf("printed %q, want nothing", b.String())
			}
		})
	}
}
