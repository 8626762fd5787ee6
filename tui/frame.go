package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/viewport"
)

// Drawing. Update changes state and never renders; View renders that state once and draws the
// same frame again until the state changes: Bubble Tea calls View after every message, and
// tests and benchmarks call it more often, so a repeated View must cost nothing. The scrolling
// the frame settles (the body clamped after its content shrank, the focus brought into view, the
// opened timeline revealed) becomes the model's at the next Update (settle), which scrolls from
// where the user saw the body.

// frame is one drawn window and the scrolling it settled.
type frame struct {
	state uint64 // Model.state it was drawn for (0: none drawn yet)
	out   string // the window

	body     viewport.Model // the body's content, height and offset as shown
	focus    [4]int         // the screen, the focus lines brought into view, and its turn
	revealed bool           // the timeline pane that just opened was scrolled into view
	scroll   bool           // the body does not fit: the scrolling keys are on
}

// fullScreener is a screen that sometimes needs the whole window, header and footer included
// (a QR code that fits an 80×24 terminal only alone); on says when. It draws its own line of
// keys and the status line; with the help open, the window is drawn as usual.
type fullScreener interface {
	fullScreen(w, h int) (out string, on bool)
}

// View implements tea.Model: the frame of the current state, drawn at most once per state.
// Calling it again, with no Update between, gives the same frame and changes nothing shown.
func (m *Model) View() string {
	if m.frame.state != m.state {
		m.frame = m.draw()
		m.frame.state = m.state
	}
	return m.frame.out
}

// settle takes on the scrolling of the frame last drawn, if it shows the current state (it
// does whenever View ran since the last change, as Bubble Tea runs it), then counts a change.
func (m *Model) settle() {
	if f := &m.frame; f.state == m.state {
		m.body, m.focus = f.body, f.focus
		if f.revealed {
			m.tl.reveal = false
		}
		m.global.PageUp.SetEnabled(f.scroll)
		m.global.PageDown.SetEnabled(f.scroll)
	}
	m.state++
}

// draw renders the window: the header, the body between it and the footer filled with the
// active screen (and the panels under it), scrolled as settled, the pinned ids and the footer,
// with the scrolling keys on only when there is something to scroll. It changes nothing on the
// model: what it settles goes in the frame.
func (m *Model) draw() frame {
	if m.width <= 0 || m.height <= 0 {
		return frame{body: m.body, focus: m.focus}
	}
	if fs, ok := m.active().(fullScreener); ok && !m.footer.help.ShowAll {
		if out, on := fs.fullScreen(m.width, m.height); on {
			return frame{body: m.body, focus: m.focus, out: out}
		}
	}
	w := m.innerWidth()
	scr := m.active()
	content, first, last := "", -1, -1
	fc, focusing := scr.(focuser)
	if focusing {
		content, first, last = fc.focusView()
	} else {
		content = scr.View()
	}
	if m.screen == screenResults && m.verify.shown() {
		content += "\n" + m.verify.View(w)
	}
	if m.timelineShown() {
		if v := m.tl.View(w); v != "" {
			content += "\n" + v
		}
	}
	keys := m.helpFor(scr)
	lines := lineCount(content)
	pinned := m.pinned(w)
	// The status line sits between the pinned ids and the footer: like them, never scrolled.
	if sl := m.c.statusView(w); sl != "" {
		if pinned != "" {
			pinned += "\n"
		}
		pinned += sl
	}
	// The footer's height depends on whether the scrolling keys are on; they are on when the
	// body does not fit what the footer (and the ids pinned above it) leave.
	g, foot := m.global, m.footer
	avail := func() int { return max(m.height-headerHeight-foot.height(w, keys, g)-lineCount(pinned), 1) }
	g.PageUp.SetEnabled(false)
	g.PageDown.SetEnabled(false)
	h := avail()
	if lines > h {
		g.PageUp.SetEnabled(true)
		g.PageDown.SetEnabled(true)
		h = avail()
	}
	f := frame{body: m.body, focus: m.focus, scroll: g.PageDown.Enabled()}
	body := &f.body
	body.Width, body.Height = w, h
	body.SetContent(content)
	contentLines := strings.Split(content, "\n")
	if focusing {
		// Only when the focus moved: the user may scroll away from it meanwhile. A screen just
		// shown opens at its top (the bank's name, the title) when its focus starts in the
		// window, even if it does not end there; after that, the focus is brought into view
		// whenever it moves.
		turn := 0
		if ft, ok := scr.(focusTurner); ok {
			turn = ft.focusTurn()
		}
		if now := [4]int{int(m.screen), first, last, turn}; now != f.focus && first >= 0 {
			atTop := f.focus[0] != int(m.screen) && first < h
			f.focus = now
			// Inside a box, the line beyond the focus comes into view too: a box the window
			// cuts shows its border on the window's edge line (closeCutBoxes), which must not
			// be the focus.
			lo, hi := first, last
			if top, _ := boxAround(contentLines, first); top >= 0 && top < first {
				lo = first - 1
			}
			if _, bottom := boxAround(contentLines, last); bottom > last {
				hi = last + 1
			}
			if !atTop && hi >= body.YOffset+h {
				body.SetYOffset(hi - h + 1)
			}
			if !atTop && lo < body.YOffset {
				body.SetYOffset(lo)
			}
		}
	}
	if m.tl.reveal {
		// The pane just opened under the screen: bring it into view.
		f.revealed = true
		body.GotoBottom()
	}
	body.SetYOffset(body.YOffset) // clamp after the content shrank
	foot.scroll = scrollState{on: lines > h, above: body.YOffset, below: max(lines-h-body.YOffset, 0)}
	// The window onto the content; a box it cuts keeps its borders.
	all := closeCutBoxes(contentLines, body.YOffset, h)
	window := make([]string, h) // every line w cells wide, as the viewport pads them
	for i := range window {
		l := ""
		if j := body.YOffset + i; j < len(all) {
			l = all[j]
		}
		window[i] = padRight(l, w)
	}
	bodyView := strings.Join(window, "\n")

	top := m.header.View(w, m.step(), m.keys.shownEnv(m.screen == screenKeys))
	bottom := foot.View(w, keys, g)
	if pinned != "" {
		bottom = pinned + "\n" + bottom
	}
	shown := fit(bodyView, w, m.height-lineCount(top)-lineCount(bottom))
	f.out = indentBlock(top+"\n"+shown+"\n"+bottom, m.margin(), m.width, m.height)
	return f
}
