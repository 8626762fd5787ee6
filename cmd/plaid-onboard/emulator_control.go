package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// emulatorControl calls the control API (/_emulator/…) of a running emulator: the one --demo
// runs in this process, or `plaid-onboard emulator` at PLAID_API_URL or --emulator. It is not
// Plaid's API (plaid-go has no such calls) and never goes to Plaid: its base URL is an
// emulator's.
type emulatorControl struct {
	base   string
	client *http.Client
}

// controlTimeout bounds a control call: a trigger waits for the receiver's first answer, which
// the emulator gives 10 seconds.
const controlTimeout = 30 * time.Second

// errNoEmulator is returned when the session names no emulator to steer.
var errNoEmulator = errors.New("no emulator")

// emulatorFor finds the emulator a command steers: --emulator, else the demo's, else
// PLAID_API_URL's. Plaid's own hosts have no control API; a session pointed at them is
// errNoEmulator.
func emulatorFor(flag, apiURL string, demo bool, client *http.Client) (emulatorControl, error) {
	base := flag
	if base == "" && (demo || apiURL != "") {
		base = apiURL
	}
	if base == "" {
		return emulatorControl{}, errNoEmulator
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return emulatorControl{}, usagef("--emulator %q is not an http(s) URL such as http://127.0.0.1:8790", base)
	}
	if strings.HasSuffix(u.Hostname(), ".plaid.com") {
		return emulatorControl{}, errNoEmulator
	}
	return emulatorControl{base: strings.TrimRight(base, "/"), client: client}, nil
}

// post sends body to the control endpoint path and decodes its JSON answer into out. An
// answer the emulator refused is an error carrying its words.
func (c emulatorControl) post(ctx context.Context, path, contentType string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, controlTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("call the emulator at %s: %w", c.base, err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("call the emulator at %s: %w (is `plaid-onboard emulator` running there?)", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read the emulator's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			return fmt.Errorf("the emulator at %s: %s", c.base, sanitize.Line(e.Error, sanitize.Message))
		}
		return fmt.Errorf("%s answered %s to %s: it is not plaid-onboard's emulator, or an older one without it", c.base, resp.Status, path)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the emulator at %s answered %s with something other than its JSON: %w", c.base, path, err)
	}
	return nil
}
