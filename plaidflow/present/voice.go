package present

// Voice is who answers a run: Plaid, or in the offline demo the built-in emulator. Every
// message that says who answered, refused or fired something, or that speaks of billing,
// takes its words from here, in the commands and the terminal UI alike, so that the demo
// never talks as if Plaid or a bank were involved.
type Voice struct{ Demo bool }

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
