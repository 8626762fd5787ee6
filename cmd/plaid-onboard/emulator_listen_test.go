package main

import (
	"context"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// --listen takes an IP address and a port; anything else, or a port given twice, is a usage
// error that shows how to write it.
func TestEmulatorListenUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"emulator", "--listen", "0.0.0.0"}, `--listen "0.0.0.0" is not ADDR:PORT: use 0.0.0.0:4010`},
		{[]string{"emulator", "--listen", ":4010"}, `--listen ":4010" is not ADDR:PORT`},
		{[]string{"emulator", "--listen", "0.0.0.0:http"}, `"http" is not a port`},
		{[]string{"emulator", "--listen", "0.0.0.0:70000"}, `"70000" is not a port`},
		{[]string{"emulator", "--listen", "plaid-emulator:4010"}, `"plaid-emulator" is not an IP address`},
		{[]string{"emulator", "--listen", "127.0.0.1:4010", "--port", "4011"}, "--listen \"127.0.0.1:4010\" and --port 4011 both say where to listen"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t)
			te.mustRun(t, exitUsage, tt.args...)
			if !strings.Contains(te.stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, te.stderr)
			}
		})
	}
	te := newTestEnv(t)
	te.mustRun(t, exitOK, "emulator", "--help")
	wantAll(t, "emulator --help", te.stdout.String(), "--listen", "0.0.0.0:4010")
}

// Its start-up text says where it listens and every Host name it answers to, so that whoever
// runs it in a container sees at once which name its neighbours must use.
func TestEmulatorSaysWhereItListensAndItsHostNames(t *testing.T) {
	t.Parallel()
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	te := newTestEnv(t)
	out := &lockedBuffer{}
	te.d.Stdout = out
	exited := make(chan int, 1)
	go func() {
		exited <- te.runContext(ctx, "emulator", "--listen", "127.0.0.1:0", "--host", "plaid-emulator", "--host", "proxy.internal:8080")
	}()
	e2etest.Eventually(t, "the start-up text up to its last line", func() (bool, string) {
		return strings.Contains(out.String(), "Press ctrl+c to stop."), out.String()
	})
	interrupt()
	<-exited
	text := out.String()
	at := text[strings.Index(text, "http://127.0.0.1:")+len("http://127.0.0.1:"):]
	port := at[:strings.IndexAny(at, "\n ")]
	wantAll(t, "start-up text", text,
		"listens on       127.0.0.1:"+port+", this machine only",
		"answers Host     127.0.0.1:"+port+", localhost:"+port+", [::1]:"+port+", plaid-emulator:"+port+", proxy.internal:8080 (--host NAME adds a name; web pages are refused)")
}
