package callcode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Postman is p as a Postman collection and environment (format v2.1), with the variable names
// of Plaid's own Postman collection (env_url, client_id, secret_key, public_token,
// access_token), so a user who knows that collection reads this one. The keys go in each body
// as {{client_id}} and {{secret_key}}, as Plaid's collection sends them; each answer's tokens
// are set in the environment by the request's test script, which feeds the next request.
func Postman(p *Program, name string) (collection, environment []byte, err error) {
	exports := p.exports()
	var items []any
	for i, c := range p.Calls {
		n := i + 1
		body := map[string]any{}
		for k, v := range c.Body {
			body[k] = v
		}
		body["client_id"], body["secret"] = "{{client_id}}", "{{secret_key}}"
		raw, err := postmanBody(body)
		if err != nil {
			return nil, nil, err
		}
		var test []string
		if c.MayFail {
			test = append(test, "// The session got a Plaid error here too and carried on.")
		} else {
			test = append(test, `pm.test("HTTP 200", function () { pm.response.to.have.status(200); });`)
		}
		test = append(test, "const answer = pm.response.json();")
		for _, v := range exports[n] {
			test = append(test, fmt.Sprintf("pm.environment.set(%s, answer[%s]);", quote(v.Name), quote(v.Field)))
		}
		desc := strings.Join(c.Said, "\n")
		item := map[string]any{
			"name": fmt.Sprintf("%d. %s", n, c.Endpoint),
			"event": []any{map[string]any{"listen": "test", "script": map[string]any{
				"type": "text/javascript", "exec": test}}},
			"request": map[string]any{
				"method":      "POST",
				"description": desc,
				"header":      []any{map[string]any{"key": "Content-Type", "value": "application/json"}},
				"body":        map[string]any{"mode": "raw", "raw": raw, "options": map[string]any{"raw": map[string]any{"language": "json"}}},
				"url": map[string]any{
					"raw":  "{{env_url}}" + c.Endpoint,
					"host": []any{"{{env_url}}"},
					"path": strings.Split(strings.Trim(c.Endpoint, "/"), "/"),
				},
			},
		}
		items = append(items, item)
	}
	var about []string
	for _, h := range p.Header {
		if !strings.HasPrefix(h, "Keys come from") { // the programs' environment variables, not Postman's
			about = append(about, comment(h))
		}
	}
	about = append(about, "Set env_url, client_id and secret_key in the environment (env_url: Plaid's host, or plaid-onboard emulator's URL).")
	for _, v := range p.Inputs {
		switch {
		case v.Paste:
			about = append(about, "Production: open Link and put the public_token its onSuccess gives in the environment's "+v.Name+" before running.")
		default:
			about = append(about, "Put "+v.Name+" in the environment before running (the session already held it).")
		}
	}
	coll := map[string]any{
		"info": map[string]any{
			"name":        name,
			"description": strings.Join(about, "\n"),
			"schema":      "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		},
		"item": items,
	}
	values := []any{
		map[string]any{"key": "env_url", "value": p.BaseURL, "enabled": true},
		map[string]any{"key": "client_id", "value": "", "enabled": true},
		map[string]any{"key": "secret_key", "value": "", "type": "secret", "enabled": true},
	}
	seen := map[string]bool{"env_url": true, "client_id": true, "secret_key": true}
	for _, c := range p.Calls {
		eachVar(c.Body, func(_ []string, v *Var) {
			if !seen[v.Name] {
				seen[v.Name] = true
				values = append(values, map[string]any{"key": v.Name, "value": "", "enabled": true})
			}
		})
	}
	env := map[string]any{"name": name + " (" + p.Environment + ")", "values": values, "_postman_variable_scope": "environment"}
	if collection, err = marshalIndent(coll); err != nil {
		return nil, nil, err
	}
	environment, err = marshalIndent(env)
	return collection, environment, err
}

// postmanBody is a request body as Postman's raw JSON, each variable as "{{name}}".
func postmanBody(body map[string]any) (string, error) {
	withVars := replaceVarsCopy(body)
	b, err := marshalIndent(withVars)
	return string(b), err
}

// replaceVarsCopy is a copy of v with each *Var as the string "{{name}}".
func replaceVarsCopy(v any) any {
	switch x := v.(type) {
	case *Var:
		return "{{" + x.Name + "}}"
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = replaceVarsCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceVarsCopy(e)
		}
		return out
	}
	return v
}

func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
