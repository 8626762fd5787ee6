package plaidapi

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v42/plaid"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// TestEnvironmentHostsArePlaidGos: config names Plaid's hosts itself so that it need not import
// plaid-go; they must stay the ones plaid-go would use.
func TestEnvironmentHostsArePlaidGos(t *testing.T) {
	if config.SandboxURL != string(plaid.Sandbox) || config.ProductionURL != string(plaid.Production) {
		t.Errorf("config has %s and %s, plaid-go %s and %s", config.SandboxURL, config.ProductionURL, plaid.Sandbox, plaid.Production)
	}
}

// TestPackagesImportAlongTheArrows reads every non-test file of the module and checks the
// layout the README describes: only this package imports plaid-go; the emulator imports nothing
// of ours but usercustom (it must stay independent of our client to catch its mistakes; its
// test-only helpers, emulatortest, may use the shared test harness);
// linkpage and plaidflow never import each other; nothing under plaidflow imports the front
// ends; localfile, the one reader of files a user may have put in the way, imports nothing of
// ours, so that any package (config, vault, transcript, the journeys, cmd) can use it without
// an arrow pointing back.
func TestPackagesImportAlongTheArrows(t *testing.T) {
	const module = "github.com/plaid-onboard/plaid-onboard/"
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{} // package dir → imports
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if imports[dir] == nil {
			imports[dir] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports[dir][strings.TrimPrefix(p, module)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("read only %d packages under %s", len(imports), root)
	}
	for dir, ims := range imports {
		for im := range ims {
			ours := !strings.Contains(im, ".") && (strings.HasPrefix(im, "plaidflow") || strings.HasPrefix(im, "linkpage") || strings.HasPrefix(im, "tui") || strings.HasPrefix(im, "cmd"))
			switch {
			case strings.HasPrefix(im, "github.com/plaid/plaid-go") && dir != "plaidflow/plaidapi":
				t.Errorf("%s imports plaid-go: only plaidflow/plaidapi may", dir)
			case strings.HasPrefix(dir, "plaidflow/emulator") && dir != "plaidflow/emulator/emulatortest" &&
				ours && !strings.HasPrefix(im, "plaidflow/emulator") && im != "plaidflow/usercustom":
				t.Errorf("the emulator (%s) imports %s: it may import only usercustom of ours", dir, im)
			case strings.HasPrefix(dir, "linkpage") && strings.HasPrefix(im, "plaidflow"),
				strings.HasPrefix(dir, "plaidflow") && strings.HasPrefix(im, "linkpage"):
				t.Errorf("%s imports %s: linkpage and plaidflow never import each other", dir, im)
			case strings.HasPrefix(dir, "plaidflow") && (strings.HasPrefix(im, "tui") || strings.HasPrefix(im, "cmd/")):
				t.Errorf("%s imports the front end %s", dir, im)
			case dir == "plaidflow/localfile" && ours:
				t.Errorf("%s imports %s: localfile is a leaf that every package may use, so it imports nothing of ours", dir, im)
			case strings.HasPrefix(dir, "plaidflow/") && im == "plaidflow" && dir != "plaidflow/doctor":
				t.Errorf("%s imports the journeys (plaidflow): the arrows point from plaidflow to its subpackages", dir)
			}
		}
	}
}
