package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
)

// How the Link screen draws itself: the page's URL and the browser, the saved Items it can go
// to instead, and the Link events so far.

// View implements tea.Model.
func (s *linkScreen) View() string {
	st := s.c.styles
	w := s.width
	top := []string{""}
	switch {
	case s.state == linkFailed:
		top = append(top, s.c.errorBlock("Could not start Plaid Link", s.err, w)...)
	case s.hostedShown():
		top = append(top, s.hostedLines(w, s.height)...) // link_hosted.go
	case s.url == "" && s.state != linkExited && s.state != linkBlocked:
		top = append(top, st.Heading.Render("Starting Plaid Link"), s.c.spinner()+" Preparing the Link page…")
	default:
		body := []string{st.URL.Render(s.url), st.Muted.Render(s.browserLine())}
		title := "Link a bank account in your browser"
		if s.verifying {
			title = "Verify " + s.repairing + ": enter the micro-deposit code"
			body = append(body, wrap(st.Muted.Render("Link opens with the Item's access token: enter the code of the deposit (in Sandbox, "+sameDayCode()+"). Nothing is exchanged; the numbers come once it is verified."), max(cardWidth(w), 10))...)
		} else if s.repairing != "" {
			title = "Repair " + s.repairing + ": Link in update mode"
			body = append(body, wrap(st.Muted.Render("Log in to the bank again in the browser. Nothing is exchanged: the Item and its access token stay the same, and its numbers are fetched again."), max(cardWidth(w), 10))...)
		}
		top = append(top, card(s.c.border(s.c.cfg.Env), st.CardTitle.Render(title), "", body, w, cardWidth(w))...)
	}
	if saved := s.savedLines(w); len(saved) > 0 {
		top = append(append(top, ""), saved...)
	}

	var bottom []string
	switch {
	case s.flows.open && s.flowAllowed():
		bottom = s.flows.lines(*st, w, s.c.voice())
	case s.picker.open && s.sandboxAllowed():
		bottom = s.picker.lines(*st, w, s.c.voice())
	case s.state == linkWaiting && s.hostedShown():
		bottom = append(bottom, s.c.spinner()+" "+s.hostedWaiting())
	case s.state == linkWaiting:
		bottom = append(bottom, s.c.spinner()+" Waiting for you to finish in the browser…")
		bottom = append(bottom, s.flowLines(w)...)
		if s.sandboxAllowed() && s.flows.current().flow == nil {
			bottom = append(bottom,
				st.Muted.Render("Sandbox login: ")+"user_good"+st.Muted.Render(" / ")+"pass_good",
				st.Muted.Render("No browser handy? Press ")+st.Key.Render("s")+st.Muted.Render(" for the Sandbox shortcut."))
		}
	case s.state == linkSucceeded:
		bottom = append(bottom, st.OK.Render("✓ Link succeeded; exchanging the public token…"))
	case s.state == linkExited || s.state == linkBlocked:
		title := "Link closed without linking an account"
		if s.state == linkBlocked {
			title = "The browser could not load Plaid Link"
		}
		bottom = append(bottom, s.c.errorBlock(title, s.err, w)...)
		// Say what the page offers too, so the two agree.
		again := st.Muted.Render("Press ") + st.Key.Render("r") + st.Muted.Render(" to try again with a new Link session")
		switch {
		case s.linkLive && s.state == linkExited:
			again = st.Muted.Render("Reopen Link on the page (it still works), or press ") + st.Key.Render("r") + st.Muted.Render(" for a new Link session")
		case s.linkLive:
			again = st.Muted.Render("Unblock the script, then reload the page; or press ") + st.Key.Render("r") + st.Muted.Render(" for a new Link session")
		}
		if s.sandboxAllowed() {
			again += st.Muted.Render(", or ") + st.Key.Render("s") + st.Muted.Render(" for the Sandbox shortcut")
		}
		bottom = append(bottom, wrap(again+st.Muted.Render("."), w)...)
	case s.state == linkFailed:
		bottom = append(bottom, wrap(st.Muted.Render("Press ")+st.Key.Render("r")+st.Muted.Render(" to try again, or ")+st.Key.Render("esc")+st.Muted.Render(" to change the keys."), w)...)
	}

	var mid []string
	if s.url != "" || len(s.events) > 0 {
		// The newest events that fit beside the rest; the error below them never gives way.
		room := s.height - len(top) - len(bottom) - 3
		mid = append(mid, "", st.Heading.Render("Link events")+st.Faint.Render("  as the page reports them"))
		mid = append(mid, s.eventLines(w, room)...)
	}
	mid = append(mid, "")
	return strings.Join(append(append(top, mid...), bottom...), "\n")
}

// savedLines offer the Items saved by earlier runs: one line when it fits, two when not.
func (s *linkScreen) savedLines(w int) []string {
	st := s.c.styles
	if s.savedErr != nil && len(s.saved) == 0 {
		return wrap(st.Warn.Render("! Could not list the saved Items: "+s.savedErr.Error()), w)
	}
	if !s.savedAllowed() {
		return nil
	}
	where := savedWhere(s.c.cfg)
	press := func(verb, what string) string {
		return st.Muted.Render(verb+" ") + st.Key.Render("i") + st.Muted.Render(" "+what)
	}
	if n := len(s.saved); n > 1 {
		return []string{truncate(st.Muted.Render(fmt.Sprintf("%d saved Items in %s", n, where))+st.Faint.Render(" · ")+press("press", "to see them"), w)}
	}
	it := s.saved[0]
	head := st.Muted.Render("Saved in "+where+": ") + st.Heading.Render(it.Name)
	tail := st.Faint.Render(" · ") + press("press", "for Items")
	if line := head + st.Muted.Render(" ("+savedDetail(s.c, it)+")") + tail; lipgloss.Width(line) <= w {
		return []string{line}
	}
	detail := truncate("  "+st.Faint.Render(savedDetail(s.c, it)), w)
	if lipgloss.Width(head+tail) > w {
		head = st.Muted.Render("Saved: ") + st.Heading.Render(it.Name) // the header names the environment
	}
	return []string{truncate(head+tail, w), detail}
}

func (s *linkScreen) browserLine() string {
	switch {
	case s.c.deps.Browser == nil:
		return "Open it in a browser on this machine."
	case !s.browserTried && s.c.deps.NoBrowser:
		return "Open it in a browser on this machine, or press o."
	case !s.browserTried:
		return "Opening your browser…"
	case errors.Is(s.browserErr, linkpage.ErrRemoteSession):
		return "Over SSH the browser is not opened here: open the URL on this machine's browser."
	case s.browserErr != nil:
		return "Could not open a browser (" + strings.TrimPrefix(s.browserErr.Error(), "open the link page in the browser: ") + "): open the URL yourself."
	}
	return "Opened in your browser. Press o to open it again."
}

// eventLines lists the newest events that fit in room lines.
func (s *linkScreen) eventLines(w, room int) []string {
	st := s.c.styles
	room = max(room, 2)
	if len(s.events) == 0 {
		return []string{st.Faint.Render("  none yet: they appear here as you go through Link")}
	}
	rows := s.events
	var lines []string
	if len(rows) > room {
		hidden := len(rows) - room + 1
		rows = rows[hidden:]
		lines = append(lines, st.Faint.Render(fmt.Sprintf("  … %s earlier", plural(hidden, "event"))))
	}
	nameW := 20
	if w < 70 {
		nameW = 18 // the longest names Link sends (SELECT_INSTITUTION) still fit
	}
	for _, r := range rows {
		name := padRight(r.label, nameW)
		switch {
		case r.kind == linkpage.KindSuccess:
			name = st.OK.Render(name)
		case r.kind == linkpage.KindExit, r.kind == linkpage.KindLoadFailed, r.label == "ERROR":
			name = st.Bad.Render(name)
		default:
			name = st.Accent.Render(name)
		}
		at := "--:--:--"
		if !r.at.IsZero() {
			at = r.at.Format("15:04:05")
		}
		lines = append(lines, truncate("  "+st.Faint.Render(at)+"  "+name+" "+r.detail, w))
	}
	return lines
}
