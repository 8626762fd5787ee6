package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dotEnvSecret stands for the client secret in a .env file: it must never reach an error
// message, which the program prints on the terminal (and CI logs keep).
const dotEnvSecret = "s3cr3tDotEnvValue0123456789abc"

// dotEnvErrorRE is every error parseDotEnv may return: the file's name, maybe a line, and a
// sentence of the program's own, never a piece of the file.
var dotEnvErrorRE = regexp.MustCompile(`^read fuzz\.env: (line [0-9]+: )?(a quoted value is never closed|a variable name has a character other than letters, digits, _ and \.|a line has no variable name|it is not in KEY=value form)$`)

func TestDotEnvErrorsNeverQuoteTheFile(t *testing.T) {
	for name, tc := range map[string]struct{ src, want string }{
		"unterminated secret": {"PLAID_CLIENT_ID=abc\nPLAID_SECRET=\"" + dotEnvSecret + "\n", "line 2: a quoted value is never closed"},
		"single quote":        {"# keys\n\nPLAID_SECRET='" + dotEnvSecret, "line 3: a quoted value is never closed"},
		"bad name":            {"PLAID_ENV=sandbox\nPLAID-SECRET=" + dotEnvSecret + "\n", "line 2: a variable name has a character"},
	} {
		_, err := parseDotEnv([]byte(tc.src), "fuzz.env")
		if err == nil {
			t.Errorf("%s: parsed", name)
			continue
		}
		if strings.Contains(err.Error(), dotEnvSecret[:8]) {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
		if !strings.Contains(err.Error(), tc.want) || !dotEnvErrorRE.MatchString(err.Error()) {
			t.Errorf("%s: error %q, want %q", name, err, tc.want)
		}
	}
}

func TestReadDotEnvRefusesAHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("A="+strings.Repeat("x", maxDotEnv)), 0o600)
	if _, err := ReadDotEnv(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a 1 MB .env: %v", err)
	}
}

// FuzzDotEnv feeds .env files with the secret somewhere in them to the loader: it must not
// panic, an error must be one of its own sentences (never a quote of the file, where the
// secret is), and what it accepts must keep the secret's variable intact when its line is
// well formed. The seed corpus is in testdata/fuzz/FuzzDotEnv.
func FuzzDotEnv(f *testing.F) {
	for _, s := range []string{
		"PLAID_CLIENT_ID=abc\nPLAID_ENV=sandbox\n",
		"export PLAID_ENV=sandbox # comment\n",
		"PLAID_CLIENT_ID=\"multi\nline\"\n",
		"PLAID_CLIENT_ID='abc\n",
		"PLAID-ENV=x\n",
		"=novalue\n",
		"A=${B}\nB=\"\\n\\t\"\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, src []byte, secretFirst bool) {
		line := []byte("PLAID_SECRET=\"" + dotEnvSecret + "\"")
		var content []byte
		if secretFirst {
			content = append(append(line, '\n'), src...) // an unterminated quote swallows the rest
		} else {
			content = append(append(append([]byte{}, src...), '\n'), line...)
		}
		vals, err := parseDotEnv(content, "fuzz.env")
		if err != nil {
			if strings.Contains(err.Error(), dotEnvSecret[:6]) || !dotEnvErrorRE.MatchString(err.Error()) {
				t.Fatalf("error %q quotes the file or is not one of the loader's own", err)
			}
			return
		}
		if !secretFirst && !strings.ContainsAny(string(src), "\"'`\\") && vals["PLAID_SECRET"] != dotEnvSecret {
			t.Fatalf("the well-formed last line lost its value: %q", vals["PLAID_SECRET"])
		}
	})
}
