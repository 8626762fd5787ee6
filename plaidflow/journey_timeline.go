package plaidflow

import (
	"context"
	"errors"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/sanitize"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// recordStep adds a journey step's outcome.
func recordStep(t *transcript.Timeline, step StepID, rep StepReport, err error, closed bool) {
	if t == nil {
		return
	}
	e := transcript.Entry{Kind: transcript.KindStep, Step: rep.Words(), Detail: rep.Detail, DurationMS: transcript.MS(rep.Took)}
	switch {
	case err != nil && (closed || errors.Is(err, context.Canceled)):
		// Left, not failed: the page was closed from the terminal, or the program interrupted.
		e.Step, e.Outcome, e.Message = step.Todo(), "stopped", sanitize.Text(err.Error())
		t.Add(e)
		return
	case err != nil:
		e.Step, e.Outcome = step.Failed(), "failed"
		p := Explain(err)
		e.ErrorType, e.ErrorCode, e.ErrorMessage, e.RequestID = p.ErrorType, p.ErrorCode, p.ErrorMessage, p.RequestID
		if e.ErrorMessage == "" {
			e.Message = sanitize.Text(err.Error())
		}
	case rep.Warning != "":
		// The step did not do its job: its words say so ("The Item was not saved"), not the
		// done words with a warning after them; the warning's own "Not saved:" would repeat them.
		e.Step, e.Outcome, e.Detail = step.Failed(), "warning", strings.TrimPrefix(rep.Warning, "Not saved: ")
	case rep.Skipped:
		e.Step, e.Outcome = step.Todo(), "skipped"
	default:
		e.Outcome = "done"
	}
	if rep.Notice != "" {
		e.Message = rep.Notice
	}
	t.Add(e)
}
