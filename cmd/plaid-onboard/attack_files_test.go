//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The files the program reads that a user or another program may have put there: a FIFO must
// not block it (open(2) on a FIFO with no writer waits in the kernel, where neither ctrl+c nor
// SIGTERM reaches it), a device must not be read forever, and a local file's failure must name
// the file, not blame the network. (Linux only: mkfifo and ulimit -v as the test uses them.)

// promptly is how long a refusal may take: it needs no network and reads nothing, so seconds
// are plenty even on a loaded machine; a blocked read never ends.
const promptly = 15 * time.Second

// runBounded runs the binary (through sh when limit is set, with ulimit's address-space cap, so
// that a program reading /dev/zero dies of it at once instead of taking the machine's memory)
// and returns its stderr and exit status; the test fails if it is still running after promptly.
func runBounded(t *testing.T, dirs userDirs, vmLimitKB int, args ...string) (string, int) {
	t.Helper()
	bin := testBinary(t) // built before the clock starts: the build is not the command's time
	ctx, cancel := context.WithTimeout(context.Background(), promptly)
	defer cancel()
	var cmd *exec.Cmd
	if vmLimitKB > 0 {
		sh := append([]string{"-c", `ulimit -v ` + strconv.Itoa(vmLimitKB) + ` && exec "$0" "$@"`, bin}, args...)
		cmd = exec.CommandContext(ctx, "sh", sh...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir, cmd.Env = dirs.work, dirs.env("XDG_STATE_HOME="+filepath.Join(dirs.home, "state"), "XDG_DATA_HOME="+filepath.Join(dirs.home, "data"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("plaid-onboard %s was still running after %s (killed): it waits on the file instead of refusing it\nstderr:\n%s", strings.Join(args, " "), promptly, clip(stderr.String()))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return stderr.String(), cmd.ProcessState.ExitCode()
}

// clip keeps a failure's message readable when the program died with a goroutine dump.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAttackFilesSpecialFilesAreRefused: a FIFO as report's transcript, as items.json, as .env
// in the working directory or as --user-custom, and /dev/zero as --user-custom: each command
// ends at once, non-zero, saying which file and what it is.
func TestAttackFilesSpecialFilesAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// setup makes the hostile file in the user's directories and returns the path the
		// message must name and the command's arguments.
		setup func(t *testing.T, dirs userDirs) (string, []string)
		want  string // what the file is, as the message says it
		vmKB  int
		code  int // 2 for a flag's value refused, as a malformed --user-custom file is
	}{
		{"report FIFO", func(t *testing.T, dirs userDirs) (string, []string) {
			p := mkfifo(t, filepath.Join(dirs.work, "session.jsonl"))
			return p, []string{"report", p}
		}, "a FIFO", 0, 1},
		{"items.json FIFO", func(t *testing.T, dirs userDirs) (string, []string) {
			return mkfifo(t, filepath.Join(dirs.config, "plaid-onboard", "items.json")), []string{"items"}
		}, "a FIFO", 0, 1},
		{".env FIFO", func(t *testing.T, dirs userDirs) (string, []string) {
			return mkfifo(t, filepath.Join(dirs.work, ".env")), []string{"sandbox", "link", "--demo", "--no-save"}
		}, "a FIFO", 0, 1},
		{"--user-custom FIFO", func(t *testing.T, dirs userDirs) (string, []string) {
			p := mkfifo(t, filepath.Join(dirs.work, "custom.json"))
			return p, []string{"sandbox", "link", "--demo", "--no-save", "--user-custom", p}
		}, "a FIFO", 0, 2},
		// 1 GiB of address space: enough for the program (Go reserves some up front), far
		// from enough to read /dev/zero whole.
		{"--user-custom /dev/zero", func(t *testing.T, dirs userDirs) (string, []string) {
			return "/dev/zero", []string{"sandbox", "link", "--demo", "--no-save", "--user-custom", "/dev/zero"}
		}, "a character device", 1 << 20, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dirs := newUserDirs(t)
			path, args := c.setup(t, dirs)
			stderr, code := runBounded(t, dirs, c.vmKB, args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, c.code, clip(stderr))
			}
			for _, want := range []string{path, "is " + c.want, "not a file"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, clip(stderr))
				}
			}
			if strings.Contains(stderr, "could not be reached") || strings.Contains(stderr, "out of memory") {
				t.Errorf("stderr blames the network or ran out of memory:\n%s", clip(stderr))
			}
		})
	}
}

// TestAttackFilesLocalErrorsNameTheFile: the Item index unreadable because a directory stands
// where it should be, or because its folder is a file: the error and the next step name the
// file and never send the user to check the network. (The tests may run as root, who reads a
// mode 000 file; these failures hold for root too.)
func TestAttackFilesLocalErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, config string) string // returns the path the message must name
	}{
		{"items.json is a directory", func(t *testing.T, config string) string {
			p := filepath.Join(config, "plaid-onboard", "items.json")
			if err := os.MkdirAll(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"the config folder is a file", func(t *testing.T, config string) string {
			p := filepath.Join(config, "plaid-onboard")
			if err := os.WriteFile(p, []byte("not a folder\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dirs := newUserDirs(t)
			path := c.setup(t, dirs.config)
			bin := testBinary(t)
			ctx, cancel := context.WithTimeout(context.Background(), promptly)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "items", "--json")
			cmd.Dir, cmd.Env = dirs.work, dirs.env()
			out, err := cmd.Output()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("items --json: %v, want exit 1\nstdout:\n%s", err, out)
			}
			var doc struct {
				Error struct {
					Message string `json:"error_message"`
					Next    string `json:"next"`
				} `json:"error"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("items --json printed no JSON error: %v\n%s", err, out)
			}
			if !strings.Contains(doc.Error.Message, path) || !strings.Contains(doc.Error.Next, path) {
				t.Errorf("the error does not name %s in both its message and its next step: %+v", path, doc.Error)
			}
			if next := strings.ToLower(doc.Error.Next); strings.Contains(next, "network") && !strings.Contains(next, "not a network") || strings.Contains(next, "could not be reached") {
				t.Errorf("the next step blames the network for a local file: %q", doc.Error.Next)
			}
		})
	}
}
