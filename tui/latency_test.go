package tui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/emulatortest"
)

// The TUI's share of issue 11's speed goals, measured through the model and its tea.Cmds as
// Bubble Tea runs them (the test driver), against the emulator with a latency L on every API
// call: (time at L − time at L=0) / L is the number of round trips to Plaid the user waits for
// one after another (emulator.MeasureRoundTrips). The tests hold each flow to the emulator's
// count of calls made one after the other (RoundTrips.Depth), which a busy machine cannot move;
// the timed ratio is logged beside it.
const (
	tuiLatency = 150 * time.Millisecond
	tuiRuns    = 3
)

// linkReady is the Link screen with its page listening, as the user sees it: the URL shown.
func linkReady(m *Model) bool { return m.screen == screenLink && m.link.url != "" }

// standInLinked does in the stand-in Link what a user does in the browser: it reads the Link
// token and nonce from the page and logs in as user_good at First Platypus Bank. None of that
// is a call to Plaid's API. It returns the page's onSuccess callback, to post when the
// measurement starts, with the metadata Link sends (the institution included).
func standInLinked(t *testing.T, pageURL, emulatorURL string) func() error {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	lt, nonce := pageTokens(t, client, pageURL)
	origin := map[string]string{"Origin": emulatorURL}
	var login struct {
		Data struct {
			Login    string `json:"login"`
			Accounts []struct {
				ID       string `json:"id"`
				Selected bool   `json:"selected"`
			} `json:"accounts"`
		} `json:"data"`
	}
	if err := postJSON(client, emulatorURL+"/link/stand-in/login", origin, map[string]any{"token": lt, "institution_id": "ins_109508", "username": "user_good", "password": "pass_good"}, &login); err != nil {
		t.Fatal(err)
	}
	var chosen []string // the accounts Link preselects, as a user who just presses Continue
	for _, a := range login.Data.Accounts {
		if a.Selected {
			chosen = append(chosen, a.ID)
		}
	}
	var fin struct {
		Data struct {
			PublicToken string `json:"public_token"`
		} `json:"data"`
	}
	if err := postJSON(client, emulatorURL+"/link/stand-in/finish", origin, map[string]any{"token": lt, "login": login.Data.Login, "account_ids": chosen}, &fin); err != nil {
		t.Fatal(err)
	}
	return func() error {
		return postJSON(client, strings.TrimSuffix(pageURL, "/")+"/callback/success", map[string]string{"X-Link-Nonce": nonce},
			map[string]any{"public_token": fin.Data.PublicToken, "metadata": map[string]any{
				"institution": map[string]any{"name": "First Platypus Bank", "institution_id": "ins_109508"},
			}}, nil)
	}
}

// tuiFlows are the TUI's flows with their goals: how many round trips Plaid's API makes
// necessary between what the user did and what the screen shows.
type tuiFlow struct {
	name string
	goal float64
	once func(arm func()) (time.Duration, error)
}

// tuiFlows are the flows for one test (or benchmark, through tb), against srv.
func tuiFlows(t *testing.T, srv *emulator.Server) []tuiFlow {
	start := func() (*Model, *driver) {
		deps := demoDeps(t, srv)
		m := newTestModel(t, deps, 100, 30)
		// No webhook receiver: pointing the Item's webhook at it runs beside the flow, not in
		// what the user waits for, yet a busy machine can chain it after /auth/get.
		m.hooking = true
		return m, newDriver(t, m)
	}
	return []tuiFlow{
		{
			// Keys known (here the demo's) and Enter pressed before the key check could answer:
			// Link opens when /link/token/create answers, one round trip after the start.
			name: "keys known to Link page ready, Enter at once", goal: 1,
			once: func(arm func()) (time.Duration, error) {
				m, d := start()
				arm()
				began := time.Now()
				d.init()
				d.send(press("enter"))
				d.until("the Link page to listen", func() bool { return linkReady(m) })
				return time.Since(began), nil
			},
		},
		{
			// The Link token was made while the user read the keys screen: Enter opens the page
			// without waiting for Plaid at all.
			name: "keys known to Link page ready, token prefetched", goal: 0,
			once: func(arm func()) (time.Duration, error) {
				m, d := start()
				d.init()
				d.screenShows("The emulator accepted the demo keys")
				arm()
				began := time.Now()
				d.send(press("enter"))
				d.until("the Link page to listen", func() bool { return linkReady(m) })
				return time.Since(began), nil
			},
		},
		{
			// onSuccess reaches the page: exchange, then /auth/get with /institutions/get_by_id
			// alongside, and the numbers are on screen.
			name: "Link callback to numbers on screen", goal: 2,
			once: func(arm func()) (time.Duration, error) {
				m, d := start()
				d.init()
				d.screenShows("The emulator accepted the demo keys")
				d.send(press("enter"))
				d.until("the Link page to listen", func() bool { return linkReady(m) })
				success := standInLinked(t, m.link.url, srv.URL)
				arm()
				began := time.Now()
				posted := make(chan error, 1)
				go func() { posted <- success() }()
				d.screenShows("011401533")
				took := time.Since(began)
				if err := <-posted; err != nil {
					return 0, err
				}
				// Let the journey end (it writes the index after the numbers) before the test's
				// temporary directories are removed: that is not part of what the user waits for.
				d.until("the results screen", func() bool { return m.screen == screenResults })
				return took, nil
			},
		},
	}
}

// TestTUIWaitsForNoRoundTripTooMany holds the TUI's flows to their goals.
func TestTUIWaitsForNoRoundTripTooMany(t *testing.T) {
	for i, name := range []string{"keys known to Link page ready, Enter at once", "keys known to Link page ready, token prefetched", "Link callback to numbers on screen"} {
		t.Run(name, func(t *testing.T) {
			srv := fakePlaid(t)
			fl := tuiFlows(t, srv)[i]
			rt, err := emulatortest.MeasureRoundTrips(srv, tuiLatency, tuiRuns, fl.once)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", fl.name, rt)
			if float64(rt.Depth) > fl.goal {
				t.Errorf("%s waits for %s; the goal is %.0f", fl.name, rt, fl.goal)
			}
			if float64(rt.Depth) < fl.goal {
				t.Errorf("%s waits for %s, fewer than the %.0f Plaid's API needs: the latency is not reaching its calls", fl.name, rt, fl.goal)
			}
		})
	}
}
