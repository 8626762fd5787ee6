package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commandOf finds the command named by the leading words of args in a fresh command tree, and
// how many words named it.
func commandOf(args []string) (*cobra.Command, int) {
	c := newRootCmd(&app{})
	n := 0
	for _, w := range args {
		next := subcommand(c, w)
		if next == nil {
			break
		}
		c, n = next, n+1
	}
	return c, n
}

// flagsOf lists a command's flags by name, sorted, without cobra's --help and --version.
func flagsOf(c *cobra.Command) []string {
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && f.Name != "version" {
			names = append(names, f.Name)
		}
	})
	slices.Sort(names)
	return names
}

// Every command has exactly the flags it uses: a flag given to the wrong command (or left off
// the right one) fails here. The groups below are the helpers of flags.go.
func TestEveryCommandHasTheFlagsItUses(t *testing.T) {
	plaid := []string{"client-id", "demo", "env", "secret", "secret-stdin"}                         // addPlaidFlags
	call := append([]string{"json", "profile", "store", "transcript", "dry-run", "lang"}, plaid...) // addCallFlags (--store comes with --profile)
	emulatorCall := append([]string{"json", "profile", "store", "transcript"}, plaid...)            // addEmulatorCallFlags
	with := func(groups ...[]string) []string { return slices.Concat(groups...) }
	want := map[string][]string{
		"": with([]string{"client-id", "demo", "env", "profile", "store", "secret"}, []string{"json", "mask", "no-browser", "no-save", "transcript"},
			[]string{"port", "redirect-uri"}, []string{"flow", "public-url", "webhook-port", "from-transcript"}),
		"link":                            with(call, []string{"mask", "no-browser", "no-save", "port", "redirect-uri", "update", "account-select", "flow", "hosted", "hosted-lifetime", "public-url", "webhook-port"}),
		"verify":                          with(call, []string{"mask", "no-browser", "account"}),
		"sandbox":                         nil,
		"sandbox link":                    with(call, []string{"mask", "no-save", "flow", "institution", "scenario", "user-custom", "force-error"}),
		"sandbox reset-login":             call,
		"sandbox set-verification-status": with(call, []string{"account", "status"}),
		"sandbox fire-webhook":            with(call, []string{"type"}),
		"auth":                            with(call, []string{"mask"}),
		"balances":                        call,
		"processor-token":                 with(call, []string{"account", "processor"}),
		"items":                           {"demo", "env", "json", "profile", "store"},
		"items status":                    call,
		"items rename":                    with(plaid, []string{"json", "profile", "store"}),
		"items remove":                    with(call, []string{"yes"}),
		"items rotate":                    call,
		"webhooks":                        nil,
		"webhooks listen":                 with(call, []string{"port", "forward-to", "public-url"}),
		"webhooks trigger":                with(emulatorCall, []string{"item", "link-token", "set", "url", "emulator"}),
		"webhooks sign":                   with(emulatorCall, []string{"body", "url", "emulator"}),
		"emulator":                        {"client-id", "secret", "secret-stdin", "json", "port", "latency", "redirect-uri", "host", "listen", "android-package-name", "products-enabled", "from-transcript", "state", "seed", "fixtures"},
		"emulator logs":                   {"url", "json", "follow", "last", "endpoint", "errors"},
		"report":                          with(plaid, []string{"json"}),
		"code":                            with(plaid, []string{"lang", "postman"}),
		"scenarios":                       {"json"},
		"doctor":                          with(plaid, []string{"json", "profile", "store", "timeout", "link", "redirect-uri", "android-package-name", "products", "country-codes"}),
		"profiles":                        nil,
		"profiles list":                   {"json"},
		"profiles use":                    {"json"},
		"profiles remove":                 {"json", "store", "yes"},
		"whoami":                          with(plaid, []string{"json", "profile", "store"}),
		"man":                             nil,
		"completion":                      nil, // cobra's, made in the tree to refuse a shell it has no script for
		"completion bash":                 {"no-descriptions"},
		"completion zsh":                  {"no-descriptions"},
		"completion fish":                 {"no-descriptions"},
		"completion powershell":           {"no-descriptions"},
	}
	root := newRootCmd(&app{})
	seen := map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		_, path, _ := strings.Cut(c.CommandPath(), " ")
		seen[path] = true
		w, ok := want[path]
		if !ok {
			t.Errorf("`%s` is not in this test: say which flags it has", c.CommandPath())
			return
		}
		w = slices.Clone(w)
		slices.Sort(w)
		if got := flagsOf(c); !slices.Equal(got, w) {
			t.Errorf("`%s` has the flags %v, want %v", c.CommandPath(), got, w)
		}
		if c.HasPersistentFlags() {
			t.Errorf("`%s` has persistent flags: every flag is a command's own", c.CommandPath())
		}
	})
	for path := range want {
		if !seen[path] {
			t.Errorf("`plaid-onboard %s` is in this test but not in the command tree", path)
		}
	}
}

// A flag name means the same kind of thing on every command: a switch everywhere, or a flag
// with a value everywhere, so one typed before the command's name is moved with its value.
func TestFlagNamesTakeAValueEverywhereOrNowhere(t *testing.T) {
	kinds := map[string]string{}
	walkCommands(newRootCmd(&app{}), func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			kind := "a value"
			if f.NoOptDefVal != "" {
				kind = "no value"
			}
			if k, ok := kinds[f.Name]; ok && k != kind {
				t.Errorf("--%s takes %s on `%s` and %s elsewhere", f.Name, kind, c.CommandPath(), k)
			}
			kinds[f.Name] = kind
		})
	})
}

func TestHoistFlags(t *testing.T) {
	root := newRootCmd(&app{})
	for _, tt := range []struct{ args, want string }{
		{"--demo sandbox link --json", "sandbox link --demo --json"},
		{"--env production auth x", "auth --env production x"},
		{"--demo sandbox --json link --no-save", "sandbox link --demo --json --no-save"},
		{"--institution=ins_43 --demo sandbox link", "sandbox link --institution=ins_43 --demo"},
		{"-y items remove x", "items remove -y x"},
		{"--demo", "--demo"},
		{"--demo frobnicate", "--demo frobnicate"},
		{"link -- --demo", "link -- --demo"},
		{"__complete --demo auth ", "__complete auth --demo "},
		{"__complete --demo auth", "__complete --demo auth"},
	} {
		if got := strings.Join(hoistFlags(root, strings.Split(tt.args, " ")), " "); got != tt.want {
			t.Errorf("hoistFlags(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// A flag of other commands is refused as unknown (exit 2), saying which commands have it.
func TestFlagOfOtherCommandsIsRefused(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"scenarios", "--demo"}, "--demo is not a flag of `plaid-onboard scenarios`: only the commands that use Plaid or its saved Items have it"},
		{[]string{"--no-save", "auth"}, "--no-save is not a flag of `plaid-onboard auth`: only the commands that make an Item to save have it (`plaid-onboard`, `plaid-onboard link`, `plaid-onboard sandbox link`)"},
		{[]string{"items", "rename", "a", "b", "--transcript", "t.jsonl"}, "--transcript is not a flag of `plaid-onboard items rename`: it makes no Plaid call"},
		{[]string{"--demo", "webhooks"}, "`plaid-onboard webhooks` needs a command: webhooks listen"},
		{[]string{"man", "--json"}, "--json is not a flag of `plaid-onboard man`"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			if code := te.run(tt.args...); code != exitUsage || !strings.Contains(te.stderr.String(), tt.want) {
				t.Errorf("exit %d, want 2 saying %q; stderr:\n%s", code, tt.want, te.stderr)
			}
		})
	}
}
