package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// palette is every colour the UI uses. Each is an AdaptiveColor so the same screen reads well
// on light and dark terminals; body text keeps the terminal's own foreground. The Light values
// of the greys are dark enough to read on white (Faint and the help keys at least 4.5:1, Rule
// at least 3:1): paler ones left borders and hints nearly invisible in a light terminal.
var palette = struct {
	Accent, AccentText, Subtle, Faint, Rule, Success, Danger, Warning, WarningText, Demo, DemoText lipgloss.AdaptiveColor
}{
	Accent:      lipgloss.AdaptiveColor{Light: "#00755F", Dark: "#3DDBB7"},
	AccentText:  lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#0B1F1A"},
	Subtle:      lipgloss.AdaptiveColor{Light: "#45494E", Dark: "#9AA0A6"},
	Faint:       lipgloss.AdaptiveColor{Light: "#62676C", Dark: "#7A8087"},
	Rule:        lipgloss.AdaptiveColor{Light: "#868B91", Dark: "#4A4E54"},
	Success:     lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"},
	Danger:      lipgloss.AdaptiveColor{Light: "#C7222A", Dark: "#FF6B6B"},
	Warning:     lipgloss.AdaptiveColor{Light: "#9A5B00", Dark: "#F0A43A"},
	WarningText: lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1F1300"},
	Demo:        lipgloss.AdaptiveColor{Light: "#7A3FD1", Dark: "#B58CFF"},
	DemoText:    lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A0B33"},
}

// Styles is the one style sheet of the UI. Screens take every style from here and never build
// their own, so the look stays consistent and NO_COLOR is honoured in one place.
type Styles struct {
	// Color is false with NO_COLOR (or on a terminal without colour): badges then get
	// brackets, since a background can no longer set them apart.
	Color bool

	Title, Tagline, Rule          lipgloss.Style
	StepDone, StepNow, StepTodo   lipgloss.Style
	BadgeEnv, BadgeProd, BadgeDem lipgloss.Style

	Heading, Muted, Faint lipgloss.Style
	Label, LabelFocused   lipgloss.Style
	Source                lipgloss.Style
	Pointer               lipgloss.Style

	OK, Bad, Warn, Accent lipgloss.Style
	ErrorBox              lipgloss.Style
	Code                  lipgloss.Style
	URL                   lipgloss.Style
	Key                   lipgloss.Style

	EnvOn, EnvOff, EnvProdOn lipgloss.Style

	TableHeader, Row, RowSelected, Cell lipgloss.Style
	Number                              lipgloss.Style

	// Card borders: calm, Production (warning) and failure.
	Card, CardProd, CardBad lipgloss.Style
	CardTitle               lipgloss.Style

	Spinner lipgloss.Style
	Input   InputStyles
	Help    help.Styles
}

// InputStyles styles the text inputs of the keys screen.
type InputStyles struct {
	Prompt, Text, Placeholder, Cursor lipgloss.Style
}

// NewStyles builds the style sheet for a renderer. With color false (NO_COLOR) every colour is
// dropped but bold, underline and reverse video stay: the input cursor is drawn in reverse
// video, so it stays visible without colour. A renderer whose profile is termenv.Ascii gives
// plain text (golden files).
func NewStyles(r *lipgloss.Renderer, color bool) *Styles {
	ns := r.NewStyle
	s := &Styles{Color: color && r.ColorProfile() != termenv.Ascii}
	c := func(a lipgloss.AdaptiveColor) lipgloss.TerminalColor {
		if !color {
			return lipgloss.NoColor{}
		}
		return a
	}

	s.Title = ns().Bold(true).Foreground(c(palette.Accent))
	s.Tagline = ns().Foreground(c(palette.Subtle))
	s.Rule = ns().Foreground(c(palette.Rule))

	s.StepDone = ns().Foreground(c(palette.Success))
	s.StepNow = ns().Bold(true).Foreground(c(palette.Accent))
	s.StepTodo = ns().Foreground(c(palette.Faint))

	badge := ns().Bold(true).Padding(0, 1)
	s.BadgeEnv = badge.Foreground(c(palette.AccentText)).Background(c(palette.Accent))
	s.BadgeProd = badge.Foreground(c(palette.WarningText)).Background(c(palette.Warning))
	s.BadgeDem = badge.Foreground(c(palette.DemoText)).Background(c(palette.Demo))

	s.Heading = ns().Bold(true)
	s.Muted = ns().Foreground(c(palette.Subtle))
	s.Faint = ns().Foreground(c(palette.Faint))
	s.Label = ns().Foreground(c(palette.Subtle))
	s.LabelFocused = ns().Bold(true).Foreground(c(palette.Accent))
	s.Source = ns().Italic(true).Foreground(c(palette.Faint))
	s.Pointer = ns().Bold(true).Foreground(c(palette.Accent))

	s.OK = ns().Foreground(c(palette.Success))
	s.Bad = ns().Foreground(c(palette.Danger))
	s.Warn = ns().Foreground(c(palette.Warning))
	s.Accent = ns().Foreground(c(palette.Accent))
	s.ErrorBox = ns().Border(lipgloss.NormalBorder(), false, false, false, true).
		BorderForeground(c(palette.Danger)).PaddingLeft(1)
	s.Code = ns().Bold(true).Foreground(c(palette.Danger))
	s.URL = ns().Underline(true).Foreground(c(palette.Accent))
	s.Key = ns().Bold(true)

	s.EnvOn = ns().Bold(true).Foreground(c(palette.Accent))
	s.EnvOff = ns().Foreground(c(palette.Faint))
	s.EnvProdOn = ns().Bold(true).Foreground(c(palette.Warning))

	s.TableHeader = ns().Bold(true).Foreground(c(palette.Subtle)).PaddingRight(2)
	s.Row = ns()
	s.RowSelected = ns().Bold(true).Foreground(c(palette.Accent)).PaddingRight(2)
	s.Cell = ns().PaddingRight(2)
	s.Number = ns().Bold(true)
	s.Card = ns().Foreground(c(palette.Rule))
	s.CardProd = ns().Foreground(c(palette.Warning))
	s.CardBad = ns().Foreground(c(palette.Danger))
	s.CardTitle = ns().Bold(true)

	s.Spinner = ns().Foreground(c(palette.Accent))
	s.Input = InputStyles{
		Prompt:      ns(),
		Text:        ns(),
		Placeholder: ns().Foreground(c(palette.Faint)),
		// bubbles draws the cursor in reverse video of this style: no colour needed to see it.
		Cursor: ns().Foreground(c(palette.Accent)),
	}
	s.Help = help.Styles{
		Ellipsis:       ns().Foreground(c(palette.Faint)),
		ShortKey:       ns().Bold(true).Foreground(c(palette.Subtle)),
		ShortDesc:      ns().Foreground(c(palette.Faint)),
		ShortSeparator: ns().Foreground(c(palette.Rule)),
		FullKey:        ns().Bold(true).Foreground(c(palette.Subtle)),
		FullDesc:       ns().Foreground(c(palette.Faint)),
		FullSeparator:  ns().Foreground(c(palette.Rule)),
	}
	return s
}

// Badge renders a header badge. Without colour it is bracketed so it still stands out.
func (s *Styles) Badge(st lipgloss.Style, text string) string {
	if !s.Color {
		return "[" + text + "]"
	}
	return st.Render(text)
}
