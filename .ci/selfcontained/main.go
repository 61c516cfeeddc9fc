// Command selfcontained fails when a file of the repository reads a path
// outside it: a relative path in Go source, a shell script or the Makefile
// that climbs above the repository's root, or a reference to the reference
// material that sits beside a developer's checkout but not a user's clone.
//
// Usage: go run ./.ci/selfcontained [ROOT]
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// climb finds relative paths that go up at least one level.
var climb = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.])((?:\.\./)+[A-Za-z0-9_./-]*|\.\.$)`)

// beside names the folders that are not part of a clone.
var beside = regexp.MustCompile(`\bshared/(okta|tools|seed|docs)\b|/work/shared\b`)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	root, err := filepath.Abs(root)
	if err != nil {
		fail(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		fail(fmt.Errorf("list the repository's files: %v", err))
	}
	var problems []string
	for _, rel := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// testdata holds data, and this command holds the patterns it looks for.
		if rel == "" || strings.HasPrefix(rel, "testdata/") || strings.Contains(rel, "/testdata/") ||
			strings.HasPrefix(rel, ".ci/selfcontained/") {
			continue
		}
		problems = append(problems, check(root, rel)...)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		fmt.Fprintf(os.Stderr, "selfcontained: %d reference(s) to paths outside the repository; copy what is needed into testdata/ and point at it there\n", len(problems))
		os.Exit(1)
	}
	fmt.Println("selfcontained: no file reads a path outside the repository")
}

func check(root, rel string) []string {
	path := filepath.Join(root, rel)
	dir := filepath.Dir(path)
	switch {
	case strings.HasSuffix(rel, ".go"):
		return checkGo(root, rel, dir)
	case strings.HasSuffix(rel, ".sh"), filepath.Base(rel) == "Makefile", filepath.Base(rel) == "run",
		strings.HasSuffix(rel, ".yaml"), strings.HasSuffix(rel, ".yml"), strings.HasSuffix(rel, ".toml"):
		data, err := os.ReadFile(path)
		if err != nil {
			return []string{fmt.Sprintf("%s: %v", rel, err)}
		}
		var problems []string
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, p := range suspects(line) {
				if escapes(root, dir, p) {
					problems = append(problems, fmt.Sprintf("%s:%d: %q leaves the repository", rel, i+1, p))
				}
			}
			if m := beside.FindString(line); m != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: %q is not part of a clone", rel, i+1, m))
			}
		}
		return problems
	}
	return nil
}

// checkGo looks at every string literal, and at filepath.Join and path.Join
// calls whose leading arguments are literals.
func checkGo(root, rel, dir string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, parser.SkipObjectResolution)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", rel, err)}
	}
	var problems []string
	report := func(pos token.Pos, p, why string) {
		problems = append(problems, fmt.Sprintf("%s:%d: %q %s", rel, fset.Position(pos).Line, p, why))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Join" {
				return true
			}
			var parts []string
			for _, a := range n.Args {
				s, ok := literal(a)
				if !ok {
					break
				}
				parts = append(parts, s)
			}
			if len(parts) > 0 {
				if p := strings.Join(parts, "/"); escapes(root, dir, p) {
					report(n.Pos(), p, "leaves the repository")
				}
			}
		case *ast.BasicLit:
			s, ok := literal(n)
			if !ok {
				return true
			}
			for _, p := range suspects(s) {
				if escapes(root, dir, p) {
					report(n.Pos(), p, "leaves the repository")
				}
			}
			if m := beside.FindString(s); m != "" {
				report(n.Pos(), m, "is not part of a clone")
			}
		}
		return true
	})
	return problems
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func suspects(s string) []string {
	var out []string
	for _, m := range climb.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// escapes reports whether p, relative to dir, names a path above root.
func escapes(root, dir, p string) bool {
	if filepath.IsAbs(p) {
		return false
	}
	abs := filepath.Clean(filepath.Join(dir, p))
	r, err := filepath.Rel(root, abs)
	return err != nil || r == ".." || strings.HasPrefix(r, "../")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "selfcontained:", err)
	os.Exit(2)
}
