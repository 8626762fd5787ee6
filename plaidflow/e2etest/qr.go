package e2etest

import (
	"fmt"
	"image"
	"image/color"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	qrdecode "github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads a QR code drawn in a terminal with half blocks (▀ ▄ █ and spaces, two modules
// a cell), as a camera would: the cells of lines from first to last (escape codes ignored) are
// drawn as an image, 4 pixels a module, and decoded with ZXing. drawnIsDark says what the
// blocks are: the dark modules (a code painted black on white), or the light ones (NO_COLOR,
// where the code is drawn in the terminal's foreground: read as the dark theme shows it, light
// text on black). Everything around the code on those lines must be blank.
func DecodeQR(lines []string, drawnIsDark bool) (string, error) {
	const scale = 4
	cols := 0
	for _, l := range lines {
		cols = max(cols, utf8.RuneCountInString(StripANSI(l)))
	}
	if cols == 0 {
		return "", fmt.Errorf("no QR code: %d blank lines", len(lines))
	}
	margin := 4 * scale // background around it, as a screen shows it
	img := image.NewGray(image.Rect(0, 0, cols*scale+2*margin, len(lines)*2*scale+2*margin))
	ink, paper := color.Gray{Y: 0}, color.Gray{Y: 255}
	if !drawnIsDark {
		ink, paper = paper, ink // the dark theme: drawn blocks are light, the background black
	}
	for i := range img.Pix {
		img.Pix[i] = paper.Y
	}
	fill := func(x, y int) {
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetGray(margin+x*scale+dx, margin+y*scale+dy, ink)
			}
		}
	}
	for row, l := range lines {
		x := 0
		for _, r := range StripANSI(l) {
			switch r {
			case '█':
				fill(x, 2*row)
				fill(x, 2*row+1)
			case '▀':
				fill(x, 2*row)
			case '▄':
				fill(x, 2*row+1)
			case ' ':
			default:
				return "", fmt.Errorf("line %d has %q beside the code: %q", row, r, StripANSI(l))
			}
			x++
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_ALSO_INVERTED: true}
	res, err := qrdecode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("decode the QR code of %d×%d cells: %w", cols, len(lines), err)
	}
	return res.GetText(), nil
}

// QRBlock finds the lines of a screen or output that draw a QR code (the longest run of lines
// made only of half blocks and spaces, at least 10 long) and cuts them to the code's columns.
func QRBlock(screen string) []string {
	lines := strings.Split(StripANSI(screen), "\n")
	isQR := func(l string) bool {
		t := strings.TrimRight(l, " ")
		return strings.ContainsAny(t, "█▀▄") && strings.Trim(t, "█▀▄ ") == ""
	}
	best, bestLen := 0, 0
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && isQR(lines[j]) {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = max(j, i+1)
	}
	if bestLen < 10 {
		return nil
	}
	block := lines[best : best+bestLen]
	left, right := 1<<30, 0
	for _, l := range block {
		rs := []rune(l)
		for x, r := range rs {
			if r != ' ' {
				left, right = min(left, x), max(right, x+1)
			}
		}
	}
	out := make([]string, len(block))
	for i, l := range block {
		rs := append([]rune(l), []rune(strings.Repeat(" ", right))...)
		out[i] = string(rs[left:right])
	}
	return out
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// StripANSI removes the escape codes that colour text.
func StripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }
