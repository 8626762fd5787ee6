package tui

import (
	"sync"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// stepsUnderway tracks the journey steps whose commands are running, so that Run can wait for
// them when the UI closes. Bubble Tea does not wait for commands when it quits, and an exchange
// Plaid has answered must still be saved: an Item whose access token is dropped is lost.
type stepsUnderway struct {
	mu       sync.Mutex
	closed   bool
	wg       sync.WaitGroup
	journeys []*plaidflow.Journey // every journey a step ran for, in order
}

// begin records that a step of j starts; false once the UI has closed (the step must not run:
// nobody would read its answer).
func (u *stepsUnderway) begin(j *plaidflow.Journey) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return false
	}
	u.wg.Add(1)
	for _, seen := range u.journeys {
		if seen == j {
			return true
		}
	}
	u.journeys = append(u.journeys, j)
	return true
}

// end records that a step begun with begin has returned.
func (u *stepsUnderway) end() { u.wg.Done() }

// close refuses new steps, waits for those under way and returns the journeys steps ran for.
// Steps are bounded by their contexts, and the exchange by its own deadline, so this ends.
func (u *stepsUnderway) close() []*plaidflow.Journey {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.wg.Wait()
	return u.journeys
}
