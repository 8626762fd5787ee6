package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// triggerFlags are the flags of `webhooks trigger`.
type triggerFlags struct {
	callFlags
	item      string
	linkToken string
	sets      []string
	url       string
	emulator  string
}

// newWebhooksTriggerCmd is `webhooks trigger TYPE CODE`: the emulator sends one of Plaid's
// webhooks for an Item, as Plaid would, and the Item changes as it would at Plaid.
func newWebhooksTriggerCmd(a *app) *cobra.Command {
	f := &triggerFlags{}
	cmd := &cobra.Command{
		Use:   "trigger TYPE CODE --item ITEM",
		Short: "Have the emulator send one of Plaid's Item, Auth or Hosted Link webhooks, signed as Plaid signs them",
		Long: `Has the emulator send a webhook Plaid documents for the products it emulates, for an Item:

  ITEM  ERROR (ITEM_LOGIN_REQUIRED unless --set error.error_code=CODE), LOGIN_REPAIRED,
        NEW_ACCOUNTS_AVAILABLE, PENDING_DISCONNECT, PENDING_EXPIRATION, USER_ACCOUNT_REVOKED,
        USER_PERMISSION_REVOKED, WEBHOOK_UPDATE_ACKNOWLEDGED
  AUTH  AUTOMATICALLY_VERIFIED, VERIFICATION_EXPIRED (an Item pending automated
        micro-deposits), SMS_MICRODEPOSITS_VERIFICATION (pending Same Day micro-deposits),
        DEFAULT_UPDATE
  LINK  ITEM_ADD_RESULT, SESSION_FINISHED (--link-token: a Hosted Link token; as if its user
        finished Link on the hosted page: an Item and its public token, or with
        --set status=EXITED an exit)

The body has the fields of Plaid's reference and is written as Plaid's servers write it (keys
sorted, two-space indent), signed with the emulator's key in the Plaid-Verification header, so
the request_body_sha256 your receiver computes over the raw body matches. The Item changes as it
would at Plaid: after ERROR ITEM_LOGIN_REQUIRED its data calls fail with that error until Link's
update mode (or LOGIN_REPAIRED) repairs it; AUTOMATICALLY_VERIFIED and SMS_MICRODEPOSITS_VERIFICATION
verify the account, VERIFICATION_EXPIRED expires it.

It goes to --url, or else to the Item's webhook, and prints the receiver's answer and the body
as sent; a receiver that fails gets Plaid's retries in the background while the emulator runs.
--set PATH=VALUE (repeatable) changes a field: PATH is dotted for nested fields
(error.error_code), VALUE is a number, true, false, null or JSON, else a string.

It needs the emulator: --demo (the Item is a saved demo Item), or plaid-onboard emulator at
PLAID_API_URL or --emulator. Plaid's own Sandbox fires its shorter list with
/sandbox/item/fire_webhook. --item takes a saved Item's name or an item_id.`,
		Example: `  plaid-onboard --demo webhooks trigger ITEM ERROR --item first-platypus-bank
  plaid-onboard --demo webhooks trigger AUTH AUTOMATICALLY_VERIFIED --item houndstooth-bank
  plaid-onboard webhooks trigger ITEM ERROR --item first-platypus-bank \
    --set error.error_code=ITEM_LOCKED
  plaid-onboard webhooks trigger ITEM PENDING_EXPIRATION --item Nu15jMcy… \
    --url http://127.0.0.1:3000/plaid/webhook
  plaid-onboard webhooks trigger LINK SESSION_FINISHED --link-token link-sandbox-…`,
		Args:              triggerArgs,
		ValidArgsFunction: completeWebhookKinds,
		RunE:              a.runE(func(ctx context.Context, args []string) error { return a.runWebhooksTrigger(ctx, f, args) }),
	}
	addEmulatorCallFlags(a, cmd, &f.callFlags)
	cmd.Flags().StringVar(&f.item, "item", "", "the Item: a saved Item's name or an item_id")
	cmd.Flags().StringVar(&f.linkToken, "link-token", "", "for LINK webhooks: the Hosted Link token whose session they end")
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "change a field of the body: PATH=VALUE, dotted PATH, typed VALUE (repeatable)")
	cmd.Flags().StringVar(&f.url, "url", "", "send it here instead of to the Item's webhook (on this machine)")
	cmd.Flags().StringVar(&f.emulator, "emulator", "", "the emulator's URL (default: the demo's, or PLAID_API_URL)")
	_ = cmd.RegisterFlagCompletionFunc("item", a.completeItemFlag(&f.session.keys))
	return cmd
}

// triggerArgs wants a type and a code; an unknown one is a usage error listing the known.
func triggerArgs(cmd *cobra.Command, args []string) error {
	if len(args) != 2 {
		return usagef("`%s` needs a webhook TYPE and CODE, such as ITEM ERROR; the emulator sends %s", cmd.CommandPath(), webhookKindsWords())
	}
	typ, code := strings.ToUpper(args[0]), strings.ToUpper(args[1])
	cat := emulator.WebhookCatalog()
	codes, ok := cat[typ]
	if !ok {
		return usagef("no webhook type %q: the emulator sends %s", sanitize.Line(args[0], sanitize.Field), webhookKindsWords())
	}
	if !slices.Contains(codes, code) {
		return usagef("no %s webhook %q: %s webhooks are %s", typ, sanitize.Line(args[1], sanitize.Field), typ, strings.Join(codes, ", "))
	}
	return nil
}

// webhookKindsWords is the catalog in words: "AUTH: A, B; ITEM: C, D".
func webhookKindsWords() string {
	cat := emulator.WebhookCatalog()
	var types []string
	for t := range cat {
		types = append(types, t)
	}
	sort.Strings(types)
	var parts []string
	for _, t := range types {
		parts = append(parts, t+": "+strings.Join(cat[t], ", "))
	}
	return strings.Join(parts, "; ")
}

// completeWebhookKinds completes the TYPE, then its CODEs.
func completeWebhookKinds(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cat := emulator.WebhookCatalog()
	var list []string
	switch len(args) {
	case 0:
		for t := range cat {
			list = append(list, t)
		}
	case 1:
		list = cat[strings.ToUpper(args[0])]
	}
	sort.Strings(list)
	var out []cobra.Completion
	for _, s := range list {
		if strings.HasPrefix(s, strings.ToUpper(toComplete)) {
			out = append(out, s)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeItemFlag completes --item from the saved Items.
func (a *app) completeItemFlag(k *keyFlags) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return a.savedItemNames(*k, toComplete)
	}
}

// parseSets turns --set PATH=VALUE into the trigger's overrides: VALUE is JSON when it parses
// as JSON (numbers, true, false, null, "quoted", objects, arrays), else the string as typed.
func parseSets(sets []string) ([]map[string]any, error) {
	out := []map[string]any{}
	for _, s := range sets {
		path, value, ok := strings.Cut(s, "=")
		if !ok || path == "" || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
			return nil, usagef("--set %q is not PATH=VALUE, such as error.error_code=ITEM_LOCKED or new_transactions=3", s)
		}
		raw := json.RawMessage(value)
		if !json.Valid(raw) || strings.TrimSpace(value) == "" {
			b, _ := json.Marshal(value)
			raw = b
		}
		out = append(out, map[string]any{"path": path, "value": raw})
	}
	return out, nil
}

func (a *app) runWebhooksTrigger(ctx context.Context, f *triggerFlags, args []string) error {
	link := strings.EqualFold(args[0], "LINK")
	switch {
	case link && f.linkToken == "":
		return usagef("LINK webhooks are about a Hosted Link session: give --link-token (the token `link --hosted` made)")
	case link && f.item != "":
		return usagef("LINK webhooks are about a Link token, not an Item: drop --item")
	case !link && f.item == "":
		return usagef("`webhooks trigger` needs --item: a saved Item's name or an item_id (`plaid-onboard items` lists them)")
	case !link && f.linkToken != "":
		return usagef("--link-token is for LINK webhooks; %s webhooks are about an Item (--item)", strings.ToUpper(args[0]))
	}
	if f.url != "" {
		if u, err := url.Parse(f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--url %q is not an http(s) URL", f.url)
		}
	}
	sets, err := parseSets(f.sets)
	if err != nil {
		return err
	}
	s, err := a.openSession(f.session)
	if err != nil {
		return err
	}
	defer s.close()
	ctl, err := emulatorFor(f.emulator, s.cfg.APIURL, s.cfg.Demo, a.d.HTTPClient)
	if errors.Is(err, errNoEmulator) {
		return usagef("`webhooks trigger` needs the emulator: run it with --demo, or start `plaid-onboard emulator` and point PLAID_API_URL (or --emulator) at it. Plaid's Sandbox fires its own shorter list with /sandbox/item/fire_webhook")
	}
	if err != nil {
		return err
	}
	req := map[string]any{"type": strings.ToUpper(args[0]), "code": strings.ToUpper(args[1]), "set": sets, "url": f.url}
	saved, token := a.triggerItem(s, f.item)
	switch {
	case link:
		req["link_token"] = f.linkToken
	case token != "":
		req["access_token"] = token
	case saved.ItemID != "":
		req["item_id"] = saved.ItemID
	default:
		req["item_id"] = f.item
	}
	body, _ := json.Marshal(req)
	var res emulator.TriggerAnswer
	if err := ctl.post(ctx, "/_emulator/webhooks/trigger", "application/json", body, &res); err != nil {
		if strings.Contains(err.Error(), "has no webhook") {
			return fmt.Errorf("%w. Give --url, or run %s in another terminal: it becomes the webhook of the saved Items", err,
				present.VoiceOf(s.cfg).Command("webhooks listen"))
		}
		return err
	}
	if res.Retrying && s.cfg.Demo {
		// The demo's emulator ends with this command: there is no one left to retry.
		res.Retrying = false
	}
	if res.Effect != "" && saved.ItemID != "" && s.flow != nil {
		// The index's health is what `items` shows and what the next demo run restores the Item
		// with: it must follow the Item's new state.
		_, _ = s.flow.ItemStatus(ctx, saved.ItemID)
	}
	return a.printResult(f.print.json, res, func(w io.Writer) error { return writeTriggered(w, res, saved.Name) })
}

// triggerItem finds a saved Item by name or id and its access token; an Item not saved here is
// named to the emulator by the id as given.
func (a *app) triggerItem(s *session, ref string) (vault.SavedItem, string) {
	if s.vault == nil {
		return vault.SavedItem{}, ""
	}
	ns := s.cfg.Namespace()
	it, err := s.vault.FindItem(ns, ref)
	if err != nil {
		return vault.SavedItem{}, ""
	}
	tok, err := s.vault.AccessToken(ns, it.ItemID)
	if err != nil {
		return it, ""
	}
	return it, tok
}

// writeTriggered says what was sent and how it was taken, then the body as sent.
func writeTriggered(w io.Writer, r emulator.TriggerAnswer, name string) error {
	item := "Item " + sanitize.Line(r.ItemID, sanitize.Field)
	if name != "" {
		item = "Item " + sanitize.Line(name, sanitize.Name) + " (" + sanitize.Line(r.ItemID, sanitize.Field) + ")"
	}
	if r.WebhookType == "LINK" {
		item = "the Hosted Link session"
	}
	where := sanitize.Line(r.URL, sanitize.Field)
	var outcome string
	switch {
	case r.Skipped != "":
		outcome = "not sent: " + sanitize.Line(r.Skipped, sanitize.Message)
	case r.Status >= 200 && r.Status < 300:
		outcome = fmt.Sprintf("the receiver answered %d", r.Status)
	case r.Status == 0:
		outcome = "the receiver did not answer"
	default:
		outcome = fmt.Sprintf("the receiver answered %d", r.Status)
	}
	if r.Retrying {
		outcome += "; the emulator retries it in the background, as Plaid does, while it runs"
	}
	fmt.Fprintf(w, "Sent %s %s for %s to %s: %s\n", sanitize.Line(r.WebhookType, sanitize.Field),
		sanitize.Line(r.WebhookCode, sanitize.Field), item, where, outcome)
	if r.Effect != "" {
		fmt.Fprintf(w, "Then: %s\n", sanitize.Line(r.Effect, sanitize.Message))
	}
	_, err := fmt.Fprintf(w, "%s\n", sanitize.JSON([]byte(r.Body)))
	return err
}
