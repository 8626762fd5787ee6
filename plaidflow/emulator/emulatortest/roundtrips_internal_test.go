package emulatortest

import (
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// Calls made side by side overlap and count once; a call made after another's answer adds
// one; the longest chain is the count, whatever the order the calls are listed in.
func TestChainDepth(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	span := func(from, to int) backstage.Span { return backstage.Span{Start: at(from), End: at(to)} }
	for _, tc := range []struct {
		name  string
		calls []backstage.Span
		want  int
	}{
		{"none", nil, 0},
		{"one", []backstage.Span{span(0, 150)}, 1},
		{"side by side", []backstage.Span{span(0, 150), span(3, 153)}, 1},
		{"in a row", []backstage.Span{span(0, 150), span(151, 301), span(302, 452)}, 3},
		// sandbox link: token, exchange, then /auth/get beside the institution lookup.
		{"a row with a call beside the last", []backstage.Span{span(302, 452), span(0, 150), span(151, 301), span(303, 453)}, 3},
		// a lookup made after the numbers instead of beside them is one more.
		{"the lookup after", []backstage.Span{span(0, 150), span(151, 301), span(302, 452), span(453, 603)}, 4},
	} {
		if got := chainDepth(tc.calls); got != tc.want {
			t.Errorf("%s: depth %d, want %d", tc.name, got, tc.want)
		}
	}
}
