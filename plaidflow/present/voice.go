package present

import "github.com/plaid-onboard/plaid-onboard/plaidflow/config"

// Voice is who answers a run: Plaid, or in the offline demo the built-in emulator, and the
// mode a command it suggests must run in. Every message that says who answered, refused or
// fired something, that speaks of billing, or that suggests a command takes its words from
// here, in the commands and the terminal UI alike, so that the demo never talks as if Plaid
// or a bank were involved and a suggested command works when pasted.
type Voice struct {
	Demo    bool
	Profile string // "" when profiles are not in use
	Env     config.Env
	Store   string // the --store to repeat (config.Config.Store)
}

// VoiceOf is the voice of a run with cfg.
func VoiceOf(cfg config.Config) Voice {
	v := Voice{Demo: cfg.Demo, Env: cfg.Env, Store: cfg.Store}
	if cfg.ProfileLabel() != "" {
		v.Profile = cfg.Profile
	}
	return v
}

// Command is the command line that runs args in this run's profile, store, mode and
// environment, so that it works when pasted.
func (v Voice) Command(args string) string {
	return config.CommandLine(v.Profile, v.Store, v.Demo, v.Env, args)
}

// Repair is the command that repairs the Item ref with Link in update mode.
func (v Voice) Repair(ref string) string { return v.Command("link --update " + ref) }

// Who names who answered: "Plaid", or "the emulator" in the demo.
func (v Voice) Who() string {
	if v.Demo {
		return "the emulator"
	}
	return "Plaid"
}

// WhoUpper is Who at the start of a sentence.
func (v Voice) WhoUpper() string {
	if v.Demo {
		return "The emulator"
	}
	return "Plaid"
}

// At is where an Item lives: "at Plaid", or "in the emulator".
func (v Voice) At() string {
	if v.Demo {
		return "in the emulator"
	}
	return "at Plaid"
}

// Billing is clause (about what Plaid bills) for a real run, and "" in the demo, where
// nothing is billed.
func (v Voice) Billing(clause string) string {
	if v.Demo {
		return ""
	}
	return clause
}

// DemoListBanner marks the output of a demo command that made no call (the Items list): its
// Items are the emulator's, and nothing answered.
const DemoListBanner = "OFFLINE DEMO: these Items were made by the built-in emulator, not by Plaid. No real bank was contacted."

// Billed labels Plaid's billed_products in a table: "Billed"; in the demo, where nothing is
// billed, "In use".
func (v Voice) Billed() string {
	if v.Demo {
		return "In use"
	}
	return "Billed"
}

// BilledProducts labels Plaid's billed_products in a sentence or a panel: "billed products";
// in the demo, "products in use".
func (v Voice) BilledProducts() string {
	if v.Demo {
		return "products in use"
	}
	return "billed products"
}
