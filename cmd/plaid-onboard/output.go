package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

const demoBanner = "OFFLINE DEMO: the built-in emulator answered, not Plaid. No real bank was contacted."

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printResult prints a readable report of a finished flow: the Item, the accounts with their
// balances, then every number family Plaid returned for each account.
func printResult(w io.Writer, res *plaidflow.Result, mask bool) error {
	if res.Demo {
		fmt.Fprintln(w, demoBanner)
		fmt.Fprintln(w)
	}
	inst := "unknown institution"
	if res.Institution != nil {
		inst = res.Institution.Name
		if res.Institution.ID != "" {
			inst += " (" + res.Institution.ID + ")"
		}
	}
	fmt.Fprintf(w, "Institution  %s\n", inst)
	fmt.Fprintf(w, "Item         %s", res.ItemID)
	if res.ItemName != "" {
		fmt.Fprintf(w, "  (name %q)", res.ItemName)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Environment  %s\n", envLabel(res))
	fmt.Fprintf(w, "Saved        %s\n", storageLine(res.Storage))
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tMASK\tTYPE\tAVAILABLE\tCURRENT\tLIMIT")
	for _, a := range res.Accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, deref(a.Mask, "-"), accountType(a),
			money(a.Balances.Available, a.Balances), money(a.Balances.Current, a.Balances), money(a.Balances.Limit, a.Balances))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	for _, a := range res.Accounts {
		fmt.Fprintf(w, "\n%s", a.Name)
		if a.Mask != nil {
			fmt.Fprintf(w, " ••%s", *a.Mask)
		}
		fmt.Fprintf(w, "  [%s]\n", a.ID)
		for _, line := range numberLines(res.NumbersFor(a.ID), mask) {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	return nil
}

// numberLines renders every number family of one account, one line each.
func numberLines(n plaidflow.AccountNumbers, mask bool) []string {
	hide := func(s string) string {
		if mask {
			return plaidflow.Mask(s)
		}
		return s
	}
	var lines []string
	for _, x := range n.ACH {
		line := fmt.Sprintf("ACH            account %s  routing %s", hide(x.Account), x.Routing)
		if x.WireRouting != nil {
			line += "  wire routing " + *x.WireRouting
		}
		if x.Tokenized {
			line += "  (tokenized account number)"
		}
		lines = append(lines, line)
	}
	for _, x := range n.EFT {
		lines = append(lines, fmt.Sprintf("EFT            account %s  institution %s  branch %s", hide(x.Account), x.Institution, x.Branch))
	}
	for _, x := range n.International {
		iban := plaidflow.FormatIBAN(x.IBAN)
		if mask {
			iban = plaidflow.Mask(x.IBAN)
		}
		lines = append(lines, fmt.Sprintf("International  IBAN %s  BIC %s", iban, x.BIC))
	}
	for _, x := range n.BACS {
		lines = append(lines, fmt.Sprintf("BACS           account %s  sort code %s", hide(x.Account), plaidflow.FormatSortCode(x.SortCode)))
	}
	if len(lines) == 0 {
		lines = append(lines, "no account or routing numbers returned for this account")
	}
	return lines
}

func envLabel(res *plaidflow.Result) string {
	if res.Demo {
		return "offline demo (emulated Sandbox)"
	}
	return plaidflow.Env(res.Environment).Title()
}

func storageLine(s plaidflow.Storage) string {
	if s.Saved {
		return s.Where
	}
	if s.Problem != "" {
		return "NOT saved: " + s.Problem
	}
	return s.Where
}

func accountType(a plaidflow.Account) string {
	if a.Subtype != nil && *a.Subtype != "" {
		return a.Type + "/" + *a.Subtype
	}
	return a.Type
}

func money(v *float64, b plaidflow.Balances) string {
	if v == nil {
		return "-"
	}
	return strings.TrimSpace(fmt.Sprintf("%.2f %s", *v, b.Currency()))
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}
