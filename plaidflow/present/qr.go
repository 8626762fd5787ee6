package present

import (
	"strings"

	"rsc.io/qr"
)

// A QR code drawn with text, for a phone camera to read off the terminal (Hosted Link's URL).
// Each character cell holds two modules, one above the other, with the half blocks ▀ ▄ █ and a
// space, so a code is as many columns wide as it has modules and half as many rows tall. Around
// it is the quiet zone of 4 light modules that the QR specification (ISO/IEC 18004) asks for at
// the least: without it scanners lose the finder patterns against whatever is beside the code.
//
// Light or dark terminals: with colour the code paints its own black modules on its own white
// background (256-colour black 16 on white 231), so the terminal's theme never shows through.
// With NO_COLOR no colour may be set, so the code is drawn in the terminal's foreground: the
// light modules (and the quiet zone) are the drawn blocks, the dark modules are the terminal's
// background. On the usual dark theme (light text on black) that reads as an ordinary code; on
// a light theme it is an inverted code (light modules on dark), which the phone cameras people
// scan with read as well (iOS Camera, Google Lens, ZXing-based apps with inverted codes on).
// Drawing the dark modules instead would make the dark theme's code the inverted one, and dark
// themes are the more common in terminals: so the light modules are drawn.

// QRQuietZone is the light border around a drawn code, in modules.
const QRQuietZone = 4

const (
	qrPaint = "\x1b[38;5;16;48;5;231m" // black on white, whatever the theme
	qrReset = "\x1b[0m"
)

// QRLines draws text as a QR code, line by line; noColor draws it without escape codes, in the
// terminal's foreground (see above). The error correction is M when that does not make the code
// bigger than L would, else L: a Hosted Link URL must fit an 80×24 terminal.
func QRLines(text string, noColor bool) ([]string, error) {
	code, err := encodeQR(text)
	if err != nil {
		return nil, err
	}
	n := code.Size + 2*QRQuietZone
	dark := func(x, y int) bool {
		return code.Black(x-QRQuietZone, y-QRQuietZone) // false in the quiet zone and beyond
	}
	var lines []string
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		if !noColor {
			b.WriteString(qrPaint)
		}
		for x := 0; x < n; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			if noColor {
				top, bottom = !top, !bottom // draw the light modules
				if y+1 >= n {
					bottom = false // below the code: the terminal's own background
				}
			}
			b.WriteString(halfBlock(top, bottom))
		}
		if !noColor {
			b.WriteString(qrReset)
		}
		lines = append(lines, b.String())
	}
	return lines, nil
}

// QRSize is the size QRLines draws text at, in columns and rows (quiet zone included).
func QRSize(text string) (cols, rows int, err error) {
	code, err := encodeQR(text)
	if err != nil {
		return 0, 0, err
	}
	n := code.Size + 2*QRQuietZone
	return n, (n + 1) / 2, nil
}

func encodeQR(text string) (*qr.Code, error) {
	m, err := qr.Encode(text, qr.M)
	if err != nil {
		return qr.Encode(text, qr.L)
	}
	l, err := qr.Encode(text, qr.L)
	if err == nil && l.Size < m.Size {
		return l, nil
	}
	return m, nil
}

// halfBlock is the character whose drawn halves are top and bottom.
func halfBlock(top, bottom bool) string {
	switch {
	case top && bottom:
		return "█"
	case top:
		return "▀"
	case bottom:
		return "▄"
	}
	return " "
}
