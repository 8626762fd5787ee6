package main

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// daemonPIDs lists this user's running processes named like name (pgrep's pattern), so a test
// can tell which ones a run left behind.
func daemonPIDs(t *testing.T, name string) []int {
	t.Helper()
	out, err := exec.Command("pgrep", "-u", strconv.Itoa(os.Getuid()), name).Output()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return nil // none running
	} else if err != nil {
		t.Fatalf("pgrep %s: %v", name, err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pgrep %s printed %q", name, f)
		}
		pids = append(pids, pid)
	}
	return pids
}

// startedUnder reports whether process pid runs with HOME=home: a daemon autolaunched by one of
// the test's runs inherits its environment, while those of other sessions on a shared machine
// (another test run's private bus) do not.
func startedUnder(pid int, home string) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false // gone already, or not ours
	}
	return slices.Contains(strings.Split(string(env), "\x00"), "HOME="+home)
}

// TestE2ENoSessionBusLeavesNoDaemons: in a login with no D-Bus session bus (ssh, a container,
// cron), the program says no keyring is reachable instead of letting the D-Bus library
// autolaunch a session: three runs leave no dbus-daemon or gnome-keyring-daemon behind.
func TestE2ENoSessionBusLeavesNoDaemons(t *testing.T) {
	t.Parallel()
	_, err := exec.LookPath("pgrep")
	e2etest.Require(t, "pgrep (apt-get install procps)", err == nil)
	_, err = exec.LookPath("dbus-launch")
	e2etest.Require(t, "dbus-launch, the autolauncher this test proves is never used (apt-get install dbus-x11)", err == nil)

	daemons := []string{"^dbus-daemon$", "^gnome-keyring-d"} // comm is cut at 15 characters
	before := map[string][]int{}
	for _, d := range daemons {
		before[d] = daemonPIDs(t, d)
	}
	dirs := newUserDirs(t)
	env := []string{
		"HOME=" + dirs.home,
		"XDG_CONFIG_HOME=" + dirs.config,
		"XDG_RUNTIME_DIR=" + t.TempDir(), // no bus socket in it either
		"PATH=" + os.Getenv("PATH"),
		"DISPLAY=:99", // dbus-launch --autolaunch refuses to start a bus without one
	}
	for i := range 3 {
		// whoami reads the keyring for saved keys (the demo never asks it here: it keeps its
		// Items in its own file when there is plainly no bus).
		stdout, stderr, _ := runBinary(t, dirs, env, "whoami")
		if !strings.Contains(stdout, "not reachable here") || !strings.Contains(stdout, "no D-Bus session bus") {
			t.Errorf("run %d: whoami does not say that no keyring is reachable for want of a session bus:\n%s\n%s", i+1, stdout, stderr)
		}
	}
	for _, d := range daemons {
		for _, pid := range daemonPIDs(t, d) {
			if !slices.Contains(before[d], pid) && startedUnder(pid, dirs.home) {
				t.Errorf("a %s (pid %d) was left behind by the runs", strings.Trim(d, "^$"), pid)
				_ = syscall.Kill(pid, syscall.SIGTERM) // started by this test, through the program
			}
		}
	}
}

// TestWhoamiSaysWhenNoKeyringIsReachable: on a machine without a D-Bus session bus (a server,
// a container), whoami says the keyring cannot be used, and why, rather than naming it as if
// keys and Items would be kept there.
func TestWhoamiSaysWhenNoKeyringIsReachable(t *testing.T) {
	t.Parallel()
	dirs := newUserDirs(t)
	env := []string{
		"HOME=" + dirs.home,
		"XDG_CONFIG_HOME=" + dirs.config,
		"XDG_RUNTIME_DIR=" + t.TempDir(),
		"PATH=" + os.Getenv("PATH"),
	}
	var who whoamiDocument
	runJSON(t, dirs, env, &who, "whoami", "--json")
	if !strings.Contains(who.KeyringProblem, "D-Bus") {
		t.Errorf("whoami --json without a session bus: keyring_problem %q, want the missing D-Bus named", who.KeyringProblem)
	}
	stdout, _, code := runBinary(t, dirs, env, "whoami")
	if code != 0 || !strings.Contains(stdout, "not reachable here, so nothing is saved") {
		t.Errorf("whoami without a session bus: exit %d\n%s", code, stdout)
	}
}
