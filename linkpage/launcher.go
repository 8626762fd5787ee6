package linkpage

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// ErrNoLauncher means Browse would find no program to open a URL with on this machine.
var ErrNoLauncher = errors.New("no program to open a browser with")

// Launcher says what Browse would run to open a URL here, without opening anything: the path
// of the launcher (xdg-open and its kin on Linux and the BSDs, open on macOS) or Windows' shell.
// It follows github.com/cli/browser's choices for each system, so `doctor` reports what
// `link` will actually do. Over SSH it returns ErrRemoteSession, as Browse does.
func (b SystemBrowser) Launcher() (string, error) {
	getenv := b.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("BROWSER") == "" && (getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "") {
		return "", ErrRemoteSession
	}
	var candidates []string
	switch runtime.GOOS {
	case "windows":
		return "the Windows shell (ShellExecute)", nil
	case "darwin":
		candidates = []string{"open"}
	case "linux":
		candidates = []string{"xdg-open", "x-www-browser", "www-browser", "wslview"}
	case "freebsd", "openbsd", "netbsd":
		candidates = []string{"xdg-open"}
	default:
		return "", fmt.Errorf("%w: opening a browser is not supported on %s", ErrNoLauncher, runtime.GOOS)
	}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s is on PATH", ErrNoLauncher, strings.Join(candidates, ", "))
}
