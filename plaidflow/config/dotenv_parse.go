package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/joho/godotenv"
)

// maxDotEnv bounds the .env file read: it holds a few keys, and a huge file is a mistake.
const maxDotEnv = 1 << 20

// parseDotEnv parses a .env file's content. godotenv's errors quote the file from the bad
// spot on ("unterminated quoted value s3cr3t…", "unexpected character … near PLAID_SECRET=…"),
// which would print the client secret on the terminal: the error here says what is wrong and
// on which line, and never quotes the file.
func parseDotEnv(content []byte, name string) (map[string]string, error) {
	vals, err := godotenv.Parse(bytes.NewReader(content))
	if err == nil {
		return vals, nil
	}
	msg := err.Error()
	what, quoted := "it is not in KEY=value form", ""
	switch {
	case strings.HasPrefix(msg, "unterminated quoted value "):
		what = "a quoted value is never closed"
		// The echo is the value from its opening quote to the end of its line.
		if echo := strings.TrimPrefix(msg, "unterminated quoted value "); echo != "" {
			if i := bytes.Index(content, []byte(echo)); i >= 0 {
				quoted = lineAt(content, i)
			}
		}
	case strings.HasPrefix(msg, "unexpected character "):
		what = "a variable name has a character other than letters, digits, _ and ."
		if _, near, ok := strings.Cut(msg, " in variable name near "); ok {
			if src, err := strconv.Unquote(near); err == nil && src != "" && bytes.HasSuffix(content, []byte(src)) {
				quoted = lineAt(content, len(content)-len(src))
			}
		}
	case msg == "zero length string":
		what = "a line has no variable name"
	}
	if quoted != "" {
		return nil, fmt.Errorf("read %s: line %s: %s", name, quoted, what)
	}
	return nil, fmt.Errorf("read %s: %s", name, what)
}

// lineAt is the 1-based line of a byte offset, as text.
func lineAt(content []byte, offset int) string {
	return strconv.Itoa(bytes.Count(content[:offset], []byte("\n")) + 1)
}
