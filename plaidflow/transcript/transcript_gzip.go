package transcript

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
)

// ReadTranscriptFileAnyForm reads the transcript at path as ReadTranscriptFile does, or
// gzipped, as customers often attach it to a ticket (PATH.jsonl.gz): the gzip magic decides,
// not the name. The unpacked transcript is bounded as a file is, so a small archive cannot
// unpack into gigabytes.
func ReadTranscriptFileAnyForm(path string) ([]Entry, error) {
	b, err := localfile.Read(path, maxTranscriptFile)
	if err != nil {
		return nil, err
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		if b, err = io.ReadAll(io.LimitReader(zr, maxTranscriptFile+1)); err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		if len(b) > maxTranscriptFile {
			return nil, fmt.Errorf("%s unpacks to more than %d MiB, more than a session writes: %w", path, maxTranscriptFile>>20, ErrNotTranscript)
		}
	}
	entries, err := ReadTranscript(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}
