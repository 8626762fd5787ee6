package config

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// ReadDotEnv reads a .env file, the convention of Plaid's quickstart, with godotenv: quoted
// values (multi-line ones included), "export " prefixes and # comments after a value. A missing
// file is not an error; a FIFO, a device or a directory named .env is (localfile.Read). The
// file is only read: the process environment is left as it is.
func ReadDotEnv(path string) (map[string]string, error) {
	content, err := localfile.Read(path, maxDotEnv)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]string{}, nil
	case errors.Is(err, localfile.ErrTooLarge):
		return nil, fmt.Errorf("read the .env file: %w; a .env file holds a few keys", err)
	case err != nil:
		return nil, fmt.Errorf("read the .env file: %w", err)
	}
	return parseDotEnv(content, path)
}
