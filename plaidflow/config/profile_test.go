package config

import (
	"errors"
	"strings"
	"testing"
)

// The profile comes from --profile, then PLAID_PROFILE, then `profiles use`, then the default;
// the remembered file is not read when a flag or the environment chose.
func TestResolveProfileOrder(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvProfile {
				return v
			}
			return ""
		}
	}
	remembered := func() (string, error) { return "used", nil }
	broken := func() (string, error) { return "", errors.New("damaged") }
	for _, tt := range []struct {
		flag, env  string
		remembered func() (string, error)
		want       string
		src        Source
	}{
		{"Flag", "env", broken, "flag", SourceFlag},
		{"", "env", broken, "env", SourceEnviron},
		{"", "", remembered, "used", SourceRemembered},
		{"", "", func() (string, error) { return "", nil }, "default", SourceDefault},
	} {
		got, src, err := ResolveProfile(tt.flag, env(tt.env), tt.remembered)
		if err != nil || got != tt.want || src != tt.src {
			t.Errorf("ResolveProfile(%q, env %q) = %q from %q (%v), want %q from %q", tt.flag, tt.env, got, src, err, tt.want, tt.src)
		}
	}
	if _, src, err := ResolveProfile("", env("a/b"), nil); err == nil || src != SourceEnviron || !strings.Contains(err.Error(), EnvProfile) {
		t.Errorf("a bad PLAID_PROFILE: %v from %q, want an error naming it", err, src)
	}
}

// A cloned repository's .env must not choose whose keys and Items a command acts on.
func TestDotEnvCannotChooseTheProfile(t *testing.T) {
	notes := IgnoredInDotEnv(map[string]string{EnvProfile: "other-team"})
	if len(notes) != 1 || !strings.Contains(notes[0], "ignored PLAID_PROFILE from ./.env") {
		t.Errorf("notes = %q, want PLAID_PROFILE from .env ignored and said", notes)
	}
}

// The profile is named once profiles exist, and not before: no clutter for one who never made
// one, no doubt for one who has several.
func TestProfileLabel(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Profile: "default"}, ""},
		{Config{Profile: "default", ProfilesInUse: true}, "profile default"},
		{Config{Profile: "acme", ProfilesInUse: true}, "profile acme"},
	} {
		if got := tt.cfg.ProfileLabel(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.cfg, got, tt.want)
		}
	}
}
