// Command vulncheck reads govulncheck's JSON stream on stdin and decides
// whether `make lint` passes. A vulnerability that rolesync's code reaches in
// a module it requires fails the check: upgrading the module is in the
// project's hands. One in the Go standard library is reported with the Go
// release that fixes it and does not fail the check, since the standard
// library is the builder's installed Go, not a project dependency; pass
// -strict to fail on those too.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/version"
	"io"
	"os"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
}

type message struct {
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

// called is one vulnerability that rolesync's code reaches.
type called struct {
	id, module, found, fixed, pkg string
}

func main() {
	strict := flag.Bool("strict", false, "also fail on vulnerabilities in the Go standard library")
	flag.Parse()
	found, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(2)
	}
	os.Exit(report(os.Stdout, found, *strict))
}

// read collects the called vulnerabilities: findings whose innermost frame
// names a function (govulncheck reports imported-only and required-only
// findings without one).
func read(r io.Reader) (map[string]called, error) {
	dec := json.NewDecoder(r)
	out := map[string]called{}
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading govulncheck -json output: %w", err)
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue
		}
		t := f.Trace[0]
		out[f.OSV+" "+t.Module] = called{id: f.OSV, module: t.Module, found: t.Version, fixed: f.FixedVersion, pkg: t.Package}
	}
}

// report prints the findings and returns the exit code.
func report(w io.Writer, found map[string]called, strict bool) int {
	var mods, std []called
	for _, c := range found {
		if c.module == "stdlib" || c.module == "toolchain" {
			std = append(std, c)
		} else {
			mods = append(mods, c)
		}
	}
	for _, l := range [][]called{mods, std} {
		sort.Slice(l, func(i, j int) bool { return l[i].id < l[j].id })
	}
	for _, c := range mods {
		fmt.Fprintf(w, "vulncheck: %s in %s@%s (reached through %s): upgrade to %s with `go get %s@%s && go mod tidy`\n",
			c.id, c.module, c.found, c.pkg, c.fixed, c.module, c.fixed)
	}
	if len(std) > 0 {
		var ids []string
		need := ""
		for _, c := range std {
			ids = append(ids, c.id)
			if need == "" || version.Compare(goVersion(c.fixed), goVersion(need)) > 0 {
				need = c.fixed
			}
		}
		fmt.Fprintf(w, "vulncheck: the installed Go (%s) has %d vulnerabilities that rolesync's code reaches (%s); build releases with Go %s or newer\n",
			std[0].found, len(std), strings.Join(ids, ", "), strings.TrimPrefix(need, "v"))
	}
	switch {
	case len(mods) > 0:
		fmt.Fprintf(w, "vulncheck: %d vulnerable module(s) to upgrade\n", len(mods))
		return 1
	case len(std) > 0 && strict:
		return 1
	}
	fmt.Fprintln(w, "vulncheck: no vulnerable module that rolesync's code reaches")
	return 0
}

// goVersion turns govulncheck's "v1.26.10" into go/version's "go1.26.10".
func goVersion(v string) string { return "go" + strings.TrimPrefix(v, "v") }
