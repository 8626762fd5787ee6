package emulator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// controlRoutes are the routes under /_emulator/ that the control API's code compares its
// route with (`route == "faults"`, `case "state":`), read from the package's source: a
// handler called with strings.TrimPrefix(route, "webhooks/") serves its routes under that
// prefix.
func controlRoutes(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	isRoute := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "route" }
	literal := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	prefixOf := map[string]string{} // handler name → the prefix its routes are under
	byFunc := map[string][]string{}
	for _, f := range pkgs["emulator"].Files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BinaryExpr:
					if r, ok := literal(n.Y); ok && n.Op == token.EQL && isRoute(n.X) {
						byFunc[fn.Name.Name] = append(byFunc[fn.Name.Name], r)
					}
				case *ast.SwitchStmt:
					if n.Tag != nil && isRoute(n.Tag) {
						for _, c := range n.Body.List {
							for _, e := range c.(*ast.CaseClause).List {
								if r, ok := literal(e); ok {
									byFunc[fn.Name.Name] = append(byFunc[fn.Name.Name], r)
								}
							}
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					for _, a := range n.Args {
						inner, ok := a.(*ast.CallExpr)
						if !ok || len(inner.Args) != 2 || !isRoute(inner.Args[0]) {
							continue
						}
						if f, ok := inner.Fun.(*ast.SelectorExpr); ok && f.Sel.Name == "TrimPrefix" {
							if p, ok := literal(inner.Args[1]); ok {
								prefixOf[sel.Sel.Name] = p
							}
						}
					}
				}
				return true
			})
		}
	}
	var routes []string
	for fn, rs := range byFunc {
		for _, r := range rs {
			routes = append(routes, prefixOf[fn]+r)
		}
	}
	slices.Sort(routes)
	return slices.Compact(routes)
}

// Every endpoint the control API serves is in the README's "The control API" section, where a
// test author looks for it: one added to the code without a line there fails here.
func TestREADMEListsEveryControlEndpoint(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "\n### The control API\n")
	if start < 0 {
		t.Fatal(`README.md has no "### The control API" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[1:], "\n### "); end >= 0 {
		section = section[:end+1]
	}
	routes := controlRoutes(t)
	// A reading that finds too little would let anything pass: these are known to exist.
	for _, must := range []string{"faults", "state/save", "webhooks/sign", "requests"} {
		if !slices.Contains(routes, must) {
			t.Fatalf("the control routes read from the code are %q: %q is missing, so the reading is broken", routes, must)
		}
	}
	for _, r := range routes {
		if !regexp.MustCompile(regexp.QuoteMeta(controlPrefix+r) + "(?:[`?\" ]|$)").MatchString(section) {
			t.Errorf("the control API serves %s%s, but README.md's \"The control API\" section does not list it", controlPrefix, r)
		}
	}
}
