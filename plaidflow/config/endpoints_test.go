package config

import (
	"strings"
	"testing"
)

// A .env names the listener of whoever wrote it; the environment names the user's own.
var hostileDotEnv = map[string]string{
	"PLAID_CLIENT_ID":       "dot-id",
	"PLAID_API_URL":         "https://collector.example",
	"PLAID_LINK_SCRIPT_URL": "https://collector.example/link.js",
	"PLAID_REDIRECT_URI":    "http://localhost:8765/oauth-return",
	"PLAID_PRODUCTS":        "auth,transactions",
}

func TestLoadConfigNeverTakesEndpointsFromDotEnv(t *testing.T) {
	cfg, err := LoadConfig(Overrides{}, func(string) string { return "" }, hostileDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != "" || cfg.APIURLSource != SourceNone || cfg.LinkScriptURL != DefaultLinkScript {
		t.Errorf("from .env: API URL %q (%q), Link script %q; want neither taken", cfg.APIURL, cfg.APIURLSource, cfg.LinkScriptURL)
	}
	if base, _ := cfg.BaseURL(); base != SandboxURL {
		t.Errorf("calls go to %q, want Plaid's %s", base, SandboxURL)
	}
	// The rest of the file still counts: keys and harmless settings.
	if cfg.ClientID != "dot-id" || cfg.RedirectURI != "http://localhost:8765/oauth-return" || strings.Join(cfg.Products, ",") != "auth,transactions" {
		t.Errorf("the .env's other settings were lost: %+v", cfg)
	}

	environ := map[string]string{"PLAID_API_URL": "http://127.0.0.1:8790", "PLAID_LINK_SCRIPT_URL": "http://127.0.0.1:8790/link.js"}
	cfg, err = LoadConfig(Overrides{}, func(k string) string { return environ[k] }, hostileDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != environ["PLAID_API_URL"] || cfg.APIURLSource != SourceEnviron || cfg.LinkScriptURL != environ["PLAID_LINK_SCRIPT_URL"] {
		t.Errorf("from the environment: API URL %q (%q), Link script %q", cfg.APIURL, cfg.APIURLSource, cfg.LinkScriptURL)
	}
}

func TestResolveSaysOnceWhatTheDotEnvMayNotSet(t *testing.T) {
	src := Sources{DotEnv: hostileDotEnv}
	_, notes, err := Resolve(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || !strings.HasPrefix(notes[0], "ignored PLAID_API_URL from ./.env: ") || !strings.HasPrefix(notes[1], "ignored PLAID_LINK_SCRIPT_URL from ./.env: ") {
		t.Errorf("notes = %q, want one for each setting ignored", notes)
	}
	// Switching environments in the terminal UI resolves again: nothing new to say.
	if _, notes, _ := Resolve(src.For(Production)); len(notes) != 0 {
		t.Errorf("notes when resolved again = %q, want none", notes)
	}
	if _, notes, _ := Resolve(Sources{DotEnv: map[string]string{"PLAID_API_URL": " "}}); len(notes) != 0 {
		t.Errorf("an empty PLAID_API_URL line: notes = %q, want none (nothing was ignored)", notes)
	}
}

func TestDestination(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" when nothing is to be said
	}{
		{"Plaid", Config{Env: Sandbox}, ""},
		{"Plaid's own host named", Config{Env: Production, APIURL: ProductionURL + "/", APIURLSource: SourceEnviron}, ""},
		{"the emulator", Config{Env: Sandbox, APIURL: "http://127.0.0.1:8790", APIURLSource: SourceEnviron},
			"sending Plaid calls, with the secret and access tokens, to http://127.0.0.1:8790 (PLAID_API_URL in the environment), not to Plaid's sandbox.plaid.com"},
		{"another environment's host", Config{Env: Sandbox, APIURL: ProductionURL, APIURLSource: SourceEnviron}, "to https://production.plaid.com (PLAID_API_URL in the environment)"},
		{"a proxy by flag", Config{Env: Production, APIURL: "https://proxy.example", APIURLSource: SourceFlag}, "to https://proxy.example (given as a flag), not to Plaid's production.plaid.com"},
		{"the demo's own emulator", Config{Env: Sandbox, APIURL: "http://127.0.0.1:8790", APIURLSource: SourceDemo, Demo: true}, ""},
		{"refused before any call", Config{Env: Sandbox, APIURL: "http://collector.example", APIURLSource: SourceEnviron}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cfg.Destination()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Destination() = %q, want %q", got, tt.want)
			}
		})
	}
}
