package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// palette is every colour the UI uses. Each is an AdaptiveColor so the same screen reads well
// on light and dark terminals; body text keeps the terminal's own foreground.
var palette = struct {
	Accent, AccentText, Subtle, Faint, Rule, Success, Danger, Warning, WarningText, Demo, DemoText, Cursor lipgloss.AdaptiveColor
}{
	Accent:      lipgloss.AdaptiveColor{Light: "#00755F", Dark: "#3DDBB7"},
	AccentText:  lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#0B1F1A"},
	Subtle:      lipgloss.AdaptiveColor{Light: "#5F6368", Dark: "#9AA0A6"},
	Faint:       lipgloss.AdaptiveColor{Light: "#9AA0A6", Dark: "#5F6368"},
	Rule:        lipgloss.AdaptiveColor{Light: "#D7DADF", Dark: "#3A3D42"},
	Success:     lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"},
	Danger:      lipgloss.AdaptiveColor{Light: "#C7222A", Dark: "#FF6B6B"},
	Warning:     lipgloss.AdaptiveColor{Light: "#9A5B00", Dark: "#F0A43A"},
	WarningText: lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1F1300"},
	Demo:        lipgloss.AdaptiveColor{Light: "#7A3FD1", Dark: "#B58CFF"},
	DemoText:    lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A0B33"},
	Cursor:      lipgloss.AdaptiveColor{Light: "#00755F", Dark: "#3DDBB7"},
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

	TableHeader, Row, RowSelected lipgloss.Style
	Number                        lipgloss.Style

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

// NewStyles builds the style sheet for a renderer. Pass a renderer whose colour profile is
// termenv.Ascii for plain text (NO_COLOR, golden files).
func NewStyles(r *lipgloss.Renderer) *Styles {
	ns := r.NewStyle
	s := &Styles{Color: r.ColorProfile() != termenv.Ascii}

	s.Title = ns().Bold(true).Foreground(palette.Accent)
	s.Tagline = ns().Foreground(palette.Subtle)
	s.Rule = ns().Foreground(palette.Rule)

	s.StepDone = ns().Foreground(palette.Success)
	s.StepNow = ns().Bold(true).Foreground(palette.Accent)
	s.StepTodo = ns().Foreground(palette.Faint)

	badge := ns().Bold(true).Padding(0, 1)
	s.BadgeEnv = badge.Foreground(palette.AccentText).Background(palette.Accent)
	s.BadgeProd = badge.Foreground(palette.WarningText).Background(palette.Warning)
	s.BadgeDem = badge.Foreground(palette.DemoText).Background(palette.Demo)

	s.Heading = ns().Bold(true)
	s.Muted = ns().Foreground(palette.Subtle)
	s.Faint = ns().Foreground(palette.Faint)
	s.Label = ns().Foreground(palette.Subtle)
	s.LabelFocused = ns().Bold(true).Foreground(palette.Accent)
	s.Source = ns().Italic(true).Foreground(palette.Faint)
	s.Pointer = ns().Bold(true).Foreground(palette.Accent)

	s.OK = ns().Foreground(palette.Success)
	s.Bad = ns().Foreground(palette.Danger)
	s.Warn = ns().Foreground(palette.Warning)
	s.Accent = ns().Foreground(palette.Accent)
	s.ErrorBox = ns().Border(lipgloss.NormalBorder(), false, false, false, true).
		BorderForeground(palette.Danger).PaddingLeft(1)
	s.Code = ns().Bold(true).Foreground(palette.Danger)
	s.URL = ns().Underline(true).Foreground(palette.Accent)
	s.Key = ns().Bold(true)

	s.EnvOn = ns().Bold(true).Foreground(palette.Accent)
	s.EnvOff = ns().Foreground(palette.Faint)
	s.EnvProdOn = ns().Bold(true).Foreground(palette.Warning)

	s.TableHeader = ns().Bold(true).Foreground(palette.Subtle)
	s.Row = ns()
	s.RowSelected = ns().Bold(true).Foreground(palette.Accent)
	s.Number = ns().Bold(true)
	s.Card = ns().Foreground(palette.Rule)
	s.CardProd = ns().Foreground(palette.Warning)
	s.CardBad = ns().Foreground(palette.Danger)
	s.CardTitle = ns().Bold(true)

	s.Spinner = ns().Foreground(palette.Accent)
	s.Input = InputStyles{
		Prompt:      ns(),
		Text:        ns(),
		Placeholder: ns().Foreground(palette.Faint),
		Cursor:      ns().Foreground(palette.Cursor),
	}
	s.Help = help.Styles{
		Ellipsis:       ns().Foreground(palette.Faint),
		ShortKey:       ns().Bold(true).Foreground(palette.Subtle),
		ShortDesc:      ns().Foreground(palette.Faint),
		ShortSeparator: ns().Foreground(palette.Rule),
		FullKey:        ns().Bold(true).Foreground(palette.Subtle),
		FullDesc:       ns().Foreground(palette.Faint),
		FullSeparator:  ns().Foreground(palette.Rule),
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
