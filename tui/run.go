package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/vault"
)

// What the UI is given (Deps, built by cmd) and how a session runs and ends (Run).

// ClientFactory builds a Plaid client; tests may swap it.
type ClientFactory func(config.Config, *http.Client) (*plaidapi.Client, error)

// Deps is everything the UI touches outside itself, built by cmd and passed in.
type Deps struct {
	// In and Out are the terminal. Out also receives OSC 52 clipboard sequences and, after the
	// UI closes, the report of what was linked.
	In  io.Reader
	Out io.Writer

	// Config is the resolved configuration; it may lack keys (the keys screen asks for them).
	// Its Source fields say where each value came from.
	Config config.Config
	// Sources are where Config was resolved from: when the user switches environments on the
	// keys screen, the keys are resolved again from them (config.Resolve). Zero: not again.
	// When Config lacks keys and Sources has a vault, the keys saved in the keyring are looked
	// up in the background once the first frame is on screen: cmd resolves Config without it.
	Sources config.Sources
	// Vault keeps keys and Items; nil when saving is off (--no-save).
	Vault *vault.Vault
	// Mask is --mask: account numbers and IBANs stay masked, on screen, in what is copied and
	// in the report left in the scrollback, unless the user explicitly reveals them anyway.
	Mask bool
	// HTTPClient is used for every Plaid call (nil: plaidflow's default).
	HTTPClient *http.Client
	// Browser opens the Link page (the URL is always shown as well); nil means none can.
	Browser linkpage.Browser
	// NoBrowser keeps the browser from opening by itself (--no-browser); o still opens it.
	NoBrowser bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Getenv reads the environment (NO_COLOR, TERM, TMUX); nil: os.Getenv.
	Getenv func(string) string
	// NewClient builds the Plaid client (nil: plaidapi.NewClient).
	NewClient ClientFactory
	// Notes are things the user should know about how the session was set up.
	Notes []string
	// Renderer renders the styles (nil: one for Out). Tests pass one with the termenv.Ascii
	// profile for plain text.
	Renderer *lipgloss.Renderer
	// Timeline records the session: every Plaid client the UI builds and every Link page feed
	// it (nil: a new one). cmd writes it as the transcript when the UI closes.
	Timeline *transcript.Timeline
	// CodeLang is the language C copies a call's code in, as last chosen; ConfigDir is where g
	// remembers a new choice ("": not remembered).
	CodeLang, ConfigDir string
	// TranscriptPath is where t saves the transcript (--transcript); "": a new file in the
	// program's state directory (transcriptPath).
	TranscriptPath string
	// AuthFlow is --flow: how the account is verified (plaidflow.AuthFlowNames; "": Instant
	// Auth). The Link screen's f changes it.
	AuthFlow string
	// WebhookPublicURL is --public-url: the user's tunnel to the webhook receiver, which Items
	// get as their webhook (against Plaid, webhooks need it); WebhookPort is the receiver's port
	// on 127.0.0.1 (--webhook-port; 0: a free one).
	WebhookPublicURL string
	WebhookPort      int
}

func (d *Deps) fill() {
	if d.In == nil {
		d.In = os.Stdin
	}
	if d.Out == nil {
		d.Out = os.Stdout
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Getenv == nil {
		d.Getenv = os.Getenv
	}
	if d.NewClient == nil {
		d.NewClient = plaidapi.NewClient
	}
	if d.Timeline == nil {
		d.Timeline = transcript.NewTimeline(d.Now)
		d.Timeline.Start(transcript.Entry{Program: "plaid-onboard", Command: "plaid-onboard (terminal UI)", Environment: string(d.Config.Env), Demo: d.Config.Demo}, d.Config.Secret)
	}
	if d.Renderer == nil {
		d.Renderer = lipgloss.NewRenderer(d.Out)
		if d.Out == os.Stdout {
			// Bubble Tea's init has already asked the terminal for its background through Lip
			// Gloss's default renderer, which is this one: a new renderer would ask again and
			// hold the first frame for a second round trip to the terminal (startup_test.go).
			d.Renderer = lipgloss.DefaultRenderer()
		}
		// termenv answers NO_COLOR with its Ascii profile, which drops bold and reverse video
		// too, and with them the input cursor. On a terminal the styles drop the colours instead.
		if d.noColor() && termenv.NewOutput(d.Out).ColorProfile() != termenv.Ascii {
			d.Renderer.SetColorProfile(termenv.ANSI)
		}
	}
}

// noColor is https://no-color.org: no colour, but bold and reverse video stay (the cursor).
func (d *Deps) noColor() bool { return d.Getenv("NO_COLOR") != "" }

// ErrInterrupted is the session's result when the user pressed ctrl+c (exit status 130).
var ErrInterrupted = fmt.Errorf("interrupted: %w", context.Canceled)

// Run runs the UI on deps.In and deps.Out until the user quits, and returns how the session
// ended: nil after a normal quit (exit 0), ErrInterrupted after ctrl+c or a signal (130), or the
// failure on screen when the user quit (1). The Link page is shut down and the terminal
// restored before it returns; after a result, its report stays in the scrollback.
func Run(parent context.Context, deps Deps) error {
	deps.fill()
	// Ask the terminal for its background before Bubble Tea owns the input: the answer picks
	// the light or dark half of every AdaptiveColor.
	deps.Renderer.HasDarkBackground()
	// The window title is written here, before Bubble Tea starts: bubbletea v1.3.10's
	// tea.SetWindowTitle writes to the output outside the renderer's lock, racing its flushes.
	termenv.NewOutput(deps.Out).SetWindowTitle("plaid-onboard")

	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	m := newModel(ctx, deps)
	p := tea.NewProgram(m,
		tea.WithInput(deps.In),
		tea.WithOutput(deps.Out),
		tea.WithAltScreen(),
		tea.WithContext(ctx),
		// Bubble Tea would turn SIGTERM into a normal quit (exit 0). cmd cancels ctx on SIGINT
		// and SIGTERM instead, which kills the program: the terminal is restored and Run
		// reports ErrInterrupted (exit 130), as for ctrl+c.
		tea.WithoutSignalHandler(),
	)
	final, runErr := p.Run()
	signalled := parent.Err() != nil
	cancel() // stop the Plaid calls still under way
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	m.saveExchanged(deps.Out)
	m.shutdown()
	if deps.HTTPClient != nil {
		// Unused keep-alive connections would hold up a local server's shutdown (the demo's
		// emulator) by seconds.
		deps.HTTPClient.CloseIdleConnections()
	}

	switch {
	case errors.Is(runErr, tea.ErrInterrupted), errors.Is(runErr, tea.ErrProgramKilled), signalled:
		return ErrInterrupted
	case runErr != nil:
		return fmt.Errorf("terminal ui: %w", runErr)
	}
	if err := m.Err(); err != nil {
		return err
	}
	return m.WriteReport(deps.Out)
}

// saveExchanged waits for the journey steps still under way once the UI has closed and saves
// an Item whose exchange finished meanwhile: an interrupt (ctrl+c, SIGTERM) does not cancel an
// exchange already sent (Plaid creates the Item either way), and the save that normally
// follows it must not be lost with the UI. What happened is said on out, in the scrollback.
func (m *Model) saveExchanged(out io.Writer) {
	for _, j := range m.c.underway.close() {
		if step, ok := j.Next(); !ok || step != plaidflow.StepSave {
			continue
		}
		rep, err := j.Run(context.Background()) // saving takes no context: it is never cancelled
		switch {
		case err != nil:
			fmt.Fprintf(out, "✗ %s: %v\n", plaidflow.StepSave.Failed(), err)
		case rep.Warning != "":
			fmt.Fprintf(out, "✗ Item %s: %s\n", j.ItemID(), rep.Warning)
		case rep.Skipped:
			fmt.Fprintf(out, "– Item %s: %s\n", j.ItemID(), rep.Detail)
		default:
			fmt.Fprintf(out, "✓ %s %s after the interrupt · %s\n", rep.Words(), j.ItemID(), rep.Detail)
		}
		if rep.Notice != "" {
			fmt.Fprintf(out, "! %s\n", rep.Notice)
		}
	}
}
