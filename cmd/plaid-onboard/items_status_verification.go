package main

import (
	"context"
	"fmt"
	"io"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// statusDocument is `items status --json`: /item/get's status and, when the Item answers, its
// accounts with their verification_status.
type statusDocument struct {
	*plaidflow.ItemStatus
	Verification *plaidflow.Verification `json:"verification,omitempty"`
}

// itemVerification reads the accounts' verification_status of a healthy Item; an Item that
// needs a new login cannot list its accounts, and its status already says why.
func (a *app) itemVerification(ctx context.Context, s *session, st *plaidflow.ItemStatus) *plaidflow.Verification {
	if !st.Health.Healthy {
		return nil
	}
	v, err := s.flow.Verification(ctx, st.ItemID)
	if err != nil {
		fmt.Fprintf(a.d.Stderr, "! accounts not read: %v\n", err)
		return nil
	}
	return v
}

// writeItemVerification prints the accounts' verification_status under the status.
func writeItemVerification(w io.Writer, v *plaidflow.Verification) error {
	if v == nil {
		return nil
	}
	method := v.AuthMethod
	if method == "" {
		method = "-"
	}
	fmt.Fprintf(w, "\nAuth method %s\n", method)
	return writeVerification(w, v.Accounts)
}
