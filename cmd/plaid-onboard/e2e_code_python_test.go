package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/transcript"
)

// runPython checks the Python program: plaid-python is not installable here (no PyPI), so it
// is compiled with py_compile and run against testdata/pystub/stub.py installed as the package
// `plaid`, which takes the calls as plaid-python would, records them and forwards them to the
// emulator. The recorded bodies must be the session's, tokens aside, and every model the
// program builds must exist in Plaid's API (plaid-go has the same model, from the same OpenAPI
// file).
func (s *codeSession) runPython(t *testing.T) {
	t.Helper()
	py, err := exec.LookPath("python3")
	e2etest.Require(t, "python3", err == nil)
	dir := t.TempDir()
	src := s.code(t, "python")
	writeFile(t, filepath.Join(dir, "session.py"), src)
	if out, err := exec.Command(py, "-m", "py_compile", filepath.Join(dir, "session.py")).CombinedOutput(); err != nil {
		t.Fatalf("py_compile: %v\n%s\n%s", err, out, src)
	}
	stub, err := os.ReadFile(filepath.Join("testdata", "pystub", "stub.py"))
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "lib")
	writeFile(t, filepath.Join(lib, "plaid", "__init__.py"), string(stub))
	writeFile(t, filepath.Join(lib, "plaid", "api", "__init__.py"), "")
	writeFile(t, filepath.Join(lib, "plaid", "api", "plaid_api.py"), "from plaid import PlaidApi  # noqa: F401\n")
	writeFile(t, filepath.Join(lib, "plaid", "model", "__init__.py"), "")

	calls := s.sessionCalls(t)
	endpoints := map[string]string{}
	for _, c := range calls {
		endpoints[strings.ReplaceAll(strings.Trim(c.Endpoint, "/"), "/", "_")] = c.Endpoint
	}
	methods, _ := json.Marshal(endpoints)
	record := filepath.Join(dir, "calls.jsonl")
	out := s.runProgram(t, dir, []string{"PYTHONPATH=" + lib, "STUB_RECORD=" + record, "STUB_ENDPOINTS=" + string(methods)}, py, "session.py")
	s.wantSameOutput(t, "python", out)

	f, err := os.Open(record)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	i := 0
	modelFile := modelFiles(t)
	for ; sc.Scan(); i++ {
		var rec struct {
			Endpoint string         `json:"endpoint"`
			Models   []string       `json:"models"`
			Body     map[string]any `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if i >= len(calls) || rec.Endpoint != calls[i].Endpoint {
			t.Fatalf("call %d of the Python program is %s, not the session's", i+1, rec.Endpoint)
		}
		var sent map[string]any
		if err := json.Unmarshal(calls[i].Request, &sent); err != nil {
			t.Fatal(err)
		}
		dropRefs(sent, rec.Body)
		if !reflect.DeepEqual(sent, rec.Body) {
			t.Errorf("%s: the Python program sent %v, the session %v", rec.Endpoint, rec.Body, sent)
		}
		for _, m := range rec.Models {
			if !modelFile(m) {
				t.Errorf("%s: the Python program builds plaid.model %s, which Plaid's API has no model of", rec.Endpoint, m)
			}
		}
	}
	if i != len(calls) {
		t.Errorf("the Python program made %d calls, the session %d", i, len(calls))
	}
}

// dropRefs drops from both bodies each field the session's holds a reference in (a token, a
// configuration): its value differs between runs by design. What is left must be the same.
func dropRefs(session, program map[string]any) {
	for k, v := range session {
		if _, ok := transcript.RefOf(v); ok {
			delete(session, k)
			delete(program, k)
			continue
		}
		sub, ok1 := v.(map[string]any)
		other, ok2 := program[k].(map[string]any)
		if ok1 && ok2 {
			dropRefs(sub, other)
		}
	}
}

// modelFiles says whether plaid-go v42 has a model named class (model_<snake>.go), read from
// the module cache: plaid-python's models come from the same OpenAPI file under the same names.
func modelFiles(t *testing.T) func(class string) bool {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/plaid/plaid-go/v42").Output()
	if err != nil {
		t.Fatalf("find plaid-go: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "plaid")
	snake := regexp.MustCompile(`([a-z0-9])([A-Z])`)
	return func(class string) bool {
		_, err := os.Stat(filepath.Join(dir, "model_"+strings.ToLower(snake.ReplaceAllString(class, "${1}_${2}"))+".go"))
		return err == nil
	}
}
