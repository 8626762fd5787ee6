package tui

import (
	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// Messages state facts, in the past tense. Each request the UI makes carries an id so that an
// answer to a request that no longer matters (the keys were edited, the user went back) is
// dropped rather than acted on.

// op names what was being done when an error came back.
type op int

const (
	opCreateLinkToken op = iota + 1
	opStartLinkPage
	opSandboxPublicToken
	opExchange
	opNumbers
	opSaveKeys
	opCopy
	opSavedNumbers
)

// errMsg is a failed command.
type errMsg struct {
	op  op
	id  int
	err error
}

// linkTokenCreatedMsg: /link/token/create answered; the keys work.
type linkTokenCreatedMsg struct {
	id     int
	client *plaidflow.Client
	token  plaidflow.LinkToken
}

// savedKeysLoadedMsg: the keyring was asked for the keys of an environment.
type savedKeysLoadedMsg struct {
	env              plaidflow.Env
	clientID, secret string
	err              error
}

// keysSavedMsg: the keys went to the keyring.
type keysSavedMsg struct {
	env plaidflow.Env
}

// keysConfirmedMsg: the keys screen is done (keys checked, saving answered, Production
// confirmed) and hands over a client and a fresh Link token.
type keysConfirmedMsg struct {
	client *plaidflow.Client
	token  plaidflow.LinkToken
	notice string
}

// linkPageStartedMsg: the loopback Link page is listening.
type linkPageStartedMsg struct {
	id   int
	page *linkpage.Server
}

// linkEventReceivedMsg: the Link page forwarded a callback.
type linkEventReceivedMsg struct {
	page *linkpage.Server
	ev   linkpage.Event
}

// linkPageClosedMsg: a Link page shut down (its events channel closed).
type linkPageClosedMsg struct {
	page *linkpage.Server
}

// browserOpenedMsg: the browser was asked to open url; err says why it did not.
type browserOpenedMsg struct {
	url string
	err error
}

// publicTokenReceivedMsg: Link (or the Sandbox shortcut) produced a public token.
type publicTokenReceivedMsg struct {
	linked  plaidflow.Linked
	sandbox bool
}

// publicTokenExchangedMsg: /item/public_token/exchange answered.
type publicTokenExchangedMsg struct {
	id int
	ex plaidflow.Exchanged
}

// itemSavedMsg: the save step ended, saved or not (Storage says which, and why).
type itemSavedMsg struct {
	id    int
	saved plaidflow.Saved
}

// numbersFetchedMsg: /auth/get (and the institution) answered.
type numbersFetchedMsg struct {
	id  int
	res *plaidflow.Result
}

// stepsSettledMsg: the finished checklist has been on screen long enough to be seen.
type stepsSettledMsg struct {
	id  int
	res *plaidflow.Result
}

// savedItemsLoadedMsg: the vault listed the Items saved in namespace ns by earlier runs.
type savedItemsLoadedMsg struct {
	ns    string
	items []plaidflow.SavedItem
	err   error
}

// savedNumbersFetchedMsg: /auth/get answered for a saved Item.
type savedNumbersFetchedMsg struct {
	id   int
	item plaidflow.SavedItem
	res  *plaidflow.Result
}

// clipboardCopiedMsg: the numbers were sent to the terminal's clipboard.
type clipboardCopiedMsg struct {
	what string
}

// Navigation facts, sent by a screen to the root.
type (
	keysEditRequestedMsg    struct{}
	anotherLinkRequestedMsg struct{}
	savedItemsRequestedMsg  struct{} // a on the link screen
	linkReturnRequestedMsg  struct{} // esc on the saved Items screen
)
