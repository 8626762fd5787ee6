package plaidflow

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// The presentation of the Item commands' results, shared by the commands and the TUI's Items
// screen: the same words and columns everywhere.

// HealthLabel is the short health shown in lists: "ok", "ITEM_LOGIN_REQUIRED", "unknown".
func HealthLabel(it vault.SavedItem) string {
	if it.Health == "" {
		return "unknown"
	}
	return it.Health
}

// when prints a time for lists, or "—" for never.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// WriteItems prints the saved Items, in the order given (ItemsNewestFirst's), as a table:
// name, item id, institution, environment, created, last used, last known health.
func WriteItems(w io.Writer, items []vault.SavedItem, environment string, v present.Voice) {
	rows := [][]string{{"NAME", "ITEM ID", "INSTITUTION", "ENVIRONMENT", "CREATED", "LAST USED", "HEALTH"}}
	for _, it := range items {
		rows = append(rows, []string{present.Name(it.Name), it.ItemID, present.OrDash(present.Name(it.InstitutionName)), environment, when(it.CreatedAt), when(it.LastUsed), HealthLabel(it)})
	}
	present.WriteTable(w, rows, 99)
	for _, it := range items {
		if NeedsRepair(it.Health) {
			fmt.Fprintf(w, "\n%s: %s\n  repair: %s\n", it.Name, healthMeaning(it.Health, v), v.Repair(it.Name))
		}
	}
}

// WriteStatus prints an ItemStatus: health and what it means, products, consent, webhook.
func WriteStatus(w io.Writer, st *ItemStatus) {
	inst := present.OrDash(present.Name(st.InstitutionName))
	if st.InstitutionID != "" {
		inst += " (" + st.InstitutionID + ")"
	}
	health := "healthy"
	if !st.Health.Healthy {
		health = st.Health.Code
	}
	consent := "none (this Item's consent does not expire)"
	if st.ConsentExpiration != nil {
		consent = st.ConsentExpiration.Local().Format("2006-01-02 15:04 MST")
	}
	webhook := "none"
	if st.Webhook != nil {
		webhook = *st.Webhook
	}
	fields := [][2]string{
		{"Item", fmt.Sprintf("%s  (name %q)", st.ItemID, present.Name(st.Item.Name))},
		{"Institution", inst},
		{"Health", health},
		{"Meaning", st.Health.Meaning},
	}
	if st.Health.Next != "" {
		fields = append(fields, [2]string{"Next", st.Health.Next})
	}
	v := present.Voice{Demo: st.Demo}
	if st.Error != nil && st.Error.ErrorMessage != "" {
		fields = append(fields, [2]string{v.WhoUpper() + " said", st.Error.ErrorMessage})
	}
	fields = append(fields,
		[2]string{v.Billed(), present.OrDash(strings.Join(st.BilledProducts, ", "))},
		[2]string{"Available", present.OrDash(strings.Join(st.AvailableProducts, ", "))},
		[2]string{"Consent", consent},
		[2]string{"Webhook", webhook},
		[2]string{"Checked", st.FetchedAt.Local().Format("2006-01-02 15:04:05") + " · request_id " + st.RequestID},
	)
	width := 12 // the labels in a column, however long "The emulator said" makes it
	for _, f := range fields {
		width = max(width, len(f[0]))
	}
	for _, f := range fields {
		fmt.Fprintf(w, "%-*s %s\n", width, f[0], f[1])
	}
}

// WriteBalances prints live balances with the time they were fetched.
func WriteBalances(w io.Writer, b *LiveBalances) {
	inst := "unknown institution"
	if b.Institution != nil && b.Institution.Name != "" {
		inst = present.Name(b.Institution.Name)
	}
	fmt.Fprintf(w, "Item         %s  (name %q) · %s\n", b.ItemID, present.Name(b.ItemName), inst)
	fmt.Fprintf(w, "Fetched      %s (live, /accounts/balance/get) · request_id %s\n\n", b.FetchedAt.Local().Format("2006-01-02 15:04:05 MST"), b.RequestID)
	rows := [][]string{{"ACCOUNT", "MASK", "TYPE", "AVAILABLE", "CURRENT", "LIMIT"}}
	for _, a := range b.Accounts {
		rows = append(rows, []string{present.Name(a.Name), present.MaskLabel(a), present.TypeLabel(a), present.Available(a), present.Current(a), present.Limit(a)})
	}
	present.WriteTable(w, rows, 3)
}

// WriteProcessorToken prints a processor token with what to do with it next.
func WriteProcessorToken(w io.Writer, pt *ProcessorToken) {
	mask := "—"
	if pt.Account.Mask != nil {
		mask = *pt.Account.Mask
	}
	fmt.Fprintf(w, "Processor    %s\n", pt.Processor)
	fmt.Fprintf(w, "Item         %s  (name %q)\n", pt.ItemID, pt.ItemName)
	fmt.Fprintf(w, "Account      %s ••%s  [%s]\n", pt.Account.Name, mask, pt.Account.ID)
	fmt.Fprintf(w, "%-12s %s\n", pt.Kind, pt.Token)
	fmt.Fprintf(w, "request_id   %s\n\nNext:\n", pt.RequestID)
	for _, n := range pt.Next {
		fmt.Fprintf(w, "  • %s\n", n)
	}
	fmt.Fprintln(w, "Docs:")
	for _, d := range pt.Docs {
		fmt.Fprintf(w, "  %s\n", d)
	}
}
