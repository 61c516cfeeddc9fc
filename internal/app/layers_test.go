package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The layering the README's Architecture section describes, checked on the
// real build graph: a package that starts importing upward fails here, not
// in review.
func TestLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	const mod = "github.com/rolesync/rolesync/"
	rules := []struct {
		pkgs      string   // go list pattern
		forbidden []string // import paths none of them may depend on
		why       string
	}{
		{mod + "internal/engine", []string{mod + "internal/config", mod + "internal/okta", mod + "internal/app"},
			"the engine knows policy, not configuration: it defines its own Policy and Snapshot"},
		{mod + "internal/config", []string{mod + "internal/store", "modernc.org/sqlite"},
			"configuration is typed values and YAML; persisting it is the wiring's (internal/app)"},
		{mod + "internal/target/...", []string{mod + "internal/config", mod + "internal/okta", mod + "internal/app"},
			"targets take their own Options; internal/app builds them from the configuration"},
		{mod + "internal/okta", []string{mod + "internal/config", mod + "internal/store", mod + "internal/engine"},
			"the Okta client knows Okta, not what the sync does with it"},
		{mod + "internal/report", []string{mod + "internal/config", mod + "internal/okta", mod + "internal/engine"},
			"reports read the store's history through its methods"},
		{mod + "ui/...", []string{"modernc.org/sqlite", mod + "internal/cli"},
			"the window reads records (internal/store/record) and links no SQLite driver; the driver is registered by the programs"},
		{mod + "internal/...", []string{"fyne.io/fyne/v2"},
			"only ui/ and cmd/rolesync draw"},
		{mod + "internal/setup", []string{mod + "internal/okta", mod + "internal/target", mod + "internal/store", mod + "internal/app"},
			"the wizard's form state is plain values: the calls that reach Okta or the portal come through the wizard's Deps"},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", r.pkgs).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", r.pkgs, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range r.forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s: %s", r.pkgs, dep, r.why)
				}
			}
		}
	}
}

// TestUIFilesDraw checks that every non-test Go file under ui/ imports a
// Fyne package: code that does not draw belongs in internal/.
func TestUIFilesDraw(t *testing.T) {
	files, err := filepath.Glob("../../ui/*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob("../../ui/*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		if !slices.ContainsFunc(f.Imports, func(is *ast.ImportSpec) bool {
			return strings.HasPrefix(strings.Trim(is.Path.Value, `"`), "fyne.io/")
		}) {
			t.Errorf("%s imports no Fyne package: code that does not draw belongs in internal/", strings.TrimPrefix(name, "../../"))
		}
	}
	if checked == 0 {
		t.Fatal("no file under ui/ was found")
	}
}
