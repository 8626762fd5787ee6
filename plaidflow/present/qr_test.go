package present_test

import (
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/present"
)

// A realistic hosted_link_url: Plaid's are https://secure.plaid.com/hl/ and an id of about 30
// characters (https://plaid.com/docs/api/link/#link-token-create-response-hosted-link-url);
// the emulator's are on its loopback address.
var hostedURLs = []string{
	"https://secure.plaid.com/hl/lp2ukvm7xt0wcsqygn8d7ajp1jr4ebm3yx",
	"http://127.0.0.1:43117/hl/hl-sandbox-8f3c2a9e-51d7-4b8e-a0f4-2f9c7e1d6b3a",
}

func TestQRCodeReadsBackAsTheURLWithAndWithoutColour(t *testing.T) {
	for _, url := range hostedURLs {
		for _, noColor := range []bool{false, true} {
			lines, err := present.QRLines(url, noColor)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e2etest.DecodeQR(lines, !noColor)
			if err != nil {
				t.Fatalf("NO_COLOR=%v: %v\n%s", noColor, err, e2etest.StripANSI(strings.Join(lines, "\n")))
			}
			if got != url {
				t.Errorf("NO_COLOR=%v: the code reads %q, want %q", noColor, got, url)
			}
			if noColor && strings.Contains(strings.Join(lines, ""), "\x1b") {
				t.Errorf("NO_COLOR: the code has escape codes")
			}
		}
	}
}

// The code must fit an 80×24 terminal with a few lines to spare (the URL as text, and a line of
// keys), quiet zone included.
func TestQRCodeOfAHostedURLFitsEightyByTwentyFour(t *testing.T) {
	for _, url := range hostedURLs {
		cols, rows, err := present.QRSize(url)
		if err != nil {
			t.Fatal(err)
		}
		if cols > 80 || rows > 21 {
			t.Errorf("%d characters of URL draw %d×%d cells; an 80×24 terminal has room for 80×21", len(url), cols, rows)
		}
		lines, _ := present.QRLines(url, true)
		if len(lines) != rows || len([]rune(lines[0])) != cols {
			t.Errorf("QRSize says %d×%d, QRLines drew %d×%d", cols, rows, len([]rune(lines[0])), len(lines))
		}
		t.Logf("%d characters: %d×%d cells", len(url), cols, rows)
	}
}
