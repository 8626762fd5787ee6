package callcode

import (
	"fmt"
	"strings"
)

// curl writes p as a bash script: curl makes each call, jq builds each body and reads each
// answer. The keys go in headers read from a file descriptor, so they never show in `ps`.
func curl(p *Program) string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	for _, h := range p.Header {
		fmt.Fprintf(&b, "# %s\n", comment(h))
	}
	fmt.Fprintf(&b, `set -euo pipefail

command -v jq >/dev/null || { echo "this program needs jq (https://jqlang.org)" >&2; exit 1; }
: "${PLAID_CLIENT_ID:?set PLAID_CLIENT_ID to your client_id}"
: "${PLAID_SECRET:?set PLAID_SECRET to your %s secret}"
base_url="${PLAID_API_URL:-%s}"
`, p.Environment, p.BaseURL)
	for _, v := range p.Inputs {
		b.WriteString("\n")
		switch {
		case v.Paste:
			b.WriteString(pasteComment("# "))
			fmt.Fprintf(&b, "%s=\"${%s:?set %s to the public token Link gave you}\"\n", v.Name, v.Env, v.Env)
		case v.File:
			fmt.Fprintf(&b, "# The Sandbox user_custom configuration the session used (its contents are not in the transcript).\n")
			fmt.Fprintf(&b, "%s=\"$(cat \"${%s:?set %s to the user_custom configuration file}\")\"\n", v.Name, v.Env, v.Env)
		default:
			fmt.Fprintf(&b, "# The session already held this value (a saved Item's): plaid-onboard keeps it in the keyring.\n")
			fmt.Fprintf(&b, "%s=\"${%s:?set %s}\"\n", v.Name, v.Env, v.Env)
		}
	}
	b.WriteString(curlHelpers)
	exports := p.exports()
	for i, c := range p.Calls {
		n := i + 1
		fmt.Fprintf(&b, "\n# %d. %s\n", n, c.Endpoint)
		for _, s := range c.Said {
			fmt.Fprintf(&b, "# %s\n", comment(s))
		}
		var args []string
		seen := map[*Var]bool{}
		eachVar(c.Body, func(_ []string, v *Var) {
			if !seen[v] {
				seen[v] = true
				args = append(args, fmt.Sprintf("--arg %s \"$%s\" ", v.Name, v.Name))
			}
		})
		body := shellQuote(jqValue(c.Body, ""))
		mayFail := ""
		if c.MayFail {
			mayFail = " may-fail"
		}
		fmt.Fprintf(&b, "answer=$(plaid %s \"$(jq -n %s%s)\"%s)\n", c.Endpoint, strings.Join(args, ""), body, mayFail)
		fmt.Fprintf(&b, "show %s \"$answer\"\n", c.Endpoint)
		for _, v := range exports[n] {
			fmt.Fprintf(&b, "%s=$(jq -r .%s <<<\"$answer\")\n", v.Name, v.Field)
		}
	}
	return b.String()
}

// pasteComment marks the place a Production program needs the user's public token.
func pasteComment(prefix string) string {
	lines := []string{
		"==== PASTE HERE: the public token from Link ====",
		"In Production there is no way around Link: open Link with the link token the first call",
		"made (or your own app's), and put the public_token its onSuccess hands you in",
		"PLAID_PUBLIC_TOKEN. It is single-use and works for 30 minutes.",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

const curlHelpers = `
# plaid POSTs a JSON body to a Plaid endpoint and prints the answer; on an error it prints
# Plaid's error_type, error_code and error_message and stops, unless told the call may fail
# (the session got an error there too and carried on): then the error is the answer.
plaid() {
  local out status
  out=$(curl -sS -w '\n%{http_code}' -X POST "$base_url$1" \
    -H 'Content-Type: application/json' \
    -H @<(printf 'PLAID-CLIENT-ID: %s\nPLAID-SECRET: %s\n' "$PLAID_CLIENT_ID" "$PLAID_SECRET") \
    --data-binary "$2")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [ "$status" != 200 ]; then
    echo "$1: HTTP $status $(jq -r '"\(.error_type) \(.error_code): \(.error_message) (request_id \(.request_id))"' <<<"$out" 2>/dev/null)" >&2
    if [ "${3:-}" = may-fail ]; then
      printf '%s' "$out"
      return
    fi
    exit 1
  fi
  printf '%s' "$out"
}

# show prints what an answer holds that the session showed: the accounts and their numbers,
# account numbers and IBANs masked to their last 4.
show() {
  echo "== $1"
  jq -r '
    def mask: gsub(" "; "") | if length <= 4 then "••••" else "••••" + .[-4:] end;
    def kind: if .subtype then "\(.type)/\(.subtype)" else .type end;
    (.error_code // empty | "  error \(.)"),
    (.item_id // empty | "  item_id \(.)"),
    ((.accounts // [])[] | "  account \(.name) ••\(.mask // "") \(kind)"),
    ((.numbers.ach // [])[] | "  ACH account \(.account | mask) routing \(.routing)"),
    ((.numbers.eft // [])[] | "  EFT account \(.account | mask) institution \(.institution) branch \(.branch)"),
    ((.numbers.international // [])[] | "  International IBAN \(.iban | mask) BIC \(.bic)"),
    ((.numbers.bacs // [])[] | "  BACS account \(.account | mask) sort code \(.sort_code)")
  ' <<<"$2"
}
`

// jqValue writes v as a jq expression: JSON, with each variable as $name.
func jqValue(v any, indent string) string {
	switch x := v.(type) {
	case *Var:
		return "$" + x.Name
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		inner := indent + "  "
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, inner+quote(k)+": "+jqValue(x[k], inner))
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + indent + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, jqValue(e, indent))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return scalar(v)
}

// scalar writes a JSON scalar: a string quoted, a number as sent, true, false or null.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	case fmt.Stringer: // json.Number
		return x.String()
	}
	return "null"
}

// shellQuote is s in single quotes for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
