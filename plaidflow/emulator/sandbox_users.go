package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/usercustom"
)

// Sandbox's test users, as Plaid documents them:
//
//   - https://plaid.com/docs/sandbox/test-credentials/: user_good with pass_good; the MFA
//     passwords mfa_device (code 1234), mfa_questions_<n>_<m> (answer_<i>_<j> for the j-th
//     question of the i-th round, from 0), mfa_selections (answer "Yes") and
//     mfa_selections_<n>_<m>_<o> (answer_<n>_<m>_0, the first option); error_<CODE>.
//   - https://plaid.com/docs/sandbox/user-custom/: user_custom with a JSON configuration as the
//     password (accounts, numbers, balances, owners, force_error, mfa).
//
// /sandbox/public_token/create takes any of them as override_username/override_password and
// skips the MFA step; the stand-in Link asks it.

// sandboxLogin is what a Sandbox username and password stand for.
type sandboxLogin struct {
	// mfa is the challenge Link asks before the Item is made; nil for none.
	mfa *mfaSpec
	// custom is user_custom's configuration.
	custom *usercustom.Config
	// authFlow is an Auth flow's login (authflows.go): the Item it makes is that flow's.
	authFlow bool
}

// MFA kinds, as Link's onEvent reports them in mfa_type.
const (
	mfaDevice     = "device"
	mfaQuestions  = "questions"
	mfaSelections = "selections"
)

// mfaSpec is an MFA challenge: rounds of questions, each with answers to choose from when the
// kind is selections.
type mfaSpec struct {
	kind     string
	rounds   int
	perRound int
	options  int
	// yesNo is mfa_selections: one question answered "Yes".
	yesNo bool
	// oneBased numbers the selections' answers from 1, as the mfa_selections_<n>_<m>_<o>
	// password's documented answer answer_1_1_0 does for the first question of the first round.
	oneBased bool
}

// mfaDeviceCode is the code of every device (test-credentials page: "Code for all devices").
const mfaDeviceCode = "1234"

// parseLogin answers a Sandbox login as Plaid does: the user and what Link asks next, or the
// error Plaid answers (error_<CODE>, wrong credentials, or a user_custom configuration that
// Plaid cannot use).
func parseLogin(username, password string) (*sandboxLogin, *apiError) {
	if username == usercustom.Username {
		if password == "" {
			return nil, newError("INVALID_CREDENTIALS")
		}
		cfg, err := usercustom.Parse([]byte(password), usercustom.Options{Source: "override_password"})
		if err != nil {
			// Plaid's answer to a configuration it cannot use is not documented; the login fails
			// as wrong credentials do, with the problem named so that it can be fixed.
			return nil, errorf("INVALID_CREDENTIALS", "the user_custom configuration is not valid: %s", err)
		}
		l := &sandboxLogin{custom: cfg}
		if m := cfg.MFA; m != nil {
			switch m.Type {
			case mfaDevice:
				l.mfa = &mfaSpec{kind: mfaDevice}
			case mfaQuestions:
				l.mfa = &mfaSpec{kind: mfaQuestions, rounds: m.QuestionRounds, perRound: m.QuestionsPerRound}
			case mfaSelections:
				l.mfa = &mfaSpec{kind: mfaSelections, rounds: m.SelectionRounds, perRound: m.QuestionsPerRound, options: m.SelectionsPerQuestion}
			}
		}
		return l, nil
	}
	if username != sandboxUsername {
		return nil, newError("INVALID_CREDENTIALS")
	}
	if code, ok := strings.CutPrefix(password, "error_"); ok {
		return nil, credentialError(code)
	}
	switch {
	case isAuthFlowLogin(username, password):
		return &sandboxLogin{authFlow: true}, nil
	case password == sandboxPassword:
		return &sandboxLogin{}, nil
	case password == "mfa_device":
		return &sandboxLogin{mfa: &mfaSpec{kind: mfaDevice}}, nil
	case password == "mfa_selections":
		return &sandboxLogin{mfa: &mfaSpec{kind: mfaSelections, rounds: 1, perRound: 1, options: 2, yesNo: true}}, nil
	}
	if rest, ok := strings.CutPrefix(password, "mfa_questions_"); ok {
		if n, ok := digitsIn(rest, 2, 1, 9); ok {
			return &sandboxLogin{mfa: &mfaSpec{kind: mfaQuestions, rounds: n[0], perRound: n[1]}}, nil
		}
	}
	if rest, ok := strings.CutPrefix(password, "mfa_selections_"); ok {
		// 0 < n, m < 10 and 2 <= o < 10
		if n, ok := digitsIn(rest, 3, 1, 9); ok && n[2] >= 2 {
			return &sandboxLogin{mfa: &mfaSpec{kind: mfaSelections, rounds: n[0], perRound: n[1], options: n[2], oneBased: true}}, nil
		}
	}
	return nil, newError("INVALID_CREDENTIALS")
}

// digitsIn parses count numbers joined by "_", each in [lo, hi].
func digitsIn(s string, count, lo, hi int) ([]int, bool) {
	parts := strings.Split(s, "_")
	if len(parts) != count {
		return nil, false
	}
	out := make([]int, count)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < lo || n > hi || strconv.Itoa(n) != p {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// forcedError is the error user_custom's force_error asks for on Item creation.
func (l *sandboxLogin) forcedError() *apiError {
	if l.custom == nil || l.custom.ForceError == "" {
		return nil
	}
	return newError(l.custom.ForceError)
}

// mfaRound is one round of a challenge as the stand-in Link shows it.
type mfaRound struct {
	Kind string `json:"kind"` // device, code, questions, selections
	// Round counts from 1 of Rounds, for "Question round 2 of 3".
	Round  int `json:"round"`
	Rounds int `json:"rounds"`
	// Devices to send a code to (kind device).
	Devices []string `json:"devices,omitempty"`
	// Questions of the round, with their answers to choose from for selections.
	Questions []mfaQuestion `json:"questions,omitempty"`
	// Hint tells a tester the Sandbox's answers, as the credential pane shows user_good.
	Hint string `json:"hint"`
}

type mfaQuestion struct {
	Text    string   `json:"text"`
	Answers []string `json:"answers,omitempty"`
}

// steps is the number of rounds Link shows: a device challenge is two (choose a device, then
// enter its code).
func (m *mfaSpec) steps() int {
	if m.kind == mfaDevice {
		return 2
	}
	return m.rounds
}

// round describes step i (from 0).
func (m *mfaSpec) round(i int) mfaRound {
	r := mfaRound{Kind: m.kind, Round: i + 1, Rounds: m.steps()}
	switch m.kind {
	case mfaDevice:
		if i == 0 {
			r.Devices = []string{"Phone ending in 1234 (text message)", "Email a•••@example.com"}
			r.Hint = "Sandbox: any device; the code is " + mfaDeviceCode + "."
		} else {
			r.Kind = "code"
			r.Hint = "Sandbox: the code for every device is " + mfaDeviceCode + "."
		}
	case mfaQuestions:
		for j := range m.perRound {
			r.Questions = append(r.Questions, mfaQuestion{Text: fmt.Sprintf("question_%d_%d", i, j)})
		}
		r.Hint = fmt.Sprintf("Sandbox: the answer to question_<i>_<j> is answer_<i>_<j> (this round: answer_%d_0…).", i)
	case mfaSelections:
		for j := range m.perRound {
			q := mfaQuestion{Text: fmt.Sprintf("Security question %d of round %d", j+1, i+1)}
			if m.yesNo {
				q.Text, q.Answers = "Is this your account?", []string{"Yes", "No"}
			} else {
				qi, qj := i, j
				if m.oneBased {
					qi, qj = i+1, j+1
				}
				for k := range m.options {
					q.Answers = append(q.Answers, fmt.Sprintf("answer_%d_%d_%d", qi, qj, k))
				}
			}
			r.Questions = append(r.Questions, q)
		}
		r.Hint = "Sandbox: the right answer is always the first option."
		if m.yesNo {
			r.Hint = "Sandbox: the answer is Yes."
		}
	}
	return r
}

// check reports whether answers are right for step i. A device choice is any listed device.
func (m *mfaSpec) check(i int, answers []string) bool {
	r := m.round(i)
	switch r.Kind {
	case mfaDevice:
		return len(answers) == 1 && slices.Contains(r.Devices, answers[0])
	case "code":
		return len(answers) == 1 && strings.TrimSpace(answers[0]) == mfaDeviceCode
	case mfaQuestions:
		if len(answers) != len(r.Questions) {
			return false
		}
		for j, a := range answers {
			if strings.TrimSpace(a) != fmt.Sprintf("answer_%d_%d", i, j) {
				return false
			}
		}
		return true
	case mfaSelections:
		if len(answers) != len(r.Questions) {
			return false
		}
		for j, a := range answers {
			if a != r.Questions[j].Answers[0] {
				return false
			}
		}
		return true
	}
	return false
}
