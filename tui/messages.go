package tui

import (
	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// Messages state facts, in the past tense. Each request the UI makes carries an id so that an
// answer to a request that no longer matters (the keys were edited, the user went back) is
// dropped rather than acted on.

// op names what was being done when an error came back.
type op int

const (
	opCreateLinkToken op = iota + 1
	opResolveKeys
	opSaveKeys
	opCopy
	opOpenBrowser
	opItemAction
)

// errMsg is a failed command.
type errMsg struct {
	op  op
	id  int
	err error
}

// linkTokenCreatedMsg: /link/token/create answered for the keys on screen; the keys work.
type linkTokenCreatedMsg struct {
	id     int
	client *plaidapi.Client
	token  plaidapi.LinkToken
}

// keysResolvedMsg: the keys for env were looked up again (flags > environment > .env >
// keyring), after the user switched environments.
type keysResolvedMsg struct {
	env   config.Env
	cfg   config.Config
	notes []string
	err   error
}

// keysSavedMsg: the keys went to the keyring.
type keysSavedMsg struct {
	env config.Env
}

// keysConfirmedMsg: the keys screen is done (keys checked, saving answered, Production
// confirmed) and hands over a client and the Link token of the check, when it is still good.
type keysConfirmedMsg struct {
	client *plaidapi.Client
	token  *plaidapi.LinkToken
	notice string
}

// linkUpdatedMsg: the Link page of journey run reported something (it started, the browser
// opened, Link called back).
type linkUpdatedMsg struct {
	run int
	u   linkpage.Update
	// hosted is set instead of u by a Hosted Link session (link_hosted.go).
	hosted plaidflow.HostedUpdate
}

// browserOpenedMsg: o asked the browser to open the page again; err says why it did not.
type browserOpenedMsg struct {
	err error
}

// retriedMsg: a Plaid call that is safe to repeat failed (429, 5xx, the network) and is about
// to be tried again.
type retriedMsg struct{ retry plaidapi.Retry }

// stepRanMsg: a step of the journey run id ended, done (rep) or failed (err).
type stepRanMsg struct {
	id  int
	rep plaidflow.StepReport
	err error
}

// accountLinkedMsg: Link (or the Sandbox shortcut) is past; the journey's remaining steps are
// the working screen's to run.
type accountLinkedMsg struct {
	journey *plaidflow.Journey
	kind    journeyKind
	title   string
}

// numbersShownMsg: the finished checklist has been on screen long enough to be seen; the
// result is ready for the results screen.
type numbersShownMsg struct {
	id   int
	res  *plaidapi.Result
	kind journeyKind
	// unsaved is the journey when its Item exists at Plaid but was not saved here: its access
	// token is only in that journey's memory, so only it can remove the Item.
	unsaved *plaidflow.Journey
}

// unsavedRemovedMsg: /item/remove answered for an Item that was never saved.
type unsavedRemovedMsg struct {
	itemID string
	err    error
}

// savedItemsLoadedMsg: the vault listed the Items saved in namespace ns by earlier runs.
type savedItemsLoadedMsg struct {
	ns    string
	items []vault.SavedItem
	err   error
	// read numbers the reads of the index in the order they began (0: not numbered). Loads run
	// side by side, so an older read can answer after a newer one; the root keeps the newest.
	read int64
}

// savedItemPickedMsg: the user chose a saved Item whose numbers to fetch.
type savedItemPickedMsg struct {
	item vault.SavedItem
}

// clipboardSentMsg: what was sent to the terminal's clipboard (OSC 52); whether it arrived
// cannot be known.
type clipboardSentMsg struct {
	what string
}

// itemAction is what the Items screen asked Plaid or the vault to do to a saved Item.
type itemAction int

const (
	actStatus itemAction = iota + 1
	actBalances
	actAccounts // the accounts to pick from, before a processor token
	actRename
	actRemove
	actForget
	actRotate
	actProcessor
	actResetLogin
)

// itemActedMsg: an action on the saved Item itemID came back, with its outcome (out: the
// plaidflow value the action returns) or err. The Item is the one the action was about, as the
// screen knew it when asking.
type itemActedMsg struct {
	id     int
	action itemAction
	item   vault.SavedItem
	out    any
	err    error
}

// repairRequestedMsg: the user chose to repair the saved Item with Link in update mode.
type repairRequestedMsg struct {
	itemID, name string
}

// Navigation facts, sent by a screen to the root.
type (
	keysEditRequestedMsg    struct{}
	anotherLinkRequestedMsg struct{}
	itemsRequestedMsg       struct{} // i on the link screen and on the results
	itemsClosedMsg          struct{} // esc from the Items screen: back where it was opened from
	linkReturnRequestedMsg  struct{} // esc from a failed saved-Item fetch
)

// journeyKind is which journey the working screen runs.
type journeyKind int

const (
	journeyLink journeyKind = iota
	journeySandbox
	journeySaved
	journeyUpdate // Link in update mode, repairing a saved Item
)
