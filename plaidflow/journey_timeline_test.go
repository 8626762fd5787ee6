package plaidflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// timelineFixture is a flow against a fresh emulator whose client records on a timeline.
func timelineFixture(t *testing.T) (fixture, *transcript.Timeline) {
	t.Helper()
	fx := newFixture(t, "US")
	tl := transcript.NewTimeline(nil)
	tl.Start(transcript.Entry{Program: "plaid-onboard", Environment: "sandbox", Settings: &transcript.Settings{Products: []string{"auth"}}}, emulator.DemoSecret)
	fx.flow.Client.Timeline = tl
	return fx, tl
}

func entriesOf(tl *transcript.Timeline, kind string) []transcript.Entry {
	var out []transcript.Entry
	for _, e := range tl.Entries() {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestTimelineRecordsEveryCallAndStepOfASandboxJourney(t *testing.T) {
	fx, tl := timelineFixture(t)
	j, err := fx.flow.SandboxJourney("")
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := entriesOf(tl, transcript.KindAPICall)
	var endpoints []string
	for _, c := range calls {
		endpoints = append(endpoints, c.Endpoint)
		if c.HTTPStatus != 200 || c.RequestID == "" || c.Attempt != 1 || c.DurationMS <= 0 {
			t.Errorf("call %s: status %d, request_id %q, attempt %d, duration %v ms; want 200, an id, 1 and a duration", c.Endpoint, c.HTTPStatus, c.RequestID, c.Attempt, c.DurationMS)
		}
	}
	for _, want := range []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/auth/get", "/institutions/get_by_id"} {
		if !strings.Contains(strings.Join(endpoints, " "), want) {
			t.Errorf("timeline calls %v lack %s", endpoints, want)
		}
	}
	steps := entriesOf(tl, transcript.KindStep)
	if len(steps) != 4 || steps[3].Outcome != "done" {
		t.Fatalf("steps = %+v, want 4 ending done", steps)
	}
	ids := tl.IDs()
	if ids.ItemID != res.ItemID {
		t.Errorf("item_id on the timeline = %q, want %q", ids.ItemID, res.ItemID)
	}
	if len(ids.AccountIDs) != len(res.Accounts) {
		t.Errorf("account_ids on the timeline = %v, want the %d accounts", ids.AccountIDs, len(res.Accounts))
	}
	// The timeline holds no secret even in memory: the access token crossed the transport.
	blob, _ := json.Marshal(tl.Entries())
	for _, secret := range []string{emulator.DemoSecret, accessTokenOf(t, fx, res.ItemID), "1111222233330000"} {
		if secret != "" && strings.Contains(string(blob), secret) {
			t.Errorf("timeline holds the secret %q", secret)
		}
	}
}

func TestTimelineRecordsEachRetryAttemptAndThePlaidError(t *testing.T) {
	fx, tl := timelineFixture(t)
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/link/token/create", Kind: emulator.FaultStatus, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.flow.Client.CreateLinkToken(context.Background(), plaidapi.LinkTokenOptions{}); err != nil {
		t.Fatal(err)
	}
	calls := entriesOf(tl, transcript.KindAPICall)
	if len(calls) != 2 {
		t.Fatalf("calls = %+v, want the failed attempt and the retry", calls)
	}
	if calls[0].HTTPStatus != 503 || calls[0].ErrorCode != "PLANNED_MAINTENANCE" || calls[0].Attempt != 1 || calls[0].RequestID == "" {
		t.Errorf("first attempt = %+v, want 503 PLANNED_MAINTENANCE attempt 1 with its request_id", calls[0])
	}
	if calls[1].HTTPStatus != 200 || calls[1].Attempt != 2 {
		t.Errorf("second attempt = %+v, want 200 attempt 2", calls[1])
	}
}

func TestTimelineRecordsAFailedStepWithItsError(t *testing.T) {
	fx, tl := timelineFixture(t)
	if err := fx.srv.AddFault(emulator.FaultSpec{Path: "/auth/get", Kind: emulator.FaultError, ErrorCode: "ITEM_LOGIN_REQUIRED"}); err != nil {
		t.Fatal(err)
	}
	j, _ := fx.flow.SandboxJourney("")
	if _, err := j.RunAll(context.Background(), nil); err == nil {
		t.Fatal("the numbers step should fail")
	}
	steps := entriesOf(tl, transcript.KindStep)
	last := steps[len(steps)-1]
	if last.Outcome != "failed" || last.ErrorCode != "ITEM_LOGIN_REQUIRED" || last.RequestID == "" {
		t.Errorf("last step = %+v, want failed with ITEM_LOGIN_REQUIRED and its request_id", last)
	}
	if !strings.Contains(transcript.Summary(tl.Entries()), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("summary does not name the error:\n%s", transcript.Summary(tl.Entries()))
	}
}

func TestTranscriptIsJSONLinesWithMode0600AndASummary(t *testing.T) {
	fx, tl := timelineFixture(t)
	j, _ := fx.flow.SandboxJourney("")
	res, err := j.RunAll(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "session.jsonl")
	// A file already there, readable by everyone, is tightened before anything goes in.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := transcript.WriteTranscript(path, tl.Entries(), tl.Redactor()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".md"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Errorf("line %d time %v is not RFC 3339: %v", i+1, m["time"], err)
		}
		if m["kind"] == "" || m["kind"] == nil {
			t.Errorf("line %d has no kind", i+1)
		}
	}
	if !strings.Contains(lines[0], `"kind":"session"`) {
		t.Errorf("first line is not the session: %s", lines[0])
	}
	back, err := transcript.ReadTranscriptFile(path)
	if err != nil || len(back) != len(lines) {
		t.Fatalf("read back %d entries (%v), want %d", len(back), err, len(lines))
	}
	md, _ := os.ReadFile(path + ".md")
	for _, want := range []string{"## IDs for Plaid Support", res.ItemID, "/item/public_token/exchange", "✓ Fetched the account and routing numbers"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	for _, secret := range []string{emulator.DemoSecret, accessTokenOf(t, fx, res.ItemID)} {
		if strings.Contains(string(raw)+string(md), secret) {
			t.Errorf("transcript holds %q", secret)
		}
	}
}

func TestTranscriptRefusesASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "t.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	tl := transcript.NewTimeline(nil)
	tl.Start(transcript.Entry{Environment: "sandbox"})
	err := transcript.WriteTranscript(link, tl.Entries(), nil)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("writing through a symlink: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the symlink's target was written: %q", b)
	}
}

func TestReadTranscriptRefusesOtherFiles(t *testing.T) {
	for name, body := range map[string]string{
		"empty":      "",
		"not json":   "hello\n",
		"no session": `{"time":"2026-01-01T00:00:00Z","kind":"note","message":"x"}` + "\n",
		"other json": `{"a":1}` + "\n",
	} {
		_, err := transcript.ReadTranscript(strings.NewReader(body))
		if !errors.Is(err, transcript.ErrNotTranscript) {
			t.Errorf("%s: err = %v, want ErrNotTranscript", name, err)
		}
	}
}

// accessTokenOf reads the Item's access token from the fixture's keyring.
func accessTokenOf(t *testing.T, fx fixture, itemID string) string {
	t.Helper()
	tok, err := fx.vault.AccessToken("sandbox", itemID)
	if err != nil || !strings.HasPrefix(tok, "access-") {
		t.Fatalf("access token of %s: %q, %v", itemID, tok, err)
	}
	return tok
}

// blockingLink is a Link UI the user never finishes: Link waits until Close.
type blockingLink struct {
	closed chan struct{}
	once   sync.Once
}

func (b *blockingLink) Link(ctx context.Context, _ string) (string, string, string, error) {
	<-b.closed
	return "", "", "", errors.New("the link session was closed")
}
func (b *blockingLink) Finish(bool, string) {}
func (b *blockingLink) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

// A Link session left for the Sandbox shortcut (the journey closed from the terminal) is
// recorded as stopped, not as Link failing, and is not the session's outcome.
func TestTimelineRecordsALinkClosedFromTheTerminalAsStopped(t *testing.T) {
	fx, tl := timelineFixture(t)
	ui := &blockingLink{closed: make(chan struct{})}
	j := fx.flow.LinkJourney(func() plaidflow.LinkUI { return ui }, &plaidapi.LinkToken{Token: "link-sandbox-x"})
	done := make(chan error, 1)
	go func() { _, err := j.Run(context.Background()); done <- err }()
	// Close only once Link waits: the journey then holds the UI.
	deadline := time.After(10 * time.Second)
	for j.Close(); ; j.Close() {
		select {
		case <-ui.closed:
		case <-deadline:
			t.Fatal("the Link step never opened its UI")
		default:
			runtime.Gosched() // the Link step has not opened its UI yet: Close did nothing
			continue
		}
		break
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the Link step did not end after Close")
	}
	steps := entriesOf(tl, transcript.KindStep)
	if len(steps) != 1 || steps[0].Outcome != "stopped" {
		t.Fatalf("steps = %+v, want the Link step stopped", steps)
	}
	if strings.Contains(transcript.Summary(tl.Entries()), "## Outcome") {
		t.Errorf("a stopped Link is given as the outcome:\n%s", transcript.Summary(tl.Entries()))
	}
}

// A save that could not happen (no keyring) is on the timeline in words that say so: not the
// done words "Saved the Item" with the reason it was not saved after them.
func TestTimelineSaysTheItemWasNotSavedWhenTheKeyringIsMissing(t *testing.T) {
	fx, tl := timelineFixture(t)
	fx.flow.Vault = vault.NewVault(failingStore{}, t.TempDir())
	if _, _, _, err := sandboxSave(t, fx); err != nil {
		t.Fatalf("a keyring failure must not stop the numbers: %v", err)
	}
	var line string
	for _, e := range entriesOf(tl, transcript.KindStep) {
		if e.Outcome == "warning" {
			line = transcript.Describe(e)
		}
	}
	if !strings.HasPrefix(line, "! The Item was not saved · no OS keyring is reachable") || strings.Contains(line, "Saved the Item") {
		t.Errorf("the save step on the timeline reads %q, want it to say the Item was not saved, then why", line)
	}
}

// The numbers step says which numbers came: a Canadian Item's are EFT (institution and transit
// numbers), a UK one's BACS (sort codes) and IBANs, a US one's account and routing numbers
// (https://plaid.com/docs/api/products/auth/#auth-get-response-numbers). The same words are
// ticked off by both front ends and recorded on the timeline.
func TestNumbersStepSaysWhichNumbersCame(t *testing.T) {
	for _, tc := range []struct{ country, institution, want, not string }{
		{"US", "", "Fetched the account and routing numbers", "sort code"},
		{"CA", "ins_43", "Fetched the account, institution and transit numbers (EFT)", "routing"},
		{"GB", "ins_117650", "Fetched the account numbers and sort codes (BACS), the IBANs and BICs", "routing"},
	} {
		t.Run(tc.country, func(t *testing.T) {
			fx := newFixture(t, tc.country)
			tl := transcript.NewTimeline(nil)
			fx.flow.Client.Timeline = tl
			j, err := fx.flow.SandboxJourney(tc.institution)
			if err != nil {
				t.Fatal(err)
			}
			var words string
			if _, err := j.RunAll(context.Background(), func(r plaidflow.StepReport) {
				if r.Step == plaidflow.StepNumbers {
					words = r.Words()
				}
			}); err != nil {
				t.Fatal(err)
			}
			if words != tc.want {
				t.Errorf("the numbers step says %q, want %q", words, tc.want)
			}
			steps := entriesOf(tl, transcript.KindStep)
			if last := steps[len(steps)-1].Step; last != tc.want || strings.Contains(last, tc.not) {
				t.Errorf("the timeline says %q, want %q", last, tc.want)
			}
		})
	}
}
