package plaidflow

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/localfile"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// Scenarios: Sandbox Items in a state chosen ahead, for support engineers reproducing what a
// user saw and for demos. Each is a configuration of Sandbox's custom user (username
// user_custom, the configuration as password; https://plaid.com/docs/sandbox/user-custom/)
// made with /sandbox/public_token/create at a Sandbox institution. They use only documented
// fields, so they work against Plaid's Sandbox and the emulator alike.

//go:embed scenarios/*.json
var scenarioFiles embed.FS

// SandboxUser is the Sandbox login an Item is made with; the zero value is user_good.
type SandboxUser struct {
	Username, Password string
	// Label says in reports where the login came from: "scenario uk-bacs-iban",
	// "user_custom from ticket.json".
	Label string
	// Scenario, File and FileSHA256 say where the configuration came from (a scenario's name,
	// or a user_custom file's name and the SHA-256 of its bytes), and ForceError is its
	// force_error: what a transcript records (settle), never the configuration itself.
	Scenario, File, FileSHA256, ForceError string
}

// settle records in s where the login came from and the error it forces (user_good: none),
// replacing what an earlier journey of the session recorded.
func (u *SandboxUser) settle(s *transcript.Settings) {
	if u == nil {
		u = &SandboxUser{}
	}
	s.Scenario, s.UserCustomFile, s.UserCustomSHA256, s.ForceError = u.Scenario, u.File, u.FileSHA256, u.ForceError
}

// login is the override username and password to send; empty for user_good.
func (u *SandboxUser) login() (username, password string) {
	if u == nil {
		return "", ""
	}
	return u.Username, u.Password
}

// describe is the user as a step's detail shows it.
func (u *SandboxUser) describe() string {
	if u == nil || u.Username == "" {
		return "user_good"
	}
	if u.Label != "" {
		return u.Label
	}
	return u.Username
}

// Scenario is a ready-made Sandbox Item.
type Scenario struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Institution is the Sandbox institution the Item is made at.
	Institution string `json:"institution_id"`
	// ForceError is the error the Item's creation fails with, when the scenario is one.
	ForceError string `json:"force_error,omitempty"`
	// Accounts and Families summarise the configuration for a listing.
	Accounts int      `json:"accounts"`
	Families []string `json:"number_families"`
	config   *usercustom.Config
}

// scenarioTable describes the embedded configurations; the file is scenarios/<name>.json.
var scenarioTable = []Scenario{
	{Name: "us-checking-savings", Title: "US checking + savings",
		Description: "A US consumer with a checking and a savings account: ACH numbers, balances, owner.", Institution: "ins_109508"},
	{Name: "ca-eft", Title: "Canadian chequing + savings (EFT)",
		Description: "A Canadian user with CAD accounts: EFT institution, branch and account numbers.", Institution: "ins_43"},
	{Name: "uk-bacs-iban", Title: "UK current account (BACS + IBAN)",
		Description: "A UK user with a GBP current account: sort code and account number, IBAN and BIC.", Institution: "ins_117650"},
	// The card is a credit account, which /auth/get does not return: the title must not promise
	// it on the numbers screen, where it never shows.
	{Name: "business", Title: "Business checking (card: balances)",
		Description: "A small business: an operating checking account with ACH numbers, and a business credit card with a limit, which Auth does not return (balances ITEM shows it).", Institution: "ins_109508"},
	{Name: "item-login-required", Title: "Item fails: ITEM_LOGIN_REQUIRED",
		Description: "Item creation fails with ITEM_LOGIN_REQUIRED (force_error); --force-error picks another code.", Institution: "ins_109508"},
}

// Scenarios lists the ready-made scenarios, checked.
func Scenarios() ([]Scenario, error) {
	out := make([]Scenario, 0, len(scenarioTable))
	for _, sc := range scenarioTable {
		src, err := scenarioFiles.ReadFile("scenarios/" + sc.Name + ".json")
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		cfg, err := usercustom.Parse(src, usercustom.Options{Source: "scenario " + sc.Name, Strict: true})
		if err != nil {
			return nil, err
		}
		out = append(out, sc.with(cfg))
	}
	return out, nil
}

// with fills in what a listing shows from the configuration.
func (sc Scenario) with(cfg *usercustom.Config) Scenario {
	sc.config = cfg
	sc.ForceError = cfg.ForceError
	sc.Accounts = len(cfg.Accounts)
	sc.Families = []string{}
	has := map[string]bool{}
	for _, a := range cfg.Accounts {
		n := a.Numbers
		has["ach"] = has["ach"] || n.ACHRouting != ""
		has["eft"] = has["eft"] || n.EFTInstitution != ""
		has["international"] = has["international"] || n.IBAN != ""
		has["bacs"] = has["bacs"] || n.BACSSortCode != ""
	}
	for _, f := range []string{"ach", "eft", "international", "bacs"} {
		if has[f] {
			sc.Families = append(sc.Families, f)
		}
	}
	return sc
}

// ErrUnknownScenario is returned for a scenario name that is not shipped.
var ErrUnknownScenario = errors.New("no such scenario")

// FindScenario returns the shipped scenario called name.
func FindScenario(name string) (Scenario, error) {
	all, err := Scenarios()
	if err != nil {
		return Scenario{}, err
	}
	i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		names := make([]string, len(all))
		for j, s := range all {
			names[j] = s.Name
		}
		return Scenario{}, fmt.Errorf("%w %q (the scenarios are: %s)", ErrUnknownScenario, name, strings.Join(names, ", "))
	}
	return all[i], nil
}

// ScenarioConfig is the user_custom configuration of the shipped scenario called name: what
// the code of a session that used it sends (callcode.Scenarios).
func ScenarioConfig(name string) (string, error) {
	sc, err := FindScenario(name)
	if err != nil {
		return "", err
	}
	return sc.User().Password, nil
}

// User is the scenario's Sandbox login.
func (sc Scenario) User() *SandboxUser {
	return &SandboxUser{Username: usercustom.Username, Password: sc.config.Raw, Label: "scenario " + sc.Name,
		Scenario: sc.Name, ForceError: sc.ForceError}
}

// maxUserCustomFile bounds a --user-custom file read: Plaid takes about 55 kB, and a FIFO or
// /dev/zero must be refused, not read (localfile.Read).
const maxUserCustomFile = 1 << 20

// LoadUserCustom reads a user_custom configuration from a file and checks it against Plaid's
// documented schema and limits, strictly: a field Plaid would ignore (a typo) is an error, as
// is anything Plaid would refuse. Errors name the file, the line and the JSON path.
func LoadUserCustom(path string) (*SandboxUser, error) {
	// Read up to well past Plaid's limit, so that usercustom.Parse says how large it is.
	src, err := localfile.Read(path, maxUserCustomFile)
	if err != nil {
		return nil, fmt.Errorf("read user_custom configuration: %w", err)
	}
	cfg, err := usercustom.Parse(src, usercustom.Options{Source: path, Strict: true})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	// The file's name only: its folder may name the user, and says nothing about the Item.
	return &SandboxUser{Username: usercustom.Username, Password: cfg.Raw, Label: "user_custom from " + path,
		File: filepath.Base(path), FileSHA256: hex.EncodeToString(sum[:]), ForceError: cfg.ForceError}, nil
}

// WithForceError is the user with its configuration's force_error set to code: the Item's
// creation then fails with that code. user_good becomes a custom user with Sandbox's random
// accounts. The code must be one of the schema's force_error values.
func (u *SandboxUser) WithForceError(code string) (*SandboxUser, error) {
	raw := "{}"
	label := "user_custom"
	var from SandboxUser
	if u != nil && u.Username == usercustom.Username {
		raw, label, from = u.Password, u.Label, *u
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, fmt.Errorf("force error: %w", err)
	}
	obj["force_error"], _ = json.Marshal(code)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, fmt.Errorf("force error: %w", err)
	}
	cfg, err := usercustom.Parse(bytes.TrimSpace(b.Bytes()), usercustom.Options{Source: "--force-error", Strict: true})
	if err != nil {
		return nil, err
	}
	return &SandboxUser{Username: usercustom.Username, Password: cfg.Raw, Label: label + ", force_error " + code,
		Scenario: from.Scenario, File: from.File, FileSHA256: from.FileSHA256, ForceError: code}, nil
}

// SandboxLogin says whom a Sandbox journey logs in as, for the front ends: "user_good",
// "scenario ca-eft", "user_custom from ticket.json".
func (j *Journey) SandboxLogin() string { return j.sandboxUser.describe() }
