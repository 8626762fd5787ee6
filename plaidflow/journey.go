package plaidflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// A Journey is one run of the flow, as steps in the order Plaid requires. The front ends drive
// it one step at a time: the terminal UI runs each step as a command, shows it ticked and
// retries a failed one by calling Run again; a scripted command calls RunAll. Neither decides
// what comes next: the order, what each step needs and what it hands on live here.
//
//	Link:    link token → Link → exchange → save → numbers
//	Sandbox: sandbox public token → exchange → save → numbers   (Sandbox only)
//	Saved:   numbers, with the access token saved by an earlier run
//
// The Item is saved the moment the exchange returns, before anything else can fail: an access
// token that is not saved is lost when the program exits.
type Journey struct {
	flow  *Flow
	steps []StepID
	next  int

	// Link journeys: a fresh LinkUI for each Link session (a new one after Link exits).
	openLink func() LinkUI
	ui       LinkUI
	uiMu     sync.Mutex // ui is read by Close from another goroutine than Run's
	uiClosed bool       // Close stopped the Link UI of the session in progress
	told     bool       // the Link UI was told how the flow ended
	// closed is set by Close: a Link step that was still starting must not open a page
	// that nobody would ever close.
	closed bool

	sandboxInstitution string
	sandboxUser        *SandboxUser // nil: user_good
	savedRef           string
	update             *updateState
	authFlow           string       // LinkJourneyFor: the Auth flow ("" for Instant Auth)
	verify             *verifyState // VerifyJourney
	hosted             *hostedState // HostedLinkJourney

	linkToken plaidapi.LinkToken
	linked    Linked
	ex        plaidapi.Exchanged
	saved     Saved
	result    *plaidapi.Result
}

// errJourneyClosed is the Link step's error when the journey was closed while the step was
// starting: no page is served for it.
var errJourneyClosed = errors.New("the link journey was closed")

// ExchangeTimeout bounds /item/public_token/exchange, which an interrupt does not cancel.
const ExchangeTimeout = plaidapi.CallTimeout

// StepID names a step of a Journey.
type StepID int

// The steps, in the order a Journey can hold them.
const (
	StepLinkToken StepID = iota + 1
	StepLink
	StepSandboxToken
	StepExchange
	StepSave
	StepNumbers
	// StepRelink is Link in update mode: the user logs in again to repair a saved Item; its
	// public token is not exchanged (the Item keeps its access token).
	StepRelink
)

// stepWords are the phrases both front ends show for a step: to do, under way, done, failed.
var stepWords = map[StepID][4]string{
	StepLinkToken:    {"Create a Link token", "Creating a Link token…", "Created a Link token", "Could not create a Link token"},
	StepLink:         {"Link a bank account in the browser", "Waiting for Link in the browser…", "Link handed over a public token", "Link did not link an account"},
	StepSandboxToken: {"Make a Sandbox Item (no browser)", "Making a Sandbox Item with /sandbox/public_token/create…", "Made a Sandbox Item", "Could not make a Sandbox Item"},
	StepExchange:     {"Exchange the public token", "Exchanging the public token for an access token…", "Exchanged the public token", "Could not exchange the public token"},
	StepSave:         {"Save the Item in the keyring", "Saving the Item in the OS keyring…", "Saved the Item", "The Item was not saved"},
	StepNumbers:      {"Fetch the account and routing numbers", "Fetching the account and routing numbers…", "Fetched the account and routing numbers", "Could not fetch the numbers"},
	StepRelink:       {"Log in again with Link (update mode)", "Waiting for Link (update mode) in the browser…", "Link repaired the Item's login", "Link did not repair the Item"},
}

// Todo is the step before it runs ("Exchange the public token").
func (s StepID) Todo() string { return stepWords[s][0] }

// Doing is the step under way ("Exchanging the public token for an access token…").
func (s StepID) Doing() string { return stepWords[s][1] }

// String is the step done ("Exchanged the public token").
func (s StepID) String() string {
	if w, ok := stepWords[s]; ok {
		return w[2]
	}
	return fmt.Sprintf("Step(%d)", int(s))
}

// Failed is the step's headline when it failed ("Could not exchange the public token").
func (s StepID) Failed() string { return stepWords[s][3] }

// WaitsForLink reports whether the step waits for the user in Link (the page, update mode, the
// micro-deposit code, Hosted Link): when it fails, the journey starts again with a new token.
func (s StepID) WaitsForLink() bool {
	return s == StepLink || s == StepRelink || s == StepMicroDeposit || s == StepHostedLink
}

// LinkUI is Plaid Link in front of the user for one Link session. The program's is the
// loopback Link page (linkpage.Session); tests use a fake. Its values are basic types so the
// Link page need not import this package.
type LinkUI interface {
	// Link runs Link with linkToken until it hands over a public token (with the institution the
	// user picked, when known) or closes without one: then err is a LinkExit, or says why
	// Link could not run.
	Link(ctx context.Context, linkToken string) (publicToken, institutionID, institutionName string, err error)
	// Finish tells the user, where Link ran, how the whole flow ended.
	Finish(ok bool, message string)
	// Close ends the session (the page stops). It is safe to call more than once.
	Close() error
}

// StepReport is what a step did, for the front end to show under its tick.
type StepReport struct {
	Step StepID
	// Detail is a short fact: "item_id …", "3 accounts · request_id …".
	Detail string
	// Warning is set when the step completed without doing its job but did not stop the flow:
	// an Item that could not be saved.
	Warning string
	// Skipped is set when the step had nothing to do (saving is off for this session).
	Skipped bool
	// Notice is something the user should know that is not a failure: the institution already
	// has a saved Item (Plaid bills per Item), or the Item exists at Plaid but was not saved.
	Notice string
	Took   time.Duration
	// Done is the step's words when done, where they depend on what it did (the numbers of a
	// UK Item are sort codes, not routing numbers); "" for the step's usual ones (Words).
	Done string
}

// Words is what the step did, in the words the front ends tick it off with.
func (r StepReport) Words() string {
	if r.Done != "" {
		return r.Done
	}
	return r.Step.String()
}

// LinkJourney is the browser flow. openLink makes the Link UI for each Link session; ready, when
// not nil, is a Link token made ahead (the terminal UI's key check), so the first step is done.
func (f *Flow) LinkJourney(openLink func() LinkUI, ready *plaidapi.LinkToken) *Journey {
	j := &Journey{flow: f, openLink: openLink, steps: []StepID{StepLinkToken, StepLink, StepExchange, StepSave, StepNumbers}}
	if ready != nil && ready.Token != "" {
		j.linkToken = *ready
		j.next = 1
	}
	return j
}

// SandboxJourney makes an Item without a browser at institutionID (First Platypus Bank when
// empty). It exists only in Sandbox; elsewhere it returns ErrSandboxOnly.
func (f *Flow) SandboxJourney(institutionID string) (*Journey, error) {
	return f.SandboxJourneyAs(institutionID, nil)
}

// SandboxJourneyAs is SandboxJourney with another Sandbox login: a scenario's or a user_custom
// configuration (see Scenario, LoadUserCustom); nil is user_good.
func (f *Flow) SandboxJourneyAs(institutionID string, user *SandboxUser) (*Journey, error) {
	if err := f.Client.Config().SandboxOnly(); err != nil {
		return nil, err
	}
	if institutionID == "" {
		institutionID = plaidapi.DefaultSandboxInstitution
	}
	return &Journey{flow: f, sandboxInstitution: institutionID, sandboxUser: user, steps: []StepID{StepSandboxToken, StepExchange, StepSave, StepNumbers}}, nil
}

// SavedJourney fetches the numbers of an Item saved by an earlier run (ref: its id or name;
// empty when only one is saved), with its access token from the keyring: no Link, no exchange.
func (f *Flow) SavedJourney(ref string) *Journey {
	return &Journey{flow: f, savedRef: ref, steps: []StepID{StepNumbers}}
}

// updateState is what an update-mode journey knows about the Item it repairs.
type updateState struct {
	ref           string
	accountSelect bool
	call          itemCall
}

// UpdateJourney repairs a saved Item (ref: its id or name) with Link in update mode, as Plaid's
// update-mode guide says: a Link token made with the Item's access token and no products
// (account selection on when accountSelect is set, so the user can add or drop accounts), then
// Link, where the user logs in again; its public token is NOT exchanged, since the Item keeps its
// access token. Then the numbers are fetched again. After the keys are known that is 2 sequential
// round trips: /link/token/create, then /auth/get (with /institutions/get_by_id alongside).
// Use it for an Item whose health NeedsRepair; front ends drive it like LinkJourney.
func (f *Flow) UpdateJourney(openLink func() LinkUI, ref string, accountSelect bool) *Journey {
	return &Journey{flow: f, openLink: openLink, update: &updateState{ref: ref, accountSelect: accountSelect},
		steps: []StepID{StepLinkToken, StepRelink, StepNumbers}}
}

// Steps lists the journey's steps in order.
func (j *Journey) Steps() []StepID { return append([]StepID(nil), j.steps...) }

// Next is the step Run will run; ok is false when the journey is done.
func (j *Journey) Next() (step StepID, ok bool) {
	if j.next >= len(j.steps) {
		return 0, false
	}
	return j.steps[j.next], true
}

// Done reports whether every step has run.
func (j *Journey) Done() bool { return j.next >= len(j.steps) }

// Result is the finished journey's result (nil before the numbers step).
func (j *Journey) Result() *plaidapi.Result { return j.result }

// Institution is the bank as far as it is known yet (from Link or the Sandbox step), for
// headings like "Connecting First Platypus Bank"; nil when not known.
func (j *Journey) Institution() *plaidapi.Institution { return j.linked.Institution }

// ItemID is the Item's id once the exchange returned (or the saved Item's).
func (j *Journey) ItemID() string { return j.ex.ItemID }

// Saved is the outcome of the save step (zero before it).
func (j *Journey) Saved() Saved { return j.saved }

// recordSettings puts what a new Item's journey chose, which shapes Plaid's answers, in the
// session's settings (replacing an earlier journey's): the Sandbox institution and login, or the
// Auth flow of Link. Repairs and verifications make no Item and change nothing.
func (j *Journey) recordSettings() {
	if j.flow.Client == nil || j.update != nil || j.verify != nil {
		return
	}
	j.flow.Client.Timeline.Configure(func(s *transcript.Settings) {
		s.Institution, s.AuthFlow = j.sandboxInstitution, j.authFlow
		if j.sandboxInstitution == "" && j.authFlow == "" {
			s.AuthFlow = InstantAuth
		}
		j.sandboxUser.settle(s)
	})
}

// Run runs the next step. On success the journey moves on; on failure it stays on that step,
// so calling Run again retries it. The one exception is Link closing without an account: the
// Link token and the page belong to that session, so the journey goes back to a new Link token.
func (j *Journey) Run(ctx context.Context) (StepReport, error) {
	step, ok := j.Next()
	if !ok {
		return StepReport{}, errors.New("the flow is already complete")
	}
	start := j.flow.now()
	rep, err := j.run(ctx, step)
	rep.Step, rep.Took = step, j.flow.now().Sub(start)
	if j.flow.Client != nil {
		recordStep(j.flow.Client.Timeline, step, rep, err, j.closedDuring(step))
	}
	if err != nil {
		if step.WaitsForLink() {
			j.next = 0
		}
		j.tellLink(false, step)
		return rep, err
	}
	j.next++
	if j.Done() {
		j.tellLink(true, step)
	}
	return rep, nil
}

// RunAll runs every remaining step, telling progress after each one that completes.
func (j *Journey) RunAll(ctx context.Context, progress func(StepReport)) (*plaidapi.Result, error) {
	for !j.Done() {
		rep, err := j.Run(ctx)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(rep)
		}
	}
	return j.result, nil
}

// Close ends the current Link session, if any (the page is told and stops). Front ends call it
// when they leave a journey, finished or not.
func (j *Journey) Close() error {
	j.uiMu.Lock()
	j.closed = true
	j.uiMu.Unlock()
	j.hosted.stopReceiver()
	return j.closeUI()
}

// closeUI closes the Link UI of the last session, if one is open; the journey goes on.
func (j *Journey) closeUI() error {
	j.uiMu.Lock()
	ui := j.ui
	j.ui = nil
	j.uiClosed = ui != nil
	j.uiMu.Unlock()
	if ui == nil {
		return nil
	}
	return ui.Close()
}

// closedDuring reports whether a Link step ended because Close stopped its page (the user moved
// on: the Sandbox shortcut, a saved Item, back to the keys), which is no failure of Link.
func (j *Journey) closedDuring(step StepID) bool {
	if !step.WaitsForLink() {
		return false
	}
	j.uiMu.Lock()
	defer j.uiMu.Unlock()
	// closed: Close came while the step was still starting, and it opened no page at all.
	return j.closed || j.uiClosed && j.ui == nil
}

// tellLink tells the Link page, once, how the flow ended: the words are the flow's,
// the page only shows them.
func (j *Journey) tellLink(ok bool, step StepID) {
	j.uiMu.Lock()
	ui := j.ui
	j.uiMu.Unlock()
	if ui == nil || j.told || step.WaitsForLink() || step == StepLinkToken {
		return // a Link exit is shown by Link itself
	}
	j.told = true
	if ok {
		ui.Finish(true, fmt.Sprintf("Connected to %s. You can close this tab and return to the terminal.", present.InstitutionName(j.result)))
		return
	}
	ui.Finish(false, "Linked, but the terminal hit an error: look there for the details.")
}

// variantStep is how an update, verification or Auth-flow journey runs its Link token or
// numbers step in place of a new Item's; nil for every other step, and for a new Item's journey.
func (j *Journey) variantStep(step StepID) func(context.Context) (StepReport, error) {
	var linkToken, numbers func(context.Context) (StepReport, error)
	switch {
	case j.update != nil:
		linkToken, numbers = j.updateLinkToken, j.updateNumbers
	case j.verify != nil:
		linkToken, numbers = j.verifyLinkToken, j.verifyNumbers
	case j.authFlow != "":
		linkToken, numbers = j.authLinkToken, j.flowNumbersStep
	case j.hosted != nil:
		linkToken = j.hostedLinkToken // hosted.go
	}
	switch step {
	case StepLinkToken:
		return linkToken
	case StepNumbers:
		return numbers
	}
	return nil
}

func (j *Journey) run(ctx context.Context, step StepID) (StepReport, error) {
	if step == StepSandboxToken || step == StepLinkToken || step == StepLink { // StepLink: a token made ahead
		j.recordSettings()
	}
	if variant := j.variantStep(step); variant != nil {
		return variant(ctx)
	}
	f := j.flow
	switch step {
	case StepLinkToken:
		lt, err := f.Client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{})
		if err != nil {
			return StepReport{}, err
		}
		j.linkToken = lt
		return StepReport{Detail: "expires " + lt.Expiration.Local().Format("15:04")}, nil

	case StepLink, StepRelink, StepMicroDeposit, StepHostedLink:
		if err := j.closeUI(); err != nil {
			return StepReport{}, err
		}
		ui := j.openLink()
		j.uiMu.Lock()
		closed := j.closed
		if !closed {
			j.ui, j.told, j.uiClosed = ui, false, false
		}
		j.uiMu.Unlock()
		if closed {
			// The front end closed the journey while this step was starting (the user went
			// back, or quit): the page it would serve has no one to answer it.
			_ = ui.Close()
			return StepReport{}, errJourneyClosed
		}
		pub, instID, instName, err := ui.Link(ctx, j.linkToken.Token)
		if err != nil {
			return StepReport{}, err
		}
		if step == StepMicroDeposit {
			return StepReport{Detail: "code entered for ••" + present.MaskLabel(j.verify.account) + " · nothing exchanged"}, nil
		}
		if step == StepRelink {
			// Update mode: the Item keeps its access token; the public token is not exchanged.
			return StepReport{Detail: "the login of " + j.update.call.item.Name + " works again · nothing exchanged"}, nil
		}
		j.linked = Linked{PublicToken: pub}
		// Link's metadata reaches us through the page, not the API client: clean it the same way.
		// Any page could name any bank: it is a fallback, marked so, until Plaid names the
		// Item's institution itself (the numbers step).
		instID, instName = sanitize.Line(instID, sanitize.Field), sanitize.Line(instName, sanitize.Name)
		if instID != "" || instName != "" {
			j.linked.Institution = &plaidapi.Institution{ID: instID, Name: instName, FromLink: true}
		}
		return StepReport{Detail: "institution " + j.linked.describe(), Notice: f.DuplicateWarning(j.linked.Institution, "")}, nil

	case StepSandboxToken:
		linked, err := f.sandboxPublicToken(ctx, j.sandboxInstitution, j.sandboxUser)
		if err != nil {
			return StepReport{}, err
		}
		j.linked = linked
		return StepReport{Detail: "institution " + j.linked.describe() + " · " + j.sandboxUser.describe(), Notice: f.DuplicateWarning(j.linked.Institution, "")}, nil

	case StepExchange:
		// Once sent, the exchange is not cancelled with ctx (ctrl+c, SIGTERM): Plaid creates the
		// Item whether or not its answer is read, and an access token nobody reads is an Item
		// lost. It gets its own deadline instead; the save step that follows needs no context,
		// so an interrupted journey still saves the Item before it stops at the numbers.
		if err := ctx.Err(); err != nil {
			return StepReport{}, err // not sent yet: nothing to lose
		}
		xctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExchangeTimeout)
		defer cancel()
		if hook := f.OnExchangeInterrupted; hook != nil {
			// The step does not return before the hook has: a front end's writes stay in order.
			hooked := make(chan struct{})
			stop := context.AfterFunc(ctx, func() { defer close(hooked); hook() })
			defer func() {
				if !stop() {
					<-hooked
				}
			}()
		}
		ex, err := f.Client.Exchange(xctx, j.linked.PublicToken)
		if err != nil {
			return StepReport{}, err
		}
		j.ex = ex
		return StepReport{Detail: "item_id " + ex.ItemID}, nil

	case StepSave:
		j.saved = f.save(j.ex, j.linked.Institution)
		st := j.saved.Storage
		switch {
		case st.Saved:
			return StepReport{Detail: "in " + st.Where}, nil
		case st.Problem == "":
			return StepReport{Skipped: true, Detail: present.StorageLine(st), Notice: j.flow.unsavedHint(j.saved, j.ex.ItemID)}, nil
		}
		// What to do about the unsaved Item is said once, by the failure the front end reports
		// at the end (NotSavedError) or the TUI's results.
		return StepReport{Warning: present.StorageLine(st)}, nil

	case StepNumbers:
		if j.savedRef != "" || j.ex.AccessToken == "" {
			return j.savedNumbers(ctx)
		}
		res, err := f.numbers(ctx, j.ex.AccessToken, j.linked.Institution)
		if err := j.newItemNumbers(res, err); err != nil {
			return StepReport{}, err
		}
		return numbersReport(res), nil
	}
	return StepReport{}, fmt.Errorf("unknown step %d", step)
}

// savedNumbers is the numbers step of a saved Item.
func (j *Journey) savedNumbers(ctx context.Context) (StepReport, error) {
	f := j.flow
	c, err := f.savedItem(j.savedRef)
	if err != nil {
		return StepReport{}, err
	}
	item := c.item
	var inst *plaidapi.Institution
	if item.InstitutionID != "" {
		inst = &plaidapi.Institution{ID: item.InstitutionID, Name: item.InstitutionName}
	}
	j.linked.Institution = inst
	j.ex.ItemID = item.ItemID
	res, err := f.numbers(ctx, c.token, inst)
	if err := f.observe(c, err); err != nil {
		return StepReport{}, err
	}
	j.saved = Saved{Item: item, Storage: plaidapi.Storage{Saved: true, Where: f.Vault.Where()}}
	f.finish(j.saved, res)
	j.result = res
	return numbersReport(res), nil
}

// updateLinkToken is the first step of an update-mode journey: the saved Item and its token
// (keyring, no round trip), then /link/token/create with the token and no products.
func (j *Journey) updateLinkToken(ctx context.Context) (StepReport, error) {
	f := j.flow
	c, err := f.savedItem(j.update.ref)
	if err != nil {
		return StepReport{}, err
	}
	j.update.call = c
	j.ex.ItemID = c.item.ItemID
	if c.item.InstitutionID != "" {
		j.linked.Institution = &plaidapi.Institution{ID: c.item.InstitutionID, Name: c.item.InstitutionName}
	}
	lt, err := f.Client.CreateLinkToken(ctx, plaidapi.LinkTokenOptions{AccessToken: c.token, AccountSelection: j.update.accountSelect})
	if err != nil {
		return StepReport{}, f.observe(c, err)
	}
	j.linkToken = lt
	detail := "update mode for " + c.item.Name + " · expires " + lt.Expiration.Local().Format("15:04")
	if j.update.accountSelect {
		detail += " · account selection on"
	}
	return StepReport{Detail: detail}, nil
}

// updateNumbers fetches the repaired Item's numbers and records that it is healthy again.
func (j *Journey) updateNumbers(ctx context.Context) (StepReport, error) {
	f, c := j.flow, j.update.call
	res, err := f.numbers(ctx, c.token, j.linked.Institution)
	if err := f.observe(c, err); err != nil {
		return StepReport{}, err
	}
	j.saved = Saved{Item: c.item, Storage: plaidapi.Storage{Saved: true, Where: f.Vault.Where()}}
	f.finish(j.saved, res)
	j.result = res
	return numbersReport(res), nil
}

func numbersReport(res *plaidapi.Result) StepReport {
	n := len(res.Accounts)
	detail := fmt.Sprintf("%d accounts", n)
	if n == 1 {
		detail = "1 account"
	}
	if res.RequestID != "" {
		detail += " · request_id " + res.RequestID
	}
	return StepReport{Detail: detail, Done: numbersWords(res.Numbers)}
}

// numbersWords says which numbers /auth/get returned, in each family's own names
// (https://plaid.com/docs/api/products/auth/#auth-get-response-numbers): a Canadian Item has
// institution and transit numbers, a UK one sort codes, a European one IBANs; "" when they are
// the usual account and routing numbers, or there are none.
func numbersWords(n plaidapi.Numbers) string {
	var parts []string
	if len(n.ACH) > 0 {
		parts = append(parts, "account and routing numbers")
	}
	if len(n.EFT) > 0 {
		parts = append(parts, "account, institution and transit numbers (EFT)")
	}
	if len(n.BACS) > 0 {
		parts = append(parts, "account numbers and sort codes (BACS)")
	}
	if len(n.International) > 0 {
		parts = append(parts, "IBANs and BICs")
	}
	if len(parts) == 0 || (len(parts) == 1 && len(n.ACH) > 0) {
		return ""
	}
	return "Fetched the " + strings.Join(parts, ", the ")
}

// afterSaveContext says what is safe when a step after the exchange fails.
func (j *Journey) afterSaveContext() string {
	if j.saved.Storage.Saved {
		return fmt.Sprintf("the Item %s was linked and saved as %q (`plaid-onboard auth %s` fetches its numbers later)", j.ex.ItemID, j.saved.Item.Name, j.saved.Item.Name)
	}
	return fmt.Sprintf("the Item %s was linked but not saved", j.ex.ItemID)
}

func (l Linked) describe() string {
	switch {
	case l.Institution == nil:
		return "not named"
	}
	d := l.Institution.ID
	switch {
	case l.Institution.Name != "" && l.Institution.ID != "":
		d = l.Institution.Name + " (" + l.Institution.ID + ")"
	case l.Institution.Name != "":
		d = l.Institution.Name
	}
	if l.Institution.FromLink {
		d += " as Link named it"
	}
	return d
}
