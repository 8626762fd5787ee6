package plaidflow_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
)

// TestAttackOutputLinkMetadataCannotNameTheBank: Link's onSuccess metadata reaches the program
// through the page, so a hostile page can name any bank, with escapes and 5,000 characters.
// The Item is First Platypus Bank at Plaid (its institution_id in /auth/get's item, its name from
// /institutions/get_by_id, https://plaid.com/docs/api/institutions/#institutionsget_by_id): the
// index, the result and the page say Plaid's bank, and no name is stored or shown longer than
// sanitize.Name.
func TestAttackOutputLinkMetadataCannotNameTheBank(t *testing.T) {
	fx := newFixture(t, "US")
	pub := publicToken(t, fx)
	forged := "Big Trusted Bank\x1b]0;owned\x07" + strings.Repeat("B", 5000)
	ui := &fakeLink{publicToken: pub, instID: "ins_3", instName: forged}
	j := fx.flow.LinkJourney(func() plaidflow.LinkUI { return ui }, nil)
	var details []string
	for !j.Done() {
		next, _ := j.Next()
		rep, err := j.Run(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", next.Failed(), err)
		}
		details = append(details, rep.Detail)
	}
	if !strings.Contains(details[1], "as Link named it") || strings.ContainsRune(details[1], 0x1b) || utf8.RuneCountInString(details[1]) > sanitize.Name+60 {
		t.Errorf("the Link step reports the page's bank as if it were Plaid's word, or raw: %.300q", details[1])
	}
	res := j.Result()
	if got := present.InstitutionName(res); got != "First Platypus Bank" || res.Institution.ID != "ins_109508" || res.Institution.FromLink {
		t.Errorf("the result names %q (%s), want Plaid's First Platypus Bank (ins_109508)", got, res.Institution.ID)
	}
	items, err := fx.vault.Items(fx.flow.Client.Config().Namespace())
	if err != nil || len(items) != 1 {
		t.Fatalf("index: %v %+v", err, items)
	}
	if it := items[0]; it.InstitutionID != "ins_109508" || it.InstitutionName != "First Platypus Bank" || it.Name != "first-platypus-bank" {
		t.Errorf("the index keeps the page's bank: %s %q named %q", it.InstitutionID, it.InstitutionName, it.Name)
	}
	if len(ui.finished) != 1 || strings.Contains(ui.finished[0], "Big Trusted") {
		t.Errorf("the page was told %q", ui.finished)
	}
}
