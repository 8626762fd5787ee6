package emulator

import "slices"

// itemStatus is /item/get's status: when the Item's transactions and investments were last
// updated, and its last webhook. Plaid's clients' suites assert that an Item linked with
// transactions and investments reports both and no webhook yet (plaid-node test/item.spec.ts).
// The emulator updates neither product, so each reads as updated when the Item was made.
type itemStatus struct {
	Transactions *productUpdate `json:"transactions"`
	Investments  *productUpdate `json:"investments"`
	LastWebhook  *struct{}      `json:"last_webhook"`
}

// productUpdate is ItemStatusTransactions and ItemStatusInvestments.
type productUpdate struct {
	LastSuccessfulUpdate string  `json:"last_successful_update"`
	LastFailedUpdate     *string `json:"last_failed_update"`
}

// status is it's /item/get status: a product's update for the products it is billed for.
func (it *item) status() itemStatus {
	var st itemStatus
	made := &productUpdate{LastSuccessfulUpdate: rfc3339(it.created)}
	if slices.Contains(it.billed, "transactions") {
		st.Transactions = made
	}
	if slices.Contains(it.billed, "investments") {
		st.Investments = made
	}
	return st
}
