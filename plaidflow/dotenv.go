package plaidflow

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/joho/godotenv"
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
	vals, err := godotenv.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return vals, nil
}
