package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CodeLangFile, in the configuration directory, is the language the terminal UI copies a call's
// code in (C on the timeline), as the user last chose it (g).
const CodeLangFile = "code-lang"

// ReadCodeLang is the remembered language, or "" when none was chosen or the file is not one
// the program wrote (the caller falls back to curl).
func ReadCodeLang(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, CodeLangFile))
	if err != nil || len(b) > 32 {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// WriteCodeLang remembers lang for the next sessions.
func WriteCodeLang(dir, lang string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("remember the code language: %w", err)
	}
	path := filepath.Join(dir, CodeLangFile)
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("remember the code language: %s is not a regular file", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remember the code language: %w", err)
	}
	if err := os.WriteFile(path, []byte(lang+"\n"), 0o600); err != nil {
		return fmt.Errorf("remember the code language: %w", err)
	}
	return nil
}
