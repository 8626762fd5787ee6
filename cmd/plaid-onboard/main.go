// Command plaid-onboard takes a developer from Plaid keys to the account and routing numbers of
// a linked bank account, in a terminal UI or as scripted commands.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], systemDeps()))
}
