package callcode

import (
	"fmt"
	"regexp"
	"strings"
)

// node writes p as a Node.js program on Plaid's `plaid` package, laid out as Prettier would.
func node(p *Program) string {
	var b strings.Builder
	b.WriteString("\"use strict\";\n")
	for _, h := range p.Header {
		fmt.Fprintf(&b, "// %s\n", comment(h))
	}
	b.WriteString("// Run it with: npm install plaid && node program.js\n")
	if len(p.Inputs) > 0 {
		b.WriteString("const fs = require(\"fs\");\n")
	}
	env := "sandbox"
	if p.Environment == "production" {
		env = "production"
	}
	fmt.Fprintf(&b, `const { Configuration, PlaidApi, PlaidEnvironments } = require("plaid");

// env is the environment variable name, or stops when it is not set.
function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(%s + name);
    process.exit(1);
  }
  return value;
}

const client = new PlaidApi(
  new Configuration({
    basePath: process.env.PLAID_API_URL || PlaidEnvironments.%s,
    baseOptions: {
      headers: {
        "PLAID-CLIENT-ID": env("PLAID_CLIENT_ID"),
        "PLAID-SECRET": env("PLAID_SECRET"),
      },
    },
  }),
);
`, `"set "`, env)
	b.WriteString(nodeHelpers)
	b.WriteString("\nasync function main() {\n")
	for _, v := range p.Inputs {
		switch {
		case v.Paste:
			b.WriteString(pasteComment("  // "))
			fmt.Fprintf(&b, "  const %s = env(%q);\n", lowerCamel(v.Name), v.Env)
		case v.File:
			b.WriteString("  // The Sandbox user_custom configuration the session used (its contents are not in the transcript).\n")
			fmt.Fprintf(&b, "  const %s = fs.readFileSync(env(%q), \"utf8\");\n", lowerCamel(v.Name), v.Env)
		default:
			b.WriteString("  // The session already held this value (a saved Item's): plaid-onboard keeps it in the keyring.\n")
			fmt.Fprintf(&b, "  const %s = env(%q);\n", lowerCamel(v.Name), v.Env)
		}
	}
	exports := p.exports()
	for i, c := range p.Calls {
		n := i + 1
		if i > 0 || len(p.Inputs) > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  // %d. %s\n", n, c.Endpoint)
		for _, s := range c.Said {
			fmt.Fprintf(&b, "  // %s\n", comment(s))
		}
		mayFail := ""
		if c.MayFail {
			mayFail = ", { mayFail: true }"
		}
		fmt.Fprintf(&b, "  const answer%d = await call(%s, client.%s(%s)%s);\n", n, quote(c.Endpoint), lowerCamel(c.Endpoint), jsValue(c.Body, "  "), mayFail)
		for _, v := range exports[n] {
			fmt.Fprintf(&b, "  const %s = answer%d.%s;\n", lowerCamel(v.Name), n, v.Field)
		}
	}
	b.WriteString("}\n\nmain().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n")
	return b.String()
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// jsValue writes v as a JavaScript value, each variable by its name.
func jsValue(v any, indent string) string {
	switch x := v.(type) {
	case *Var:
		return lowerCamel(x.Name)
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		inner := indent + "  "
		var b strings.Builder
		b.WriteString("{\n")
		for _, k := range sortedKeys(x) {
			key := quote(k)
			if jsIdent.MatchString(k) {
				key = k
			}
			fmt.Fprintf(&b, "%s%s: %s,\n", inner, key, jsValue(x[k], inner))
		}
		return b.String() + indent + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, jsValue(e, indent))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return scalar(v)
}

const nodeHelpers = `
// call waits for a Plaid call, prints what its answer holds and returns it; on an error it
// prints Plaid's error_type, error_code and error_message and stops, unless the call may fail
// (the session got an error there too and carried on): then the error is the answer.
async function call(endpoint, request, { mayFail = false } = {}) {
  try {
    const answer = (await request).data;
    show(endpoint, answer);
    return answer;
  } catch (err) {
    if (!err.response) throw err;
    const e = err.response.data || {};
    console.error(
      endpoint + ": " + e.error_type + " " + e.error_code + ": " + e.error_message + " (request_id " + e.request_id + ")",
    );
    if (mayFail) {
      show(endpoint, e);
      return e;
    }
    process.exit(1);
  }
}

// mask keeps the last 4 characters of an account number or IBAN.
function mask(s) {
  s = String(s || "").replace(/ /g, "");
  return s.length <= 4 ? "••••" : "••••" + s.slice(-4);
}

// show prints what an answer holds that the session showed: the accounts and their numbers,
// account numbers and IBANs masked to their last 4.
function show(endpoint, a) {
  console.log("== " + endpoint);
  if (a.error_code) console.log("  error " + a.error_code);
  if (a.item_id) console.log("  item_id " + a.item_id);
  for (const acct of a.accounts || []) {
    const kind = acct.subtype ? acct.type + "/" + acct.subtype : acct.type;
    console.log("  account " + acct.name + " ••" + (acct.mask || "") + " " + kind);
  }
  const n = a.numbers || {};
  for (const x of n.ach || []) console.log("  ACH account " + mask(x.account) + " routing " + x.routing);
  for (const x of n.eft || [])
    console.log("  EFT account " + mask(x.account) + " institution " + x.institution + " branch " + x.branch);
  for (const x of n.international || []) console.log("  International IBAN " + mask(x.iban) + " BIC " + x.bic);
  for (const x of n.bacs || []) console.log("  BACS account " + mask(x.account) + " sort code " + x.sort_code);
}
`
