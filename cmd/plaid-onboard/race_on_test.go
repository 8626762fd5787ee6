//go:build race

package main

// raceEnabled: the race detector slows reflection-heavy code (encoding/json) by up to 20x
// (https://go.dev/doc/articles/race_detector#Runtime_Overheads), so timing budgets that hold
// for the program as shipped are scaled under -race.
const raceEnabled = true
