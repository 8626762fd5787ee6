package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// `emulator --from-transcript FILE`: the emulator starts with the Items a support transcript
// saw (transcript.SeenIn), so support walks the customer's path offline and meets the same
// errors at the same calls.

// standInInstitution is the bank an Item is rebuilt at when its own is not one the emulator
// serves, or the transcript does not say.
const standInInstitution = "ins_109508"

// madeUp says what a transcript cannot hold and the rebuilt Items made up.
const madeUp = "account and routing numbers (derived from each mask, as for any Sandbox Item) and balances (Sandbox's): a transcript holds neither"

// replayReport is what --from-transcript rebuilt, for the start-up lines and --json.
type replayReport struct {
	Transcript string                  `json:"transcript"`
	Demo       bool                    `json:"demo"`
	Items      []emulator.ReplayedItem `json:"items"`
	// Errors are the errors scripted, in words ("the 2nd /auth/get of Item … answers
	// ITEM_LOGIN_REQUIRED").
	Errors []string `json:"errors"`
	// Notes say what was guessed, stood in for, or left out.
	Notes  []string `json:"notes,omitempty"`
	MadeUp string   `json:"made_up"`
}

// replayTranscript reads the transcript at path and rebuilds its Items in srv.
func replayTranscript(srv *emulator.Server, path string) (*replayReport, error) {
	entries, err := transcript.ReadTranscriptFileAnyForm(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("--from-transcript: no transcript at %s", path)
	case errors.Is(err, transcript.ErrNotTranscript):
		return nil, usagef("--from-transcript: %v (a transcript is the JSON Lines file written by --transcript PATH, gzipped or not)", err)
	case err != nil:
		return nil, usagef("--from-transcript: %v", err)
	}
	seen := transcript.SeenIn(entries)
	rep := &replayReport{Transcript: path, Demo: seen.Demo, Items: []emulator.ReplayedItem{}, Errors: []string{}, MadeUp: madeUp}
	custom := ""
	if name := seen.Settings.Scenario; name != "" {
		if sc, err := plaidflow.FindScenario(name); err == nil {
			custom = sc.User().Password
		} else {
			rep.note("the session used scenario %q, which this version does not have: the Items get the institution's Sandbox accounts", name)
		}
	}
	if f := seen.Settings.UserCustomFile; f != "" {
		rep.note("the session used the user_custom file %s, which a transcript does not hold (only its name and SHA-256): the Items get the institution's Sandbox accounts unless Link's metadata named them", f)
	}
	var flow *plaidflow.AuthFlow
	if name := seen.Settings.AuthFlow; name != "" {
		if fl, err := plaidflow.FindAuthFlow(name); err == nil {
			flow = &fl
		}
	}
	for i, it := range seen.Items {
		r := emulator.ReplayItem{ItemID: it.ItemID, InstitutionID: it.InstitutionID, Products: seen.Settings.Products, UserCustom: custom, AccountIDs: it.AccountIDs}
		if it.ItemID == "" {
			rep.note("an Item the transcript never names (Plaid's error bodies carry no item_id) gets a new id")
		}
		if r.InstitutionID == "" && flow != nil {
			r.InstitutionID = flow.InstitutionID
		}
		if !emulator.KnowsInstitution(r.InstitutionID) {
			if r.InstitutionID == "" {
				rep.note("the transcript does not say which bank Item %d was at: First Platypus Bank (%s) stands in", i+1, standInInstitution)
			} else {
				rep.note("the emulator does not serve %s (%s): First Platypus Bank (%s) stands in", sanitize.Line(it.InstitutionName, sanitize.Name),
					sanitize.Line(r.InstitutionID, sanitize.Field), standInInstitution)
			}
			r.InstitutionID = standInInstitution
		}
		switch {
		case it.Accounts != nil:
			for _, a := range it.Accounts {
				r.Accounts = append(r.Accounts, emulator.ReplayAccount{ID: a.ID, Name: a.Name, Mask: a.Mask, Type: a.Type,
					Subtype: a.Subtype, VerificationStatus: a.VerificationStatus})
			}
		case flow != nil && flow.Status != "":
			// An Auth flow's Item has the one checking account the user verified.
			a := emulator.ReplayAccount{Type: "depository", Subtype: "checking", VerificationStatus: flow.Status}
			if len(it.AccountIDs) > 0 {
				a.ID = it.AccountIDs[0]
			}
			if n := len(flow.Account); n >= 4 {
				a.Mask = flow.Account[n-4:]
			}
			r.Accounts = []emulator.ReplayAccount{a}
		case len(it.AccountIDs) > 0:
			rep.note("the transcript lists the ids of Item %d's accounts but not the accounts (no Link metadata): the institution's Sandbox accounts take them, in the order Plaid's answers listed them", i+1)
		}
		for _, e := range it.Errors {
			if !emulator.KnowsError(e.ErrorCode) {
				rep.note("left out: %s answered %s, an error the emulator does not have", e.Endpoint, sanitize.Line(e.ErrorCode, sanitize.Field))
				continue
			}
			r.Errors = append(r.Errors, emulator.ReplayError{Path: e.Endpoint, After: e.Before, Code: e.ErrorCode})
		}
		made, err := srv.AddReplayItem(r)
		if err != nil {
			return nil, fmt.Errorf("rebuild Item %d of %s: %w", i+1, path, err)
		}
		rep.Items = append(rep.Items, made)
		for _, e := range r.Errors {
			rep.Errors = append(rep.Errors, scriptedWords(e, "of Item "+made.ItemID))
		}
	}
	var kept []string
	for _, it := range rep.Items {
		if it.Kept {
			kept = append(kept, sanitize.Line(it.ItemID, sanitize.Field))
		}
	}
	if len(kept) > 0 {
		rep.note("the --state file already holds %s from an earlier run: the state wins (kept as saved, with what was done since); only the transcript's errors are scripted again, counted from this start", plural(len(kept), "Item "+strings.Join(kept, ", "), "Items "+strings.Join(kept, ", ")))
	}
	var unscoped []emulator.ReplayError
	for _, e := range seen.Unscoped {
		if !emulator.KnowsError(e.ErrorCode) {
			rep.note("left out: %s answered %s, an error the emulator does not have", e.Endpoint, sanitize.Line(e.ErrorCode, sanitize.Field))
			continue
		}
		unscoped = append(unscoped, emulator.ReplayError{Path: e.Endpoint, After: e.Before, Code: e.ErrorCode})
		rep.Errors = append(rep.Errors, scriptedWords(unscoped[len(unscoped)-1], "from any caller"))
	}
	if err := srv.AddReplayErrors(unscoped); err != nil {
		return nil, err
	}
	if len(rep.Items) == 0 && len(unscoped) == 0 {
		rep.note("the transcript saw no Item and no error to rebuild")
	}
	return rep, nil
}

func (r *replayReport) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, have := range r.Notes {
		if have == n {
			return
		}
	}
	r.Notes = append(r.Notes, n)
}

// scriptedWords says when a scripted error comes: "the 2nd call to /auth/get of Item X
// answers ITEM_LOGIN_REQUIRED".
func scriptedWords(e emulator.ReplayError, whose string) string {
	return fmt.Sprintf("the %s call to %s %s answers %s", ordinal(e.After+1), e.Path, whose, e.Code)
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// write prints what was rebuilt: each Item with its access token (the emulator's own, for
// calling it), its accounts, the errors to come, and what was made up.
func (r *replayReport) write(w io.Writer) {
	where := "a session with Plaid"
	if r.Demo {
		where = "a demo session"
	}
	items := "1 Item"
	if len(r.Items) != 1 {
		items = fmt.Sprintf("%d Items", len(r.Items))
	}
	fmt.Fprintf(w, "\nFrom the transcript %s (%s): %s\n", sanitize.Line(r.Transcript, sanitize.Message), where, items)
	for _, it := range r.Items {
		fmt.Fprintf(w, "  Item %s at %s (%s)\n    access_token  %s\n", sanitize.Line(it.ItemID, sanitize.Field),
			sanitize.Line(it.InstitutionName, sanitize.Name), sanitize.Line(it.InstitutionID, sanitize.Field), it.AccessToken)
		for _, a := range it.Accounts {
			status := ""
			if a.VerificationStatus != "" {
				status = "  " + sanitize.Line(a.VerificationStatus, sanitize.Field)
			}
			fmt.Fprintf(w, "    account       %s %s %s  %s%s\n", sanitize.Line(a.Name, sanitize.Name), "••"+sanitize.Line(a.Mask, sanitize.Field),
				sanitize.Line(a.Subtype, sanitize.Field), sanitize.Line(a.ID, sanitize.Field), status)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  Then %s, as in the transcript\n", sanitize.Line(e, sanitize.Message))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  Note: %s\n", sanitize.Line(n, sanitize.Message))
	}
	fmt.Fprintf(w, "  Made up: %s\n", strings.TrimSpace(r.MadeUp))
}

// replayInDemo rebuilds a transcript's Items in the demo's emulator and saves them as demo
// Items, so the terminal UI offers them like any other: `plaid-onboard --demo
// --from-transcript FILE`. What it rebuilt is said on stderr before the UI starts (and stays in
// the scrollback). The errors to come, and accounts other than Sandbox's, last for this run:
// a later demo run brings the Items back as it brings back any demo Item.
func (a *app) replayInDemo(s *session, file string) error {
	if file == "" {
		return nil
	}
	if !s.cfg.Demo || s.emu == nil {
		return usagef("--from-transcript is for the demo (--demo); for your own client, run `plaid-onboard emulator --from-transcript %s` and point PLAID_API_URL at it", file)
	}
	rep, err := replayTranscript(s.emu, file)
	if err != nil {
		return err
	}
	rep.write(a.d.Stderr)
	if s.vault == nil {
		fmt.Fprintln(a.d.Stderr, "  Not saved (--no-save): use the access tokens above, in this run only.")
		return nil
	}
	for _, it := range rep.Items {
		saved, err := s.vault.SaveItem(vault.SavedItem{Namespace: s.cfg.Namespace(), ItemID: it.ItemID, InstitutionID: it.InstitutionID,
			InstitutionName: it.InstitutionName, ClientID: s.cfg.ClientID}, it.AccessToken)
		if err != nil {
			// The rebuilt Item is in the emulator all the same: say how to reach it.
			fmt.Fprintf(a.d.Stderr, "  Not saved: %s; the access token above works in this run\n", sanitize.Line(err.Error(), sanitize.Message))
			continue
		}
		fmt.Fprintf(a.d.Stderr, "  Saved as the demo Item %s (the errors to come, and its accounts, last for this run)\n", sanitize.Line(saved.Name, sanitize.Name))
	}
	return nil
}
