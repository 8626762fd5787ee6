package tui

import tea "github.com/charmbracelet/bubbletea"

// Routing: the messages that move the user from one screen to another say where they go. The
// root brings that screen on show and hands the message to the screens that must hear of it
// (the one left behind may have a journey to stop); each answers with commands.

// route is where a message that moves the user goes.
type route struct {
	show screenID   // the screen it brings on show
	to   []screenID // the screens that hear of it, in order
	// clear: the notice the keys screen left (keys saved) has had its moment.
	clear bool
	// reload: read the saved Items again (one may have been linked, renamed or removed).
	reload bool
}

// routeOf is msg's route; false for a message that is not a move.
func (m *Model) routeOf(msg tea.Msg) (route, bool) {
	switch msg := msg.(type) {
	case keysConfirmedMsg:
		return route{show: screenLink, to: []screenID{screenLink}}, true
	case keysEditRequestedMsg:
		return route{show: screenKeys, to: []screenID{screenLink, screenKeys}, clear: true}, true
	case accountLinkedMsg:
		return route{show: screenWorking, to: []screenID{screenWorking}, clear: true}, true
	case savedItemPickedMsg:
		return route{show: screenWorking, to: []screenID{screenWorking}}, true
	case itemsRequestedMsg:
		return route{show: screenItems, to: []screenID{screenItems}, reload: true}, true
	case itemsClosedMsg:
		return route{show: m.itemsFrom}, true
	case linkReturnRequestedMsg:
		return route{show: screenLink}, true
	case repairRequestedMsg, verifyRequestedMsg:
		return route{show: screenLink, to: []screenID{screenWorking, screenLink}, clear: true}, true
	case anotherLinkRequestedMsg:
		return route{show: screenLink, to: []screenID{screenWorking, screenLink}, clear: true, reload: true}, true
	case numbersShownMsg:
		if !m.working.owns(msg.id) {
			return route{show: m.screen}, true // a journey the user has since left
		}
		return route{show: screenResults, to: []screenID{screenResults, screenLink}}, true
	case verifyCancelledMsg:
		if m.results.res == nil {
			return route{show: m.screen}, true
		}
		return route{show: screenResults}, true
	}
	return route{}, false
}

// follow takes route r for msg: the screens hear of it, then the one it goes to is shown.
func (m *Model) follow(r route, msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	if r.clear {
		m.footer.setNotice("")
	}
	if r.show == screenItems && (m.screen == screenLink || m.screen == screenResults) {
		m.itemsFrom = m.screen // where esc goes back to
	}
	for _, id := range r.to {
		_, cmd := m.screenOf(id).Update(msg)
		cmds = append(cmds, cmd)
	}
	if nm, ok := msg.(numbersShownMsg); ok && r.show == screenResults {
		cmds = append(cmds, m.verify.setResult(nm.res))
	}
	m.show(r.show)
	if r.reload {
		cmds = append(cmds, m.loadSaved())
	}
	return tea.Batch(cmds...)
}
