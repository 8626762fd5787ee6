package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// Hosted Link on the Link screen: H switches new Items to Plaid's hosted Link page, shown as a
// QR code for a phone and as its URL, and back to the Link page on this machine. The journey is
// plaidflow's HostedLinkJourney; what it reports arrives on the root's Link channel. The code
// fits an 80×24 window only alone: where the screen's body has no room for it, the screen takes
// the whole window (fullScreen), and where even that is too small it shows the URL and says how
// big the window must be.

// hostedChrome is the lines the body shows besides the code: a blank line, the URL, what to do,
// a blank line, the waiting line, and the two ids pinned above the footer.
const hostedChrome = 7

// hostedView is what the Link screen knows of Hosted Link.
type hostedView struct {
	on       bool // H was pressed: new Items link through Hosted Link
	url      string
	expires  time.Time
	webhooks bool
	polls    int
	last     string // the last webhook
}

// reset forgets the session shown, keeping the choice.
func (h *hostedView) reset() { *h = hostedView{on: h.on} }

// hostedAllowed: H works for a new Item with Instant Auth, once the keys are confirmed.
func (s *linkScreen) hostedAllowed() bool {
	return s.c.flow != nil && s.repairing == "" && s.flows.current().flowName() == ""
}

// hostedShown: the screen shows a Hosted Link session rather than the Link page.
func (s *linkScreen) hostedShown() bool { return s.hosted.on && s.repairing == "" }

// hostedShow is how the Hosted Link session of journey run reports to the screen.
func (s *linkScreen) hostedShow(run int) func(plaidflow.HostedUpdate) {
	ctx, ch := s.c.ctx, s.c.links
	return func(u plaidflow.HostedUpdate) {
		select {
		case ch <- linkUpdatedMsg{run: run, hosted: u}:
		case <-ctx.Done():
		}
	}
}

func (s *linkScreen) hostedUpdated(u plaidflow.HostedUpdate) {
	h := &s.hosted
	switch u.Kind {
	case plaidflow.HostedStarted:
		h.url, h.expires, h.webhooks, h.polls, h.last = u.URL, u.Expires, u.Webhooks, 0, ""
		s.state = linkWaiting
		s.updateKeys()
	case plaidflow.HostedPolled:
		h.polls = u.Polls
	case plaidflow.HostedWebhook:
		h.last = u.Code
	}
}

// hostedEnded: the Hosted Link session ended without an Item, as a Link exit does.
func hostedEnded(err error) bool {
	var exit *plaidflow.HostedExit
	var expired *plaidflow.HostedExpiredError
	return errors.As(err, &exit) || errors.As(err, &expired)
}

// hostedHelp is H's line in the full help, saying which way it switches.
func (s *linkScreen) hostedHelp() key.Binding {
	if s.hosted.on {
		return withHelp(s.keys.Hosted, "H", "back to the Link page on this machine")
	}
	return withHelp(s.keys.Hosted, "H", "Hosted Link: a QR code to link on a phone")
}

// hostedWaiting is the waiting line under the code.
func (s *linkScreen) hostedWaiting() string {
	h := s.hosted
	line := "Waiting for Link on the hosted page"
	if h.polls > 0 {
		line += fmt.Sprintf(" · %s with /link/token/get", plural(h.polls, "check"))
	}
	if h.last != "" {
		line += " · webhook " + h.last
	} else if h.webhooks {
		line += " · webhooks on"
	}
	return line + "…"
}

// hostedLines are the body's top: the code, its URL and what to do, or why the code is not
// shown.
func (s *linkScreen) hostedLines(w, h int) []string {
	st := s.c.styles
	url := s.hosted.url
	if url == "" {
		return []string{st.Heading.Render("Starting Hosted Link"), s.c.spinner() + " Making a Link token with hosted_link…"}
	}
	cols, rows, err := present.QRSize(url)
	expires := "expires " + s.hosted.expires.Local().Format("15:04")
	if err == nil && cols <= w && rows+hostedChrome <= h {
		lines, _ := present.QRLines(url, !st.Color)
		return append(lines, truncate(st.URL.Render(url), w),
			truncate(st.Muted.Render("Scan the code with a phone's camera, or open the URL on any device (")+st.Key.Render("c")+st.Muted.Render(" copies it) · "+expires), w))
	}
	why := fmt.Sprintf("The QR code needs a window of %d×%d; this one is too small. Enlarge it, or open the URL on the phone yourself:", cols, rows+2)
	return append([]string{st.Heading.Render("Hosted Link"), truncate(st.URL.Render(url), w)},
		wrap(st.Muted.Render(why+" ")+st.Key.Render("c")+st.Muted.Render(" copies it whole ("+expires+")."), w)...)
}

// fullScreen implements fullScreener: the code alone with its URL and a line of keys, when the
// body has no room for it but the window has.
func (s *linkScreen) fullScreen(w, h int) (string, bool) {
	url := s.hosted.url
	if !s.hostedShown() || s.state != linkWaiting || url == "" || s.picker.open || s.flows.open {
		return "", false
	}
	cols, rows, err := present.QRSize(url)
	if err != nil || rows+hostedChrome <= s.height || rows+2 > h || cols > w {
		return "", false // it fits the body, or not even the window
	}
	st := s.c.styles
	lines, _ := present.QRLines(url, !st.Color)
	pad := strings.Repeat(" ", (w-cols)/2)
	for i, l := range lines {
		lines[i] = pad + l
	}
	keys := st.Key.Render("c") + st.Muted.Render(" copy URL · ") + st.Key.Render("H") + st.Muted.Render(" Link page here · ") +
		st.Key.Render("esc") + st.Muted.Render(" back · ") + st.Key.Render("q") + st.Muted.Render(" quit · ") + st.Key.Render("?") + st.Muted.Render(" help")
	lines = append(lines, truncate(st.URL.Render(url), w))
	// The keys are the last line, as the footer is elsewhere, and what just happened (the URL
	// copied) is just above them: in place of the URL when there is no room for both.
	var status []string
	if sl := s.c.statusView(w); sl != "" {
		status = strings.Split(sl, "\n")
	}
	if room := h - len(lines) - 1; len(status) > room {
		lines, room = lines[:len(lines)-1], room+1
		status = status[:max(min(room, len(status)), 1)]
	}
	for len(lines)+len(status)+1 < h {
		lines = append(lines, "")
	}
	lines = append(append(lines, status...), truncate(keys, w))
	return lipgloss.JoinVertical(lipgloss.Left, lines...), true
}
