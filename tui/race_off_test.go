//go:build !race

package tui

// raceEnabled: see race_on_test.go.
const (
	raceEnabled  = false
	raceSlowdown = 1
)
