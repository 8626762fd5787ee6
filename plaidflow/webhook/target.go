package webhook

import (
	"net/url"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// Target is where the Items of cfg should send their webhooks for a receiver on this machine:
// publicURL when the user gave one (a tunnel to the receiver), "" with ok when Plaid itself runs
// on this machine (the emulator, a local fake) and can reach the receiver's loopback URL, and
// not ok when Plaid cannot reach 127.0.0.1 at all. Both front ends ask this one question here.
func Target(cfg config.Config, publicURL string) (public string, ok bool) {
	if publicURL != "" {
		return publicURL, true
	}
	base, err := cfg.BaseURL()
	if err != nil {
		return "", false
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	return "", config.IsLoopbackHost(u.Hostname())
}
