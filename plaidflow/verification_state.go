package plaidflow

import (
	"context"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// What the terminal UI's verification status screen needs besides the Auth flows' journeys: a
// saved Item's webhook pointed at the session's receiver, and each webhook on the timeline.

// SetItemWebhook points a saved Item's webhook at target (/item/webhook/update), so the
// session's receiver gets what Plaid sends for it.
func (f *Flow) SetItemWebhook(ctx context.Context, ref, target string) error {
	return f.setWebhook(ctx, ref, target)
}

// SandboxJourneyFor makes an Item for an Auth flow without a browser (Sandbox only), for the
// flows Sandbox makes that way (AuthFlow.WithoutLink: Automated micro-deposits, with the
// microdeposits_good password); the others are a *NeedsLinkError. Its numbers step is the
// flows' one: a pending account does not fail it.
func (f *Flow) SandboxJourneyFor(flow string) (*Journey, error) {
	fl, err := FindAuthFlow(flow)
	if err != nil {
		return nil, err
	}
	if !fl.WithoutLink {
		return nil, &NeedsLinkError{Flow: fl}
	}
	j, err := f.SandboxJourneyAs(fl.InstitutionID, &SandboxUser{Username: fl.Username, Password: fl.Password, Label: fl.Title})
	if err != nil {
		return nil, err
	}
	j.authFlow = fl.Name
	return j, nil
}

// RefreshFlow reads a saved Item again as the Auth flows' numbers step does: every account with
// its verification_status, and the numbers of the verified ones. The status screen calls it
// after a status change (set_verification_status, a webhook) to show where the Item is now.
func (f *Flow) RefreshFlow(ctx context.Context, ref, flow string) (*plaidapi.Result, error) {
	c, err := f.savedItem(ref)
	if err != nil {
		return nil, err
	}
	var inst *plaidapi.Institution
	if c.item.InstitutionID != "" {
		inst = &plaidapi.Institution{ID: c.item.InstitutionID, Name: c.item.InstitutionName}
	}
	res, err := f.flowNumbers(ctx, c.token, inst)
	if err := f.observe(c, err); err != nil {
		return nil, err
	}
	where := ""
	if f.Vault != nil {
		where = f.Vault.Where()
	}
	f.finish(Saved{Item: c.item, Storage: plaidapi.Storage{Saved: true, Where: where}}, res)
	res.ItemID = c.item.ItemID
	(&Journey{flow: f, authFlow: flow}).describeFlow(res)
	return res, nil
}
