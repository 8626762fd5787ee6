package sanitize_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestPrintersOfOutsideTextUseLine: the functions that put text from outside on a terminal
// (webhooks, transcripts, Plaid's errors, names) call sanitize.Line (or present.Name, which is
// it for names). The attacks (cmd/plaid-onboard/attack_output_test.go) show they are safe
// today; this keeps a rewrite of one of them from dropping the call unnoticed.
func TestPrintersOfOutsideTextUseLine(t *testing.T) {
	for _, p := range []struct{ file, fn string }{
		{"cmd/plaid-onboard/webhooks_listen.go", "printWebhook"},
		{"cmd/plaid-onboard/webhooks_listen.go", "webhookDetail"},
		{"cmd/plaid-onboard/webhooks_listen.go", "forwardNote"},
		{"cmd/plaid-onboard/emulator_logs.go", "callLine"},
		{"cmd/plaid-onboard/report.go", "runReport"},
		{"cmd/plaid-onboard/app.go", "errorLines"},
		{"plaidflow/webhook/webhook_describe.go", "Describe"},
		{"plaidflow/webhook/webhook_describe.go", "Record"},
		{"plaidflow/transcript/transcript.go", "Summary"},
		{"plaidflow/transcript/transcript.go", "Describe"},
		{"plaidflow/transcript/transcript.go", "metaDetail"},
		{"plaidflow/problem.go", "Fields"},
		{"plaidflow/problem.go", "WriteProblem"},
		{"plaidflow/present/present.go", "WriteReport"},
		{"plaidflow/items_present.go", "WriteItems"},
		{"plaidflow/items_present.go", "WriteBalances"},
	} {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "..", p.file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		found, calls := false, false
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Name.Name != p.fn {
				continue
			}
			found = true
			ast.Inspect(fd, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && ((x.Name == "sanitize" && sel.Sel.Name == "Line") || (x.Name == "present" && sel.Sel.Name == "Name")) {
						calls = true
					}
				}
				if call, ok := n.(*ast.CallExpr); ok { // present's own Name(…)
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Name" {
						calls = true
					}
				}
				return !calls
			})
		}
		switch {
		case !found:
			t.Errorf("%s has no func %s: update this list", p.file, p.fn)
		case !calls:
			t.Errorf("%s: %s prints text from outside without sanitize.Line", p.file, p.fn)
		}
	}
}
