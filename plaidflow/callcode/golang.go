package callcode

import (
	"encoding/json"
	"fmt"
	"go/format"
	"strconv"
	"strings"
)

// goProgram writes p as a Go program on plaid-go v42. Each request is decoded from the JSON
// the session sent into plaid-go's request type, so it is the body exactly as sent; the tokens
// are set on it from the earlier answers. The result is gofmt'd.
func goProgram(p *Program) (string, error) {
	var b strings.Builder
	for _, h := range p.Header {
		fmt.Fprintf(&b, "// %s\n", comment(h))
	}
	b.WriteString(`//
// Run it with: go mod init example && go get github.com/plaid/plaid-go/v42@v42.2.0 && go run .
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/plaid/plaid-go/v42/plaid"
)

func main() {
	ctx := context.Background()
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", mustEnv("PLAID_CLIENT_ID"))
	cfg.AddDefaultHeader("PLAID-SECRET", mustEnv("PLAID_SECRET"))
`)
	env := "plaid.Sandbox"
	if p.Environment == "production" {
		env = "plaid.Production"
	}
	fmt.Fprintf(&b, "cfg.UseEnvironment(%s)\n", env)
	b.WriteString(`if url := os.Getenv("PLAID_API_URL"); url != "" {
		cfg.UseEnvironment(plaid.Environment(url))
	}
	client := plaid.NewAPIClient(cfg)
`)
	for _, v := range p.Inputs {
		b.WriteString("\n")
		switch {
		case v.Paste:
			b.WriteString(pasteComment("// "))
			fmt.Fprintf(&b, "%s := mustEnv(%q)\n", lowerCamel(v.Name), v.Env)
		case v.File:
			b.WriteString("// The Sandbox user_custom configuration the session used (its contents are not in the transcript).\n")
			fmt.Fprintf(&b, "%sFile, err := os.ReadFile(mustEnv(%q))\ncheck(\"read the user_custom configuration\", err)\n%s := string(%sFile)\n",
				lowerCamel(v.Name), v.Env, lowerCamel(v.Name), lowerCamel(v.Name))
		default:
			b.WriteString("// The session already held this value (a saved Item's): plaid-onboard keeps it in the keyring.\n")
			fmt.Fprintf(&b, "%s := mustEnv(%q)\n", lowerCamel(v.Name), v.Env)
		}
	}
	exports := p.exports()
	for i, c := range p.Calls {
		n := i + 1
		fmt.Fprintf(&b, "\n// %d. %s\n", n, c.Endpoint)
		for _, s := range c.Said {
			fmt.Fprintf(&b, "// %s\n", comment(s))
		}
		// The JSON without the variables, which are set by name after decoding.
		var sets []string
		eachVar(c.Body, func(path []string, v *Var) {
			var sel strings.Builder
			for _, k := range path[:len(path)-1] {
				sel.WriteString("." + camel(k))
			}
			sets = append(sets, fmt.Sprintf("req%d%s.Set%s(%s)", n, sel.String(), camel(path[len(path)-1]), lowerCamel(v.Name)))
		})
		literal, err := json.Marshal(withoutVars(c.Body))
		if err != nil {
			return "", err
		}
		name := camel(c.Endpoint)
		fmt.Fprintf(&b, "var req%d plaid.%sRequest\n", n, name)
		if string(literal) != "{}" {
			fmt.Fprintf(&b, "decode(%s, &req%d)\n", goString(string(literal)), n)
		}
		for _, s := range sets {
			b.WriteString(s + "\n")
		}
		fmt.Fprintf(&b, "resp%d, _, err := client.PlaidApi.%s(ctx).%sRequest(req%d).Execute()\n", n, name, name, n)
		if c.MayFail {
			fmt.Fprintf(&b, "show(%q, resp%d)\nsessionFailedToo(err)\n", c.Endpoint, n)
		} else {
			fmt.Fprintf(&b, "check(%q, err)\nshow(%q, resp%d)\n", c.Endpoint, c.Endpoint, n)
		}
		for _, v := range exports[n] {
			fmt.Fprintf(&b, "%s := resp%d.Get%s()\n", lowerCamel(v.Name), n, camel(v.Field))
		}
	}
	b.WriteString("}\n")
	b.WriteString(goHelpers)
	out, err := format.Source([]byte(b.String()))
	if err != nil {
		return "", fmt.Errorf("format the Go program: %w", err)
	}
	return string(out), nil
}

// goString is s as a Go string literal: raw when it can be, for reading, else quoted in ASCII.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") && strconv.CanBackquote(s) && isASCII(s) {
		return "`" + s + "`"
	}
	return strconv.QuoteToASCII(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x7f || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// withoutVars is a copy of v without the fields that hold a variable.
func withoutVars(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if _, ok := e.(*Var); ok {
				continue
			}
			out[k] = withoutVars(e)
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, withoutVars(e))
		}
		return out
	}
	return v
}

const goHelpers = `
// mustEnv is the environment variable name, or stops when it is not set.
func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "set %s\n", name)
		os.Exit(1)
	}
	return v
}

// decode reads a request's JSON into plaid-go's type for it.
func decode(body string, req any) {
	check("decode a request", json.Unmarshal([]byte(body), req))
}

// check stops on an error, printing Plaid's error_type, error_code and error_message.
func check(what string, err error) {
	if err == nil {
		return
	}
	if apiErr, ok := err.(plaid.GenericOpenAPIError); ok {
		var e struct {
			ErrorType    string ` + "`json:\"error_type\"`" + `
			ErrorCode    string ` + "`json:\"error_code\"`" + `
			ErrorMessage string ` + "`json:\"error_message\"`" + `
			RequestID    string ` + "`json:\"request_id\"`" + `
		}
		if json.Unmarshal(apiErr.Body(), &e) == nil && e.ErrorCode != "" {
			fmt.Fprintf(os.Stderr, "%s: %s %s: %s (request_id %s)\n", what, e.ErrorType, e.ErrorCode, e.ErrorMessage, e.RequestID)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

// sessionFailedToo prints the Plaid error of a call the session got an error from too, and
// carries on as the session did.
func sessionFailedToo(err error) {
	if err == nil {
		return
	}
	var e struct {
		ErrorCode string ` + "`json:\"error_code\"`" + `
	}
	if apiErr, ok := err.(plaid.GenericOpenAPIError); ok && json.Unmarshal(apiErr.Body(), &e) == nil && e.ErrorCode != "" {
		fmt.Println("  error " + e.ErrorCode)
		return
	}
	check("a call", err)
}

// show prints what an answer holds that the session showed: the accounts and their numbers,
// account numbers and IBANs masked to their last 4.
func show(endpoint string, answer any) {
	fmt.Println("== " + endpoint)
	raw, err := json.Marshal(answer)
	check("read the answer", err)
	var a struct {
		ItemID   string ` + "`json:\"item_id\"`" + `
		Accounts []struct {
			Name    string  ` + "`json:\"name\"`" + `
			Mask    *string ` + "`json:\"mask\"`" + `
			Type    string  ` + "`json:\"type\"`" + `
			Subtype *string ` + "`json:\"subtype\"`" + `
		} ` + "`json:\"accounts\"`" + `
		Numbers struct {
			ACH           []map[string]any ` + "`json:\"ach\"`" + `
			EFT           []map[string]any ` + "`json:\"eft\"`" + `
			International []map[string]any ` + "`json:\"international\"`" + `
			BACS          []map[string]any ` + "`json:\"bacs\"`" + `
		} ` + "`json:\"numbers\"`" + `
	}
	check("read the answer", json.Unmarshal(raw, &a))
	if a.ItemID != "" {
		fmt.Println("  item_id " + a.ItemID)
	}
	for _, acct := range a.Accounts {
		kind := acct.Type
		if acct.Subtype != nil {
			kind += "/" + *acct.Subtype
		}
		fmt.Printf("  account %s ••%s %s\n", acct.Name, deref(acct.Mask), kind)
	}
	for _, n := range a.Numbers.ACH {
		fmt.Printf("  ACH account %s routing %s\n", mask(str(n["account"])), str(n["routing"]))
	}
	for _, n := range a.Numbers.EFT {
		fmt.Printf("  EFT account %s institution %s branch %s\n", mask(str(n["account"])), str(n["institution"]), str(n["branch"]))
	}
	for _, n := range a.Numbers.International {
		fmt.Printf("  International IBAN %s BIC %s\n", mask(str(n["iban"])), str(n["bic"]))
	}
	for _, n := range a.Numbers.BACS {
		fmt.Printf("  BACS account %s sort code %s\n", mask(str(n["account"])), str(n["sort_code"]))
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mask keeps the last 4 characters of an account number or IBAN.
func mask(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) <= 4 {
		return "••••"
	}
	return "••••" + s[len(s)-4:]
}
`
