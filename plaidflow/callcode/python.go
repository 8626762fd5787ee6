package callcode

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// python writes p as a Python program on plaid-python, laid out as Black would: each request
// is plaid-python's model for it, with the nested objects and the product and country enums
// as their own models, as Plaid's Python examples build them.
func python(p *Program) string {
	imports := map[string]bool{}
	var calls strings.Builder
	exports := p.exports()
	for i, c := range p.Calls {
		n := i + 1
		fmt.Fprintf(&calls, "\n# %d. %s\n", n, c.Endpoint)
		for _, s := range c.Said {
			fmt.Fprintf(&calls, "# %s\n", comment(s))
		}
		class := camel(c.Endpoint) + "Request"
		mayFail := ""
		if c.MayFail {
			mayFail = "    may_fail=True,\n"
		}
		fmt.Fprintf(&calls, "answer%d = call(\n    %s,\n    client.%s,\n    %s,\n%s)\n", n, quote(c.Endpoint), snake(c.Endpoint),
			pyModel(class, c.Body, "    ", imports), mayFail)
		for _, v := range exports[n] {
			fmt.Fprintf(&calls, "%s = answer%d[%s]\n", v.Name, n, quote(v.Field))
		}
	}

	var b strings.Builder
	b.WriteString("#!/usr/bin/env python3\n")
	for _, h := range p.Header {
		fmt.Fprintf(&b, "# %s\n", comment(h))
	}
	b.WriteString("# Run it with: pip install plaid-python && python3 program.py\n")
	b.WriteString("import json\nimport os\nimport sys\n\nimport plaid\nfrom plaid.api import plaid_api\n")
	var classes []string
	for c := range imports {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		fmt.Fprintf(&b, "from plaid.model.%s import %s\n", snakeClass(c), c)
	}
	env := "Sandbox"
	if p.Environment == "production" {
		env = "Production"
	}
	fmt.Fprintf(&b, pythonHelpers, env)
	for _, v := range p.Inputs {
		b.WriteString("\n")
		switch {
		case v.Paste:
			b.WriteString(pasteComment("# "))
			fmt.Fprintf(&b, "%s = env(%s)\n", v.Name, quote(v.Env))
		case v.File:
			b.WriteString("# The Sandbox user_custom configuration the session used (its contents are not in the transcript).\n")
			fmt.Fprintf(&b, "with open(env(%s), encoding=\"utf-8\") as f:\n    %s = f.read()\n", quote(v.Env), v.Name)
		default:
			b.WriteString("# The session already held this value (a saved Item's): plaid-onboard keeps it in the keyring.\n")
			fmt.Fprintf(&b, "%s = env(%s)\n", v.Name, quote(v.Env))
		}
	}
	b.WriteString(calls.String())
	return b.String()
}

// enumLists are the request fields that are lists of plaid-python's enum models.
var enumLists = map[string]string{
	"products": "Products", "initial_products": "Products", "required_if_supported_products": "Products",
	"optional_products": "Products", "additional_consented_products": "Products", "country_codes": "CountryCode",
}

// nestedClass names the model of a nested object where plaid-python's name is not the parent's
// and the field's (LinkTokenCreateRequest.user is LinkTokenCreateRequestUser).
var nestedClass = map[string]string{
	"LinkTokenCreateRequest.hosted_link":     "LinkTokenCreateHostedLink",
	"LinkTokenCreateRequest.account_filters": "LinkTokenAccountFilters",
}

// pyModel writes an object as the model class with keyword arguments.
func pyModel(class string, m map[string]any, indent string, imports map[string]bool) string {
	imports[class] = true
	if len(m) == 0 {
		return class + "()"
	}
	inner := indent + "    "
	var b strings.Builder
	b.WriteString(class + "(\n")
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s%s=%s,\n", inner, k, pyField(class, k, m[k], inner, imports))
	}
	return b.String() + indent + ")"
}

func pyField(parent, key string, v any, indent string, imports map[string]bool) string {
	switch x := v.(type) {
	case map[string]any:
		class := nestedClass[parent+"."+key]
		if class == "" {
			class = parent + camel(key)
		}
		return pyModel(class, x, indent, imports)
	case []any:
		if enum := enumLists[key]; enum != "" {
			imports[enum] = true
			var parts []string
			for _, e := range x {
				parts = append(parts, enum+"("+pyValue(e, indent)+")")
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
	}
	return pyValue(v, indent)
}

// pyValue writes a plain Python value, each variable by its name.
func pyValue(v any, indent string) string {
	switch x := v.(type) {
	case *Var:
		return x.Name
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, quote(k)+": "+pyValue(x[k], indent))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, pyValue(e, indent))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return scalar(v)
}

var upperRun = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// snakeClass is a model's module name in plaid-python: LinkTokenCreateRequestUser ->
// link_token_create_request_user.
func snakeClass(class string) string {
	return strings.ToLower(upperRun.ReplaceAllString(class, "${1}_${2}"))
}

const pythonHelpers = `

def env(name):
    """The environment variable name, or stop when it is not set."""
    value = os.environ.get(name)
    if not value:
        sys.exit("set " + name)
    return value


def mask(s):
    """The last 4 characters of an account number or IBAN."""
    s = (s or "").replace(" ", "")
    return "••••" if len(s) <= 4 else "••••" + s[-4:]


def show(endpoint, a):
    """Print what an answer holds that the session showed: the accounts and their numbers,
    account numbers and IBANs masked to their last 4."""
    print("== " + endpoint)
    if a.get("error_code"):
        print("  error " + a["error_code"])
    if a.get("item_id"):
        print("  item_id " + a["item_id"])
    for acct in a.get("accounts") or []:
        kind = acct["type"] + "/" + acct["subtype"] if acct.get("subtype") else acct["type"]
        print("  account %%s ••%%s %%s" %% (acct["name"], acct.get("mask") or "", kind))
    n = a.get("numbers") or {}
    for x in n.get("ach") or []:
        print("  ACH account %%s routing %%s" %% (mask(x["account"]), x["routing"]))
    for x in n.get("eft") or []:
        print("  EFT account %%s institution %%s branch %%s" %% (mask(x["account"]), x["institution"], x["branch"]))
    for x in n.get("international") or []:
        print("  International IBAN %%s BIC %%s" %% (mask(x["iban"]), x["bic"]))
    for x in n.get("bacs") or []:
        print("  BACS account %%s sort code %%s" %% (mask(x["account"]), x["sort_code"]))


def call(endpoint, method, request, may_fail=False):
    """Make a Plaid call, print what its answer holds and return it; on an error, print
    Plaid's error_type, error_code and error_message and stop, unless the call may fail (the
    session got an error there too and carried on): then the error is the answer."""
    try:
        answer = method(request).to_dict()
    except plaid.ApiException as e:
        answer = json.loads(e.body or "{}")
        message = "%%s: %%s %%s: %%s (request_id %%s)" %% (
            endpoint,
            answer.get("error_type"),
            answer.get("error_code"),
            answer.get("error_message"),
            answer.get("request_id"),
        )
        if not may_fail:
            sys.exit(message)
        print(message, file=sys.stderr)
    show(endpoint, answer)
    return answer


configuration = plaid.Configuration(
    host=os.environ.get("PLAID_API_URL") or plaid.Environment.%s,
    api_key={"clientId": env("PLAID_CLIENT_ID"), "secret": env("PLAID_SECRET")},
)
client = plaid_api.PlaidApi(plaid.ApiClient(configuration))
`
