package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/plaid-onboard/plaid-onboard/linkpage"
	"github.com/plaid-onboard/plaid-onboard/plaidflow"
)

// Every command that talks to Plaid, the keyring, the browser or the terminal lives here. Each
// is bounded by a context with a timeout, so a dead network or a hung D-Bus never freezes the UI.

const (
	// plaidTimeout bounds one step against Plaid (plaidflow bounds each call as well).
	plaidTimeout = plaidflow.CallTimeout + 5*time.Second
	// pageShutdownTimeout bounds stopping a Link page, including the moment it gives an open
	// tab to read the outcome.
	pageShutdownTimeout = 3 * time.Second
	// settleDelay keeps the finished checklist on screen long enough to be read.
	settleDelay = 700 * time.Millisecond
)

// createLinkToken builds a client for cfg and creates a Link token with it: the live check of
// the keys.
func createLinkToken(ctx context.Context, id int, deps Deps, cfg plaidflow.Config) tea.Cmd {
	return func() tea.Msg {
		client, err := deps.NewClient(cfg, deps.HTTPClient)
		if err != nil {
			return errMsg{op: opCreateLinkToken, id: id, err: err}
		}
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		lt, err := client.CreateLinkToken(ctx, plaidflow.LinkTokenOptions{})
		if err != nil {
			return errMsg{op: opCreateLinkToken, id: id, err: err}
		}
		return linkTokenCreatedMsg{id: id, client: client, token: lt}
	}
}

// loadSavedKeys reads the keys saved for env from the vault.
func loadSavedKeys(vault *plaidflow.Vault, cfg plaidflow.Config) tea.Cmd {
	return func() tea.Msg {
		id, secret, err := vault.LoadKeys(cfg.Namespace())
		return savedKeysLoadedMsg{env: cfg.Env, clientID: id, secret: secret, err: err}
	}
}

// saveKeys keeps the keys in the keyring for cfg's environment.
func saveKeys(vault *plaidflow.Vault, cfg plaidflow.Config) tea.Cmd {
	return func() tea.Msg {
		if err := vault.SaveKeys(cfg.Namespace(), cfg.ClientID, cfg.Secret); err != nil {
			return errMsg{op: opSaveKeys, err: err}
		}
		return keysSavedMsg{env: cfg.Env}
	}
}

// loadSavedItems lists the Items earlier runs saved in ns, so the link screen can offer them.
// The list is the vault's index file; no keyring is read until an Item is picked.
func loadSavedItems(vault *plaidflow.Vault, ns string) tea.Cmd {
	return func() tea.Msg {
		items, err := vault.Items(ns)
		return savedItemsLoadedMsg{ns: ns, items: items, err: err}
	}
}

// fetchSavedNumbers fetches the numbers of a saved Item with its access token from the keyring:
// no Link, no exchange.
func fetchSavedNumbers(ctx context.Context, id int, flow *plaidflow.Flow, item plaidflow.SavedItem) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		res, err := flow.SavedJourney(item.ItemID).RunAll(ctx, nil)
		if err != nil {
			return errMsg{op: opSavedNumbers, id: id, err: err}
		}
		return savedNumbersFetchedMsg{id: id, item: item, res: res}
	}
}

// startLinkPage starts the loopback server that runs Plaid Link with token.
func startLinkPage(id int, cfg plaidflow.Config, token string) tea.Cmd {
	return func() tea.Msg {
		page, err := linkpage.New(linkpage.Options{
			LinkToken:   token,
			ScriptURL:   cfg.LinkScriptURL,
			Environment: cfg.Namespace(), // "demo" for the demo, else the environment
			ClientName:  cfg.ClientName,
		}.ForRedirect(cfg.RedirectURI))
		if err != nil {
			return errMsg{op: opStartLinkPage, id: id, err: fmt.Errorf("prepare the link page: %w", err)}
		}
		if err := page.Start(); err != nil {
			return errMsg{op: opStartLinkPage, id: id, err: fmt.Errorf("start the link page: %w", err)}
		}
		return linkPageStartedMsg{id: id, page: page}
	}
}

// waitForLinkEvent waits for the page's next callback. The receiver issues it again after each
// event, so events flow one at a time, in order.
func waitForLinkEvent(page *linkpage.Server) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-page.Events()
		if !ok {
			return linkPageClosedMsg{page: page}
		}
		return linkEventReceivedMsg{page: page, ev: ev}
	}
}

// openBrowser opens url; a failure is reported, never fatal (the URL is on screen).
func openBrowser(b interface{ Browse(string) error }, url string) tea.Cmd {
	return func() tea.Msg {
		return browserOpenedMsg{url: url, err: b.Browse(url)}
	}
}

// finishLinkPage tells an open tab how the flow ended, then stops the page.
func finishLinkPage(page *linkpage.Server, outcome linkpage.Outcome) tea.Cmd {
	return func() tea.Msg {
		page.Finish(outcome)
		ctx, cancel := context.WithTimeout(context.Background(), pageShutdownTimeout)
		defer cancel()
		_ = page.Shutdown(ctx)
		return linkPageClosedMsg{page: page}
	}
}

// sandboxPublicToken makes an Item without a browser (Sandbox only), through the flow's
// Sandbox shortcut, which also looks the institution up alongside.
func sandboxPublicToken(ctx context.Context, flow *plaidflow.Flow) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		linked, err := flow.SandboxPublicToken(ctx, "")
		if err != nil {
			return errMsg{op: opSandboxPublicToken, err: err}
		}
		return publicTokenReceivedMsg{linked: linked, sandbox: true}
	}
}

// exchangePublicToken runs the flow's exchange step.
func exchangePublicToken(ctx context.Context, id int, flow *plaidflow.Flow, publicToken string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		ex, err := flow.Exchange(ctx, publicToken)
		if err != nil {
			return errMsg{op: opExchange, id: id, err: err}
		}
		return publicTokenExchangedMsg{id: id, ex: ex}
	}
}

// saveItem runs the flow's save step (bounded by the keyring's own timeout). It never fails:
// Saved.Storage says where the Item went or why it was not kept.
func saveItem(id int, flow *plaidflow.Flow, ex plaidflow.Exchanged, inst *plaidflow.Institution) tea.Cmd {
	return func() tea.Msg {
		return itemSavedMsg{id: id, saved: flow.Save(ex, inst)}
	}
}

// fetchNumbers runs the flow's numbers step, then ties the numbers to the saved Item.
func fetchNumbers(ctx context.Context, id int, flow *plaidflow.Flow, accessToken string, inst *plaidflow.Institution, saved plaidflow.Saved) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, plaidTimeout)
		defer cancel()
		res, err := flow.Numbers(ctx, accessToken, inst)
		if err != nil {
			return errMsg{op: opNumbers, id: id, err: err}
		}
		flow.Finish(saved, res)
		return numbersFetchedMsg{id: id, res: res}
	}
}

// settleSteps waits a moment before the results replace the checklist.
func settleSteps(id int, res *plaidflow.Result) tea.Cmd {
	return tea.Tick(settleDelay, func(time.Time) tea.Msg { return stepsSettledMsg{id: id, res: res} })
}

// copyToClipboard sends text to the terminal's clipboard with OSC 52, which works over SSH.
// Inside tmux it sends the sequence both plainly (tmux with set-clipboard on) and wrapped for
// passthrough (allow-passthrough on), since either may be how tmux is set up.
func copyToClipboard(out io.Writer, getenv func(string) string, text, what string) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		seq := osc52.New(text)
		switch {
		case getenv("TMUX") != "":
			b.WriteString(seq.String())
			b.WriteString(seq.Tmux().String())
		case strings.HasPrefix(getenv("TERM"), "screen"):
			b.WriteString(seq.Screen().String())
		default:
			b.WriteString(seq.String())
		}
		if _, err := io.WriteString(out, b.String()); err != nil {
			return errMsg{op: opCopy, err: fmt.Errorf("copy to the clipboard: %w", err)}
		}
		return clipboardCopiedMsg{what: what}
	}
}
