//go:build race

package tui

// raceEnabled: the race detector slows Go code 2–20× (https://go.dev/doc/articles/race_detector#Runtime_Overheads),
// so time budgets that hold for the program as shipped are scaled under -race.
const (
	raceEnabled  = true
	raceSlowdown = 10
)
