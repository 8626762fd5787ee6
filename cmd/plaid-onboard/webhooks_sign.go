package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/webhook"
)

// signFlags are the flags of `webhooks sign`.
type signFlags struct {
	callFlags
	body     string
	url      string
	emulator string
}

// maxSignBody bounds the body to sign: the emulator's control API takes 64 KiB, and a Plaid
// webhook is a few hundred bytes.
const maxSignBody = 64 << 10

// newWebhooksSignCmd is `webhooks sign --body FILE`: a Plaid-Verification JWT for a body of
// the user's, signed by the emulator, for their own webhook-verification tests.
func newWebhooksSignCmd(a *app) *cobra.Command {
	f := &signFlags{}
	cmd := &cobra.Command{
		Use:   "sign --body FILE",
		Short: "Print a Plaid-Verification JWT for a webhook body, signed with the emulator's key",
		Long: `Prints the Plaid-Verification header value Plaid would send with the body in FILE: an ES256 JWT
issued now, carrying the SHA-256 of the file's bytes exactly as they are, signed by the running
emulator with its key (the key stays in the emulator). Your own verification code, unchanged,
accepts it when it fetches the key from the emulator's /webhook_verification_key/get, as it does
from Plaid's; like Plaid's, the JWT is good for 5 minutes.

With --url, the body is also POSTed there with the header, as Plaid sends a webhook, and the
answer's status is printed on stderr. With --json: plaid_verification, kid and
request_body_sha256. --body - reads the body from stdin.

It needs the emulator: plaid-onboard emulator at PLAID_API_URL or --emulator, or --demo (whose
key is the same in every demo run, so --demo webhooks listen verifies it).`,
		Example: `  plaid-onboard webhooks sign --body webhook.json --emulator http://127.0.0.1:8790
  curl -H "Content-Type: application/json" -H "Plaid-Verification: $(plaid-onboard webhooks sign --body webhook.json)" --data-binary @webhook.json http://127.0.0.1:3000/plaid/webhook
  plaid-onboard webhooks sign --body webhook.json --url http://127.0.0.1:3000/plaid/webhook`,
		Args: maxArgs(0, "no arguments (the body is --body FILE)"),
		RunE: a.runE(func(ctx context.Context, _ []string) error { return a.runWebhooksSign(ctx, f) }),
	}
	addEmulatorCallFlags(a, cmd, &f.callFlags)
	cmd.Flags().StringVar(&f.body, "body", "", "the file holding the webhook body, byte for byte (- for stdin)")
	cmd.Flags().StringVar(&f.url, "url", "", "also POST the body with the header to this URL")
	cmd.Flags().StringVar(&f.emulator, "emulator", "", "the emulator's URL (default: the demo's, or PLAID_API_URL)")
	return cmd
}

// signResult is the emulator's answer.
type signResult struct {
	PlaidVerification string `json:"plaid_verification"`
	KeyID             string `json:"kid"`
	RequestBodySHA256 string `json:"request_body_sha256"`
}

func (a *app) runWebhooksSign(ctx context.Context, f *signFlags) error {
	if f.body == "" {
		return usagef("`webhooks sign` needs --body FILE: the webhook body to sign, byte for byte")
	}
	body, err := a.readSignBody(f.body)
	if err != nil {
		return err
	}
	if f.url != "" {
		if _, err := webhook.CheckForwardTarget(ctx, f.url); err != nil {
			return usagef("--url %s: %v", f.url, err)
		}
	}
	apiURL, demo := "", false
	if f.emulator == "" {
		// The demo's emulator runs in this process, and PLAID_API_URL comes with the session.
		s, err := a.openSession(f.session)
		if err != nil {
			return err
		}
		defer s.close()
		apiURL, demo = s.cfg.APIURL, s.cfg.Demo
	}
	ctl, err := emulatorFor(f.emulator, apiURL, demo, a.d.HTTPClient)
	if errors.Is(err, errNoEmulator) {
		return usagef("`webhooks sign` needs the emulator, which holds the signing key: start `plaid-onboard emulator` and give its URL with --emulator (or PLAID_API_URL), or use --demo. Plaid signs only the webhooks it sends")
	}
	if err != nil {
		return err
	}
	var res signResult
	if err := ctl.post(ctx, "/_emulator/webhooks/sign", "application/octet-stream", body, &res); err != nil {
		return err
	}
	if err := a.printResult(f.print.json, res, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, sanitize.Line(res.PlaidVerification, 0))
		return err
	}); err != nil {
		return err
	}
	if f.url == "" {
		return nil
	}
	return a.sendSigned(f.url, body, res.PlaidVerification)
}

// readSignBody reads the body to sign from a file (localfile.Read's checks) or stdin.
func (a *app) readSignBody(path string) ([]byte, error) {
	if path != "-" {
		b, err := localfile.Read(path, maxSignBody)
		if err != nil {
			return nil, usagef("--body %s: %v", path, err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(a.d.Stdin, maxSignBody+1))
	if err != nil {
		return nil, fmt.Errorf("read the body from stdin: %w", err)
	}
	if len(b) > maxSignBody {
		return nil, usagef("--body -: the body on stdin is larger than %d KiB", maxSignBody>>10)
	}
	return b, nil
}

// sendSigned POSTs the body with its JWT to target, as Plaid sends a webhook, through the
// webhook forwarder (no redirects, no link-local or metadata addresses).
func (a *app) sendSigned(target string, body []byte, jwt string) error {
	done := make(chan webhook.ForwardResult, 1)
	fwd := webhook.NewForwarder(target, func(r webhook.ForwardResult) { done <- r })
	defer fwd.Close()
	fwd.Send(webhook.Webhook{Body: body, Header: http.Header{
		"Content-Type": {"application/json"}, "User-Agent": {"Plaid Verifier"}, "Plaid-Verification": {jwt}}})
	r := <-done
	if r.Err != nil {
		return r.Err
	}
	fmt.Fprintf(a.d.Stderr, "POSTed the signed body to %s: %d %s\n", sanitize.Line(target, sanitize.Field), r.Status, http.StatusText(r.Status))
	return nil
}
