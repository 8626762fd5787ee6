package emulator

import (
	"math/big"
	"testing"
)

// validIBAN reports whether an IBAN passes the ISO 13616 mod-97 check.
func validIBAN(s string) bool {
	if len(s) < 5 {
		return false
	}
	n, ok := new(big.Int).SetString(ibanDigits(s[4:]+s[:4]), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

func TestIBAN(t *testing.T) {
	// Published examples: a valid UK IBAN, and the same with a digit changed.
	if !validIBAN("GB82WEST12345698765432") || validIBAN("GB82WEST12345698765433") {
		t.Fatal("the checker itself is wrong")
	}
	for _, in := range institutions {
		if in.country != "GB" {
			continue
		}
		for _, a := range userGoodAccounts {
			got := iban("GB", in.bankCode, in.sortCode, bacsAccount(a.mask))
			if !validIBAN(got) || len(got) != 22 {
				t.Errorf("%s %s: IBAN %s is not valid", in.id, a.mask, got)
			}
		}
	}
	if got := iban("GB", "WEST", "123456", "98765432"); got != "GB82WEST12345698765432" {
		t.Errorf("iban(WEST...) = %s, want the published GB82WEST12345698765432", got)
	}
}

// Every institution is coherent: its country has a number family, and its ACH routing
// numbers include the one Auth reports.
func TestInstitutionData(t *testing.T) {
	seen := map[string]bool{}
	for _, in := range institutions {
		if seen[in.id] {
			t.Errorf("%s listed twice", in.id)
		}
		seen[in.id] = true
		if !in.supports("auth") {
			t.Errorf("%s does not support auth", in.id)
		}
		switch in.country {
		case "US":
			if in.routingNumbers[0] != sandboxRouting {
				t.Errorf("%s routing numbers %v", in.id, in.routingNumbers)
			}
		case "CA":
			if len(in.eftInstitution) != 3 || len(in.eftBranch) != 5 {
				t.Errorf("%s EFT numbers %s/%s", in.id, in.eftInstitution, in.eftBranch)
			}
		case "GB":
			if len(in.sortCode) != 6 || len(in.bic) != 8 || in.bic[:4] != in.bankCode {
				t.Errorf("%s BACS numbers %s %s", in.id, in.sortCode, in.bic)
			}
		default:
			t.Errorf("%s: no number family for %s", in.id, in.country)
		}
	}
}
