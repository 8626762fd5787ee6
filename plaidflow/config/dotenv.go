package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadDotEnv reads a .env file, the convention of Plaid's quickstart, with godotenv: quoted
// values (multi-line ones included), "export " prefixes and # comments after a value. A missing
// file is not an error. The file is only read: the process environment is left as it is.
func ReadDotEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxDotEnv+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(content) > maxDotEnv {
		return nil, fmt.Errorf("read %s: larger than %d kB; a .env file holds a few keys", path, maxDotEnv>>10)
	}
	return parseDotEnv(content, path)
}
