package linkpage

import (
	"errors"
	"os"

	"github.com/cli/browser"
)

// Browser opens a URL for the user. The program uses the system's browser; tests stub it.
type Browser interface {
	Browse(url string) error
}

// ErrRemoteSession means the program runs over SSH, where opening a browser would open it on
// the wrong machine (or fail); the URL is shown instead.
var ErrRemoteSession = errors.New("running over ssh: open the URL on your own machine")

// SystemBrowser opens URLs with github.com/cli/browser, which honours $BROWSER.
type SystemBrowser struct {
	Getenv func(string) string
}

// Browse implements Browser.
func (b SystemBrowser) Browse(url string) error {
	getenv := b.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("BROWSER") == "" && (getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "") {
		return ErrRemoteSession
	}
	// cli/browser writes the launcher's chatter to these; keep it off the user's terminal.
	browser.Stdout, browser.Stderr = nil, nil
	return browser.OpenURL(url)
}
