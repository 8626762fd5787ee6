package transcript_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// endless is a stdin that never ends, as `report - < /dev/zero` would be.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestReadTranscriptStreamStopsAtTheBound: a transcript piped to `report -` is read within the
// bound a file has (64 MiB), so an endless stdin is refused rather than read until memory runs
// out.
func TestReadTranscriptStreamStopsAtTheBound(t *testing.T) {
	_, err := transcript.ReadTranscriptStream(endless{})
	if !errors.Is(err, transcript.ErrNotTranscript) || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Fatalf("an endless stdin: %v, want it refused as larger than 64 MiB", err)
	}
}
