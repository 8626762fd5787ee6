package callcode

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// linkSession is a transcript of a Link journey: a link token, Link's events and onSuccess,
// the exchange of the public token Link gave, and /auth/get.
func linkSession(env string) []transcript.Entry {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	return []transcript.Entry{
		{Time: at, Kind: transcript.KindSession, Environment: env, Command: "plaid-onboard link"},
		{Time: at, Kind: transcript.KindAPICall, Endpoint: "/link/token/create", Call: 1, HTTPStatus: 200, Attempt: 1,
			Request: json.RawMessage(`{"client_name":"plaid-onboard","country_codes":["US"],"language":"en","products":["auth","transactions"],"user":{"client_user_id":"u1"},"auth":{"same_day_microdeposits_enabled":true},"redirect_uri":"https://example.com/oauth","webhook":"https://hooks.example.com/plaid"}`)},
		{Time: at, Kind: transcript.KindLinkEvent, Name: "OPEN"},
		{Time: at, Kind: transcript.KindLinkEvent, Name: "SELECT_INSTITUTION"},
		{Time: at, Kind: transcript.KindLinkSuccess, Metadata: json.RawMessage(`{"institution":{"name":"Tartan Bank","institution_id":"ins_3"},"accounts":[{"name":"Checking","mask":"0000","subtype":"checking"}]}`)},
		{Time: at, Kind: transcript.KindAPICall, Endpoint: "/item/public_token/exchange", Call: 2, HTTPStatus: 200, Attempt: 1,
			Request: json.RawMessage(`{"public_token":{"$link":"public_token"}}`)},
		{Time: at, Kind: transcript.KindAPICall, Endpoint: "/auth/get", Call: 3, HTTPStatus: 200, Attempt: 1,
			Request: json.RawMessage(`{"access_token":{"$from":2,"field":"access_token"},"options":{"account_ids":["acc-1"]}}`)},
	}
}

// In Sandbox, Link becomes /sandbox/public_token/create at the bank Link chose, with the
// products the link token asked for, and a comment says what Link did; its public token feeds
// the exchange (https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate).
func TestSandboxLinkBecomesSandboxPublicTokenCreate(t *testing.T) {
	p, err := FromTranscript(linkSession("sandbox"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var endpoints []string
	for _, c := range p.Calls {
		endpoints = append(endpoints, c.Endpoint)
	}
	if got := strings.Join(endpoints, " "); got != "/link/token/create /sandbox/public_token/create /item/public_token/exchange /auth/get" {
		t.Fatalf("calls = %s", got)
	}
	stand := p.Calls[1]
	b, _ := json.Marshal(stand.Body)
	if string(b) != `{"initial_products":["auth","transactions"],"institution_id":"ins_3","options":{"webhook":"https://hooks.example.com/plaid"}}` {
		t.Errorf("the stand-in for Link sends %s", b)
	}
	said := strings.Join(stand.Said, "\n")
	for _, want := range []string{"Link ran here", "OPEN", "SELECT_INSTITUTION", "Tartan Bank (ins_3), 1 accounts selected", "Checking ••0000"} {
		if !strings.Contains(said, want) {
			t.Errorf("the comment on the stand-in lacks %q:\n%s", want, said)
		}
	}
	if len(p.Inputs) != 0 {
		t.Errorf("a Sandbox program needs inputs %+v; it should need only the keys", p.Inputs[0])
	}
	for _, lang := range Langs {
		src, err := Generate(p, lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, want := range []string{"same_day_microdeposits_enabled", "https://example.com/oauth", "acc-1", "sandbox_public_token_create", "Tartan Bank"} {
			if lang != "python" && want == "sandbox_public_token_create" {
				continue
			}
			if !strings.Contains(src, want) {
				t.Errorf("the %s program lacks %q", lang, want)
			}
		}
	}
}

// In Production there is no way around Link: the program says where the public token goes and
// reads it from PLAID_PUBLIC_TOKEN, the host is Production's, and nothing is made up.
func TestProductionLinkIsAPlaceToPasteThePublicToken(t *testing.T) {
	p, err := FromTranscript(linkSession("production"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Calls) != 3 || len(p.Inputs) != 1 || p.Inputs[0].Env != "PLAID_PUBLIC_TOKEN" || !p.Inputs[0].Paste {
		t.Fatalf("calls %d, inputs %+v: want the session's 3 calls and the public token to paste", len(p.Calls), p.Inputs)
	}
	for _, lang := range Langs {
		src, _ := Generate(p, lang)
		for _, want := range []string{"PASTE HERE", "PLAID_PUBLIC_TOKEN", "roduction"} {
			if !strings.Contains(src, want) {
				t.Errorf("the %s program lacks %q", lang, want)
			}
		}
		if strings.Contains(src, "sandbox_public_token") || strings.Contains(src, "SandboxPublicToken") || strings.Contains(src, "/sandbox/") {
			t.Errorf("the %s Production program calls Sandbox", lang)
		}
	}
}

// A transcript is a file someone may send. What it holds becomes strings in the program, never
// code: a value, a comment or a name cannot run anything or change what the program sends.
func TestHostileTranscriptCannotBecomeCode(t *testing.T) {
	hostile := `it's "x" $(touch PWNED) ` + "`touch PWNED` \\n \u202e ${x} \\(.a) '''\"\"\" */ #{1}"
	value, _ := json.Marshal(hostile)
	at := time.Now()
	entries := []transcript.Entry{
		{Time: at, Kind: transcript.KindSession, Environment: "sandbox", Command: "plaid-onboard x\ntouch PWNED\n"},
		{Time: at, Kind: transcript.KindAPICall, Endpoint: "/institutions/get_by_id", Call: 1, HTTPStatus: 200, RequestID: "r\ntouch PWNED",
			Request: json.RawMessage(`{"institution_id":` + string(value) + `,"country_codes":["US"]}`)},
	}
	p, err := FromTranscript(entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		src, err := Generate(p, lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, line := range strings.Split(src, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "touch") || strings.ContainsRune(line, '\u202e') {
				t.Errorf("the %s program has a line from the transcript outside a comment or a string: %q", lang, line)
			}
		}
	}

	for _, bad := range []string{
		`{"kind":"x","endpoint":"/auth/get;touch PWNED"}`,
		`{"endpoint":"/auth/get","request":{"a b":1}}`,
		`{"endpoint":"/auth/get","request":{"access_token":{"$var":"x;y"}}}`,
		`{"endpoint":"/auth/get","request":{"class":1}}`,
	} {
		var e transcript.Entry
		_ = json.Unmarshal([]byte(bad), &e)
		e.Time, e.Kind, e.Call = at, transcript.KindAPICall, 1
		if _, err := FromTranscript([]transcript.Entry{entries[0], e}, nil); err == nil {
			t.Errorf("FromTranscript accepted %s", bad)
		}
	}

	// The value the curl program sends is the transcript's, byte for byte.
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed: .ci/test-deps installs it")
	}
	src, _ := Generate(p, "curl")
	bodies := runAgainstRecorder(t, src)
	var got struct {
		InstitutionID string `json:"institution_id"`
	}
	if len(bodies) != 1 || json.Unmarshal(bodies[0], &got) != nil || got.InstitutionID != hostile {
		t.Errorf("the curl program sent %s, want institution_id %q", bodies, hostile)
	}
	if _, err := os.Stat("PWNED"); !errors.Is(err, os.ErrNotExist) {
		t.Error("the curl program ran a command from the transcript")
	}
}

// runAgainstRecorder runs a bash program against a server that answers every call with an
// empty success, and returns the bodies it received.
func runAgainstRecorder(t *testing.T, src string) [][]byte {
	t.Helper()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"request_id":"r"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.sh")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLAID_API_URL="+srv.URL, "PLAID_CLIENT_ID=id", "PLAID_SECRET=secret")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the program made files: %v", entries)
	}
	mu.Lock()
	defer mu.Unlock()
	return bodies
}

// A transcript from before request bodies were kept has nothing to make again, and says so.
func TestOldTranscriptHasNoCalls(t *testing.T) {
	at := time.Now()
	_, err := FromTranscript([]transcript.Entry{{Time: at, Kind: transcript.KindSession}, {Time: at, Kind: transcript.KindAPICall, Endpoint: "/auth/get", HTTPStatus: 200}}, nil)
	if !errors.Is(err, ErrNoCalls) {
		t.Errorf("err = %v, want ErrNoCalls", err)
	}
}

// One call alone (what the terminal UI copies) reads the tokens it sends from the environment,
// since the calls that gave them are not in it.
func TestForCallReadsItsTokensFromTheEnvironment(t *testing.T) {
	p, ok, err := ForCall(linkSession("sandbox"), 3, nil)
	if err != nil || !ok {
		t.Fatalf("ForCall: %v, %v", ok, err)
	}
	if len(p.Calls) != 1 || p.Calls[0].Endpoint != "/auth/get" || len(p.Inputs) != 1 || p.Inputs[0].Env != "PLAID_ACCESS_TOKEN" {
		t.Fatalf("calls %+v, inputs %+v: want /auth/get reading PLAID_ACCESS_TOKEN", p.Calls, p.Inputs)
	}
	for _, lang := range Langs {
		src, err := Generate(p, lang)
		if err != nil || !strings.Contains(src, "PLAID_ACCESS_TOKEN") || !strings.Contains(src, "acc-1") || strings.Contains(src, "public_token") {
			t.Errorf("%s (%v):\n%s", lang, err, src)
		}
	}
	if _, ok, _ := ForCall(linkSession("sandbox"), 9, nil); ok {
		t.Error("ForCall found a call the session did not make")
	}
}

// Every model the Python program imports exists in Plaid's API under that name: plaid-go has
// the same model (model_<snake>.go), generated from the same OpenAPI file as plaid-python.
func TestPythonModelsArePlaids(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/plaid/plaid-go/v42").Output()
	if err != nil {
		t.Skipf("plaid-go is not in the module cache: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "plaid")
	p, err := FromTranscript(linkSession("sandbox"), nil)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := Generate(p, "python")
	n := 0
	for _, line := range strings.Split(src, "\n") {
		module, ok := strings.CutPrefix(line, "from plaid.model.")
		if !ok {
			continue
		}
		module, class, _ := strings.Cut(module, " import ")
		n++
		if snakeClass(class) != module {
			t.Errorf("%s is imported from plaid.model.%s", class, module)
		}
		if _, err := os.Stat(filepath.Join(dir, "model_"+module+".go")); err != nil {
			t.Errorf("the Python program builds %s, which Plaid's API has no model of", class)
		}
	}
	if n < 6 {
		t.Errorf("the Python program imports %d models, want the link token's, its user and auth, the exchange's, /auth/get's and its options, and the enums:\n%s", n, src)
	}
}
