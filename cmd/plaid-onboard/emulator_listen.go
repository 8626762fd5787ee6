package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
)

// Where `emulator` listens (--listen) and what it says about it at start-up. Loopback stays the
// default; a container needs 0.0.0.0, and then the Host names it answers to (--host) are what
// keep web pages out, so it says which they are and that the network can now reach it.

// addListenFlag declares --listen on the emulator command.
func addListenFlag(cmd *cobra.Command, f *emulatorFlags) {
	cmd.Flags().StringVar(&f.listen, "listen", "", "the address and port to listen on, ADDR:PORT: 0.0.0.0:4010 in a container (default 127.0.0.1 and --port; port 0 is a free one)")
	_ = cmd.RegisterFlagCompletionFunc("listen", cobra.FixedCompletions([]string{"127.0.0.1:4010", "0.0.0.0:4010"}, cobra.ShellCompDirectiveNoFileComp))
	f.portFlag = cmd.Flags().Lookup("port")
}

// listenOptions turns --listen into the emulator's options, or a usage error that shows how to
// write it.
func listenOptions(f *emulatorFlags) ([]emulator.Option, error) {
	listen := f.listen
	if listen == "" {
		return nil, nil
	}
	if f.portFlag != nil && f.portFlag.Changed {
		return nil, usagef("--listen %q and --port %d both say where to listen: give the port in --listen alone", listen, f.port)
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil || host == "" {
		return nil, usagef("--listen %q is not ADDR:PORT: use 0.0.0.0:4010 to listen on every interface (in a container), 127.0.0.1:4010 for this machine only", listen)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, usagef("--listen %q: %q is not a port: use 1-65535, or 0 for a free one", listen, portText)
	}
	if host != "localhost" && net.ParseIP(host) == nil {
		return nil, usagef("--listen %q: %q is not an IP address: use 0.0.0.0 for every interface, or one of this machine's addresses (a name to answer to goes in --host)", listen, host)
	}
	return []emulator.Option{emulator.WithListenHost(host), emulator.WithPort(port)}, nil
}

// printListening says where the emulator listens and which Host names it answers to: the
// lines of the start-up text after the keys.
func printListening(w io.Writer, srv *emulator.Server) {
	where := "this machine only (--listen 0.0.0.0:PORT to be reached from other containers)"
	if srv.ListensBeyondLoopback() {
		where = "reachable from the network"
	}
	fmt.Fprintf(w, "  listens on       %s, %s\n", srv.ListenAddr(), where)
	fmt.Fprintf(w, "  answers Host     %s (--host NAME adds a name; web pages are refused)\n", strings.Join(srv.HostNames(), ", "))
}

// warnBeyondLoopback tells, on stderr, whoever starts the emulator on an address other machines
// reach that they do, and who it answers: it is said with --json too, where stdout is the JSON
// line a script reads.
func warnBeyondLoopback(w io.Writer, srv *emulator.Server) {
	if !srv.ListensBeyondLoopback() {
		return
	}
	fmt.Fprintf(w, "warning: listening on %s opens this Sandbox to the network: whoever reaches that address can use it, and its\n"+
		"control API, with the keys it prints. It answers only requests naming it as %s\n"+
		"(--host NAME adds a name) and refuses web pages.\n", srv.ListenAddr(), strings.Join(srv.HostNames(), ", "))
}
