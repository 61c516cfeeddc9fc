package main

import (
	"strings"
	"testing"
)

// stream is govulncheck -json output cut down to what vulncheck reads: a
// called module finding, an imported-only one, and a called stdlib one.
const stream = `{"config":{"protocol_version":"v1.0.0"}}
{"finding":{"osv":"GO-2026-4945","fixed_version":"v3.0.5","trace":[{"module":"github.com/go-jose/go-jose/v3","version":"v3.0.3","package":"github.com/go-jose/go-jose/v3","function":"NewSigner"}]}}
{"finding":{"osv":"GO-2026-0001","fixed_version":"v1.2.0","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m"}]}}
{"finding":{"osv":"GO-2026-6600","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"html/template","function":"Execute"}]}}
{"finding":{"osv":"GO-2026-6809","fixed_version":"v1.26.10","trace":[{"module":"stdlib","version":"v1.26.8","package":"crypto/x509","function":"Verify"}]}}
`

func TestReportFailsOnCalledModulesOnly(t *testing.T) {
	found, err := read(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 3 {
		t.Fatalf("found %d called vulnerabilities, want 3 (the imported-only one is not called): %v", len(found), found)
	}
	var out strings.Builder
	if code := report(&out, found, false); code != 1 {
		t.Fatalf("exit %d, want 1 for a called module vulnerability\n%s", code, out.String())
	}
	for _, want := range []string{"go get github.com/go-jose/go-jose/v3@v3.0.5", "Go 1.26.10 or newer"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	delete(found, "GO-2026-4945 github.com/go-jose/go-jose/v3")
	if code := report(&out, found, false); code != 0 {
		t.Errorf("stdlib only: exit %d, want 0", code)
	}
	if code := report(&out, found, true); code != 1 {
		t.Errorf("stdlib only with -strict: exit %d, want 1", code)
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	if _, err := read(strings.NewReader("{not json")); err == nil || !strings.Contains(err.Error(), "govulncheck -json") {
		t.Fatalf("err = %v, want one naming govulncheck's output", err)
	}
}
